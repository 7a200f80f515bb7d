"""Fiber reach along roads: known answers, networkx agreement, properties."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from _fiber_fixtures import (
    fiber_routes,
    hamlets,
    line,
    nodes,
    province,
    pt,
    rect,
    roads,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phusong.config import FiberConfig
from phusong.coverage._roadgraph import attach, build_road_graph, insert_points
from phusong.coverage.fiber import ANY, build_fiber_network, fiber_node_table, fiber_reach
from phusong.errors import CRSError, InputError

# --- the road graph ----------------------------------------------------------------------------


def test_crossing_roads_share_a_vertex() -> None:
    g = build_road_graph(roads(line((0, 0), (1000, 0)), line((500, -500), (500, 500))))
    deg = np.bincount(np.concatenate([g.u, g.v]), minlength=g.n_vertices)
    centre = np.flatnonzero(np.hypot(*(g.xy - [590_500.0, 2_384_000.0]).T) < 1e-6)
    assert len(centre) == 1 and deg[centre[0]] == 4
    assert g.length_km == pytest.approx(2.0)


def test_near_miss_t_junction_is_joined_and_far_one_is_not() -> None:
    # a side road ending 0.5 m short of the main road is joined; one ending 5 m short is not
    near = build_road_graph(roads(line((0, 0), (1000, 0)), line((400, 0.5), (400, 300))),
                            merge_m=1.0)
    far = build_road_graph(roads(line((0, 0), (1000, 0)), line((400, 5), (400, 300))),
                           merge_m=1.0)
    from scipy.sparse.csgraph import connected_components

    assert connected_components(near.matrix(), directed=False)[0] == 1
    assert connected_components(far.matrix(), directed=False)[0] == 2
    assert near.length_km == pytest.approx(1.3, abs=1e-6)


def test_duplicated_roads_give_one_edge_and_long_segments_are_cut() -> None:
    g = build_road_graph(roads(line((0, 0), (1000, 0)), line((0, 0), (1000, 0))))
    assert g.length_km == pytest.approx(1.0)
    assert g.length_m.max() <= 200.0 + 1e-9


def test_insert_points_splits_edges_exactly() -> None:
    g = build_road_graph(roads(line((0, 0), (150, 0))))
    (e,) = np.flatnonzero(g.road >= 0)
    offsets = np.array([30.0, 30.0, 100.0, 0.0, 150.0])
    split, vertex = insert_points(g, np.full(5, e), offsets)
    assert vertex[0] == vertex[1]  # one vertex per position
    assert split.length_m.sum() == pytest.approx(150.0)
    assert split.n_edges == 3
    assert vertex[3] in (g.u[e], g.v[e]) and vertex[4] in (g.u[e], g.v[e])


def test_attach_is_bounded() -> None:
    g = build_road_graph(roads(line((0, 0), (1000, 0))))
    att = attach(g, np.array([pt(500, 50), pt(500, 900)], dtype=object), 100.0)
    assert att.attached.tolist() == [True, False]
    assert att.snap_m[0] == pytest.approx(50.0)
    assert math.isnan(att.snap_m[1])


def test_geographic_roads_are_refused() -> None:
    layer = roads(line((0, 0), (1000, 0))).to_crs("EPSG:4326")
    with pytest.raises(CRSError, match="not a metric CRS"):
        build_road_graph(layer)


# --- known answers -------------------------------------------------------------------------------


def _detour(reach_m: float) -> gpd.GeoDataFrame:
    """A hamlet 300 m from a node as the crow flies but 1.9 km by road (a U-shaped road)."""
    layer = roads(line((0, 0), (800, 0), (800, 300), (0, 300)))
    prov = province(reach_m=reach_m, roads=layer, hamlets=hamlets([pt(0, 300)]),
                    fiber_nodes=nodes([{"xy": (0, 0)}]))
    return fiber_reach(prov).places


def test_hamlet_near_as_the_crow_flies_but_far_by_road_is_not_served() -> None:
    places = _detour(1500.0)
    assert places["distance_m"].iloc[0] == pytest.approx(1900.0)
    assert not places["served"].iloc[0]
    assert places["fiber_status"].iloc[0] == "unserved"
    assert _detour(2000.0)["served"].iloc[0]


def test_a_full_node_serves_nobody_new() -> None:
    layer = roads(line((0, 0), (5000, 0)))
    prov = province(roads=layer, hamlets=hamlets([pt(100, 20), pt(300, 20)]),
                    fiber_nodes=nodes([{"xy": (0, 0), "ports_total": 16, "ports_used": 16,
                                        "node_id": "FULL"},
                                       {"xy": (4000, 0), "node_id": "FAR"}]))
    reach = fiber_reach(prov)
    places = reach.places
    assert not places["served"].any()
    assert (places["fiber_status"] == "full_node").all()
    assert (places["full_node_id"] == "FULL").all()
    node = reach.nodes.set_index("node_id")
    assert node.loc["FULL", "places_served"] == 0
    assert node.loc["FULL", "places_waiting"] == 2
    assert node.loc["FULL", "households_waiting"] == 200
    assert bool(node.loc["FULL", "full"])


def test_drop_distance_counts_both_access_legs() -> None:
    prov = province(roads=roads(line((0, 0), (2000, 0))), hamlets=hamlets([pt(600, 40)]),
                    fiber_nodes=nodes([{"xy": (100, -30)}]))
    d = fiber_reach(prov).places["distance_m"].iloc[0]
    assert d == pytest.approx(30 + 500 + 40)


def test_node_inside_a_park_reaches_it_and_off_road_places_are_reported() -> None:
    parks = gpd.GeoDataFrame({"park_id": ["K1"], "name": ["Yên Bình"], "status": ["operating"]},
                             geometry=[rect(3000, 3000, 4000, 4000)], crs="EPSG:32648")
    prov = province(roads=roads(line((0, 0), (1000, 0))),
                    hamlets=hamlets([pt(500, 5000)]), parks=parks,
                    fiber_nodes=nodes([{"xy": (3500, 3500)}, {"xy": (0, 0)}]),
                    fiber=FiberConfig(max_snap_m=500.0))
    places = fiber_reach(prov).places.set_index("place_id")
    assert places.loc["K1", "served"] and places.loc["K1", "distance_m"] == 0.0
    assert places.loc["H1", "fiber_status"] == "off_road"


@pytest.mark.parametrize(("technology", "rate", "gpon_gigabit", "expected"), [
    ("XGS-PON", None, True, True), ("GPON", None, True, True), ("GPON", None, False, False),
    ("GPON", 2488.0, False, False), ("other", None, True, False), ("other", 1000.0, True, True),
    ("XGS-PON", 500.0, True, False),
])
def test_gigabit_rules(technology: str, rate: float | None, gpon_gigabit: bool,
                       expected: bool) -> None:
    row = {"xy": (0, 0), "technology": technology, "max_rate_mbps": rate}
    prov = province(roads=roads(line((0, 0), (1000, 0))), hamlets=hamlets([pt(100, 10)]),
                    fiber_nodes=nodes([row]), fiber=FiberConfig(gpon_gigabit=gpon_gigabit))
    assert bool(fiber_node_table(prov)["gigabit"].iloc[0]) is expected
    places = fiber_reach(prov).places
    assert bool(places["gigabit"].iloc[0]) is expected
    assert bool(places["served"].iloc[0])


def test_per_operator_and_any() -> None:
    layer = roads(line((0, 0), (10_000, 0)))
    prov = province(roads=layer, hamlets=hamlets([pt(0, 10), pt(5000, 10), pt(9000, 10)]),
                    fiber_nodes=nodes([{"xy": (0, 0), "operator": "Viettel"},
                                       {"xy": (5000, 0), "operator": "VNPT"}]))
    reach = fiber_reach(prov)
    p = reach.places
    assert reach.operators == ("VNPT", "Viettel")
    assert p["served__Viettel"].tolist() == [True, False, False]
    assert p["served__VNPT"].tolist() == [False, True, False]
    assert p["served"].tolist() == [True, True, False]


def test_missing_layers_and_inputs_untouched() -> None:
    with pytest.raises(InputError, match="no roads layer"):
        fiber_reach(province(fiber_nodes=nodes([{"xy": (0, 0)}])))
    with pytest.raises(InputError, match="no fiber_nodes layer"):
        fiber_reach(province(roads=roads(line((0, 0), (10, 0)))))
    layers = {"roads": roads(line((0, 0), (1000, 0))), "hamlets": hamlets([pt(10, 10)]),
              "fiber_nodes": nodes([{"xy": (0, 0)}])}
    before = {k: v.copy() for k, v in layers.items()}
    fiber_reach(province(**layers))
    for k, v in layers.items():
        pd.testing.assert_frame_equal(v, before[k])


# --- against networkx's exact shortest paths ------------------------------------------------------

def _reference(road_lines: list, place_pts: list, node_pts: list, free: list[bool]
               ) -> np.ndarray:
    """Distance from each place to the nearest free node by an independent networkx build."""
    g = nx.Graph()
    cuts: list[list[float]] = [[0.0, ln.length] for ln in road_lines]
    for i, a in enumerate(road_lines):  # crossings, pair by pair
        for j in range(i + 1, len(road_lines)):
            inter = a.intersection(road_lines[j])
            for p in shapely.get_parts(inter):
                if p.geom_type == "Point":
                    cuts[i].append(a.project(p))
                    cuts[j].append(road_lines[j].project(p))

    def snap(p):  # nearest road, brute force
        d = [ln.distance(p) for ln in road_lines]
        k = int(np.argmin(d))
        return k, road_lines[k].project(p), d[k]

    things = [("P", i, p) for i, p in enumerate(place_pts)] + \
        [("N", i, p) for i, p in enumerate(node_pts)]
    attach_at = {}
    for kind, i, p in things:
        k, t, d = snap(p)
        cuts[k].append(t)
        attach_at[(kind, i)] = (k, t, d)

    def key(k, t):
        q = road_lines[k].interpolate(t)
        return (round(q.x, 4), round(q.y, 4))

    for k in range(len(road_lines)):
        ts = sorted(set(cuts[k]))
        for t0, t1 in zip(ts[:-1], ts[1:], strict=True):
            # the length along a polyline between two positions (two roads may join the same
            # pair of points: keep the shorter)
            a, b = key(k, t0), key(k, t1)
            w = min(t1 - t0, g[a][b]["weight"]) if g.has_edge(a, b) else t1 - t0
            g.add_edge(a, b, weight=w)
    for (kind, i), (k, t, d) in attach_at.items():
        g.add_edge((kind, i), key(k, t), weight=d)
    sources = [("N", i) for i in range(len(node_pts)) if free[i]]
    dist = nx.multi_source_dijkstra_path_length(g, sources, weight="weight") if sources else {}
    return np.array([dist.get(("P", i), np.inf) for i in range(len(place_pts))])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1))
def test_reach_agrees_with_networkx_for_every_place(seed: int) -> None:
    rng = np.random.default_rng(seed)
    road_lines = []
    for _ in range(int(rng.integers(4, 9))):
        k = int(rng.integers(2, 4))
        road_lines.append(line(*[tuple(rng.uniform(0, 3000, 2)) for _ in range(k)]))
    place_pts = [pt(*rng.uniform(0, 3000, 2)) for _ in range(8)]
    node_pts = [pt(*rng.uniform(0, 3000, 2)) for _ in range(4)]
    used = [int(u) for u in rng.choice([10, 64], size=4)]
    prov = province(reach_m=1500.0, roads=roads(*road_lines), hamlets=hamlets(place_pts),
                    fiber_nodes=nodes([{"xy": (p.x - 590_000.0, p.y - 2_384_000.0),
                                        "ports_used": u} for p, u in zip(node_pts, used,
                                                                         strict=True)]),
                    fiber=FiberConfig(road_merge_m=0.0, max_snap_m=10_000.0))
    places = fiber_reach(prov).places
    expected = _reference(road_lines, place_pts, node_pts, [u < 64 for u in used])
    got = places["distance_m"].fillna(np.inf).to_numpy()
    finite = np.isfinite(expected)
    assert (np.isfinite(got) == finite).all()
    np.testing.assert_allclose(got[finite], expected[finite], rtol=1e-7, atol=1e-4)
    near_edge = np.abs(expected - 1500.0) < 1e-3
    assert (places["served"].to_numpy()[~near_edge] == (expected <= 1500.0)[~near_edge]).all()


# --- properties ------------------------------------------------------------------------------------

@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1), st.floats(100.0, 4000.0))
def test_union_of_operators_and_status_consistency(seed: int, reach_m: float) -> None:
    rng = np.random.default_rng(seed)
    grid = [line((0, y), (4000, y)) for y in (0, 1000, 2000)] + \
        [line((x, 0), (x, 2000)) for x in (0, 2000, 4000)]
    rows = [{"xy": tuple(rng.uniform(0, 4000, 2) * [1, 0.5]),
             "operator": str(rng.choice(["Viettel", "VNPT", "MobiFone"])),
             "technology": str(rng.choice(["GPON", "XGS-PON", "other"])),
             "ports_total": 16, "ports_used": int(rng.choice([4, 16]))} for _ in range(6)]
    pts = [pt(*(rng.uniform(0, 4000, 2) * [1, 0.5])) for _ in range(10)]
    reach = fiber_reach(province(reach_m=reach_m, roads=roads(*grid), hamlets=hamlets(pts),
                                 fiber_nodes=nodes(rows)))
    p = reach.places
    per_op = np.column_stack([p[f"served__{op}"] for op in reach.operators])
    assert (p["served"].to_numpy() == per_op.any(axis=1)).all()
    giga_op = np.column_stack([p[f"gigabit__{op}"] for op in reach.operators])
    assert (p["gigabit"].to_numpy() == giga_op.any(axis=1)).all()
    assert not (p["gigabit"] & ~p["served"]).any()
    assert (p.loc[p["served"], "distance_m"] <= reach_m + 1e-9).all()
    assert set(p["fiber_status"]) <= {"gigabit", "served", "full_node", "unserved", "off_road"}
    assert (p.loc[p["fiber_status"] == "full_node", "full_node_id"] != "").all()
    # a longer drop distance never serves fewer places
    more = fiber_reach(province(reach_m=reach_m * 1.5, roads=roads(*grid), hamlets=hamlets(pts),
                                fiber_nodes=nodes(rows)))
    assert (more.places["served"].to_numpy() >= p["served"].to_numpy()).all()


def test_network_marks_cable_per_operator() -> None:
    prov = province(roads=roads(line((0, 0), (1000, 0)), line((0, 500), (1000, 500))),
                    fiber_nodes=nodes([{"xy": (0, 0)}]),
                    fiber_routes=fiber_routes([line((0, 3), (1000, 3))], "Viettel"))
    net = build_fiber_network(prov)
    y = net.graph.xy[net.graph.u, 1] - 2_384_000.0
    assert net.cable["Viettel"][net.graph.road >= 0].sum() > 0
    assert (y[net.cable[ANY]] < 10).all()
    assert not net.cable["VNPT"].any()
