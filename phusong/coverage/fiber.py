"""Fiber reach along roads: which places can get fiber today, and at ≥ 1 Gbit/s.

Definitions (docs/INDICATORS.md, "Hamlet fiber" and "Gigabit availability"):

* A **place** is a hamlet, an industrial park or a point of interest. It is attached to its
  nearest road point within ``fiber.max_snap_m`` (a polygon at the road point nearest to it);
  fiber nodes are attached the same way. Places or nodes without a road that close are
  ``off_road``.
* The **drop distance** from a node to a place is the node's distance to its road point, plus
  the shortest path along roads, plus the place's distance to its road point. A node inside a
  park or hamlet polygon reaches it at 0 m.
* A place is **served** by an operator when a node of that operator with free ports
  (``ports_total − ports_used > 0``; a node without port counts is assumed free) is within
  ``thresholds.fiber_reach_m`` (drop distance). It is **gigabit** when such a node also
  delivers ≥ ``fiber.gigabit_rate_mbps``: its ``max_rate_mbps`` when given, else its
  technology (XGS-PON, XG-PON, GPON: yes; other: no); GPON nodes count only while
  ``fiber.gpon_gigabit`` is true.
* A place not served but within reach of a full node waits for ports (``full_node``): it is
  counted as not served and listed with the nearest full node, which needs more ports.
* ``ANY`` is the union of operators: served by some operator.

Distances come from multi-source Dijkstra on the road graph (``scipy.sparse.csgraph.dijkstra``
with ``min_only=True``): one search per operator and kind of node, never one per pair.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from phusong.config import FiberConfig
from phusong.coverage._roadgraph import (
    Attachment,
    RoadGraph,
    add_leaves,
    attach,
    build_road_graph,
    insert_points,
)
from phusong.coverage.grid import ANY
from phusong.errors import InputError
from phusong.layers.province import Province

__all__ = [
    "ANY",
    "PLACE_STATUSES",
    "PRIORITY_KINDS",
    "FiberNetwork",
    "FiberReach",
    "fiber_places",
    "fiber_node_table",
    "build_fiber_network",
    "fiber_reach",
    "cable_edges",
]

log = logging.getLogger(__name__)

PLACE_STATUSES: tuple[str, ...] = ("gigabit", "served", "full_node", "unserved", "off_road")
"""Fiber status of a place, best first: served at ≥ 1 Gbit/s; served below it; within reach
only of full nodes; no node within reach; no road within ``max_snap_m`` (and no node inside)."""

PRIORITY_KINDS: tuple[str, ...] = ("hospital", "university", "school", "health_station",
                                   "commune_office", "public_office")
"""POI kinds that are priority places of the extension plan (P1, T7, T9 offices and schools)."""

_GIGABIT_TECHS: tuple[str, ...] = ("XGS-PON", "XG-PON")


# --- inputs as tables -------------------------------------------------------------------------

def _commune_of(province: Province, geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """Commune code of each geometry's representative point (``""`` outside every commune)."""
    communes = province.communes
    pts = shapely.point_on_surface(geoms)
    tree = shapely.STRtree(np.asarray(communes.geometry.values, dtype=object))
    i, j = tree.query(pts, predicate="within")
    codes = communes["commune_code"].astype(str).to_numpy(dtype=object)
    out = np.full(len(geoms), "", dtype=object)
    out[i[::-1]] = codes[j[::-1]]  # the first commune wins on a shared border
    return out


def _column(frame: pd.DataFrame, name: str, default: Any) -> NDArray[Any]:
    if name in frame:
        col = frame[name]
        if isinstance(default, str):
            return col.astype("string").fillna(default).to_numpy(dtype=object)
        return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    return np.full(len(frame), default, dtype=object if isinstance(default, str) else float)


