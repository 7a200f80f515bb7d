"""Fiber extension plan: the cheapest new cable along roads to the places fiber does not reach.

For one operator, or for any operator (the province's view), the plan connects every *target
place* that is not served today: every hamlet, every operating industrial park and every
priority POI (:data:`~phusong.coverage.fiber.PRIORITY_KINDS`). Its steps:

1. **Capacity first.** A target place within reach of a full node only (``full_node``) needs
   ports, not cable: one new splitter beside that node (``cost_per_splitter_vnd``).
2. **Existing fiber as one source.** Road vertices on an on-air fiber route of the operator
   (within ``fiber.route_match_m``) and the road points of its nodes are contracted into one
   super-source vertex; road stretches that carry cable cost nothing.
3. **Steiner tree.** Mehlhorn's 2-approximation (:mod:`phusong.planning._steiner`) connects the
   road points of the remaining target places to that source, each road metre weighing its
   length: two places on one road share the cable between them.
4. **A new splitter at each connected road point** (one per distinct road point; places on a
   stretch that already carries cable get a splitter and no cable).
5. **Routes.** Removing the source splits the tree into routes, each tapping the existing
   network at one point. A route is reported as lines with its km, cost, the places it connects,
   the roads it follows and its km per commune; routes are ranked by places connected per km.

Cable runs to each place's road point (its splitter stands there); the drop cable from the
splitter to the place is not costed. New splitters are assumed to deliver gigabit (XGS-PON).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra

from phusong.coverage.fiber import ANY, FiberReach, fiber_reach
from phusong.errors import InputError
from phusong.layers.province import Province
from phusong.planning._steiner import steiner_tree

__all__ = ["ACTIONS", "FiberPlan", "plan_fiber_extension"]

log = logging.getLogger(__name__)

ACTIONS: tuple[str, ...] = ("route", "splitter_on_cable", "add_ports", "unreachable", "off_road")
"""What the plan does for a target place: connect it by a new route; put a splitter on cable
that already passes its road point; add ports at the full node it waits for; nothing, because
no road links it to existing fiber; nothing, because no road is within ``max_snap_m``."""


@dataclass(frozen=True, eq=False)
class FiberPlan:
    """An extension plan for one operator or for any operator.

    Attributes
    ----------
    operator
        The operator planned for, or ``ANY``.
    routes
        One row per new route, best first: ``route_id``, ``rank``, ``cable_km``,
        ``splitters``, ``cost_vnd``, ``places``, ``hamlets``, ``parks``, ``pois``,
        ``households``, ``population``, ``places_per_km``, ``cost_per_place_vnd``,
        ``commune_codes``, ``communes``, ``roads`` (road numbers / names followed),
        ``place_ids``, ``place_names``, ``tap_x``, ``tap_y`` (where it leaves existing fiber);
        lines.
    route_communes
        ``route_id``, ``commune_code``, ``commune_name``, ``cable_km``: km of each route in each
        commune.
    communes
        Per commune: ``commune_code``, ``commune_name``, ``cable_km``, ``routes``,
        ``places_connected``, ``splitters``, ``cost_vnd``.
    places
        Every target place not served today: ``place_layer``, ``place_id``, ``name``, ``kind``,
        ``commune_code``, ``households``, ``population``, ``fiber_status``, ``action``
        (:data:`ACTIONS`), ``route_id``, ``node_id`` (the full node, for ``add_ports``),
        ``road_x``, ``road_y`` (its splitter's position); geometry.
    capacity
        One row per full node that target places wait for: ``node_id``, ``operator``,
        ``technology``, ``ports_total``, ``ports_used``, ``places_waiting``,
        ``households_waiting``, ``place_names``, ``cost_vnd``; points.
    served_after
        Per place of the reach table (same order), whether it is served once the plan is built
        (by an existing node, a new splitter or added ports).
    totals
        Plan totals: places targeted, connected by each action, cable km, splitters, cost.
    settings
        The settings the plan used.
    """

    operator: str
    routes: gpd.GeoDataFrame
    route_communes: pd.DataFrame
    communes: pd.DataFrame
    places: gpd.GeoDataFrame
    capacity: gpd.GeoDataFrame
    served_after: NDArray[np.bool_]
    totals: dict[str, float]
    settings: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)


def _join(values: pd.Series, limit: int = 12) -> str:
    items = [str(v) for v in values if isinstance(v, str) and v]
    text = "; ".join(items[:limit])
    return text + (f"; … (+{len(items) - limit})" if len(items) > limit else "")


def _road_labels(province: Province) -> NDArray[np.object_]:
    """How a planner names each road: its number (QL3, ĐT261), else its name, else its id."""
    roads = province.roads
    assert roads is not None
    out = np.full(len(roads), "", dtype=object)
    for col in ("road_id", "name", "ref"):
        if col in roads:
            val = roads[col].astype("string").fillna("").to_numpy(dtype=object)
            out = np.where(val != "", val, out)
    return out


def plan_fiber_extension(province: Province, reach: FiberReach | None = None,
                         operator: str = ANY) -> FiberPlan:
    """Plan the cheapest cable along roads that connects every target place without fiber.

    Parameters
    ----------
    province
        The province (working CRS) with roads and fiber_nodes (fiber_routes when known).
        Not modified.
    reach
        Fiber reach of this province (:func:`~phusong.coverage.fiber.fiber_reach`), computed
        when omitted.
    operator
        Plan for this operator's network and its unserved places, or ``ANY`` (default): the
        province's view, every operator's fiber as the source.

    Returns
    -------
    FiberPlan
        Routes (ranked by places per km), km per commune, the action for each target place,
        the full nodes to extend, and the totals.

    Raises
    ------
    InputError
        If ``operator`` has no fiber node or route, or the province lacks roads or fiber nodes.
    """
    t_start = time.perf_counter()
    reach = reach if reach is not None else fiber_reach(province)
    net = reach.network
    cfg = net.config
    if operator != ANY and operator not in net.cable:
        msg = (f"operator {operator!r} has no fiber node or route; choose one of "
               f"{', '.join(net.operators) or '(none)'} or ANY")
        raise InputError(msg)
    g = net.graph
    places = reach.places
    suffix = "" if operator == ANY else f"__{operator}"
    status = places[f"fiber_status{suffix}"].to_numpy(dtype=object)
    priority = places["priority"].to_numpy(dtype=bool)
    road_v = net.place_road_vertex
    # 1. target places and what is wrong with each
    action = np.full(len(places), "", dtype=object)
    action[priority & (status == "full_node")] = "add_ports"
    action[priority & (status == "off_road")] = "off_road"
    target = priority & (status == "unserved")
    # 2. existing fiber of the operator, contracted into one source vertex S
    nodes = reach.nodes
    mine = np.ones(len(nodes), dtype=bool) if operator == ANY else \
        nodes["operator"].to_numpy(dtype=object) == operator
    cable = net.cable[operator]
    on_fiber = np.zeros(g.n_vertices, dtype=bool)
    on_fiber[g.u[cable]] = True
    on_fiber[g.v[cable]] = True
    node_v = net.node_road_vertex[mine]
    on_fiber[node_v[node_v >= 0]] = True
    src = g.n_vertices
    road_e = np.flatnonzero((g.road >= 0) & ~cable)
    cu = np.where(on_fiber[g.u[road_e]], src, g.u[road_e])
    cv = np.where(on_fiber[g.v[road_e]], src, g.v[road_e])
    keep = cu != cv
    edges, cu, cv = road_e[keep], cu[keep], cv[keep]
    term_v = np.where(on_fiber[road_v], src, road_v)
    # 3. the Steiner tree from S to the road points of the target places
    t0 = time.perf_counter()
    if not on_fiber.any():
        log.warning("no existing fiber of %s to extend from: every target place is unreachable",
                    operator)
    tree = steiner_tree(src + 1, cu, cv, g.length_m[edges], term_v[target], src)
    seconds = {"steiner": time.perf_counter() - t0}
    unreachable = target & np.isin(term_v, tree.unreachable)
    action[unreachable] = "unreachable"
    action[target & ~unreachable & (term_v == src)] = "splitter_on_cable"
    # 4. routes: the tree without S falls apart into one route per tap on existing fiber
    te, tu, tv = edges[tree.edges], cu[tree.edges], cv[tree.edges]
    inner = (tu != src) & (tv != src)
    adj = sparse.coo_matrix((np.ones(int(inner.sum())), (tu[inner], tv[inner])),
                            shape=(src + 1, src + 1))
    _, label = connected_components(adj, directed=False)
    edge_label = np.where(tu != src, label[tu], label[tv])
    route_labels, edge_route = np.unique(edge_label, return_inverse=True)
    vertex_route = np.full(src + 1, -1, dtype=np.int64)
    vertex_route[tu[tu != src]] = edge_route[tu != src]
    vertex_route[tv[tv != src]] = edge_route[tv != src]
    connected = target & ~unreachable & (term_v != src)
    place_route = np.where(connected, vertex_route[np.maximum(term_v, 0)], -1)
    action[connected] = "route"
    if (connected & (place_route < 0)).any():  # pragma: no cover - the tree holds every terminal
        msg = "internal error: a connected place is on no route"
        raise RuntimeError(msg)
    routes, route_communes, rank = _routes(province, reach, te, edge_route, len(route_labels),
                                           place_route, connected, tu, tv, src)
    if len(rank):  # tree part → row of the ranked routes table
        place_route = np.where(place_route >= 0, rank[np.maximum(place_route, 0)] - 1, -1)
    # 5. the new splitters: one per distinct road point of a connected place, one per full node
    new_split = np.unique(road_v[np.isin(action, ("route", "splitter_on_cable"))])
    full_col = f"full_node_id{suffix}"
    capacity = _capacity(reach, places, action == "add_ports", full_col, cfg.cost_per_splitter_vnd)
    served_after = _served_after(reach, suffix, new_split, action == "add_ports")
    plan_places = _plan_places(places, action, status, place_route, routes, full_col, g.xy,
                               road_v)
    communes = _commune_totals(province, routes, route_communes, plan_places, capacity,
                               cfg.cost_per_splitter_vnd)
    cable_km = float(routes["cable_km"].sum()) if len(routes) else 0.0
    splitters = len(new_split) + len(capacity)
    totals = {
        "places_targeted": int((action != "").sum()),
        "places_route": int((action == "route").sum()),
        "places_splitter_on_cable": int((action == "splitter_on_cable").sum()),
        "places_add_ports": int((action == "add_ports").sum()),
        "places_unreachable": int((action == "unreachable").sum()),
        "places_off_road": int((action == "off_road").sum()),
        "routes": len(routes), "cable_km": cable_km, "splitters": splitters,
        "nodes_to_extend": len(capacity),
        "cost_vnd": cable_km * cfg.cost_per_km_vnd + splitters * cfg.cost_per_splitter_vnd,
    }
    seconds["plan"] = time.perf_counter() - t_start
    log.info("fiber extension (%s): %d routes, %.1f km of cable, %d splitters, %d places "
             "connected, %d unreachable", operator, len(routes), cable_km, splitters,
             totals["places_route"] + totals["places_splitter_on_cable"]
             + totals["places_add_ports"], totals["places_unreachable"])
    settings = {"operator": operator, **reach.settings()}
    return FiberPlan(operator, routes, route_communes, communes, plan_places, capacity,
                     served_after, totals, settings, seconds)


def _routes(province: Province, reach: FiberReach, te: NDArray[np.int64],
            edge_route: NDArray[np.int64], n_routes: int, place_route: NDArray[np.int64],
            connected: NDArray[np.bool_], tu: NDArray[np.int64], tv: NDArray[np.int64], src: int
            ) -> tuple[gpd.GeoDataFrame, pd.DataFrame, NDArray[np.int64]]:
    """The routes table (ranked), km per route and commune, and the rank of each tree part."""
    net = reach.network
    g = net.graph
    cfg = net.config
    places = reach.places
    crs = province.crs
    cols = ["route_id", "rank", "cable_km", "splitters", "cost_vnd", "places", "hamlets",
            "parks", "pois", "households", "population", "places_per_km", "cost_per_place_vnd",
            "commune_codes", "communes", "roads", "place_ids", "place_names", "tap_x", "tap_y"]
    rc_cols = ["route_id", "commune_code", "commune_name", "cable_km"]
    if n_routes == 0:
        return (gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs=crs),
                pd.DataFrame(columns=rc_cols), np.zeros(0, dtype=np.int64))
    km = np.bincount(edge_route, weights=g.length_m[te], minlength=n_routes) / 1000.0
    by_route = np.argsort(edge_route, kind="stable")
    geoms = shapely.line_merge(shapely.multilinestrings(g.segments[te][by_route],
                                                        indices=edge_route[by_route]))
    # the tap: the existing-fiber end of the edge that touches S
    tap = np.where(tu == src, g.u[te], g.v[te])
    tap_row = np.full(n_routes, -1, dtype=np.int64)
    touches = (tu == src) | (tv == src)
    tap_row[edge_route[touches]] = tap[touches]
    # places per route
    pr = place_route[connected]
    sel = places.loc[connected]
    frame = pd.DataFrame({"route": pr, "layer": sel["place_layer"].to_numpy(),
                          "households": np.nan_to_num(sel["households"].to_numpy(float)),
                          "population": np.nan_to_num(sel["population"].to_numpy(float)),
                          "place_id": sel["place_id"].to_numpy(), "name": sel["name"].to_numpy(),
                          "road_v": net.place_road_vertex[connected]})
    grouped = frame.groupby("route")
    counts = grouped["layer"].value_counts().unstack(fill_value=0).reindex(
        range(n_routes), fill_value=0)
    n_places = grouped.size().reindex(range(n_routes), fill_value=0).to_numpy()
    splitters = grouped["road_v"].nunique().reindex(range(n_routes), fill_value=0).to_numpy()
    cost = km * cfg.cost_per_km_vnd + splitters * cfg.cost_per_splitter_vnd
    labels = _road_labels(province)
    road_frame = pd.DataFrame({"route": edge_route, "road": labels[g.road[te]],
                               "m": g.length_m[te]})
    roads_text = (road_frame.groupby(["route", "road"])["m"].sum().reset_index()
                  .sort_values(["route", "m"], ascending=[True, False])
                  .groupby("route")["road"].agg(lambda s: _join(s, 6)))
    out = pd.DataFrame({
        "cable_km": km, "splitters": splitters, "cost_vnd": cost, "places": n_places,
        "hamlets": counts.get("hamlets", pd.Series(0, index=counts.index)).to_numpy(),
        "parks": counts.get("parks", pd.Series(0, index=counts.index)).to_numpy(),
        "pois": counts.get("pois", pd.Series(0, index=counts.index)).to_numpy(),
        "households": grouped["households"].sum().reindex(range(n_routes), fill_value=0.0)
        .to_numpy(),
        "population": grouped["population"].sum().reindex(range(n_routes), fill_value=0.0)
        .to_numpy(),
        "places_per_km": n_places / np.maximum(km, 1e-9),
        "cost_per_place_vnd": cost / np.maximum(n_places, 1),
        "roads": roads_text.reindex(range(n_routes), fill_value="").to_numpy(),
        "place_ids": grouped["place_id"].agg(_join).reindex(range(n_routes), fill_value="")
        .to_numpy(),
        "place_names": grouped["name"].agg(_join).reindex(range(n_routes), fill_value="")
        .to_numpy(),
        "tap_x": np.where(tap_row >= 0, g.xy[np.maximum(tap_row, 0), 0], np.nan),
        "tap_y": np.where(tap_row >= 0, g.xy[np.maximum(tap_row, 0), 1], np.nan),
    })
    # km per commune: the routes cut by the commune polygons
    communes = province.communes
    c_geoms = np.asarray(communes.geometry.values, dtype=object)
    c_codes = communes["commune_code"].astype(str).to_numpy(dtype=object)
    c_names = communes["name"].astype(str).to_numpy(dtype=object)
    ri, ci = shapely.STRtree(c_geoms).query(geoms, predicate="intersects")
    part_km = shapely.length(shapely.intersection(geoms[ri], c_geoms[ci])) / 1000.0
    rc = pd.DataFrame({"route": ri, "commune_code": c_codes[ci], "commune_name": c_names[ci],
                       "cable_km": part_km})
    rc = rc.loc[rc["cable_km"] > 0]
    per_route = rc.sort_values(["route", "cable_km"], ascending=[True, False]).groupby("route")
    out["commune_codes"] = per_route["commune_code"].agg(_join).reindex(
        range(n_routes), fill_value="").to_numpy()
    out["communes"] = per_route["commune_name"].agg(_join).reindex(
        range(n_routes), fill_value="").to_numpy()
    # rank: places connected per km, then cheaper first
    order = np.lexsort((out["cost_vnd"].to_numpy(), -out["places_per_km"].to_numpy()))
    rank = np.empty(n_routes, dtype=np.int64)
    rank[order] = np.arange(1, n_routes + 1)
    width = max(3, len(str(n_routes)))
    route_id = np.array([f"EXT-{r:0{width}d}" for r in rank], dtype=object)
    out.insert(0, "rank", rank)
    out.insert(0, "route_id", route_id)
    routes = gpd.GeoDataFrame(out, geometry=geoms, crs=crs).iloc[order].reset_index(drop=True)
    rc.insert(0, "route_id", route_id[rc["route"].to_numpy()])
    rc["rank"] = rank[rc["route"].to_numpy()]
    route_communes = (rc.sort_values(["rank", "cable_km"], ascending=[True, False])
                      [rc_cols].reset_index(drop=True))
    return routes, route_communes, rank


def _capacity(reach: FiberReach, places: gpd.GeoDataFrame, waiting: NDArray[np.bool_],
              full_col: str, cost_per_splitter_vnd: float) -> gpd.GeoDataFrame:
    """Full nodes that target places wait for, with those places."""
    nodes = reach.nodes
    cols = ["node_id", "operator", "technology", "ports_total", "ports_used"]
    sel = places.loc[waiting]
    frame = pd.DataFrame({"node_id": sel[full_col].to_numpy(dtype=object),
                          "households": np.nan_to_num(sel["households"].to_numpy(float)),
                          "name": sel["name"].to_numpy(dtype=object)})
    grouped = frame.groupby("node_id", sort=True)
    agg = pd.DataFrame({"places_waiting": grouped.size(),
                        "households_waiting": grouped["households"].sum(),
                        "place_names": grouped["name"].agg(_join)}).reset_index()
    table = nodes[[*cols, "geometry"]].drop_duplicates("node_id")
    out = table.merge(agg, on="node_id", how="inner")
    out["cost_vnd"] = cost_per_splitter_vnd
    out = out.sort_values(["households_waiting", "node_id"], ascending=[False, True])
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry="geometry", crs=nodes.crs)


def _served_after(reach: FiberReach, suffix: str, new_split: NDArray[np.int64],
                  fixed: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Which places are served once the new splitters stand (and full nodes have ports)."""
    net = reach.network
    served = reach.places[f"served{suffix}"].to_numpy(dtype=bool) | fixed
    if len(new_split) == 0:
        return served
    limit = reach.reach_m * (1 + 1e-12) + 1e-9
    dist = dijkstra(net.graph.matrix(), directed=False, indices=new_split, min_only=True,
                    limit=limit)
    return served | (dist[net.place_vertex] <= reach.reach_m)


def _plan_places(places: gpd.GeoDataFrame, action: NDArray[np.object_],
                 status: NDArray[np.object_], place_route: NDArray[np.int64],
                 routes: gpd.GeoDataFrame, full_col: str, xy: NDArray[np.float64],
                 road_v: NDArray[np.int64]) -> gpd.GeoDataFrame:
    sel = action != ""
    ids = routes["route_id"].to_numpy(dtype=object)
    pr = place_route[sel]
    cols = ["place_layer", "place_id", "name", "kind", "commune_code", "households",
            "population"]
    out = pd.DataFrame(places.loc[sel, cols]).reset_index(drop=True)
    out["fiber_status"] = status[sel]
    out["action"] = action[sel]
    out["route_id"] = np.where(pr >= 0, ids[np.maximum(pr, 0)] if len(ids) else "", "")
    out["node_id"] = np.where(action[sel] == "add_ports",
                              places.loc[sel, full_col].to_numpy(dtype=object), "")
    rv = road_v[sel]
    out["road_x"] = np.where(rv >= 0, xy[np.maximum(rv, 0), 0], np.nan)
    out["road_y"] = np.where(rv >= 0, xy[np.maximum(rv, 0), 1], np.nan)
    rank = {a: i for i, a in enumerate(ACTIONS)}
    out["_order"] = out["action"].map(rank)
    geom = places.geometry.to_numpy()[sel]
    gdf = gpd.GeoDataFrame(out, geometry=geom, crs=places.crs)
    gdf = gdf.sort_values(["_order", "route_id", "place_layer", "place_id"], kind="stable")
    return gdf.drop(columns="_order").reset_index(drop=True)


def _commune_totals(province: Province, routes: gpd.GeoDataFrame, route_communes: pd.DataFrame,
                    plan_places: gpd.GeoDataFrame, capacity: gpd.GeoDataFrame,
                    cost_per_splitter_vnd: float) -> pd.DataFrame:
    communes = province.communes
    out = pd.DataFrame({"commune_code": communes["commune_code"].astype(str).to_numpy(),
                        "commune_name": communes["name"].astype(str).to_numpy()})
    km = route_communes.groupby("commune_code")["cable_km"].sum()
    n_routes = route_communes.groupby("commune_code")["route_id"].nunique()
    conn = plan_places.loc[plan_places["action"].isin(("route", "splitter_on_cable",
                                                       "add_ports"))]
    n_conn = conn.groupby(conn["commune_code"].astype(str)).size()
    # splitters: distinct road points of connected places, per commune of the place
    sp = conn.loc[conn["action"] != "add_ports"].drop_duplicates(["road_x", "road_y"])
    n_split = sp.groupby(sp["commune_code"].astype(str)).size()
    cap = conn.loc[conn["action"] == "add_ports"].drop_duplicates("node_id")
    n_cap = cap.groupby(cap["commune_code"].astype(str)).size()
    out["cable_km"] = out["commune_code"].map(km).fillna(0.0).astype(float)
    out["routes"] = out["commune_code"].map(n_routes).fillna(0).astype(int)
    out["places_connected"] = out["commune_code"].map(n_conn).fillna(0).astype(int)
    out["splitters"] = (out["commune_code"].map(n_split).fillna(0)
                        + out["commune_code"].map(n_cap).fillna(0)).astype(int)
    cfg = province.scenario.fiber
    out["cost_vnd"] = out["cable_km"] * cfg.cost_per_km_vnd + out["splitters"] * cost_per_splitter_vnd
    return out
