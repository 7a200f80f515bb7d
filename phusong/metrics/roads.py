"""Road gaps by chainage: T6 (no continuous loss of signal over ``road_gap_km``).

Method
    1. Routes: the expressway, national and provincial segments are grouped by ``ref`` (QL3,
       ĐT261 …; a segment without ``ref`` is a route of its own, keyed by ``road_id``), merged
       into lines (``shapely.line_merge``, so segments digitised in either direction join) and
       clipped to the province (the union of the communes). Where a route branches (a spur, a
       bypass, a dual carriageway under the same ``ref``), ``line_merge`` stops at the
       junction; the pieces meeting there are then joined pairwise, straightest continuation
       first (deflection under 60°), so that the through line stays one line ("strokes"; ends
       within 1 m count as meeting). What stays in pieces (spurs, breaks in the data, leaving
       and re-entering the province) is kept as parts, longest first; chainage runs through the
       parts in that order, and gaps never join across parts.
    2. Sampling: every part is sampled at equal steps of at most half the coverage-grid cell
       (``resolution / 2``), first sample at the start, last at the end.
    3. Gaps: a sample is uncovered when its grid cell has no mobile broadband (4G or 5G at the
       RSRP threshold and ``min_dl_mbps``); maximal runs of uncovered samples are gaps, each
       from the midpoint before its first sample to the midpoint after its last
       (:func:`phusong.metrics._kernels.gap_runs`), so gaps and covered stretches add up to
       the route's length.
    4. A route passes T6 when no gap is longer than ``road_gap_km`` (for the union of
       operators; per operator in the route table).

Chainage runs from the start of the merged line as digitised (not from official km posts).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from phusong.coverage.grid import ANY
from phusong.metrics._kernels import gap_runs
from phusong.metrics.context import BROADBAND, MetricContext
from phusong.metrics.results import MET, NOT_MET, IndicatorValue, fmt_number, status_text

__all__ = ["T6_CLASSES", "RouteGeometry", "route_geometry", "sample_parts", "route_tables",
           "commune_columns", "t6"]

log = logging.getLogger(__name__)

T6_CLASSES: tuple[str, ...] = ("expressway", "national", "provincial")
"""Road classes that T6 covers (cao tốc, quốc lộ, tỉnh lộ)."""
_RANK = {c: i for i, c in enumerate(("expressway", "national", "provincial", "district", "local"))}


@dataclass(frozen=True, eq=False)
class RouteGeometry:
    """Merged routes and their parts.

    Attributes
    ----------
    table
        One row per route: ``route``, ``ref``, ``name``, ``class``, ``road_ids``, ``segments``,
        ``parts``, ``length_km``.
    parts
        LineString parts of all routes, grouped by route in table order, longest first.
    part_route
        Route (row of ``table``) of each part.
    part_number
        1-based number of each part within its route.
    part_offset_m
        Chainage of each part's start within its route (m).
    """

    table: pd.DataFrame
    parts: NDArray[np.object_]
    part_route: NDArray[np.int64]
    part_number: NDArray[np.int64]
    part_offset_m: NDArray[np.float64]

    @property
    def part_length_m(self) -> NDArray[np.float64]:
        """Length of each part (m)."""
        return shapely.length(self.parts)

    def route_lines(self) -> NDArray[np.object_]:
        """One (Multi)LineString per route."""
        out = np.full(len(self.table), None, dtype=object)
        if len(self.parts):
            shapely.multilinestrings(self.parts, indices=self.part_route, out=out)
        return out


def _merge(lines: NDArray[np.object_], group: NDArray[np.int64], n: int
           ) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """Line-merge lines per group; returns the LineString parts and their group."""
    order = np.argsort(group, kind="stable")
    multi = np.full(n, None, dtype=object)
    if len(lines):
        shapely.multilinestrings(lines[order], indices=group[order], out=multi)
    merged = shapely.line_merge(multi)
    parts, idx = shapely.get_parts(merged, return_index=True)
    keep = (shapely.get_type_id(parts) == 1) & (shapely.length(parts) > 0)
    return parts[keep], idx[keep].astype(np.int64)


_SNAP_M = 1.0
"""Part ends closer than this meet (m)."""
_MAX_DEFLECTION_COS = -0.5
"""Two pieces meeting at a junction are joined when their directions deflect by < 60°."""


def _end_directions(parts: NDArray[np.object_]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Coordinates of both ends of each part and the unit direction leaving each end inwards.

    Ends are interleaved: row ``2 i`` is the start of part ``i``, row ``2 i + 1`` its end.
    """
    first = shapely.get_coordinates(shapely.get_point(parts, 0))
    second = shapely.get_coordinates(shapely.get_point(parts, 1))
    last = shapely.get_coordinates(shapely.get_point(parts, -1))
    before = shapely.get_coordinates(shapely.get_point(parts, -2))
    xy = np.empty((2 * len(parts), 2))
    xy[0::2], xy[1::2] = first, last
    inward = np.empty_like(xy)
    inward[0::2], inward[1::2] = second - first, before - last
    norm = np.hypot(inward[:, 0], inward[:, 1])
    return xy, inward / np.where(norm > 0, norm, 1.0)[:, None]


