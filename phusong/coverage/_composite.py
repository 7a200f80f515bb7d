"""From the engine's accumulators to coverage layers: SINR, throughput, union, per-sector table.

* :func:`composite_layers`: per (operator, technology), the best server's RSRP minus the fading
  margin, its median SINR against the co-channel sum and noise, and its throughput (3GPP
  TR 36.942 Annex A.2 bounded Shannon), by :func:`~phusong.coverage._kernels_grid.composite_layer`.
* :func:`union_layers`: the ``ANY`` layer of each technology, cell by cell the layer of the
  operator with the best RSRP (its SINR, throughput and server come with it), so that the union
  never covers less than any operator alone.
* :func:`sector_summary`: per predicted sector, the area it serves as best server and covers
  (RSRP at or above the technology's threshold), the farthest covered cell and the mean RSRP
  there.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from phusong.coverage.grid import ANY, TECHS, CoverageGrid, CoverageLayer
from phusong.coverage.models.link import sinr_max_db

__all__ = ["composite_layers", "union_layers", "sector_summary", "summary_text"]

log = logging.getLogger(__name__)


def composite_layers(best: NDArray[np.float32], server: NDArray[np.int32],
                     psum: NDArray[np.float32], layer_keys: list[tuple[str, str]],
                     key_of_sector: NDArray[np.int64], sectors: pd.DataFrame, radio: Any,
                     margin_db: float) -> dict[tuple[str, str], CoverageLayer]:
    """One :class:`CoverageLayer` per (operator, technology) from the accumulators."""
    from phusong.coverage._kernels_grid import composite_layer

    is5 = (sectors["tech"] == "5G").to_numpy()
    noise_mw = 10.0 ** (sectors["noise_re_dbm"].to_numpy(dtype=float) / 10.0)
    bw = sectors["bandwidth_mhz"].to_numpy(dtype=float)
    rate_factor = np.where(is5, radio.mimo_layers_5g * (1.0 - radio.overhead_5g),
                           radio.mimo_layers_4g * (1.0 - radio.overhead_4g))
    max_se = np.where(is5, radio.max_se_5g_bps_hz, radio.max_se_4g_bps_hz)
    for tech, se in (("4G", radio.max_se_4g_bps_hz), ("5G", radio.max_se_5g_bps_hz)):
        log.debug("coverage: %s throughput saturates at SINR %.1f dB", tech,
                  sinr_max_db(radio.shannon_alpha, se))
    layers: dict[tuple[str, str], CoverageLayer] = {}
    for i, (op, tech) in enumerate(layer_keys):
        rsrp, sinr, rate = composite_layer(best[i], server[i], psum, key_of_sector, noise_mw,
                                           bw, rate_factor, max_se, radio.shannon_alpha,
                                           radio.sinr_min_db, radio.load, margin_db)
        layers[(op, tech)] = CoverageLayer(op, tech, rsrp, sinr, rate, server[i].copy())
    return layers


def union_layers(layers: dict[tuple[str, str], CoverageLayer]
                 ) -> dict[tuple[str, str], CoverageLayer]:
    """The ``ANY`` layer per technology: per cell, the operator layer with the best RSRP."""
    out: dict[tuple[str, str], CoverageLayer] = {}
    for tech in TECHS:
        mine = [layer for (op, t), layer in sorted(layers.items()) if t == tech and op != ANY]
        if not mine:
            continue
        rsrp = mine[0].rsrp_dbm.copy()
        sinr = mine[0].sinr_db.copy()
        rate = mine[0].dl_mbps.copy()
        server = mine[0].server.copy()
        for layer in mine[1:]:
            with np.errstate(invalid="ignore"):
                take = (layer.rsrp_dbm > rsrp) | (np.isnan(rsrp) & ~np.isnan(layer.rsrp_dbm))
            np.copyto(rsrp, layer.rsrp_dbm, where=take)
            np.copyto(sinr, layer.sinr_db, where=take)
            np.copyto(rate, layer.dl_mbps, where=take)
            np.copyto(server, layer.server, where=take)
        out[(ANY, tech)] = CoverageLayer(ANY, tech, rsrp, sinr, rate, server)
    return out


def sector_summary(grid: CoverageGrid) -> pd.DataFrame:
    """Per predicted sector: served and covered area as best server, range and mean RSRP.

    Columns: ``sector_id, site_id, operator, tech, band_mhz, served_km2`` (cells where it is
    the best server of its operator and technology), ``covered_km2`` (of those, RSRP at or above
    the technology's threshold), ``max_range_km`` (farthest covered cell centre from the site),
    ``mean_rsrp_dbm`` (mean over the covered cells; empty when none).
    """
    from phusong.coverage._kernels_grid import server_stats

    sectors = grid.sectors
    cols = ["sector_id", "site_id", "operator", "tech", "band_mhz"]
    extra = ["served_km2", "covered_km2", "max_range_km", "mean_rsrp_dbm"]
    if sectors is None or not {*cols, "x", "y"} <= set(sectors.columns):
        return pd.DataFrame(columns=cols + extra)
    out = sectors[cols].copy()
    n = len(out)
    served = np.zeros(n, dtype=np.int64)
    covered = np.zeros(n, dtype=np.int64)
    far = np.zeros(n)
    total = np.zeros(n)
    t = grid.transform
    sx = sectors["x"].to_numpy(dtype=float)
    sy = sectors["y"].to_numpy(dtype=float)
    for (op, tech), layer in grid.layers.items():
        if op == ANY or layer.server.size == 0 or int(layer.server.max()) >= n:
            continue
        a, b, c, d = server_stats(layer.server, layer.rsrp_dbm,
                                  float(grid.rsrp_threshold_dbm[tech]), sx, sy, t.c, t.f, t.a,
                                  t.e)
        served += a
        covered += b
        far = np.maximum(far, c)
        total += d
    km2 = grid.cell_area_m2 / 1e6
    out["served_km2"] = np.round(served * km2, 4)
    out["covered_km2"] = np.round(covered * km2, 4)
    out["max_range_km"] = np.round(far / 1000.0, 3)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_rsrp_dbm"] = np.round(np.where(covered > 0, total / np.maximum(covered, 1),
                                                 np.nan), 2)
    return out.reset_index(drop=True)


def summary_text(grid: CoverageGrid, boundary: Any = None) -> str:
    """A few lines for the terminal: covered share per layer and the settings behind it.

    Shares are of the cells inside ``boundary`` (a shapely geometry in the grid's CRS, e.g. the
    province outline), or of the whole grid.
    """
    inside = np.ones(grid.shape, dtype=bool)
    if boundary is not None:
        from rasterio.features import geometry_mask

        inside = geometry_mask([boundary], out_shape=grid.shape, transform=grid.transform,
                               invert=True)
    n = max(int(inside.sum()), 1)
    s = grid.settings or {}
    lines = [f"Model: {s.get('model', '?')}; {grid.shape[0]} × {grid.shape[1]} cells of "
             f"{abs(grid.transform.a):g} m",
             f"Fading margin {s.get('fading_margin_db', 0.0):.2f} dB (σ "
             f"{s.get('shadowing_sigma_db', '?')} dB, cell-edge probability "
             f"{s.get('edge_probability', '?')}), load {s.get('load', '?')}; thresholds "
             + ", ".join(f"{t} ≥ {v:g} dBm" for t, v in grid.rsrp_threshold_dbm.items())
             + f", broadband ≥ {grid.min_dl_mbps:g} Mbit/s",
             f"{'operator':<14}{'tech':<6}{'covered':>9}{'broadband':>11}{'median SINR':>13}"]
    for (op, tech), layer in sorted(grid.layers.items(), key=lambda kv: (kv[0][0] == ANY, kv[0])):
        cov = grid.covered(op, tech) & inside
        bb = grid.covered(op, tech, grid.min_dl_mbps) & inside
        sinr = layer.sinr_db[cov]
        med = f"{float(np.median(sinr)):.1f} dB" if sinr.size else "–"
        lines.append(f"{op:<14}{tech:<6}{100 * cov.sum() / n:8.1f}%{100 * bb.sum() / n:10.1f}%"
                     f"{med:>13}")
    return "\n".join(lines)
