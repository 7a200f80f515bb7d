"""Demand units of the site plan: what proposals must close, counted as the indicators count it.

The plan works on one coverage grid (``planning.resolution_m``) and one *scope*: the union of
operators (:data:`~phusong.coverage.grid.ANY`, the province's indicators) or one operator's own
network. Every unit is built with the indicator code itself (:mod:`phusong.metrics`) on a
coverage grid whose ``ANY`` layers are the scope's, so a unit closed here is a unit the
indicator counts:

* **hamlets** (T3): each hamlet whose covered share is below ``hamlet_covered_share``, with its
  cells (:func:`phusong.metrics.hamlets.hamlet_cells`), each cell's people (or 1 per cell when
  the hamlet's cells hold no people: the share is then by area) and the people (cells) still
  needed, ``limit · total − covered``;
* **road gaps** (T6): each run of uncovered samples over ``road_gap_km``, sampled as
  :func:`phusong.metrics.roads.route_tables` samples it (half a cell). After new coverage the
  run splits at the covered samples; no piece is over the limit exactly when every *window* (a
  shortest run of consecutive samples whose stretch, midpoint to midpoint, exceeds the limit)
  holds a covered sample, so each window is one covering constraint;
* **parks** (K1): each operating park without 5G, with its cells (cells centred in it, else its
  point's cell); and the cells without 5G of every operating park whose 5G share is below
  ``park_full_share`` (K1a, K1b), counted by area;
* **people** (D1): the people of every *broadband demand cell* (the uncovered cells of the
  hamlets above, of the listed dark spots, :func:`phusong.metrics.darkspots.dark_spot_labels`,
  and of the road gaps).

Broadband demand cells (``cells_b``) are uncovered by mobile broadband in the scope; 5G demand
cells (``cells_f``) have no 5G in the scope. Gains per unit are the ``[planning]`` weights,
times ``priority_factor`` for hamlets and people of priority communes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import sparse

from phusong.config import PlanningConfig
from phusong.coverage.grid import ANY, TECHS, CoverageGrid
from phusong.layers.province import Province
from phusong.metrics.context import BROADBAND, FIVE_G, MetricContext
from phusong.metrics.places import base_name

__all__ = ["Demand", "build_demand", "scope_grid", "priority_communes"]

log = logging.getLogger(__name__)

_PREFIXES = ("thanh_pho_", "tp_", "thi_xa_", "tx_", "huyen_", "quan_", "xa_", "phuong_")


def _base(name: object) -> str:
    """Folded district or commune name without its prefix (``Huyện Đại Từ`` → ``dai_tu``)."""
    return base_name(name, _PREFIXES)


def scope_grid(grid: CoverageGrid, operator: str | None) -> CoverageGrid:
    """The grid whose :data:`ANY` layers are ``operator``'s (the grid itself for ``None``)."""
    if operator is None or operator == ANY:
        return grid
    layers = {k: v for k, v in grid.layers.items() if k[0] == operator}
    for tech in TECHS:
        if (operator, tech) in layers:
            layers[(ANY, tech)] = layers[(operator, tech)]
    return CoverageGrid(grid.transform, grid.crs, grid.shape, layers, grid.rsrp_threshold_dbm,
                        grid.min_dl_mbps, grid.settings, grid.sectors)


def priority_communes(communes: pd.DataFrame, config: PlanningConfig) -> NDArray[np.bool_]:
    """Whether each commune is a priority commune (D1: northern, mountainous, ethnic minority).

    A commune is one when its former district is in ``priority_districts`` or its name or code
    is in ``priority_communes`` (names matched without diacritics and prefixes).
    """
    districts = {_base(t) for t in config.priority_districts.split(",") if t.strip()}
    tokens = [t.strip() for t in config.priority_communes.split(",") if t.strip()]
    names = {_base(t) for t in tokens}
    out = np.zeros(len(communes), dtype=bool)
    if "former_district" in communes:
        out |= communes["former_district"].map(_base).isin(districts).to_numpy()
    if "name" in communes:
        out |= communes["name"].map(_base).isin(names).to_numpy()
    if "commune_code" in communes:
        out |= communes["commune_code"].astype(str).isin(tokens).to_numpy()
    return out


