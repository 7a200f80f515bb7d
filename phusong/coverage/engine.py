"""The coverage engine: best-server RSRP, SINR and throughput per operator and technology.

:func:`predict_coverage` reads like the method it applies:

1. the on-air 4G/5G sectors and their link budget (:mod:`phusong.coverage._sectors`): RSRP per
   resource element ``= EIRP − 10 log10(12 · N_RB) − L − A − M``;
2. the output grid over the province (plus a margin) and the terrain grid around it, the DEM
   resampled onto it by windowed reads (:mod:`phusong.coverage._terrain`);
3. per transmitter (a site and antenna height), one sweep of radials for all its bands
   (:func:`phusong.coverage._kernels_site.site_sweep`): path loss ``L`` of the scenario's
   model (:mod:`phusong.coverage._pathloss`), each radial cut where no sector could reach the
   prediction floor any more; then its sectors on the grid with the 3GPP TR 38.901 Table 7.3-1
   pattern ``A`` (azimuth, beamwidths, mechanical + electrical tilt; omni without azimuth),
   keeping per cell and (operator, technology) the best sector and per (operator, technology,
   band) the summed power (:func:`~phusong.coverage._kernels_site.accumulate_site`). Memory:
   those grids and one transmitter's radials, never a grid per sector;
4. per (operator, technology): SINR of the best server against the same operator's co-channel
   cells (same technology and band) scaled by ``radio.load`` plus thermal noise, throughput by
   the bounded Shannon mapping of 3GPP TR 36.942 Annex A.2, and the union of operators (best of
   any) as operator ``ANY`` (:mod:`phusong.coverage._composite`);
5. the :class:`~phusong.coverage.grid.CoverageGrid`, with every setting that produced it.

``M`` is the shadow-fading margin ``σ · Q⁻¹(1 − p_edge)``: the grid's RSRP is the value exceeded
with the cell-edge probability, so ``covered`` means "covered at ``p_edge``". SINR and throughput
are medians (interference and signal shadowing are not margined). The work is split over the
cores inside the numba kernels (radials, then rows, with ``prange``).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from phusong.coverage._composite import composite_layers, union_layers
from phusong.coverage._pathloss import PathLoss
from phusong.coverage._sectors import sector_table
from phusong.coverage._terrain import (
    GridSpec,
    bilinear_at,
    dem_bounds,
    output_grid,
    read_terrain,
    terrain_grid,
)
from phusong.coverage.grid import CoverageGrid
from phusong.coverage.models.link import fading_margin_db
from phusong.errors import CRSError, InputError
from phusong.layers.province import Province

__all__ = ["predict_coverage", "GRID_MARGIN_M"]

log = logging.getLogger(__name__)

GRID_MARGIN_M = 1000.0
"""Margin around the province's bounding box covered by the output grid (m)."""

_BLOCK = 32  # cells per block of the terrain's min/max pyramid