def fiber_places(province: Province) -> gpd.GeoDataFrame:
    """Every place fiber reach is judged for: hamlets, parks and points of interest.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per place, hamlets then parks then POIs, with ``place_layer``
        (``hamlets``/``parks``/``pois``), ``place_id``, ``name``, ``kind`` (hamlet kind, park
        status or POI kind), ``commune_code``, ``population``, ``households``,
        ``enterprises`` (NaN where the layer has none), ``priority`` (a plan target: every
        hamlet, operating parks, POIs of :data:`PRIORITY_KINDS`); geometry in the working CRS.
    """
    frames = []
    for layer, id_col, kind_col in (("hamlets", "hamlet_id", "kind"), ("parks", "park_id", "status"),
                                    ("pois", "poi_id", "kind")):
        src = getattr(province, layer)
        if src is None or len(src) == 0:
            continue
        geoms = np.asarray(src.geometry.values, dtype=object)
        codes = _column(src, "commune_code", "")
        missing = codes == ""
        if missing.any():
            codes[missing] = _commune_of(province, geoms[missing])
        kind = _column(src, kind_col, "")
        if layer == "hamlets":
            priority = np.ones(len(src), dtype=bool)
        elif layer == "parks":
            priority = kind == "operating"
        else:
            priority = np.isin(kind, PRIORITY_KINDS)
        frames.append(gpd.GeoDataFrame({
            "place_layer": layer, "place_id": _column(src, id_col, ""),
            "name": _column(src, "name", ""), "kind": kind, "commune_code": codes,
            "population": _column(src, "population", np.nan),
            "households": _column(src, "households", np.nan),
            "enterprises": _column(src, "enterprises", np.nan),
            "priority": priority}, geometry=geoms, crs=province.crs))
    if not frames:
        cols = ["place_layer", "place_id", "name", "kind", "commune_code", "population",
                "households", "enterprises", "priority"]
        return gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs=province.crs)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=province.crs)


def _gigabit(technology: NDArray[np.object_], max_rate_mbps: NDArray[np.float64],
             cfg: FiberConfig) -> NDArray[np.bool_]:
    """Gigabit by ``max_rate_mbps`` where given, else by technology; GPON only if allowed."""
    by_tech = np.isin(technology, (*_GIGABIT_TECHS, "GPON"))
    has_rate = np.isfinite(max_rate_mbps)
    rate_ok = np.where(has_rate, max_rate_mbps >= cfg.gigabit_rate_mbps, by_tech)
    return rate_ok & ((technology != "GPON") | cfg.gpon_gigabit)


def fiber_node_table(province: Province) -> gpd.GeoDataFrame:
    """The fiber nodes with free ports, fullness and gigabit capability.

    Returns
    -------
    geopandas.GeoDataFrame
        ``node_id``, ``operator``, ``technology``, ``ports_total``, ``ports_used``,
        ``ports_free`` (NaN when unknown), ``full`` (no free port), ``max_rate_mbps``,
        ``gigabit``; points.

    Raises
    ------
    InputError
        If the province has no fiber_nodes layer.
    """
    nodes = province.fiber_nodes
    if nodes is None:
        msg = "no fiber_nodes layer: fiber reach needs the fiber access nodes (splitters, cabinets)"
        raise InputError(msg)
    cfg = province.scenario.fiber
    total = _column(nodes, "ports_total", np.nan)
    used = _column(nodes, "ports_used", np.nan)
    used = np.where(np.isfinite(total) & ~np.isfinite(used), 0.0, used)
    free = total - used
    tech = _column(nodes, "technology", "other")
    rate = _column(nodes, "max_rate_mbps", np.nan)
    unknown = int((~np.isfinite(total)).sum())
    if unknown:
        log.info("%d fiber nodes have no ports_total; they are assumed to have free ports",
                 unknown)
    return gpd.GeoDataFrame({
        "node_id": _column(nodes, "node_id", ""), "operator": _column(nodes, "operator", ""),
        "technology": tech, "ports_total": total, "ports_used": used, "ports_free": free,
        "full": np.isfinite(free) & (free <= 0), "max_rate_mbps": rate,
        "gigabit": _gigabit(tech, rate, cfg)},
        geometry=np.asarray(nodes.geometry.values, dtype=object), crs=province.crs)


# --- the network: road graph with places and nodes hanging from it ----------------------------