def _strokes(parts: NDArray[np.object_], part_route: NDArray[np.int64]
             ) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """Join the pieces of each route through its junctions, straightest continuation first.

    Returns the joined lines (one per chain of pieces) and their route.
    """
    n = len(parts)
    if n < 2:
        return parts, part_route
    xy, inward = _end_directions(parts)
    pairs = cKDTree(xy).query_pairs(_SNAP_M, output_type="ndarray")
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])),
                              shape=(2 * n, 2 * n))
    _, cluster = connected_components(graph, directed=False)
    route_of_end = np.repeat(part_route, 2)
    node = pd.factorize(pd.Series(list(zip(route_of_end, cluster, strict=True))))[0]
    partner = np.full(2 * n, -1, dtype=np.int64)
    order = np.argsort(node, kind="stable")
    bounds = np.flatnonzero(np.diff(node[order])) + 1
    for ends in np.split(order, bounds):  # one junction at a time (a handful per route)
        if len(ends) < 2:
            continue
        cos = inward[ends] @ inward[ends].T
        same_part = (ends[:, None] // 2) == (ends[None, :] // 2)
        cos[same_part] = np.inf
        cand = np.argwhere(np.triu(cos < _MAX_DEFLECTION_COS, k=1))
        cand = cand[np.argsort(cos[cand[:, 0], cand[:, 1]], kind="stable")]
        for i, j in cand:
            a, b = ends[i], ends[j]
            if partner[a] < 0 and partner[b] < 0:
                partner[a], partner[b] = b, a
    return _chains(parts, part_route, partner)


def _chains(parts: NDArray[np.object_], part_route: NDArray[np.int64],
            partner: NDArray[np.int64]) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """Follow the pairings of part ends into chains and build one LineString per chain."""
    n = len(parts)
    coords = [shapely.get_coordinates(p) for p in parts]
    visited = np.zeros(n, dtype=bool)
    chains: list[list[tuple[int, bool]]] = []
    starts = [e for e in range(2 * n) if partner[e] < 0] + list(range(0, 2 * n, 2))
    for e in starts:
        if visited[e // 2]:
            continue
        chain = []
        while e >= 0 and not visited[e // 2]:
            visited[e // 2] = True
            chain.append((e // 2, e % 2 == 0))  # enter at the start: forward
            e = partner[e ^ 1]
        chains.append(chain)
    pieces, indices, routes = [], [], []
    for k, chain in enumerate(chains):
        for m, (i, forward) in enumerate(chain):
            c = coords[i] if forward else coords[i][::-1]
            pieces.append(c if m == 0 else c[1:])
            indices.append(np.full(len(pieces[-1]), k))
        routes.append(part_route[chain[0][0]])
    lines = shapely.linestrings(np.concatenate(pieces), indices=np.concatenate(indices))
    return lines, np.asarray(routes, dtype=np.int64)


def route_geometry(roads: gpd.GeoDataFrame, boundary: shapely.Geometry | None,
                   classes: tuple[str, ...] = T6_CLASSES) -> RouteGeometry:
    """Group road segments into routes by ``ref``, merge them and clip them to ``boundary``.

    Parameters
    ----------
    roads
        Road segments with ``road_id``, ``class`` and optionally ``ref`` and ``name``.
    boundary
        Province outline to clip to, or ``None`` to keep the whole lines.
    classes
        Road classes kept.
    """
    sel = roads.loc[roads["class"].isin(classes)].reset_index(drop=True)
    ref = sel["ref"].astype("string").str.strip() if "ref" in sel else pd.Series(
        pd.NA, index=sel.index, dtype="string")
    has_ref = ref.notna() & (ref != "")
    key = ref.where(has_ref, "#" + sel["road_id"].astype(str)).astype(str)
    codes, uniques = pd.factorize(key, sort=False)
    rank = sel["class"].map(_RANK).to_numpy()
    frame = pd.DataFrame({"route": key, "code": codes, "rank": rank,
                          "ref": ref.where(has_ref, ""),
                          "name": sel["name"].astype("string") if "name" in sel else "",
                          "road_id": sel["road_id"].astype(str)})
    grouped = frame.groupby("code", sort=True)
    table = pd.DataFrame({
        "route": np.asarray(uniques, dtype=object),
        "ref": grouped["ref"].first().to_numpy(),
        "name": grouped["name"].first().fillna("").to_numpy(),
        "class": np.array(list(_RANK))[grouped["rank"].min().to_numpy().astype(np.int64)],
        "road_ids": grouped["road_id"].agg(lambda s: ", ".join(s)).to_numpy(),
        "segments": grouped.size().to_numpy(),
    })
    lines, idx = shapely.get_parts(sel.geometry.values, return_index=True)
    parts, part_route = _merge(lines, codes[idx].astype(np.int64), len(table))
    if boundary is not None and len(parts):
        clipped = shapely.intersection(parts, boundary)
        sub, sidx = shapely.get_parts(clipped, return_index=True)
        parts, part_route = _merge(sub, part_route[sidx], len(table))
    parts, part_route = _strokes(parts, part_route)
    length = shapely.length(parts)
    order = np.lexsort((-length, part_route))  # by route, longest part first
    parts, part_route, length = parts[order], part_route[order], length[order]
    table["parts"] = np.bincount(part_route, minlength=len(table))
    table["length_km"] = np.bincount(part_route, weights=length, minlength=len(table)) / 1000.0
    # chainage offset of each part: lengths of the earlier parts of the same route
    cum = np.cumsum(length) - length
    first = np.ones(len(parts), dtype=bool)
    first[1:] = part_route[1:] != part_route[:-1]
    base = np.maximum.accumulate(np.where(first, cum, 0.0))
    offset = cum - base
    start_index = np.maximum.accumulate(np.where(first, np.arange(len(parts)), 0))
    number = np.arange(len(parts)) - start_index + 1
    return RouteGeometry(table, parts, part_route, number, offset)


def sample_parts(parts: NDArray[np.object_], step_m: float
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
                            NDArray[np.int64]]:
    """Sample line parts at equal steps of at most ``step_m``, both ends included.

    Returns
    -------
    x, y, dist_m, part
        Coordinates, chainage from the start of the part, and the part of each sample.
    """
    length = shapely.length(parts)
    n = np.maximum(2, np.ceil(length / step_m).astype(np.int64) + 1)
    part = np.repeat(np.arange(len(parts), dtype=np.int64), n)
    start = np.cumsum(n) - n
    k = np.arange(len(part)) - np.repeat(start, n)
    dist = length[part] * k / (n[part] - 1)
    # the end samples are taken a micrometre inside the line, so that a line ending on a cell
    # edge (the grid's or the province's) is read in the cell it ends in
    at = np.clip(dist, 1e-6, np.maximum(length[part] - 1e-6, 1e-6))
    pts = shapely.line_interpolate_point(parts[part], at)
    return shapely.get_x(pts), shapely.get_y(pts), dist, part


def _gap_lines(parts: NDArray[np.object_], gap_part: NDArray[np.int64],
               start_m: NDArray[np.float64], end_m: NDArray[np.float64]) -> NDArray[np.object_]:
    """The stretch of each gap as a LineString: its ends and the part's vertices between."""
    if len(gap_part) == 0:
        return np.zeros(0, dtype=object)
    coords, vidx = shapely.get_coordinates(parts, return_index=True)
    step = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))
    same = vidx[1:] == vidx[:-1]
    cum = np.cumsum(np.concatenate([[0.0], np.where(same, step, 0.0)]))
    first = np.concatenate([[True], ~same])
    base = np.zeros(len(parts))
    base[vidx[first]] = cum[first]
    length = shapely.length(parts)
    part0 = np.cumsum(length + 1.0) - (length + 1.0)  # parts laid end to end, 1 m apart
    key = part0[vidx] + (cum - base[vidx])
    lo = np.searchsorted(key, part0[gap_part] + start_m, side="right")
    hi = np.searchsorted(key, part0[gap_part] + end_m, side="left")
    counts = np.maximum(hi - lo, 0) + 2
    gap_of = np.repeat(np.arange(len(gap_part)), counts)
    pos = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    a = shapely.get_coordinates(shapely.line_interpolate_point(parts[gap_part], start_m))
    b = shapely.get_coordinates(shapely.line_interpolate_point(parts[gap_part], end_m))
    xy = coords[np.clip(lo[gap_of] + pos - 1, 0, len(coords) - 1)]
    is_first = pos == 0
    is_last = pos == counts[gap_of] - 1
    xy[is_first] = a
    xy[is_last] = b
    return shapely.linestrings(xy, indices=gap_of)


def _communes_crossed(ctx: MetricContext, gaps: gpd.GeoDataFrame) -> pd.DataFrame:
    """Pairs (gap, commune) with the length of the gap inside the commune (m)."""
    communes = ctx.province.communes
    left = gpd.GeoDataFrame({"gap": np.arange(len(gaps))}, geometry=gaps.geometry.values,
                            crs=gaps.crs)
    right = gpd.GeoDataFrame({"commune": np.arange(len(communes))},
                             geometry=communes.geometry.values, crs=communes.crs)
    pairs = gpd.sjoin(left, right, predicate="intersects", how="inner")
    inside = shapely.length(shapely.intersection(
        left.geometry.values[pairs["gap"].to_numpy()],
        right.geometry.values[pairs["commune"].to_numpy()]))
    out = pd.DataFrame({"gap": pairs["gap"].to_numpy(), "commune": pairs["commune"].to_numpy(),
                        "length_m": inside})
    return out.loc[out["length_m"] > 0.01].sort_values(["gap", "commune"], kind="stable")


def route_tables(ctx: MetricContext) -> tuple[pd.DataFrame, gpd.GeoDataFrame, RouteGeometry]:
    """Routes with their longest gap per operator, every gap, and the route geometry.

    Returns
    -------
    routes, gaps, geometry
        ``routes``: one row per route with ``length_km``, and for the union of operators and
        each operator (``__<op>``) ``gaps``, ``uncovered_km``, ``longest_gap_km``,
        ``gaps_over_limit``, ``passes``; plus ``status_text``. ``gaps``: one row per gap with
        ``operator``, ``route``, ``ref``, ``name``, ``class``, ``part``, ``start_km``,
        ``end_km``, ``gap_km``, ``over_limit``, ``communes``, ``commune_codes``; LineStrings.
    """

    def build() -> tuple[pd.DataFrame, gpd.GeoDataFrame, RouteGeometry]:
        roads = ctx.province.roads
        assert roads is not None
        boundary = ctx.memo(("boundary",), lambda: ctx.province.boundary)
        geo = route_geometry(roads, boundary)
        limit_km = ctx.thresholds.road_gap_km
        step_m = 0.5 * min(abs(ctx.grid.transform.a), abs(ctx.grid.transform.e))
        x, y, dist, part = sample_parts(geo.parts, step_m)
        part_len = geo.part_length_m
        routes = geo.table.copy()
        n_routes = len(routes)
        frames = []
        for op in ctx.operators:
            covered = ctx.grid.sample(ctx.mask(BROADBAND, op), x, y)
            gp, a, b = gap_runs(~covered, dist, part, part_len)
            route_of = geo.part_route[gp]
            gap_km = (b - a) / 1000.0
            suffix = "" if op == ANY else f"__{op}"
            longest = np.zeros(n_routes)
            np.maximum.at(longest, route_of, gap_km)
            routes[f"gaps{suffix}"] = np.bincount(route_of, minlength=n_routes)
            routes[f"uncovered_km{suffix}"] = np.bincount(route_of, weights=gap_km,
                                                          minlength=n_routes)
            routes[f"longest_gap_km{suffix}"] = longest
            routes[f"gaps_over_limit{suffix}"] = np.bincount(
                route_of[gap_km > limit_km], minlength=n_routes)
            routes[f"passes{suffix}"] = longest <= limit_km
            frames.append(pd.DataFrame({
                "operator": op, "route_index": route_of, "part": geo.part_number[gp], "_p": gp,
                "start_km": (geo.part_offset_m[gp] + a) / 1000.0,
                "end_km": (geo.part_offset_m[gp] + b) / 1000.0, "gap_km": gap_km,
                "over_limit": gap_km > limit_km, "_a": a, "_b": b}))
        routes["status_text"] = np.where(routes["passes"], status_text(MET, ctx.lang),
                                         status_text(NOT_MET, ctx.lang))
        routes["sample_step_m"] = step_m
        gaps = pd.concat(frames, ignore_index=True)
        info = routes[["route", "ref", "name", "class"]].iloc[gaps["route_index"]]
        gaps = pd.concat([gaps[["operator"]], info.reset_index(drop=True),
                          gaps.drop(columns=["operator"])], axis=1)
        lines = _gap_lines(geo.parts, gaps["_p"].to_numpy(np.int64), gaps["_a"].to_numpy(),
                           gaps["_b"].to_numpy())
        gaps = gpd.GeoDataFrame(gaps.drop(columns=["_a", "_b", "_p", "route_index"]),
                                geometry=lines, crs=ctx.province.crs)
        pairs = _communes_crossed(ctx, gaps)
        names = ctx.communes["name"].to_numpy(dtype=object)[pairs["commune"].to_numpy()]
        codes = ctx.communes["commune_code"].to_numpy(dtype=object)[pairs["commune"].to_numpy()]
        joined = pd.DataFrame({"gap": pairs["gap"].to_numpy(), "name": names, "code": codes})
        by_gap = joined.groupby("gap", sort=True).agg({"name": "; ".join, "code": "; ".join})
        gaps["communes"] = by_gap["name"].reindex(range(len(gaps))).fillna("").to_numpy()
        gaps["commune_codes"] = by_gap["code"].reindex(range(len(gaps))).fillna("").to_numpy()
        ctx.memo(("gap_commune_pairs",), lambda: pairs)
        return routes, gaps, geo

    return ctx.memo(("table", "routes"), build)


def commune_columns(ctx: MetricContext) -> pd.DataFrame:
    """Per commune: ``road_gaps_over_limit`` and their length inside it, ``road_gap_over_km``."""
    _, gaps, _ = route_tables(ctx)
    pairs = ctx.memo(("gap_commune_pairs",), lambda: pd.DataFrame(
        columns=["gap", "commune", "length_m"]))
    over = (gaps["operator"].to_numpy() == ANY) & gaps["over_limit"].to_numpy(dtype=bool)
    sel = pairs.loc[over[pairs["gap"].to_numpy(dtype=np.int64)]]
    n = len(ctx.communes)
    idx = sel["commune"].to_numpy(dtype=np.int64)
    return pd.DataFrame({
        "commune_code": ctx.communes["commune_code"].to_numpy(),
        "road_gaps_over_limit": np.bincount(idx, minlength=n)[:n],
        "road_gap_over_km": np.bincount(idx, weights=sel["length_m"].to_numpy(dtype=float),
                                        minlength=n)[:n] / 1000.0,
    })


def t6(ctx: MetricContext) -> IndicatorValue:
    """T6: share of expressway, national and provincial routes with no gap over the limit."""
    routes, gaps, _ = route_tables(ctx)
    n = len(routes)
    if n == 0:
        return IndicatorValue.not_computed(ctx.text(
            "không có đường cao tốc, quốc lộ, tỉnh lộ", "no expressway, national or provincial road"))
    passing = int(routes["passes"].sum())
    over = gaps.loc[(gaps["operator"] == ANY) & gaps["over_limit"]]
    by_op = {op: 100.0 * float(routes[f"passes__{op}"].mean()) for op in ctx.operators
             if op != ANY}
    limit = fmt_number(ctx.thresholds.road_gap_km, ctx.lang, 1)
    detail = ctx.text(
        f"{passing}/{n} tuyến đạt; {len(over)} đoạn mất sóng > {limit} km, tổng "
        f"{fmt_number(over['gap_km'].sum(), 'vi', 1)} km",
        f"{passing}/{n} routes pass; {len(over)} gaps > {limit} km, "
        f"{fmt_number(over['gap_km'].sum(), 'en', 1)} km in all")
    return IndicatorValue(100.0 * passing / n, shortfall=float(n - passing), count=passing,
                          total=n, detail=detail, by_operator=by_op)