def predict_coverage(province: Province, *, resolution_m: float | None = None,
                     operators: Sequence[str] | None = None, progress: bool = False,
                     exact_diffraction: bool = True) -> CoverageGrid:
    """Predict best-server RSRP, SINR and throughput of every operator and technology.

    Parameters
    ----------
    province
        The province (sites, sectors, communes for the extent, DEM); settings from
        ``province.scenario.radio`` and ``.thresholds``. Not modified.
    resolution_m
        Cell size of the grid in metres (default ``radio.resolution_m``). Terrain profiles are
        sampled at the same step, on the DEM averaged to this resolution.
    operators
        Predict only these operators (default: all with on-air 4G/5G sectors).
    progress
        Show a progress bar over the sectors.
    exact_diffraction
        ``False`` evaluates the Bullington construction of clear rays on the terrain's upper
        hull only (faster on flat ground; the diffraction loss can come out lower by up to
        6 dB for receivers whose ray grazes the ground, never higher).

    Returns
    -------
    CoverageGrid
        One layer per (operator, technology) and the ``ANY`` union per technology; the
        settings (model, margin, thresholds …) in ``settings``; the predicted sectors (which
        the ``server`` rasters index) in ``sectors``.

    Raises
    ------
    InputError
        No sites/sectors to predict, or the terrain model without a DEM.
    CRSError
        A working CRS that is not metric.
    """
    from phusong.crs import parse_crs

    t_start = time.perf_counter()
    scenario = province.scenario
    radio = scenario.radio
    res = float(resolution_m if resolution_m is not None else radio.resolution_m)
    if not res > 0:
        msg = f"coverage: resolution_m must be > 0 m, got {resolution_m!r}."
        raise InputError(msg)
    if not parse_crs(province.crs).is_projected:
        msg = (f"coverage: the working CRS {province.crs!r} is not metric (projected); the "
               "engine measures in metres. Use EPSG:32648 or vn2000_tm3:106.5.")
        raise CRSError(msg)
    # 1. the sectors to predict, with their link budget
    sectors = sector_table(province.sites, province.sectors, radio, operators)
    model = PathLoss(radio)
    margin_db = fading_margin_db(radio.shadowing_sigma_db, radio.edge_probability)
    # 2. the output grid over the province and the terrain around it
    grid = output_grid(tuple(province.communes.total_bounds), res, province.crs, GRID_MARGIN_M)
    reach_m = float(sectors["max_radius_m"].max())
    terrain, tgrid = _terrain(province, grid, reach_m, model.terrain)
    # 3. each transmitter's radials, once for all its bands; its sectors onto the grid
    acc = _Accumulators(sectors, grid.shape)
    stats = _predict_transmitters(sectors, terrain, tgrid, grid, model, radio, acc,
                                  exact_diffraction, progress)
    range_notes = model.report_ranges()
    # 4. SINR and throughput per layer, and the union of operators
    layers = composite_layers(acc.best, acc.server, acc.psum, acc.layer_keys, acc.key_of_sector,
                              sectors, radio, margin_db)
    del acc
    layers.update(union_layers(layers))
    # 5. the grid, with the settings that produced it
    th = scenario.thresholds
    seconds = time.perf_counter() - t_start
    settings = _settings(radio, model, res, margin_db, sectors, stats, range_notes, seconds,
                         operators, exact_diffraction)
    log.info("coverage: %d sectors on %d transmitters, %s × %s cells at %.0f m, %s; fading "
             "margin %.2f dB (σ %.1f dB, edge probability %.0f %%) in %.1f s", len(sectors),
             stats["transmitters"], grid.shape[0], grid.shape[1], res, model.describe(),
             margin_db, radio.shadowing_sigma_db, 100 * radio.edge_probability, seconds)
    return CoverageGrid(grid.transform, province.crs, grid.shape, layers,
                        {"4G": th.rsrp_4g_dbm, "5G": th.rsrp_5g_dbm}, th.min_dl_mbps,
                        settings, sectors)


def _terrain(province: Province, grid: GridSpec, reach_m: float,
             needs_dem: bool) -> tuple[NDArray[np.float32], GridSpec]:
    """The terrain grid around the output grid and the DEM on it (zeros without a DEM)."""
    if province.dem_path is None:
        if needs_dem:
            msg = ("coverage: the terrain model needs a DEM; name it under [layers.dem] or "
                   "choose a statistical model (radio.model = \"hata\", \"tr38901_rma\" …).")
            raise InputError(msg)
        log.warning("coverage: no DEM; antenna angles are computed over flat ground at 0 m")
        tgrid = terrain_grid(grid, reach_m, None)
        return np.zeros(tgrid.shape, dtype=np.float32), tgrid
    tgrid = terrain_grid(grid, reach_m, dem_bounds(province.dem_path, province.crs))
    return read_terrain(province.dem_path, tgrid), tgrid


class _Accumulators:
    """Per-cell best server of each (operator, technology) layer and co-channel power sums."""

    def __init__(self, sectors: pd.DataFrame, shape: tuple[int, int]) -> None:
        ot = list(zip(sectors["operator"], sectors["tech"], strict=True))
        otb = list(zip(sectors["operator"], sectors["tech"], sectors["band_mhz"], strict=True))
        self.layer_keys: list[tuple[str, str]] = sorted(set(ot))
        self.band_keys: list[tuple[str, str, float]] = sorted(set(otb))
        layer_index = {k: i for i, k in enumerate(self.layer_keys)}
        band_index = {k: i for i, k in enumerate(self.band_keys)}
        self.layer_of_sector = np.array([layer_index[k] for k in ot], dtype=np.int64)
        self.key_of_sector = np.array([band_index[k] for k in otb], dtype=np.int64)
        n_rows, n_cols = shape
        self.best = np.full((len(self.layer_keys), n_rows, n_cols), -np.inf, dtype=np.float32)
        self.server = np.full((len(self.layer_keys), n_rows, n_cols), -1, dtype=np.int32)
        self.psum = np.zeros((len(self.band_keys), n_rows, n_cols), dtype=np.float32)
        log.debug("coverage: %d layers and %d co-channel keys on %s × %s cells (%.0f MB)",
                  len(self.layer_keys), len(self.band_keys), n_rows, n_cols,
                  (self.best.nbytes + self.server.nbytes + self.psum.nbytes) / 2**20)