@dataclass(frozen=True, eq=False)
class FiberNetwork:
    """The road graph with every place and fiber node attached as a leaf vertex.

    Attributes
    ----------
    graph
        Road edges split at the attachment points, then one leaf edge per attached place and
        node (``road == -1``) whose length is its snapping distance.
    places, nodes
        :func:`fiber_places` and :func:`fiber_node_table`.
    place_vertex, node_vertex
        Leaf vertex of each place / node.
    place_road_vertex, node_road_vertex
        Road vertex each hangs from (``-1``: off the road network).
    place_snap_m, node_snap_m
        Distance to that road point (NaN when off the road network).
    contains
        ``(2, k)`` pairs (place row, node row) of nodes inside a place's polygon (reach 0 m).
    cable
        Per operator and for :data:`ANY`: which graph edges carry an on-air fiber route
        (within ``fiber.route_match_m``); leaf edges never do.
    config
        The fiber settings used.
    """

    graph: RoadGraph
    places: gpd.GeoDataFrame
    nodes: gpd.GeoDataFrame
    place_vertex: NDArray[np.int64]
    place_road_vertex: NDArray[np.int64]
    place_snap_m: NDArray[np.float64]
    node_vertex: NDArray[np.int64]
    node_road_vertex: NDArray[np.int64]
    node_snap_m: NDArray[np.float64]
    contains: NDArray[np.int64]
    cable: dict[str, NDArray[np.bool_]]
    config: FiberConfig

    @property
    def operators(self) -> tuple[str, ...]:
        """Operators with fiber nodes or routes, sorted."""
        return tuple(k for k in self.cable if k != ANY)