@dataclass(frozen=True, eq=False)
class Demand:
    """The demand units of one plan and the cells they live on.

    Attributes
    ----------
    grid, scope, ctx
        The plan's coverage grid (all operators), the scope (``ANY`` or an operator) and the
        indicator context on the scope's grid.
    cells_b, cells_f
        Flat grid indices of the broadband and the 5G demand cells.
    people_weight_b, road_weight_b, weight_f
        Gain of covering each cell: its people (D1, with the priority factor), its km of
        over-limit road gap (T6); park hectares (K1a, K1b).
    people_b, road_m_b, commune_b
        People, metres of over-limit road gap and commune index (−1 outside) of each
        broadband demand cell.
    hamlets, hamlet_matrix, hamlet_need
        One row per uncovered hamlet (``hamlet_index``, ``hamlet_id``, ``name``,
        ``commune_code``, ``basis``, ``total``, ``covered_now``, ``share_pct``, ``priority``,
        ``weight``, ``x``, ``y``); its coefficients on ``cells_b`` and the amount still needed.
    gaps, window_matrix, window_gap
        One row per road gap over the limit (``route``, ``ref``, ``name``, ``class``,
        ``start_km``, ``end_km``, ``gap_km``, ``weight``, ``geometry`` as WKB-free shapely
        LineString); its windows on ``cells_b`` and the gap of each window.
    parks, park_matrix
        One row per operating park without 5G or with a 5G share below ``park_full_share``
        (``park_index``, ``park_id``, ``name``, ``share_5g_pct``, ``cells``, ``k1``: no 5G at
        all, a K1 unit; ``weight``, ``x``, ``y``); its cells without 5G on ``cells_f``.
    spots
        The listed dark spots (``spot_id``, ``people``, ``x``, ``y``), for candidates and
        reports; ``spot_b`` the spot (row, −1 none) of each broadband demand cell.
    commune_priority
        Whether each commune (in layer order) is a priority commune.
    """

    grid: CoverageGrid
    scope: str
    ctx: MetricContext
    cells_b: NDArray[np.int64]
    cells_f: NDArray[np.int64]
    people_weight_b: NDArray[np.float64]
    road_weight_b: NDArray[np.float64]
    weight_f: NDArray[np.float64]
    people_b: NDArray[np.float64]
    road_m_b: NDArray[np.float64]
    commune_b: NDArray[np.int64]
    spot_b: NDArray[np.int64]
    hamlets: pd.DataFrame
    hamlet_matrix: sparse.csr_matrix
    hamlet_need: NDArray[np.float64]
    gaps: pd.DataFrame
    window_matrix: sparse.csr_matrix
    window_gap: NDArray[np.int64]
    parks: pd.DataFrame
    park_matrix: sparse.csr_matrix
    spots: pd.DataFrame
    commune_priority: NDArray[np.bool_]

    def xy(self, flat: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Centres of grid cells given by flat index."""
        cols = self.grid.shape[1]
        t = self.grid.transform
        x = t.c + (flat % cols + 0.5) * t.a
        y = t.f + (flat // cols + 0.5) * t.e
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def summary(self) -> dict[str, float]:
        """Counts for logs and reports."""
        return {"hamlets": len(self.hamlets), "road_gaps": len(self.gaps),
                "road_gap_km": float(self.gaps["gap_km"].sum()) if len(self.gaps) else 0.0,
                "parks": int(self.parks["k1"].sum()) if len(self.parks) else 0,
                "parks_short_of_5g": len(self.parks), "dark_spots": len(self.spots),
                "people": float(self.people_b.sum()), "cells_broadband": len(self.cells_b),
                "cells_5g": len(self.cells_f)}


def _hamlet_units(ctx: MetricContext, covered: NDArray[np.bool_], config: PlanningConfig,
                  prio: NDArray[np.bool_]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Uncovered hamlets and their (hamlet, cell, coefficient) entries on uncovered cells."""
    from phusong.metrics.hamlets import hamlet_cells, hamlet_shares

    hamlets = ctx.province.hamlets
    empty = pd.DataFrame(columns=["unit", "cell", "coef"])
    if hamlets is None or len(hamlets) == 0:
        return pd.DataFrame(), empty
    limit = ctx.thresholds.hamlet_covered_share
    share, people, by_area = hamlet_shares(ctx, BROADBAND)
    cells = hamlet_cells(ctx)
    h_idx = np.concatenate([cells.poly_label, np.repeat(cells.point_index,
                                                        cells.point_valid.sum(axis=1))])
    flat = np.concatenate([cells.poly_flat, cells.point_flat[cells.point_valid]])
    grid_people = ctx.population.people.reshape(-1).astype(np.float64)
    coef = np.where(by_area[h_idx], 1.0, grid_people[flat])
    total = np.bincount(h_idx, weights=coef, minlength=cells.n)
    now = np.bincount(h_idx, weights=coef * covered[flat], minlength=cells.n)
    todo = np.flatnonzero(share < limit)
    rows = pd.DataFrame({"hamlet_index": todo})
    for col in ("hamlet_id", "name", "commune_code"):
        rows[col] = hamlets[col].astype(str).to_numpy()[todo] if col in hamlets else ""
    rows["basis"] = np.where(by_area[todo], "area", "people")
    rows["total"] = total[todo]
    rows["people"] = people[todo]
    rows["covered_now"] = now[todo]
    rows["share_pct"] = 100.0 * share[todo]
    rows["need"] = limit * total[todo] - now[todo] + 1e-6 * np.maximum(total[todo], 1.0)
    pts = shapely.point_on_surface(hamlets.geometry.values[todo])
    rows["x"], rows["y"] = shapely.get_x(pts), shapely.get_y(pts)
    commune = ctx.point_commune(rows["x"].to_numpy(), rows["y"].to_numpy())
    rows["commune"] = commune
    rows["priority"] = np.where(commune >= 0, prio[np.maximum(commune, 0)], False)
    rows["weight"] = config.weight_hamlet * np.where(rows["priority"], config.priority_factor,
                                                     1.0)
    unit_of = np.full(cells.n, -1)
    unit_of[todo] = np.arange(len(todo))
    keep = (unit_of[h_idx] >= 0) & ~covered[flat] & (coef > 0)
    entries = pd.DataFrame({"unit": unit_of[h_idx[keep]], "cell": flat[keep],
                            "coef": coef[keep]})
    return rows, entries


def _gap_units(ctx: MetricContext, covered: NDArray[np.bool_], config: PlanningConfig
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Road gaps over the limit, their windows and the metres of gap per cell."""
    from phusong.metrics._kernels import gap_runs
    from phusong.metrics.roads import route_geometry, sample_parts

    none = (pd.DataFrame(), pd.DataFrame(columns=["window", "cell", "gap"]),
            pd.DataFrame(columns=["cell", "road_m"]))
    roads = ctx.province.roads
    if roads is None or len(roads) == 0:
        return none
    grid = ctx.grid
    geo = ctx.memo(("plan_routes",), lambda: route_geometry(roads, ctx.province.boundary))
    if len(geo.parts) == 0:
        return none
    step_m = 0.5 * min(abs(grid.transform.a), abs(grid.transform.e))
    x, y, dist, part = sample_parts(geo.parts, step_m)
    row, col, inside = grid.xy_to_rowcol(x, y)
    cell = row * grid.shape[1] + col
    unc = ~np.where(inside, covered[cell], False)
    part_len = geo.part_length_m
    gp, a, b = gap_runs(unc, dist, part, part_len)
    limit_m = 1000.0 * ctx.thresholds.road_gap_km
    # samples of each run, in the order gap_runs returns the runs
    starts = unc & np.concatenate([[True], ~unc[:-1] | (part[1:] != part[:-1])])
    run = np.cumsum(starts) - 1
    over = (b - a) > limit_m
    gaps: list[dict[str, Any]] = []
    windows: list[pd.DataFrame] = []
    lengths: list[pd.DataFrame] = []
    n_win = 0
    for g in np.flatnonzero(over):  # one loop step per gap over the limit (tens)
        idx = np.flatnonzero(unc & (run == g))
        d = dist[idx]
        left = np.concatenate([[a[g]], 0.5 * (d[1:] + d[:-1])])
        right = np.concatenate([0.5 * (d[1:] + d[:-1]), [b[g]]])
        # shortest window from each sample: the first sample whose right end passes the limit
        end = np.searchsorted(right, left + limit_m, side="right")
        ok = end < len(idx)
        first = np.flatnonzero(ok)
        keep = first[np.r_[end[first][1:] != end[first][:-1], True]] if len(first) else first
        k = len(gaps)
        for s in keep:
            w_cells = np.unique(cell[idx[s:end[s] + 1]])
            windows.append(pd.DataFrame({"window": n_win, "cell": w_cells, "gap": k}))
            n_win += 1
        lengths.append(pd.DataFrame({"cell": cell[idx], "road_m": right - left}))
        r = int(geo.part_route[gp[g]])
        line = shapely.line_merge(shapely.linestrings(np.column_stack([x[idx], y[idx]])))
        gaps.append({"route": geo.table["route"].iat[r], "ref": geo.table["ref"].iat[r],
                     "name": geo.table["name"].iat[r], "class": geo.table["class"].iat[r],
                     "part": int(geo.part_number[gp[g]]),
                     "start_km": (geo.part_offset_m[gp[g]] + a[g]) / 1000.0,
                     "end_km": (geo.part_offset_m[gp[g]] + b[g]) / 1000.0,
                     "gap_km": (b[g] - a[g]) / 1000.0, "weight": config.weight_road_gap,
                     "x": float(np.median(x[idx])), "y": float(np.median(y[idx])),
                     "geometry": line})
    if not gaps:
        return none
    return (pd.DataFrame(gaps), pd.concat(windows, ignore_index=True),
            pd.concat(lengths, ignore_index=True).groupby("cell", as_index=False)["road_m"].sum())


def _park_units(ctx: MetricContext, config: PlanningConfig
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Operating parks short of 5G (K1 units: none at all) and their cells without 5G."""
    from phusong.metrics._grids import is_polygonal, rasterize_index

    parks = ctx.province.parks
    none = (pd.DataFrame(), pd.DataFrame(columns=["unit", "cell"]),
            pd.DataFrame(columns=["cell", "weight"]))
    if parks is None or len(parks) == 0 or "status" not in parks:
        return none
    grid = ctx.grid
    five = ctx.flat_mask(FIVE_G)
    geoms = parks.geometry.reset_index(drop=True)
    n = len(geoms)
    poly = is_polygonal(geoms)
    label = rasterize_index(geoms[poly], grid).reshape(-1)
    flat = np.flatnonzero(label)
    lab = np.flatnonzero(poly)[label[flat] - 1]
    pts = shapely.point_on_surface(geoms.values)
    px, py = shapely.get_x(pts), shapely.get_y(pts)
    row, col, inside = grid.xy_to_rowcol(px, py)
    point_like = np.bincount(lab, minlength=n) == 0
    extra = np.flatnonzero(point_like & inside)
    lab = np.concatenate([lab, extra])
    flat = np.concatenate([flat, (row * grid.shape[1] + col)[extra]])
    n_cells = np.bincount(lab, minlength=n)
    with_5g = np.bincount(lab, weights=five[flat].astype(float), minlength=n)
    share = np.divide(with_5g, n_cells, out=np.zeros(n), where=n_cells > 0)
    operating = (parks["status"].astype(str) == "operating").to_numpy()
    full = ctx.thresholds.park_full_share
    todo = np.flatnonzero(operating & (n_cells > 0) & ((with_5g == 0) | (share < full)))
    k1 = with_5g[todo] == 0
    rows = pd.DataFrame({"park_index": todo,
                         "park_id": parks["park_id"].astype(str).to_numpy()[todo],
                         "name": parks["name"].astype(str).to_numpy()[todo],
                         "share_5g_pct": 100.0 * share[todo], "cells": n_cells[todo],
                         "k1": k1,
                         "weight": np.where(k1, config.weight_park, 0.0),
                         "x": px[todo], "y": py[todo]})
    unit_of = np.full(n, -1)
    unit_of[todo] = np.arange(len(todo))
    sel = (unit_of[lab] >= 0) & ~five[flat]
    entries = pd.DataFrame({"unit": unit_of[lab[sel]], "cell": flat[sel]})
    ha = grid.cell_area_m2 / 1e4
    area = pd.DataFrame({"cell": flat[sel], "weight": config.weight_park_ha * ha})
    return rows, entries, area.groupby("cell", as_index=False)["weight"].sum()


def _dark_spots(ctx: MetricContext) -> tuple[pd.DataFrame, NDArray[np.int32]]:
    """Listed dark spots (rank order) with their people and centre, and their label raster."""
    from phusong.metrics.darkspots import dark_spot_labels

    if ctx.population.source == "none":
        return pd.DataFrame(columns=["spot_id", "people", "x", "y"]), \
            np.zeros(ctx.grid.shape, dtype=np.int32)
    kept, stats = dark_spot_labels(ctx)
    flat = kept.reshape(-1)
    cells = np.flatnonzero(flat)
    spot = flat[cells] - 1
    w = ctx.population.people.reshape(-1)[cells].astype(np.float64) + 1e-9
    n = len(stats)
    cols = ctx.grid.shape[1]
    t = ctx.grid.transform
    cx = t.c + (cells % cols + 0.5) * t.a
    cy = t.f + (cells // cols + 0.5) * t.e
    sw = np.bincount(spot, weights=w, minlength=n)
    out = pd.DataFrame({"spot_id": [f"D{i:04d}" for i in range(1, n + 1)],
                        "people": stats["people"].to_numpy(),
                        "x": np.bincount(spot, weights=w * cx, minlength=n) / np.maximum(sw, 1e-9),
                        "y": np.bincount(spot, weights=w * cy, minlength=n) / np.maximum(sw, 1e-9)})
    return out, kept


def build_demand(province: Province, grid: CoverageGrid, operator: str | None = None,
                 config: PlanningConfig | None = None) -> Demand:
    """The demand units of a plan on ``grid`` for the union of operators or one operator.

    Parameters
    ----------
    province
        The province (same CRS as the grid). Not modified.
    grid
        Coverage today, on the plan's grid.
    operator
        ``None`` for the province's indicators (union of operators), or an operator whose own
        network the units are counted on.
    config
        Planning settings (default ``province.scenario.planning``).
    """
    config = config or province.scenario.planning
    scope = ANY if operator is None else operator
    ctx = MetricContext(province, scope_grid(grid, operator), "en")
    covered = ctx.flat_mask(BROADBAND)
    prio = priority_communes(ctx.communes, config)
    hamlets, h_entries = _hamlet_units(ctx, covered, config, prio)
    gaps, w_entries, road_m = _gap_units(ctx, covered, config)
    parks, p_entries, park_area = _park_units(ctx, config)
    spots, kept = _dark_spots(ctx)
    spot_cells = np.flatnonzero(kept.reshape(-1))
    cells_b = np.unique(np.concatenate([
        h_entries["cell"].to_numpy(np.int64), w_entries["cell"].to_numpy(np.int64),
        road_m["cell"].to_numpy(np.int64), spot_cells.astype(np.int64)]))
    cells_f = np.unique(np.concatenate([p_entries["cell"].to_numpy(np.int64),
                                        park_area["cell"].to_numpy(np.int64)]))
    n_flat = grid.shape[0] * grid.shape[1]
    pos_b = np.full(n_flat, -1, dtype=np.int64)
    pos_b[cells_b] = np.arange(len(cells_b))
    pos_f = np.full(n_flat, -1, dtype=np.int64)
    pos_f[cells_f] = np.arange(len(cells_f))
    people = ctx.population.people.reshape(-1)[cells_b].astype(np.float64)
    commune = ctx.commune_label.reshape(-1)[cells_b].astype(np.int64) - 1
    cell_prio = np.where(commune >= 0, prio[np.maximum(commune, 0)], False)
    road = np.zeros(len(cells_b))
    if len(road_m):
        road[pos_b[road_m["cell"].to_numpy(np.int64)]] = road_m["road_m"].to_numpy(float)
    people_weight = people * config.weight_person * np.where(cell_prio, config.priority_factor,
                                                             1.0)
    weight_f = np.zeros(len(cells_f))
    if len(park_area):
        weight_f[pos_f[park_area["cell"].to_numpy(np.int64)]] = park_area["weight"].to_numpy()

    def matrix(entries: pd.DataFrame, unit: str, value: str | None, n: int,
               pos: NDArray[np.int64], n_cells: int) -> sparse.csr_matrix:
        if len(entries) == 0:
            return sparse.csr_matrix((n, n_cells))
        vals = entries[value].to_numpy(float) if value else np.ones(len(entries))
        return sparse.coo_matrix((vals, (entries[unit].to_numpy(np.int64),
                                         pos[entries["cell"].to_numpy(np.int64)])),
                                 shape=(n, n_cells)).tocsr()

    n_windows = int(w_entries["window"].max()) + 1 if len(w_entries) else 0
    window_gap = (w_entries.groupby("window")["gap"].first().to_numpy(np.int64)
                  if n_windows else np.zeros(0, dtype=np.int64))
    spot_b = kept.reshape(-1)[cells_b].astype(np.int64) - 1
    demand = Demand(
        grid=grid, scope=scope, ctx=ctx, cells_b=cells_b, cells_f=cells_f,
        people_weight_b=people_weight, road_weight_b=road / 1000.0 * config.weight_road_km,
        weight_f=weight_f, people_b=people, road_m_b=road, commune_b=commune, spot_b=spot_b,
        hamlets=hamlets, hamlet_matrix=matrix(h_entries, "unit", "coef", len(hamlets), pos_b,
                                              len(cells_b)),
        hamlet_need=hamlets["need"].to_numpy(float) if len(hamlets) else np.zeros(0),
        gaps=gaps, window_matrix=matrix(w_entries, "window", None, n_windows, pos_b,
                                        len(cells_b)).sign(),
        window_gap=window_gap, parks=parks,
        park_matrix=matrix(p_entries, "unit", None, len(parks), pos_f, len(cells_f)),
        spots=spots, commune_priority=prio)
    log.info("plan demand (%s): %s", scope, ", ".join(
        f"{k} {v:,.0f}" for k, v in demand.summary().items()))
    return demand