def _terrain_extremes(terrain: NDArray[np.float32]) -> tuple[NDArray, NDArray]:
    """Min and max of the terrain per block of ``_BLOCK`` × ``_BLOCK`` cells (NaN-aware)."""
    n_rows, n_cols = terrain.shape
    br, bc = -(-n_rows // _BLOCK), -(-n_cols // _BLOCK)
    pad = np.full((br * _BLOCK, bc * _BLOCK), np.nan, dtype=np.float32)
    pad[:n_rows, :n_cols] = terrain
    blocks = pad.reshape(br, _BLOCK, bc, _BLOCK)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo = np.nanmin(blocks, axis=(1, 3))
            hi = np.nanmax(blocks, axis=(1, 3))
    return lo, hi


@dataclass(frozen=True)
class _Transmitter:
    """One site and antenna height: position, antenna height above sea level and sectors."""

    idx: NDArray[np.int64]  # rows of the sector table
    x: float
    y: float
    tx_h_amsl: float
    height_agl_m: float
    bands: NDArray[np.float64]
    radius_m: float
    z_min: float
    z_max: float


def _transmitters(sectors: pd.DataFrame, terrain: NDArray[np.float32], tgrid: GridSpec,
                  grid: GridSpec, stats: dict[str, int]) -> list[_Transmitter]:
    """The transmitters within reach of the output grid and on the terrain."""
    res = grid.resolution_m
    gx0, gy1 = grid.transform.c, grid.transform.f
    gx1, gy0 = gx0 + grid.shape[1] * res, gy1 - grid.shape[0] * res
    tx0, ty1 = tgrid.transform.c, tgrid.transform.f
    zlo, zhi = _terrain_extremes(terrain)
    x_all = sectors["x"].to_numpy(dtype=float)
    y_all = sectors["y"].to_numpy(dtype=float)
    h_all = sectors["height_agl_m"].to_numpy(dtype=float)
    band_all = sectors["band_mhz"].to_numpy(dtype=float)
    radius_all = sectors["max_radius_m"].to_numpy(dtype=float)
    ground = bilinear_at(terrain, tgrid.transform, x_all, y_all)
    out = []
    for idx in sectors.groupby(["site_id", "height_agl_m"], sort=False).indices.values():
        first = idx[0]
        x, y = float(x_all[first]), float(y_all[first])
        radius = float(radius_all[idx].max())
        gap = math.hypot(max(gx0 - x, 0.0, x - gx1), max(gy0 - y, 0.0, y - gy1))
        if gap > radius:
            stats["sectors_out_of_reach"] += len(idx)
            continue
        if not math.isfinite(ground[first]):
            stats["sectors_off_terrain"] += len(idx)
            continue
        # terrain extremes within reach, from the block pyramid
        c_lo = max(int((x - radius - tx0) / res) // _BLOCK, 0)
        c_hi = min(int((x + radius - tx0) / res) // _BLOCK + 1, zlo.shape[1])
        r_lo = max(int((ty1 - y - radius) / res) // _BLOCK, 0)
        r_hi = min(int((ty1 - y + radius) / res) // _BLOCK + 1, zlo.shape[0])
        z_min = float(np.nanmin(zlo[r_lo:r_hi, c_lo:c_hi], initial=np.inf))
        z_max = float(np.nanmax(zhi[r_lo:r_hi, c_lo:c_hi], initial=-np.inf))
        if not (math.isfinite(z_min) and math.isfinite(z_max)):
            z_min, z_max = -500.0, 9000.0
        out.append(_Transmitter(np.asarray(idx, dtype=np.int64), x, y,
                                float(ground[first]) + float(h_all[first]), float(h_all[first]),
                                np.unique(band_all[idx]), radius, z_min, z_max))
    return out


def _worker_bins(transmitters: list[_Transmitter], sectors: pd.DataFrame,
                 n_workers: int) -> list[list[_Transmitter]]:
    """Transmitters split into at most ``n_workers`` groups of whole operators.

    Two workers never write the same cell of the same plane: the best-server and co-channel
    planes are per operator, and an operator's transmitters all go to one worker. Operators are
    dealt largest first (by sectors) to the least loaded group.
    """
    operator = sectors["operator"].to_numpy()
    by_op: dict[str, list[_Transmitter]] = {}
    for t in transmitters:
        by_op.setdefault(str(operator[t.idx[0]]), []).append(t)
    load = {op: sum(len(t.idx) for t in ts) for op, ts in by_op.items()}
    bins: list[list[_Transmitter]] = [[] for _ in range(max(min(n_workers, len(by_op)), 1))]
    weight = [0] * len(bins)
    for op in sorted(by_op, key=lambda o: -load[o]):
        k = int(np.argmin(weight))
        bins[k].extend(by_op[op])
        weight[k] += load[op]
    return [b for b in bins if b]


def _predict_transmitters(sectors: pd.DataFrame, terrain: NDArray[np.float32], tgrid: GridSpec,
                          grid: GridSpec, model: PathLoss, radio: Any, acc: _Accumulators,
                          exact: bool, progress: bool) -> dict[str, int]:
    """Sweep and accumulate every transmitter within reach of the grid; counts for the log.

    With several operators, one worker thread per group of operators runs the serial
    (``nogil``) kernels; with one, the kernels themselves run in parallel.
    """
    import numba
    from tqdm.auto import tqdm

    from phusong.coverage import _kernels_site as K

    res = grid.resolution_m
    stats = {"transmitters": 0, "sectors_out_of_reach": 0, "sectors_off_terrain": 0,
             "cells_reached": 0}
    transmitters = _transmitters(sectors, terrain, tgrid, grid, stats)
    # base-loss tables are computed here, in one thread (warnings are caught per table)
    for t in transmitters:
        n_steps = int(math.ceil(t.radius_m / res))
        for f in t.bands:
            model.table(float(f), t.height_agl_m, n_steps, res)
    sec_all = _sector_rows(sectors)
    sec_out = np.column_stack([acc.layer_of_sector, acc.key_of_sector,
                               np.arange(len(sectors), dtype=np.int64)])
    j_table = K.knife_edge_table()
    bins = _worker_bins(transmitters, sectors, numba.get_num_threads())
    parallel = len(bins) == 1
    sweep = K.site_sweep if parallel else K.site_sweep_serial
    accumulate = K.accumulate_site if parallel else K.accumulate_site_serial
    bar = tqdm(total=int(sum(len(t.idx) for t in transmitters)), disable=not progress,
               unit="sector", desc="coverage")

    def work(part: list[_Transmitter]) -> int:
        buffers: list[NDArray[Any]] = [np.empty(0, dtype=np.float32),
                                       np.empty(0, dtype=np.float64)]
        cells = 0
        t_start, c_start = time.perf_counter(), time.thread_time()
        for t in part:
            n_steps = int(math.ceil(t.radius_m / res))
            base = np.stack([model.table(float(f), t.height_agl_m, n_steps, res)
                             for f in t.bands])
            sec = sec_all[t.idx].copy()
            sec[:, K.SEC_BAND] = np.searchsorted(t.bands, sec[:, K.SEC_BAND])
            bound, start = K.site_plan(t.tx_h_amsl, radio.rx_height_m, radio.k_factor, res, 0,
                                       t.bands, base, sec, radio.front_to_back_db,
                                       radio.sla_v_db, radio.prediction_floor_dbm, t.z_min,
                                       t.z_max, res)
            n_rad = bound.size
            n_pref = int(start.max()) + 1
            n = max(int(bound.max()), n_pref)
            loss = _scratch(buffers, 0, (t.bands.size, n_rad, n))
            zbuf = _scratch(buffers, 1, (n_rad, n_pref))
            reach = sweep(terrain, tgrid.transform.c, tgrid.transform.f, res, -res, t.x, t.y,
                          t.tx_h_amsl, radio.rx_height_m, radio.k_factor, res, bound, start,
                          t.bands, base, model.terrain, exact, sec, radio.front_to_back_db,
                          radio.sla_v_db, radio.prediction_floor_dbm, j_table, loss, zbuf)
            cells += accumulate(loss, reach, start, t.x, t.y, t.tx_h_amsl, radio.rx_height_m,
                                radio.k_factor, res, terrain, tgrid.row0, tgrid.col0,
                                grid.transform.c, grid.transform.f, res, -res, sec,
                                radio.front_to_back_db, radio.sla_v_db,
                                radio.prediction_floor_dbm, sec_out[t.idx], acc.best,
                                acc.server, acc.psum)
            bar.update(len(t.idx))
        log.debug("coverage: %d transmitters in %.1f s (%.1f s CPU in this thread)", len(part),
                  time.perf_counter() - t_start, time.thread_time() - c_start)
        return cells

    try:
        if parallel:
            stats["cells_reached"] = work(bins[0]) if bins else 0
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=len(bins)) as pool:
                stats["cells_reached"] = sum(pool.map(work, bins))
    finally:
        bar.close()
    stats["transmitters"] = len(transmitters)
    for key, what in (("sectors_out_of_reach", "too far from the province to reach it"),
                      ("sectors_off_terrain", "on sites outside the DEM or on no-data")):
        if stats[key]:
            log.warning("coverage: %d sector(s) not predicted: %s", stats[key], what)
    return stats


def _scratch(buffers: list[NDArray], i: int, shape: tuple[int, ...]) -> NDArray:
    """A view of shape ``shape`` on the reusable scratch buffer ``buffers[i]`` (grown as
    needed), so that transmitters do not each allocate and fault in their radial arrays."""
    size = int(np.prod(shape))
    if buffers[i].size < size:
        buffers[i] = np.empty(int(size * 1.25) + 1, dtype=buffers[i].dtype)
    return buffers[i][:size].reshape(shape)


def _sector_rows(sectors: pd.DataFrame) -> NDArray[np.float64]:
    """The kernels' per-sector table (columns ``SEC_*``; ``SEC_BAND`` holds the band in MHz
    until a transmitter's bands replace it by their index)."""
    from phusong.coverage import _kernels_site as K

    sec = np.empty((len(sectors), K.SEC_COLUMNS))
    sec[:, K.SEC_BAND] = sectors["band_mhz"].to_numpy(dtype=float)
    sec[:, K.SEC_EIRP_RE] = sectors["eirp_re_dbm"].to_numpy(dtype=float)
    sec[:, K.SEC_OFFSET] = sectors["offset_db"].to_numpy(dtype=float)
    sec[:, K.SEC_SLOPE] = sectors["slope_db"].to_numpy(dtype=float)
    sec[:, K.SEC_AZ] = np.nan_to_num(sectors["azimuth_deg"].to_numpy(dtype=float))
    sec[:, K.SEC_OMNI] = sectors["omni"].to_numpy(dtype=float)
    sec[:, K.SEC_TILT] = sectors["tilt_deg"].to_numpy(dtype=float)
    sec[:, K.SEC_BW_H] = sectors["beamwidth_h_deg"].to_numpy(dtype=float)
    sec[:, K.SEC_BW_V] = sectors["beamwidth_v_deg"].to_numpy(dtype=float)
    sec[:, K.SEC_MAX_M] = sectors["max_radius_m"].to_numpy(dtype=float)
    return sec


def _settings(radio: Any, model: PathLoss, res: float, margin_db: float, sectors: pd.DataFrame,
              stats: dict[str, int], range_notes: list[str], seconds: float,
              operators: Sequence[str] | None, exact: bool) -> dict[str, Any]:
    """Everything that produced the grid, for raster tags and report sheets."""
    import dataclasses

    out: dict[str, Any] = {
        "model": model.describe(),
        "radio_model": radio.model,
        "resolution_m": res,
    }
    out.update({k: v for k, v in dataclasses.asdict(radio).items()
                if k not in ("model", "resolution_m")})
    out.update({
        "fading_margin_db": round(margin_db, 3),
        "rsrp_includes_fading_margin": True,
        "rsrp": "RSRP per resource element = EIRP - 10 log10(12 N_RB) - path loss - antenna "
                "pattern - fading margin (dBm)",
        "antenna_pattern": "3GPP TR 38.901 Table 7.3-1 (tilt = mechanical + electrical)",
        "diffraction": ("ITU-R P.526-15 §4.5.1 Bullington, " +
                        ("exact" if exact else "hull vertices only for clear rays"))
        if model.terrain else "none",
        "sinr": "median; co-channel = same operator, technology and band, scaled by load; "
                "thermal noise -174 dBm/Hz + 10 log10(B) + NF",
        "throughput": "3GPP TR 36.942 Annex A.2 bounded Shannon x bandwidth x MIMO layers x "
                      "(1 - overhead)",
        "operators": sorted(set(sectors["operator"])) if operators is None else list(operators),
        "n_sectors": int(len(sectors)),
        "n_transmitters": int(stats["transmitters"]),
        "range_warnings": range_notes,
        "seconds": round(seconds, 2),
    })
    return out
