"""Candidate BTS sites and what each would cover, with the coverage engine's models.

Candidate kinds (:data:`KINDS`)
    ``colocation``
        A radio of an operator on another operator's existing tower (sharing), at the tower's
        height. Cost: ``cost_colocation_vnd`` (+ ``cost_5g_vnd`` with ``new_sites_5g``).
    ``upgrade_5g``
        5G sectors added to an on-air 4G site without 5G, on its 4G azimuths and height.
        Cost: ``cost_5g_vnd``.
    ``high_point``
        A new tower on a DEM high point near an uncovered hamlet or a dark spot: the local
        maxima of the terrain (the highest cell of a window of ``candidate_spacing_m``) within
        ``search_radius_m``, ``high_points_per_unit`` per unit (the highest of each third of
        that distance, so that nearby knolls compete with the far peaks), the highest demand
        cell of the unit itself, and its central demand cell (the one nearest its centre of
        demand: a hamlet on a steep slope lies under the beams of a tower on its top edge, at
        the antennas' pattern floor where the site's own sectors are as strong as the serving
        one, and within them from its middle).
    ``road``
        A new tower along a road gap over the limit, every ``candidate_spacing_m``, and on the
        nearest high point beside each such point (within ``candidate_spacing_m``).
    ``park``
        A new tower inside an operating park short of 5G (its representative point) or beside
        it (every ``candidate_spacing_m`` on a ring half that far outside its edge).
    ``user``
        The sites of the user's candidate file (the sites layer format); co-location costs
        where a site stands on an existing tower (within 10 m).

New towers cost ``cost_new_site_vnd`` (+ ``cost_5g_vnd`` with ``new_sites_5g``); any site
without grid power (a tower whose sites say so, a new tower farther than
``grid_power_road_m`` from a road) costs ``cost_no_grid_power_vnd`` more. New and co-located
sites get three sectors (0°, 120°, 240°, downtilt ``tilt_deg``) in the operator's 4G coverage
band and, with ``new_sites_5g``, its 5G band, with the median bandwidth, power and gain of the
operator's sectors in that band (else the ``[radio]`` defaults). Generated candidates keep at
most one per ``candidate_spacing_m`` square of each kind (the highest), besides the central
demand cell of every uncovered hamlet and dark spot; candidates with no demand cell within
``max_radius_m`` are dropped, and beyond ``max_candidates`` the generated ones farthest from
demand.

Coverage (:func:`evaluate_candidates`)
    Each candidate is predicted only on the demand cells within its *reach*: the largest
    distance at which any of its sectors, with no terrain loss and full antenna gain, would
    still reach the threshold (exact: nothing beyond could be covered), capped at
    ``max_radius_m``. The link budget is the engine's (:func:`~phusong.coverage._sectors.sector_table`),
    the losses and the coverage tests those of :mod:`phusong.planning._site_kernels`. Candidates
    are predicted one at a time against today's network (the plan adds them up cell by cell:
    best server, so coverage is the union): their SINR counts the operator's co-channel power
    today (:func:`_interference_mw`); the interference of proposals on each other and on
    today's cells is left to the after-prediction.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numba
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import ndimage, sparse
from scipy.spatial import cKDTree

from phusong.config import LayerSource, PlanningConfig
from phusong.coverage._terrain import GridSpec, bilinear_at, dem_bounds, read_terrain, terrain_grid
from phusong.coverage.grid import CoverageGrid
from phusong.errors import InputError
from phusong.layers.province import Province
from phusong.planning._demand import Demand

__all__ = ["KINDS", "Candidates", "CandidateCoverage", "PlanTerrain", "plan_terrain",
           "generate_candidates", "evaluate_candidates", "operator_radio"]

log = logging.getLogger(__name__)

KINDS: tuple[str, ...] = ("colocation", "upgrade_5g", "high_point", "road", "park", "user")
"""Candidate kinds, in the order of the issue."""
_FIXED_KINDS = ("colocation", "upgrade_5g", "user")
_TOWER_SNAP_M = 10.0
_AZIMUTHS = (0.0, 120.0, 240.0)
_SECTOR_COLUMNS = ("site_id", "sector_id", "tech", "band_mhz", "bandwidth_mhz", "azimuth_deg",
                   "mech_tilt_deg", "elec_tilt_deg", "beamwidth_h_deg", "beamwidth_v_deg",
                   "tx_power_dbm", "antenna_gain_dbi", "feeder_loss_db", "height_agl_m",
                   "status")


@dataclass(frozen=True, eq=False)
class PlanTerrain:
    """The DEM on the plan's lattice, widened by the candidates' largest reach."""

    z: NDArray[np.float32]
    spec: GridSpec

    def at(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
        """Ground height (m) at points, bilinear between cell centres; NaN off the DEM."""
        return bilinear_at(self.z, self.spec.transform, x, y)


@dataclass(frozen=True, eq=False)
class Candidates:
    """Candidate sites and their sectors.

    Attributes
    ----------
    table
        One row per candidate: ``candidate_id``, ``kind``, ``operator``, ``site_id`` (the
        site that would carry the sectors: the host for an upgrade), ``host_site_id`` (the
        tower's site for co-location and upgrades), ``height_agl_m``, ``ground_m``, ``techs``,
        ``new_tower``, ``grid_power``, ``cost_vnd``, ``reason`` (what it was generated for),
        ``commune_code``, ``x``, ``y``; points in the working CRS.
    sectors
        Its sectors in the sectors layer's columns, plus ``candidate_id``.
    """

    table: gpd.GeoDataFrame
    sectors: pd.DataFrame

    def __len__(self) -> int:
        return len(self.table)

    def counts(self) -> dict[str, int]:
        """Candidates per kind."""
        return {k: int((self.table["kind"] == k).sum()) for k in KINDS}


@dataclass(frozen=True, eq=False)
class CandidateCoverage:
    """What each candidate covers among the demand cells.

    ``cover_b[i, c]`` is 1 when candidate ``i`` gives broadband demand cell ``c`` mobile
    broadband, ``cover_f[i, c]`` when it gives 5G demand cell ``c`` 5G. ``in_range_*`` marks the
    cells within some candidate's reach and ``best_rsrp_*_dbm`` their best predicted RSRP of
    any candidate (4G or 5G on broadband cells, 5G on 5G cells; NaN when none); ``reach_m`` is
    each candidate's reach.
    """

    cover_b: sparse.csr_matrix
    cover_f: sparse.csr_matrix
    in_range_b: NDArray[np.bool_]
    in_range_f: NDArray[np.bool_]
    best_rsrp_b_dbm: NDArray[np.float32]
    best_rsrp_f_dbm: NDArray[np.float32]
    reach_m: NDArray[np.float64]
    pairs: int
    seconds: float


def plan_terrain(province: Province, grid: CoverageGrid, radius_m: float) -> PlanTerrain:
    """The DEM averaged onto the grid's lattice over the grid plus ``radius_m`` (zeros without
    a DEM, as the engine does for statistical models)."""
    spec = GridSpec(grid.transform, grid.shape, grid.crs)
    if province.dem_path is None:
        tspec = terrain_grid(spec, radius_m, None)
        return PlanTerrain(np.zeros(tspec.shape, dtype=np.float32), tspec)
    tspec = terrain_grid(spec, radius_m, dem_bounds(province.dem_path, province.crs))
    return PlanTerrain(read_terrain(province.dem_path, tspec), tspec)


# --- radio templates -----------------------------------------------------------------------

def operator_radio(province: Province, operator: str, config: PlanningConfig
                   ) -> dict[str, dict[str, float]]:
    """Band and median sector parameters of an operator's new 4G and 5G sectors.

    4G: ``band_4g_mhz``, else the operator's lowest on-air 4G band (900 MHz without one); 5G:
    ``band_5g_mhz``, else its most used 5G band (3500 MHz). Bandwidth, power, gain, feeder
    loss and beamwidths are the medians of the operator's sectors in that band (NaN: the
    engine's defaults).
    """
    out: dict[str, dict[str, float]] = {}
    sectors, sites = province.sectors, province.sites
    mine = pd.DataFrame()
    if sectors is not None and sites is not None and len(sectors):
        ops = dict(zip(sites["site_id"].astype(str), sites["operator"].astype(str), strict=False))
        frame = pd.DataFrame(sectors).copy()
        frame["operator"] = frame["site_id"].astype(str).map(ops)
        on = frame.get("status", pd.Series("on_air", index=frame.index)).astype("string")
        mine = frame.loc[(frame["operator"] == operator) & (on.fillna("on_air") != "planned")]
    for tech, setting, fallback in (("4G", config.band_4g_mhz, 900.0),
                                    ("5G", config.band_5g_mhz, 3500.0)):
        rows = mine.loc[mine["tech"].astype(str) == tech] if len(mine) else mine
        bands = pd.to_numeric(rows["band_mhz"], errors="coerce").dropna() if len(rows) else \
            pd.Series(dtype=float)
        if setting > 0:
            band = float(setting)
        elif len(bands) == 0:
            band = fallback
        else:
            band = float(bands.min()) if tech == "4G" else float(bands.mode().iloc[0])
        same = rows.loc[pd.to_numeric(rows["band_mhz"], errors="coerce") == band] \
            if len(rows) else rows
        params = {"band_mhz": band}
        for col in ("bandwidth_mhz", "tx_power_dbm", "antenna_gain_dbi", "feeder_loss_db",
                    "beamwidth_h_deg", "beamwidth_v_deg"):
            vals = pd.to_numeric(same[col], errors="coerce").dropna() if col in same else []
            params[col] = float(np.median(vals)) if len(vals) else math.nan
        out[tech] = params
    return out


def _sectors_for(site_ids: NDArray[np.object_], cand_ids: NDArray[np.object_],
                 azimuths: list[NDArray[np.float64]], heights: NDArray[np.float64],
                 techs: list[tuple[str, ...]], radio: dict[str, dict[str, dict[str, float]]],
                 operators: NDArray[np.object_], tilt_deg: float) -> pd.DataFrame:
    """Sector rows of candidates: one per azimuth and technology."""
    rows: dict[str, list] = {c: [] for c in (*_SECTOR_COLUMNS, "candidate_id")}
    for site, cand, az, h, tt, op in zip(site_ids, cand_ids, azimuths, heights, techs,
                                         operators, strict=True):
        for tech in tt:
            p = radio[op][tech]
            label = ("L" if tech == "4G" else "N") + f"{p['band_mhz']:.0f}"
            for k, a in enumerate(az, start=1):
                rows["site_id"].append(site)
                rows["sector_id"].append(f"{cand}-{k}-{label}")
                rows["tech"].append(tech)
                rows["azimuth_deg"].append(float(a))
                rows["mech_tilt_deg"].append(tilt_deg)
                rows["elec_tilt_deg"].append(0.0)
                rows["height_agl_m"].append(float(h))
                rows["status"].append("planned")
                rows["candidate_id"].append(cand)
                for col in ("band_mhz", "bandwidth_mhz", "beamwidth_h_deg", "beamwidth_v_deg",
                            "tx_power_dbm", "antenna_gain_dbi", "feeder_loss_db"):
                    rows[col].append(p[col])
    return pd.DataFrame(rows)


# --- towers and generated points -----------------------------------------------------------

def _towers(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """On-air sites grouped into towers (sites within 10 m of each other)."""
    from scipy.sparse.csgraph import connected_components

    on = sites.get("status", pd.Series("on_air", index=sites.index)).astype("string")
    s = sites.loc[on.fillna("on_air") != "planned"].reset_index(drop=True)
    xy = np.column_stack([s.geometry.x.to_numpy(), s.geometry.y.to_numpy()])
    pairs = cKDTree(xy).query_pairs(_TOWER_SNAP_M, output_type="ndarray")
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                              shape=(len(s), len(s)))
    _, tower = connected_components(graph, directed=False)
    grid_power = s["grid_power"].astype("boolean").fillna(True).to_numpy(bool) \
        if "grid_power" in s else np.ones(len(s), dtype=bool)
    height = pd.to_numeric(s.get("height_agl_m"), errors="coerce") if "height_agl_m" in s \
        else pd.Series(np.nan, index=s.index)
    frame = pd.DataFrame({"tower": tower, "site_id": s["site_id"].astype(str),
                          "operator": s["operator"].astype(str), "x": xy[:, 0], "y": xy[:, 1],
                          "height": height.to_numpy(float), "grid_power": grid_power})
    return frame


def _thin(x: NDArray[np.float64], y: NDArray[np.float64], score: NDArray[np.float64],
          spacing_m: float) -> NDArray[np.int64]:
    """Indices kept: the best score per square of ``spacing_m``."""
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64)
    key = pd.DataFrame({"i": np.floor(x / spacing_m), "j": np.floor(y / spacing_m), "s": -score,
                        "n": np.arange(len(x))}).sort_values(["i", "j", "s"], kind="stable")
    return np.sort(key.drop_duplicates(["i", "j"])["n"].to_numpy(np.int64))


def _local_maxima(terrain: PlanTerrain, spacing_m: float
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Cells that are the highest of their ``spacing_m`` window: x, y, elevation."""
    res = terrain.spec.resolution_m
    size = max(3, int(round(spacing_m / res)) | 1)
    z = np.where(np.isfinite(terrain.z), terrain.z, -np.inf)
    peak = (z == ndimage.maximum_filter(z, size=size, mode="nearest")) & np.isfinite(z)
    rows, cols = np.nonzero(peak)
    t = terrain.spec.transform
    return (np.asarray(t.c + (cols + 0.5) * t.a, dtype=np.float64),
            np.asarray(t.f + (rows + 0.5) * t.e, dtype=np.float64),
            np.asarray(z[rows, cols], dtype=np.float64))