def cable_edges(graph: RoadGraph, routes: gpd.GeoDataFrame | None, match_m: float,
                operators: list[str]) -> dict[str, NDArray[np.bool_]]:
    """Which road edges carry an on-air fiber route of each operator (and of :data:`ANY`).

    An edge carries a route when both its ends and its midpoint lie within ``match_m`` of
    one route of that operator (planned routes are left out).
    """
    n = graph.n_edges
    out = {op: np.zeros(n, dtype=bool) for op in [ANY, *operators]}
    if routes is None or len(routes) == 0:
        return out
    if "status" in routes:
        routes = routes.loc[routes["status"].astype("string").fillna("") != "planned"]
    road_edges = np.flatnonzero(graph.road >= 0)
    if len(routes) == 0 or len(road_edges) == 0:
        return out
    ops = _column(routes, "operator", "")
    tree = shapely.STRtree(np.asarray(routes.geometry.values, dtype=object))
    a, b = graph.xy[graph.u[road_edges]], graph.xy[graph.v[road_edges]]
    pts = shapely.points(np.concatenate([a, b, 0.5 * (a + b)]))
    i, j = tree.query(pts, predicate="dwithin", distance=match_m)
    m = len(road_edges)
    n_routes = len(routes)
    edge, which = i % m, i // m  # which: 0 = first end, 1 = second end, 2 = midpoint
    for op in out:
        sel = np.ones(len(j), dtype=bool) if op == ANY else ops[j] == op
        # (edge, route) pairs whose three points all lie near that one route
        pair = edge[sel] * n_routes + j[sel]
        triple = np.unique(pair * 3 + which[sel])
        uniq, counts = np.unique(triple // 3, return_counts=True)
        out[op][road_edges[np.unique(uniq[counts == 3] // n_routes)]] = True
    return out


def build_fiber_network(province: Province) -> FiberNetwork:
    """Build the road graph and hang every place and fiber node from it.

    Raises
    ------
    InputError
        If the province has no roads or no fiber_nodes layer.
    CRSError
        If the layers are not in a metric CRS.
    """
    if province.roads is None:
        msg = "no roads layer: fiber reach is measured along roads"
        raise InputError(msg)
    cfg = province.scenario.fiber
    # 1. the road graph, noded at intersections
    road = build_road_graph(province.roads, cfg.road_merge_m)
    # 2. places and nodes, each attached to its nearest road point within max_snap_m
    places = fiber_places(province)
    nodes = fiber_node_table(province)
    p_geoms = np.asarray(places.geometry.values, dtype=object)
    n_geoms = np.asarray(nodes.geometry.values, dtype=object)
    att_p = attach(road, p_geoms, cfg.max_snap_m)
    att_n = attach(road, n_geoms, cfg.max_snap_m)
    both = Attachment(np.concatenate([att_p.edge, att_n.edge]),
                      np.concatenate([att_p.offset_m, att_n.offset_m]),
                      np.concatenate([att_p.snap_m, att_n.snap_m]))
    # 3. split the edges there, then hang each place and node as a leaf
    split, at = insert_points(road, both.edge, both.offset_m)
    p_xy = shapely.get_coordinates(shapely.point_on_surface(p_geoms)) if len(p_geoms) else \
        np.zeros((0, 2))
    n_xy = shapely.get_coordinates(n_geoms) if len(n_geoms) else np.zeros((0, 2))
    snap = np.nan_to_num(both.snap_m, nan=0.0)
    graph, leaf = add_leaves(split, np.vstack([p_xy, n_xy]), at, snap)
    k = len(places)
    # 4. nodes inside a place's polygon reach it directly
    poly = np.flatnonzero(shapely.get_type_id(p_geoms) >= 3) if k else np.zeros(0, np.int64)
    if len(poly) and len(nodes):
        ni, pj = shapely.STRtree(p_geoms[poly]).query(n_geoms, predicate="intersects")
        contains = np.stack([poly[pj], ni]).astype(np.int64)
    else:
        contains = np.zeros((2, 0), dtype=np.int64)
    # 5. road edges that carry existing cable, per operator
    operators = sorted({*map(str, nodes["operator"])} - {""})
    routes = province.fiber_routes
    if routes is not None and "operator" in routes:
        operators = sorted({*operators, *map(str, routes["operator"].dropna())} - {""})
    cable = cable_edges(graph, routes, cfg.route_match_m, operators)
    off_p, off_n = int((~att_p.attached).sum()), int((~att_n.attached).sum())
    if off_p or off_n:
        log.warning("%d places and %d fiber nodes lie farther than %g m from any road "
                    "(fiber.max_snap_m): they are off the road network", off_p, off_n,
                    cfg.max_snap_m)
    return FiberNetwork(graph, places, nodes, leaf[:k], at[:k], att_p.snap_m, leaf[k:], at[k:],
                        att_n.snap_m, contains, cable, cfg)


# --- reach ----------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class FiberReach:
    """Fiber reach of every place and the load of every node.

    Attributes
    ----------
    places
        :func:`fiber_places` plus ``snap_m`` (distance to its road point), ``distance_m``
        (drop distance to the nearest node with free ports of any operator, NaN when none is
        connected by road), ``node_id`` (that node), ``served``, ``gigabit``,
        ``gigabit_node_id``, ``full_node_id`` (the full node a waiting place needs ports at),
        ``fiber_status`` (:data:`PLACE_STATUSES`), and per operator ``served__<op>``,
        ``gigabit__<op>``, ``full_node_id__<op>``, ``fiber_status__<op>``.
    nodes
        :func:`fiber_node_table` plus ``snap_m``, ``on_road``, ``places_served`` (places whose
        nearest free node it is), ``places_waiting`` (places of its operator within reach only
        of full nodes, it being the nearest), ``households_waiting``.
    operators
        Operators, sorted (``ANY`` not included).
    reach_m
        The drop distance (``thresholds.fiber_reach_m``).
    network
        The graph the distances were measured on.
    seconds
        Time of each stage.
    """

    places: gpd.GeoDataFrame
    nodes: gpd.GeoDataFrame
    operators: tuple[str, ...]
    reach_m: float
    network: FiberNetwork
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def config(self) -> FiberConfig:
        """The fiber settings used."""
        return self.network.config

    def settings(self) -> dict[str, Any]:
        """Every setting behind the result (for methodology sheets)."""
        return {"fiber_reach_m": self.reach_m, **dataclasses.asdict(self.config)}

    def status(self, operator: str = ANY) -> NDArray[np.object_]:
        """Fiber status of each place for one operator or :data:`ANY`."""
        col = "fiber_status" if operator == ANY else f"fiber_status__{operator}"
        return self.places[col].to_numpy(dtype=object)


def _nearest(matrix: Any, sources: NDArray[np.int64], targets: NDArray[np.int64],
             vertex_owner: dict[int, int] | NDArray[np.int64], limit_m: float
             ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Distance from the nearest source to each target vertex, and which source (row) it is."""
    n_t = len(targets)
    if len(sources) == 0 or n_t == 0:
        return np.full(n_t, np.inf), np.full(n_t, -1, dtype=np.int64)
    limit = limit_m * (1 + 1e-12) + 1e-9 if np.isfinite(limit_m) else np.inf
    dist, _, src = dijkstra(matrix, directed=False, indices=sources, min_only=True,
                            return_predecessors=True, limit=limit)
    d = dist[targets]
    s = src[targets]
    owner = np.asarray(vertex_owner)
    row = np.where(s >= 0, owner[np.maximum(s, 0)], -1)
    return d, np.where(np.isfinite(d), row, -1)


def fiber_reach(province: Province, network: FiberNetwork | None = None) -> FiberReach:
    """Fiber reach of every hamlet, park and POI, per operator and for any operator.

    Parameters
    ----------
    province
        The province (working CRS) with roads and fiber_nodes; hamlets, parks, pois and
        fiber_routes when present. Not modified.
    network
        A network built by :func:`build_fiber_network` for this province (built when omitted).

    Returns
    -------
    FiberReach
        Per place: drop distance, serving node, served / gigabit / waiting for ports, per
        operator and for any operator; per node: free ports and the places it serves or keeps
        waiting.

    Raises
    ------
    InputError
        If the province has no roads or no fiber_nodes layer.
    """
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    net = network if network is not None else build_fiber_network(province)
    seconds["graph"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    reach_m = float(province.scenario.thresholds.fiber_reach_m)
    places = net.places.copy()
    nodes = net.nodes.copy()
    k = len(places)
    matrix = net.graph.matrix()
    owner = np.full(net.graph.n_vertices, -1, dtype=np.int64)
    owner[net.node_vertex] = np.arange(len(nodes))
    on_road_n = net.node_road_vertex >= 0
    on_road_p = net.place_road_vertex >= 0
    targets = net.place_vertex
    op_of = nodes["operator"].to_numpy(dtype=object)
    full = nodes["full"].to_numpy(dtype=bool)
    giga = nodes["gigabit"].to_numpy(dtype=bool)
    node_ids = nodes["node_id"].to_numpy(dtype=object)
    households = np.nan_to_num(places["households"].to_numpy(dtype=float))
    places["snap_m"] = net.place_snap_m
    nodes["snap_m"] = net.node_snap_m
    nodes["on_road"] = on_road_n
    waiting = np.zeros(len(nodes), dtype=np.int64)
    waiting_hh = np.zeros(len(nodes), dtype=float)
    operators = net.operators

    def search(mask: NDArray[np.bool_], limit_m: float) -> tuple[NDArray[np.float64],
                                                                 NDArray[np.int64]]:
        d, row = _nearest(matrix, net.node_vertex[mask & on_road_n], targets, owner, limit_m)
        # a node inside a park or hamlet polygon reaches it at 0 m
        pi, ni = net.contains
        inside = mask[ni]
        d[pi[inside]] = 0.0
        row[pi[inside]] = ni[inside]
        return d, row

    def ids(row: NDArray[np.int64], ok: NDArray[np.bool_]) -> NDArray[np.object_]:
        out = np.full(len(row), "", dtype=object)
        sel = ok & (row >= 0)
        out[sel] = node_ids[row[sel]]
        return out

    for op in (ANY, *operators):
        mine = np.ones(len(nodes), dtype=bool) if op == ANY else op_of == op
        # nearest free node (without limit for ANY: its distance is reported), nearest free
        # gigabit node, and nearest node of any fill within reach
        d_free, r_free = search(mine & ~full, np.inf if op == ANY else reach_m)
        d_giga, r_giga = search(mine & ~full & giga, reach_m)
        d_all, r_all = search(mine, reach_m)
        served = d_free <= reach_m
        gigabit = d_giga <= reach_m
        waits = ~served & (d_all <= reach_m)
        reached = on_road_p | np.isin(np.arange(k), net.contains[0][mine[net.contains[1]]])
        status = np.select([gigabit, served, waits, ~reached], ["gigabit", "served",
                                                               "full_node", "off_road"],
                           "unserved").astype(object)
        suffix = "" if op == ANY else f"__{op}"
        if op == ANY:
            places["distance_m"] = np.where(np.isfinite(d_free), d_free, np.nan)
            places["node_id"] = ids(r_free, np.isfinite(d_free))
            places["served"] = served
            places["gigabit"] = gigabit
            places["gigabit_node_id"] = ids(r_giga, gigabit)
            places["full_node_id"] = ids(r_all, waits)
            places["fiber_status"] = status
            nodes["places_served"] = np.bincount(r_free[served], minlength=len(nodes))
        else:
            places[f"served{suffix}"] = served
            places[f"gigabit{suffix}"] = gigabit
            places[f"full_node_id{suffix}"] = ids(r_all, waits)
            places[f"fiber_status{suffix}"] = status
            np.add.at(waiting, r_all[waits], 1)
            np.add.at(waiting_hh, r_all[waits], households[waits])
    nodes["places_waiting"] = waiting
    nodes["households_waiting"] = waiting_hh
    seconds["reach"] = time.perf_counter() - t0
    counts = pd.Series(places["fiber_status"]).value_counts().to_dict()
    log.info("fiber reach (%g m along roads): %s; %d of %d nodes full", reach_m, counts,
             int(full.sum()), len(nodes))
    return FiberReach(places, nodes, operators, reach_m, net, seconds)