def _top_and_centre(unit: NDArray[np.int64], weight: NDArray[np.float64],
                    x: NDArray[np.float64], y: NDArray[np.float64], z: NDArray[np.float64]
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per unit, from its demand cells: the highest cell, and the *central* cell (the cell
    nearest the unit's centre of demand, the cells' centroid weighted by ``weight``)."""
    cells = pd.DataFrame({"unit": unit, "w": weight, "z": z, "x": x, "y": y}).dropna()
    if len(cells) == 0:
        return cells, cells
    top = cells.loc[cells.groupby("unit")["z"].idxmax()]
    w = cells["w"].clip(lower=0.0) + 1e-9
    g = cells.assign(wx=w * cells["x"], wy=w * cells["y"], w=w).groupby("unit")[
        ["wx", "wy", "w"]].sum()
    mx = (g["wx"] / g["w"]).reindex(cells["unit"]).to_numpy()
    my = (g["wy"] / g["w"]).reindex(cells["unit"]).to_numpy()
    off = np.hypot(cells["x"].to_numpy() - mx, cells["y"].to_numpy() - my)
    centre = cells.loc[cells.assign(off=off).groupby("unit")["off"].idxmin()]
    return top, centre


def _unit_points(demand: Demand, terrain: PlanTerrain) -> pd.DataFrame:
    """Uncovered hamlets and dark spots: their centre, and among their demand cells the
    highest (``own``) and the central one (``own`` and ``central``)."""
    frames = []
    bx, by = demand.xy(demand.cells_b)
    bz = terrain.at(bx, by)
    units = []
    if len(demand.hamlets):
        coo = demand.hamlet_matrix.tocoo()
        h = demand.hamlets
        units.append(("hamlet " + h["hamlet_id"].astype(str).to_numpy(dtype=object), h,
                      coo.row, coo.col, coo.data))
    if len(demand.spots):
        sel = np.flatnonzero(demand.spot_b >= 0)
        s = demand.spots
        units.append(("dark spot " + s["spot_id"].astype(str).to_numpy(dtype=object), s,
                      demand.spot_b[sel], sel, demand.people_b[sel]))
    for names, frame, unit, col, weight in units:
        frames.append(pd.DataFrame({"reason": names, "x": frame["x"].to_numpy(),
                                    "y": frame["y"].to_numpy()}))
        top, centre = _top_and_centre(unit, np.asarray(weight, dtype=float), bx[col], by[col],
                                      bz[col])
        for cells, central in ((top, False), (centre, True)):
            frames.append(pd.DataFrame({"reason": names[cells["unit"].to_numpy(int)],
                                        "x": cells["x"].to_numpy(), "y": cells["y"].to_numpy(),
                                        "own": True, "central": central}))
    if not frames:
        return pd.DataFrame(columns=["reason", "x", "y", "own", "central"])
    out = pd.concat(frames, ignore_index=True)
    for col in ("own", "central"):
        out[col] = out[col].astype("boolean").fillna(False).astype(bool) if col in out \
            else False
    return out


def _high_points(demand: Demand, terrain: PlanTerrain, config: PlanningConfig) -> pd.DataFrame:
    """High-point candidates: DEM maxima around each unit and its highest demand cell (one per
    ``candidate_spacing_m`` square, the highest), and its central demand cell, every unit's:
    a tower on the top edge of a hamlet on a steep slope looks over it (the hamlet lies under
    its beams, at the pattern floor, where the site's sectors are alike and the rate stays
    low); one in its middle has most of it within its beams."""
    units = _unit_points(demand, terrain)
    px, py, pz = _local_maxima(terrain, config.candidate_spacing_m)
    rows = [units.loc[units["own"] & ~units["central"], ["reason", "x", "y"]]]
    centres = units.loc[~units["own"]]
    if len(centres) and len(px) and config.high_points_per_unit > 0:
        tree = cKDTree(np.column_stack([px, py]))
        near = tree.query_ball_point(centres[["x", "y"]].to_numpy(), config.search_radius_m)
        pick, why = [], []
        k = config.high_points_per_unit
        rings = min(3, k)
        per_ring = -(-k // rings)
        cxy = centres[["x", "y"]].to_numpy(float)
        for (reason, idx), (ux, uy) in zip(zip(centres["reason"], near, strict=True), cxy,
                                           strict=True):  # one step per unit
            idx = np.asarray(idx, dtype=np.int64)
            # the highest per ring of distance: nearby knolls as well as the far peaks
            ring = np.minimum((np.hypot(px[idx] - ux, py[idx] - uy) * rings
                               / max(config.search_radius_m, 1e-9)).astype(int), rings - 1)
            order = np.lexsort((-pz[idx], ring))
            rank = np.arange(len(idx)) - np.searchsorted(ring[order], ring[order])
            top = idx[order[rank < per_ring]][:k]
            pick.append(top)
            why += [reason] * len(top)
        if pick:
            sel = np.concatenate(pick)
            rows.append(pd.DataFrame({"reason": why, "x": px[sel], "y": py[sel]}))
    out = pd.concat(rows, ignore_index=True)
    out["z"] = terrain.at(out["x"].to_numpy(float), out["y"].to_numpy(float))
    keep = _thin(out["x"].to_numpy(float), out["y"].to_numpy(float),
                 out["z"].fillna(-1e9).to_numpy(float), config.candidate_spacing_m)
    # the central cells: one per unit (a cell two units share once), beside the thinned ones
    mid = units.loc[units["central"], ["reason", "x", "y"]]
    mid = mid.loc[~mid.duplicated(["x", "y"])]
    out = pd.concat([out.iloc[keep], mid.assign(z=terrain.at(mid["x"].to_numpy(float),
                                                            mid["y"].to_numpy(float)))],
                    ignore_index=True)
    out = out.loc[~out.duplicated(["x", "y"])]
    return out.assign(kind="high_point")


def _road_points(demand: Demand, terrain: PlanTerrain, config: PlanningConfig) -> pd.DataFrame:
    if len(demand.gaps) == 0:
        return pd.DataFrame(columns=["reason", "x", "y", "kind"])
    spacing = config.candidate_spacing_m
    lines = demand.gaps["geometry"].to_numpy()
    length = shapely.length(lines)
    n = np.maximum(1, np.ceil(length / spacing).astype(int))
    gap = np.repeat(np.arange(len(lines)), n)
    k = np.arange(len(gap)) - np.repeat(np.cumsum(n) - n, n)
    at = (k + 0.5) / n[gap] * length[gap]
    pts = shapely.line_interpolate_point(lines[gap], at)
    reason = ("road gap " + demand.gaps["route"].astype(str) + " km "
              + demand.gaps["start_km"].map(lambda v: f"{v:.1f}")).to_numpy()[gap]
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    frames = [pd.DataFrame({"reason": reason, "x": x, "y": y})]
    px, py, _ = _local_maxima(terrain, spacing)
    if len(px):
        d, j = cKDTree(np.column_stack([px, py])).query(np.column_stack([x, y]),
                                                        distance_upper_bound=spacing)
        ok = np.isfinite(d)
        frames.append(pd.DataFrame({"reason": reason[ok], "x": px[j[ok]], "y": py[j[ok]]}))
    out = pd.concat(frames, ignore_index=True)
    z = terrain.at(out["x"].to_numpy(float), out["y"].to_numpy(float))
    keep = _thin(out["x"].to_numpy(float), out["y"].to_numpy(float), np.nan_to_num(z, nan=-1e9),
                 spacing)
    return out.iloc[keep].assign(kind="road")


def _park_points(province: Province, demand: Demand, config: PlanningConfig) -> pd.DataFrame:
    if len(demand.parks) == 0 or province.parks is None:
        return pd.DataFrame(columns=["reason", "x", "y", "kind"])
    geoms = province.parks.geometry.to_numpy()[demand.parks["park_index"].to_numpy(int)]
    reason = ("park " + demand.parks["name"].astype(str)).to_numpy()
    inner = shapely.point_on_surface(geoms)
    ring = shapely.boundary(shapely.buffer(geoms, config.candidate_spacing_m / 2.0))
    length = shapely.length(ring)
    n = np.maximum(4, np.ceil(length / config.candidate_spacing_m).astype(int))
    park = np.repeat(np.arange(len(geoms)), n)
    k = np.arange(len(park)) - np.repeat(np.cumsum(n) - n, n)
    around = shapely.line_interpolate_point(ring[park], k / n[park], normalized=True)
    pts = np.concatenate([inner, around])
    return pd.DataFrame({"reason": np.concatenate([reason, reason[park]]),
                         "x": shapely.get_x(pts), "y": shapely.get_y(pts), "kind": "park"})


def _user_points(province: Province, path: Path) -> gpd.GeoDataFrame:
    from phusong.layers.read import read_layer
    from phusong.layers.schema import LAYERS

    result = read_layer("sites", LAYERS["sites"], LayerSource(path=str(path)), path,
                        province.crs)
    if result.frame is None or result.has_errors:
        errors = "; ".join(i.message for i in result.issues if i.severity == "error")
        msg = (f"{path}: the candidate file cannot be used ({errors or 'no rows'}); it needs "
               "the sites layer's columns (site_id, operator, lon/lat or x/y).")
        raise InputError(msg)
    return result.frame


# --- the candidates ------------------------------------------------------------------------

def generate_candidates(province: Province, demand: Demand, terrain: PlanTerrain, *,
                        operator: str | None = None, config: PlanningConfig | None = None,
                        candidate_file: str | Path | None = None) -> Candidates:
    """Every candidate of every kind near the demand, with its cost and sectors.

    Parameters
    ----------
    province
        The province (sites, sectors, roads, parks). Not modified.
    demand
        The plan's demand units (:func:`phusong.planning._demand.build_demand`).
    terrain
        The DEM on the plan's lattice (:func:`plan_terrain`).
    operator
        The operator that builds; ``None``: every operator may co-locate or upgrade, and new
        towers go to ``new_site_operator`` (default: the operator with the most sites).
    config
        Planning settings (default ``province.scenario.planning``).
    candidate_file
        User candidate sites (sites layer format); default ``config.candidate_file``.

    Raises
    ------
    InputError
        If the province has no sites, or the candidate file cannot be read.
    """
    config = config or province.scenario.planning
    if province.sites is None or len(province.sites) == 0:
        msg = "plan: the scenario needs a sites layer (the existing towers) to plan sites."
        raise InputError(msg)
    towers = _towers(province.sites)
    operators = sorted(set(towers["operator"]))
    builder = operator or config.new_site_operator or towers["operator"].value_counts().idxmax()
    if operator is not None and operator not in operators:
        log.warning("plan: %s has no on-air site; it would start from scratch", operator)
    chosen = [operator] if operator is not None else operators
    radio = {op: operator_radio(province, op, config) for op in {*chosen, builder}}
    frames = []
    # 1. co-location on other operators' towers
    present = towers.groupby("tower")["operator"].agg(set)
    first = towers.groupby("tower").agg(site_id=("site_id", "first"), x=("x", "first"),
                                        y=("y", "first"), height=("height", "max"),
                                        grid_power=("grid_power", "all"))
    for op in chosen:
        sel = first.loc[~present.map(lambda s, op=op: op in s).to_numpy()]
        frames.append(pd.DataFrame({"kind": "colocation", "operator": op,
                                    "host_site_id": sel["site_id"].to_numpy(),
                                    "x": sel["x"].to_numpy(), "y": sel["y"].to_numpy(),
                                    "height_agl_m": sel["height"].to_numpy(),
                                    "grid_power": sel["grid_power"].to_numpy(),
                                    "reason": "tower " + sel["site_id"].astype(str)}))
    # 2. 5G upgrades of 4G sites
    frames.append(_upgrades(province, towers, chosen))
    # 3. – 5. generated new towers: high points, roads, parks
    for gen in (_high_points(demand, terrain, config), _road_points(demand, terrain, config),
                _park_points(province, demand, config)):
        if len(gen):
            frames.append(gen.assign(operator=builder, host_site_id="",
                                     height_agl_m=config.new_site_height_m)
                          [["kind", "operator", "host_site_id", "x", "y", "height_agl_m",
                            "reason"]])
    # 6. the user's file
    path = candidate_file or (province.scenario.base_dir / config.candidate_file
                              if config.candidate_file else None)
    if path:
        user = _user_points(province, Path(path))
        frames.append(pd.DataFrame({
            "kind": "user", "operator": user["operator"].astype(str).to_numpy(),
            "host_site_id": "", "x": user.geometry.x.to_numpy(), "y": user.geometry.y.to_numpy(),
            "height_agl_m": pd.to_numeric(user.get("height_agl_m"), errors="coerce").to_numpy()
            if "height_agl_m" in user else np.nan,
            "grid_power": user["grid_power"].astype("boolean").to_numpy()
            if "grid_power" in user else pd.NA,
            "reason": "user " + user["site_id"].astype(str)}))
        for op in set(user["operator"].astype(str)) - set(radio):
            radio[op] = operator_radio(province, op, config)
    table = pd.concat([f for f in frames if len(f)], ignore_index=True)
    table = _near_demand(table, demand, terrain, config)
    return _finish(table, towers, radio, province, demand, terrain, config)


def _upgrades(province: Province, towers: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """On-air sites of the chosen operators with on-air 4G sectors and no 5G sector."""
    sectors = province.sectors
    if sectors is None or len(sectors) == 0:
        return pd.DataFrame()
    sec = pd.DataFrame(sectors).copy()
    sec["site_id"] = sec["site_id"].astype(str)
    on = sec.get("status", pd.Series("on_air", index=sec.index)).astype("string")
    sec = sec.loc[on.fillna("on_air") != "planned"]
    tech = sec["tech"].astype(str)
    has5 = set(sec.loc[tech == "5G", "site_id"])
    four = sec.loc[(tech == "4G") & ~sec["site_id"].isin(has5)]
    az = four.groupby("site_id")["azimuth_deg"].agg(
        lambda s: tuple(sorted(set(np.round(pd.to_numeric(s, errors="coerce").dropna(), 0)))))
    h = pd.to_numeric(four.get("height_agl_m"), errors="coerce").groupby(four["site_id"]).median() \
        if "height_agl_m" in four else pd.Series(dtype=float)
    sites = towers.loc[towers["site_id"].isin(az.index) & towers["operator"].isin(chosen)]
    height = h.reindex(sites["site_id"]).to_numpy(float)
    height = np.where(np.isfinite(height), height, sites["height"].to_numpy(float))
    return pd.DataFrame({"kind": "upgrade_5g", "operator": sites["operator"].to_numpy(),
                         "host_site_id": sites["site_id"].to_numpy(), "x": sites["x"].to_numpy(),
                         "y": sites["y"].to_numpy(), "height_agl_m": height,
                         "grid_power": sites["grid_power"].to_numpy(),
                         "azimuths": az.reindex(sites["site_id"]).to_numpy(),
                         "reason": "site " + sites["site_id"].astype(str)})


def _near_demand(table: pd.DataFrame, demand: Demand, terrain: PlanTerrain,
                 config: PlanningConfig) -> pd.DataFrame:
    """Drop candidates with no demand cell within ``max_radius_m`` or off the DEM; cap their
    number (generated ones farthest from demand go first)."""
    xy = np.column_stack(demand.xy(np.concatenate([demand.cells_b, demand.cells_f])))
    if len(xy) == 0:
        return table.iloc[:0]
    dist, _ = cKDTree(xy).query(table[["x", "y"]].to_numpy(float),
                                distance_upper_bound=config.max_radius_m)
    ground = terrain.at(table["x"].to_numpy(float), table["y"].to_numpy(float))
    table = table.assign(distance_m=dist, ground_m=ground)
    table = table.loc[np.isfinite(dist) & np.isfinite(ground)]
    if len(table) > config.max_candidates:
        fixed = table["kind"].isin(_FIXED_KINDS)
        order = np.lexsort((table["distance_m"].to_numpy(), ~fixed.to_numpy()))
        dropped = len(table) - config.max_candidates
        table = table.iloc[np.sort(order[:config.max_candidates])]
        log.warning("plan: %d candidates beyond max_candidates = %d dropped (farthest from "
                    "demand first)", dropped, config.max_candidates)
    return table.reset_index(drop=True)


def _finish(table: pd.DataFrame, towers: pd.DataFrame, radio: dict, province: Province,
            demand: Demand, terrain: PlanTerrain, config: PlanningConfig) -> Candidates:
    """Ids, towers under user sites, grid power, costs, techs, communes and sectors."""
    n = len(table)
    table["candidate_id"] = [f"C{i:05d}" for i in range(1, n + 1)]
    kind = table["kind"].to_numpy(object)
    # user sites standing on another operator's tower are co-locations
    host = table["host_site_id"].to_numpy(object).copy()
    grid_power = table["grid_power"].astype("boolean").to_numpy() if "grid_power" in table \
        else pd.array([pd.NA] * n, dtype="boolean")
    user = np.flatnonzero(kind == "user")
    if len(user) and len(towers):
        d, j = cKDTree(towers[["x", "y"]].to_numpy()).query(
            table[["x", "y"]].to_numpy(float)[user], distance_upper_bound=_TOWER_SNAP_M)
        on = np.isfinite(d)
        host[user[on]] = towers["site_id"].to_numpy()[j[on]]
        grid_power[user[on]] = towers["grid_power"].to_numpy()[j[on]]
    new_tower = host == ""
    # grid power of new towers: a road within grid_power_road_m
    unknown = pd.isna(grid_power)
    if unknown.any():
        idx = np.flatnonzero(unknown)
        power = np.ones(len(idx), dtype=bool)
        if province.roads is not None and len(province.roads):
            pts = shapely.points(table["x"].to_numpy(float)[idx], table["y"].to_numpy(float)[idx])
            tree = shapely.STRtree(province.roads.geometry.to_numpy())
            hit = tree.query_nearest(pts, max_distance=config.grid_power_road_m,
                                     return_distance=False)
            power = np.isin(np.arange(len(idx)), hit[0])
        grid_power[idx] = power
    grid_power = np.asarray(grid_power, dtype=bool)
    with5 = config.new_sites_5g
    cost = np.where(kind == "upgrade_5g", config.cost_5g_vnd,
                    np.where(new_tower, config.cost_new_site_vnd, config.cost_colocation_vnd)
                    + (config.cost_5g_vnd if with5 else 0.0))
    cost = cost + np.where(grid_power, 0.0, config.cost_no_grid_power_vnd)
    height = table["height_agl_m"].to_numpy(float)
    height = np.where(np.isfinite(height), height,
                      np.where(new_tower, config.new_site_height_m,
                               province.scenario.radio.default_height_agl_m))
    techs: list[tuple[str, ...]] = [("5G",) if k == "upgrade_5g" else
                                    (("4G", "5G") if with5 else ("4G",)) for k in kind]
    site_id = np.where(kind == "upgrade_5g", host, table["candidate_id"].to_numpy(object))
    commune = demand.ctx.point_commune(table["x"].to_numpy(float), table["y"].to_numpy(float))
    codes = demand.ctx.communes["commune_code"].astype(str).to_numpy()
    out = gpd.GeoDataFrame({
        "candidate_id": table["candidate_id"].to_numpy(), "kind": kind,
        "operator": table["operator"].astype(str).to_numpy(), "site_id": site_id,
        "host_site_id": host, "height_agl_m": height, "ground_m": table["ground_m"].to_numpy(),
        "techs": ["+".join(t) for t in techs], "new_tower": new_tower, "grid_power": grid_power,
        "cost_vnd": cost, "reason": table["reason"].astype(str).to_numpy(),
        "commune_code": np.where(commune >= 0, codes[np.maximum(commune, 0)], ""),
        "distance_m": table["distance_m"].to_numpy(), "x": table["x"].to_numpy(float),
        "y": table["y"].to_numpy(float)},
        geometry=shapely.points(table["x"].to_numpy(float), table["y"].to_numpy(float)),
        crs=province.crs)
    azimuths = table["azimuths"].to_numpy(object) if "azimuths" in table else np.full(n, None)
    az = [np.asarray(a if isinstance(a, tuple) and len(a) else _AZIMUTHS, dtype=float)
          for a in azimuths]
    sectors = _sectors_for(site_id, out["candidate_id"].to_numpy(object), az, height, techs,
                           radio, out["operator"].to_numpy(object), config.tilt_deg)
    cands = Candidates(out, sectors)
    log.info("plan: %d candidates (%s)", len(cands), ", ".join(
        f"{k} {v}" for k, v in cands.counts().items()))
    return cands


# --- what each candidate covers ------------------------------------------------------------

def _reach_m(table: pd.DataFrame, base: NDArray[np.float64], step_m: float,
             margin_db: float, thresholds: dict[str, float]) -> NDArray[np.float64]:
    """Per sector: the largest distance at which it could reach its threshold with no terrain
    loss and no pattern loss (an exact bound of what it can cover)."""
    from phusong.coverage.models.free_space import fspl_db

    d = np.maximum(np.arange(base.shape[1]) * step_m, 1.0)
    x_d = np.log10(np.maximum(d, 100.0) / 1000.0)
    out = np.zeros(len(table))
    keys = table[["_table", "eirp_re_dbm", "offset_db", "slope_db", "tech", "band_mhz"]]
    for key, idx in keys.groupby(list(keys.columns), sort=False).indices.items():
        t, eirp, offset, slope, tech, band = key
        loss = np.maximum(base[int(t)], fspl_db(d, float(band)))
        ok = np.flatnonzero(eirp + offset + slope * x_d - loss - margin_db
                            >= thresholds[str(tech)])
        out[idx] = d[ok[-1]] if len(ok) else 0.0
    return out


def _interference_mw(grid: CoverageGrid, cells: NDArray[np.int64], operator: str, tech: str,
                     band_mhz: float, margin_db: float, load: float) -> NDArray[np.float64]:
    """Co-channel power today (median, mW, before the load) that a new sector of the operator
    in ``band_mhz`` would meet at each cell.

    Where the operator's best server of that technology is on the same band, the whole
    co-channel sum its SINR implies (the engine's ``q = p / (load · (P − p) + N)``, so
    ``P = p + (p / q − N) / load``); elsewhere the best server's own power, assumed co-channel.
    """
    layer = grid.layer(operator, tech)
    if layer is None:
        return np.zeros(len(cells))
    rsrp = layer.rsrp_dbm.reshape(-1)[cells].astype(np.float64) + margin_db
    p = np.where(np.isfinite(rsrp), 10.0 ** (rsrp / 10.0), 0.0)
    sectors = grid.sectors
    server = layer.server.reshape(-1)[cells].astype(np.int64)
    if sectors is None or load <= 0 or not {"band_mhz", "noise_re_dbm"} <= set(sectors):
        return p
    ok = server >= 0
    s = np.where(ok, server, 0)
    same = ok & np.isclose(sectors["band_mhz"].to_numpy(float)[s], band_mhz)
    noise = 10.0 ** (sectors["noise_re_dbm"].to_numpy(float)[s] / 10.0)
    sinr = layer.sinr_db.reshape(-1)[cells].astype(np.float64)
    q = np.where(np.isfinite(sinr), 10.0 ** (sinr / 10.0), np.inf)
    total = p + np.maximum(np.divide(p, q, out=np.zeros_like(p), where=q > 0) - noise, 0.0) / load
    return np.where(same, total, p)


def evaluate_candidates(candidates: Candidates, demand: Demand, terrain: PlanTerrain,
                        province: Province, *, chunk: int = 1024) -> CandidateCoverage:
    """Predict each candidate on the demand cells within its reach.

    Parameters
    ----------
    candidates, demand, terrain
        From :func:`generate_candidates`, :func:`~phusong.planning._demand.build_demand`,
        :func:`plan_terrain`.
    province
        For the radio settings, thresholds and the plan settings. Not modified.
    chunk
        Candidates per kernel call (bounds the memory of the pair lists).
    """
    from phusong.coverage._kernels_site import knife_edge_table
    from phusong.coverage._pathloss import PathLoss
    from phusong.coverage._sectors import sector_table
    from phusong.coverage.models.link import fading_margin_db
    from phusong.planning import _site_kernels as K

    t0 = time.perf_counter()
    radio = province.scenario.radio
    th = province.scenario.thresholds
    config = province.scenario.planning
    grid = demand.grid
    cand = candidates.table
    n_b, n_f = len(demand.cells_b), len(demand.cells_f)
    if len(cand) == 0 or n_b + n_f == 0:
        empty = sparse.csr_matrix((len(cand), n_b)), sparse.csr_matrix((len(cand), n_f))
        return CandidateCoverage(empty[0].astype(bool), empty[1].astype(bool),
                                 np.zeros(n_b, bool), np.zeros(n_f, bool),
                                 np.full(n_b, np.nan, np.float32), np.full(n_f, np.nan, np.float32),
                                 np.zeros(len(cand)), 0, time.perf_counter() - t0)
    # 1. the engine's link budget of every candidate sector (each candidate its own site)
    sites = gpd.GeoDataFrame({"site_id": cand["candidate_id"].to_numpy(),
                              "operator": cand["operator"].to_numpy(),
                              "height_agl_m": cand["height_agl_m"].to_numpy()},
                             geometry=cand.geometry.to_numpy(), crs=cand.crs)
    secs = candidates.sectors.assign(site_id=candidates.sectors["candidate_id"], status="on_air")
    table = sector_table(sites, secs, radio)
    index = pd.Series(np.arange(len(cand)), index=cand["candidate_id"].to_numpy())
    table["_cand"] = index.reindex(table["site_id"]).to_numpy(np.int64)
    table = table.sort_values("_cand", kind="stable").reset_index(drop=True)
    # 2. base loss per band and antenna height, finely tabulated
    model = PathLoss(radio)
    res = grid.transform.a
    step = min(10.0, res / 4.0)
    n_fine = int(math.ceil(config.max_radius_m / step)) + 2
    keys = pd.MultiIndex.from_frame(table[["band_mhz", "height_agl_m"]].round(2))
    uniq, inverse = np.unique(keys.to_numpy(), return_inverse=True)
    table["_table"] = inverse.reshape(-1)
    # (the models' range-of-validity notes were reported by the prediction of today's grid)
    base = np.stack([model.table(f, h, n_fine - 1, step) for f, h in uniq])
    # 3. each candidate's reach
    margin = fading_margin_db(radio.shadowing_sigma_db, radio.edge_probability)
    thresholds = {"4G": th.rsrp_4g_dbm, "5G": th.rsrp_5g_dbm}
    sec_reach = np.minimum(_reach_m(table, base, step, margin, thresholds),
                           table["max_radius_m"].to_numpy(float))
    reach = np.zeros(len(cand))
    np.maximum.at(reach, table["_cand"].to_numpy(), sec_reach)
    reach = np.minimum(reach, config.max_radius_m)
    # 4. interference: the operator's co-channel power today at each cell
    key = (table["operator"].astype(str) + "|" + table["tech"].astype(str) + "|"
           + table["band_mhz"].astype(float).map(repr))
    i_keys, i_index = np.unique(key.to_numpy(), return_inverse=True)
    cells = np.concatenate([demand.cells_b, demand.cells_f])
    cx, cy = demand.xy(cells)
    interf = np.zeros((len(i_keys), len(cells)))
    for k, text in enumerate(i_keys):
        op, tech, band = text.split("|")
        interf[k] = _interference_mw(grid, cells, op, tech, float(band), margin, radio.load)
    is5 = (table["tech"] == "5G").to_numpy()
    sec = np.zeros((len(table), K.PS_COLUMNS))
    bands = np.unique(table["band_mhz"].to_numpy(float))
    sec[:, K.PS_BAND] = np.searchsorted(bands, table["band_mhz"].to_numpy(float))
    sec[:, K.PS_TABLE] = table["_table"].to_numpy()
    sec[:, K.PS_EIRP_RE] = table["eirp_re_dbm"].to_numpy()
    sec[:, K.PS_OFFSET] = table["offset_db"].to_numpy()
    sec[:, K.PS_SLOPE] = table["slope_db"].to_numpy()
    sec[:, K.PS_AZ] = np.nan_to_num(table["azimuth_deg"].to_numpy(float))
    sec[:, K.PS_OMNI] = table["omni"].to_numpy(float)
    sec[:, K.PS_TILT] = table["tilt_deg"].to_numpy()
    sec[:, K.PS_BW_H] = table["beamwidth_h_deg"].to_numpy()
    sec[:, K.PS_BW_V] = table["beamwidth_v_deg"].to_numpy()
    sec[:, K.PS_MAX_M] = sec_reach
    sec[:, K.PS_IS_5G] = is5
    sec[:, K.PS_NOISE_MW] = 10.0 ** (table["noise_re_dbm"].to_numpy(float) / 10.0)
    sec[:, K.PS_BW_MHZ] = table["bandwidth_mhz"].to_numpy()
    sec[:, K.PS_RATE] = np.where(is5, radio.mimo_layers_5g * (1.0 - radio.overhead_5g),
                                 radio.mimo_layers_4g * (1.0 - radio.overhead_4g))
    sec[:, K.PS_MAX_SE] = np.where(is5, radio.max_se_5g_bps_hz, radio.max_se_4g_bps_hz)
    sec[:, K.PS_KEY] = i_index.reshape(-1)
    sec_start = np.searchsorted(table["_cand"].to_numpy(), np.arange(len(cand) + 1))
    h_amsl = cand["ground_m"].to_numpy(float)
    first = table.groupby("_cand")["height_agl_m"].first().reindex(np.arange(len(cand)))
    h_amsl = h_amsl + first.fillna(radio.default_height_agl_m).to_numpy(float)
    # 5. pairs within reach, a chunk of candidates at a time, through the kernel
    tree = cKDTree(np.column_stack([cx, cy]))
    cand_xy = cand[["x", "y"]].to_numpy(float)
    tspec = terrain.spec
    j_table = knife_edge_table()
    hit_b, hit_f = [], []
    in_range = np.zeros(len(cells), dtype=bool)
    best = np.full(len(cells), -np.inf)
    n_pairs = 0
    for lo in range(0, len(cand), chunk):
        hi = min(lo + chunk, len(cand))
        r_max = float(reach[lo:hi].max(initial=0.0))
        if r_max <= 0:
            continue
        pairs = cKDTree(cand_xy[lo:hi]).sparse_distance_matrix(tree, r_max,
                                                               output_type="ndarray")
        keep = pairs["v"] <= reach[lo + pairs["i"]]
        pi = pairs["i"][keep].astype(np.int64)
        pj = pairs["j"][keep].astype(np.int64)
        order = np.argsort(pi, kind="stable")
        pi, pj = pi[order], pj[order]
        pstart = np.searchsorted(pi, np.arange(hi - lo + 1)).astype(np.int64)
        max_steps = int(math.ceil(r_max / res)) + 2
        rsrp, flags = K.cover_pairs(
            terrain.z, tspec.transform.c, tspec.transform.f, res, cand_xy[lo:hi, 0],
            cand_xy[lo:hi, 1], h_amsl[lo:hi], sec_start[lo:hi + 1] - sec_start[lo],
            sec[sec_start[lo]:sec_start[hi]], bands, base, step, pstart, pj, cx, cy, interf,
            radio.rx_height_m, radio.k_factor, model.terrain, True, radio.front_to_back_db,
            radio.sla_v_db, radio.prediction_floor_dbm, margin, th.rsrp_4g_dbm,
            th.rsrp_5g_dbm, th.min_dl_mbps, radio.load, radio.shannon_alpha, radio.sinr_min_db,
            j_table, max_steps, 8 * numba.get_num_threads(), config.margin_db)
        n_pairs += len(pj)
        in_range[pj] = True
        # best 4G or 5G on broadband cells, best 5G on the 5G cells
        top = np.where(pj < n_b, np.fmax(rsrp[0], rsrp[1]), rsrp[1]).astype(float)
        np.fmax.at(best, pj, np.nan_to_num(top, nan=-np.inf))
        bb = ((flags & K.BROADBAND_FLAG) > 0) & (pj < n_b)
        ff = ((flags & K.FIVE_G_FLAG) > 0) & (pj >= n_b)
        hit_b.append((pi[bb] + lo, pj[bb]))
        hit_f.append((pi[ff] + lo, pj[ff] - n_b))

    def matrix(hits: list, n_cols: int) -> sparse.csr_matrix:
        rows = np.concatenate([h[0] for h in hits]) if hits else np.zeros(0, np.int64)
        cols = np.concatenate([h[1] for h in hits]) if hits else np.zeros(0, np.int64)
        return sparse.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)),
                                 shape=(len(cand), n_cols))

    best = np.where(np.isfinite(best), best, np.nan).astype(np.float32)
    out = CandidateCoverage(matrix(hit_b, n_b), matrix(hit_f, n_f), in_range[:n_b],
                            in_range[n_b:], best[:n_b], best[n_b:], reach, n_pairs,
                            time.perf_counter() - t0)
    log.info("plan: %d candidates predicted on %d demand cells (%d pairs within reach) in "
             "%.1f s; %d cover something", len(cand), len(cells), n_pairs, out.seconds,
             int(((out.cover_b.getnnz(axis=1) + out.cover_f.getnnz(axis=1)) > 0).sum()))
    return out
