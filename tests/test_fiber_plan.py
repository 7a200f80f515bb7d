"""Fiber extension plan: Steiner tree against brute force, known-answer routes, actions."""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from _fiber_fixtures import communes, fiber_routes, hamlets, line, nodes, province, pt, rect, roads
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree

from phusong.config import FiberConfig
from phusong.coverage.fiber import fiber_reach
from phusong.errors import InputError
from phusong.planning import plan_fiber_extension
from phusong.planning._steiner import steiner_tree

# --- the Steiner tree -----------------------------------------------------------------------------


def _brute_force(n: int, u, v, w, terminals) -> float:
    """Optimal Steiner cost: the cheapest MST over terminals plus any set of other vertices."""
    others = [x for x in range(n) if x not in set(terminals)]
    best = np.inf
    for k in range(len(others) + 1):
        for extra in itertools.combinations(others, k):
            keep = np.zeros(n, dtype=bool)
            keep[list(terminals)] = True
            keep[list(extra)] = True
            sel = keep[u] & keep[v]
            idx = np.flatnonzero(keep)
            pos = np.full(n, -1)
            pos[idx] = np.arange(len(idx))
            m = sparse.csr_matrix((w[sel], (pos[u[sel]], pos[v[sel]])), shape=(len(idx),) * 2)
            if connected_components(m, directed=False)[0] != 1:
                continue
            best = min(best, float(minimum_spanning_tree(m).sum()))
    return best


@st.composite
def _graphs(draw):
    n = draw(st.integers(3, 8))
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=n - 1, max_size=len(pairs),
                           unique=True))
    weights = draw(st.lists(st.integers(1, 20), min_size=len(chosen), max_size=len(chosen)))
    terminals = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    u = np.array([a for a, _ in chosen])
    v = np.array([b for _, b in chosen])
    return n, u, v, np.array(weights, dtype=float), terminals


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_graphs())
def test_steiner_tree_is_a_tree_within_twice_the_optimum(case) -> None:
    n, u, v, w, terminals = case
    root = terminals[0]
    tree = steiner_tree(n, u, v, w, np.array(terminals), root)
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(zip(u.tolist(), v.tolist(), w.tolist(), strict=True))
    reachable = nx.node_connected_component(g, root)
    connected = [t for t in terminals if t in reachable]
    assert sorted(tree.terminals.tolist()) == sorted(connected)
    assert sorted(tree.unreachable.tolist()) == sorted(set(terminals) - reachable)
    t = nx.Graph()
    t.add_nodes_from(connected)
    t.add_weighted_edges_from(zip(u[tree.edges].tolist(), v[tree.edges].tolist(),
                                  w[tree.edges].tolist(), strict=True))
    assert nx.is_tree(t)
    assert all(t.degree(x) > 1 or x in connected for x in t.nodes)  # leaves are terminals
    assert tree.cost == pytest.approx(float(w[tree.edges].sum()))
    optimum = _brute_force(n, u, v, w, connected)
    assert optimum - 1e-9 <= tree.cost <= 2 * optimum + 1e-9
    # networkx's Mehlhorn on the same graph obeys the same bound
    if len(connected) > 1:
        ref = nx.algorithms.approximation.steiner_tree(g.subgraph(reachable), connected,
                                                       method="mehlhorn")
        assert ref.size(weight="weight") <= 2 * optimum + 1e-9


def test_steiner_tree_refuses_non_positive_weights() -> None:
    with pytest.raises(ValueError, match="positive"):
        steiner_tree(2, np.array([0]), np.array([1]), np.array([0.0]), np.array([1]), 0)


# --- known answers on roads -------------------------------------------------------------------------


def _line_province(**kwargs) -> object:
    """Fiber along x ∈ [−1000, 0] with a node at −500; a road on to x = 6000; hamlets at 3 and 5 km."""
    layer = roads(line((-1000, 0), (6000, 0)))
    return province(roads=layer, hamlets=hamlets([pt(3000, 20), pt(5000, 20)]),
                    fiber_nodes=nodes([{"xy": (-500, 0)}]),
                    fiber_routes=fiber_routes([line((-1000, 0), (0, 0))]),
                    commune_layer=communes(splits=(2000.0,)), **kwargs)


def test_two_hamlets_on_one_road_share_the_cable() -> None:
    plan = plan_fiber_extension(_line_province())
    assert plan.totals["cable_km"] == pytest.approx(5.0, abs=1e-6)  # not 3 + 5 km
    assert len(plan.routes) == 1
    route = plan.routes.iloc[0]
    assert route["places"] == 2 and route["hamlets"] == 2 and route["splitters"] == 2
    assert route["route_id"] == "EXT-001"
    assert route["place_ids"] == "H1; H2"
    assert route["tap_x"] == pytest.approx(590_000.0, abs=1e-6)
    assert route.geometry.length == pytest.approx(5000.0, abs=1e-6)
    cfg = FiberConfig()
    assert route["cost_vnd"] == pytest.approx(5 * cfg.cost_per_km_vnd + 2 * cfg.cost_per_splitter_vnd)
    # km per commune: 2 km in C1 (x < 2000), 3 km in C2; they add up to the route
    km = plan.route_communes.set_index("commune_code")["cable_km"]
    assert km["C1"] == pytest.approx(2.0) and km["C2"] == pytest.approx(3.0)
    assert plan.communes.set_index("commune_code")["cable_km"].sum() == pytest.approx(5.0)
    assert (plan.places["action"] == "route").all()
    assert plan.served_after.all()


def test_routes_are_ranked_by_places_per_km() -> None:
    # two branches from the fiber end: one hamlet 1 km away, two hamlets 4 km away on the other
    layer = roads(line((-1000, 0), (0, 0)), line((0, 0), (0, 2000)), line((0, 0), (4000, 0)))
    prov = province(roads=layer, hamlets=hamlets([pt(20, 1500), pt(3800, 20), pt(4000, 20)]),
                    fiber_nodes=nodes([{"xy": (-900, 0)}]),
                    fiber_routes=fiber_routes([line((-1000, 0), (0, 0))]))
    plan = plan_fiber_extension(prov)
    assert plan.routes["place_ids"].tolist() == ["H1", "H2; H3"]
    assert plan.routes["rank"].tolist() == [1, 2]
    assert plan.routes["cable_km"].tolist() == pytest.approx([1.5, 4.0])


def test_actions_on_cable_full_node_unreachable_and_off_road() -> None:
    layer = roads(line((0, 0), (6000, 0)), line((0, 9000), (1000, 9000)))
    prov = province(
        roads=layer,
        hamlets=hamlets([pt(4000, 10), pt(100, 20), pt(500, 9010), pt(3000, 5000)]),
        fiber_nodes=nodes([{"xy": (0, 0), "ports_total": 16, "ports_used": 16,
                            "node_id": "FULL"}]),
        fiber_routes=fiber_routes([line((0, 0), (6000, 0))]),
        fiber=FiberConfig(max_snap_m=500.0))
    plan = plan_fiber_extension(prov)
    action = plan.places.set_index("place_id")["action"]
    assert action["H1"] == "splitter_on_cable"   # cable passes its road point
    assert action["H2"] == "add_ports"           # within reach of the full node only
    assert action["H3"] == "unreachable"         # its road does not reach the fiber
    assert action["H4"] == "off_road"
    assert plan.totals["cable_km"] == 0.0 and len(plan.routes) == 0
    assert plan.capacity["node_id"].tolist() == ["FULL"]
    assert plan.places.set_index("place_id").loc["H2", "node_id"] == "FULL"
    assert plan.totals["splitters"] == 2


def test_operator_plan_uses_its_own_fiber() -> None:
    layer = roads(line((0, 0), (6000, 0)))
    prov = province(roads=layer, hamlets=hamlets([pt(3000, 10)]),
                    fiber_nodes=nodes([{"xy": (0, 0), "operator": "Viettel"},
                                       {"xy": (2800, 0), "operator": "VNPT"}]),
                    fiber_routes=fiber_routes([line((0, 0), (2800, 0))], "VNPT"))
    any_plan = plan_fiber_extension(prov)
    assert any_plan.places.empty  # served by VNPT
    viettel = plan_fiber_extension(prov, operator="Viettel")
    assert viettel.totals["cable_km"] == pytest.approx(3.0)
    with pytest.raises(InputError, match="operator 'MobiFone' has no fiber"):
        plan_fiber_extension(prov, operator="MobiFone")


def test_parks_and_priority_places_are_targets() -> None:
    parks = gpd.GeoDataFrame({"park_id": ["K1", "K2"], "name": ["A", "B"],
                              "status": ["operating", "planned"]},
                             geometry=[rect(2900, 50, 3100, 300), rect(4900, 50, 5100, 300)],
                             crs="EPSG:32648")
    pois = gpd.GeoDataFrame({"poi_id": ["S1", "O1"], "name": ["Trường", "Khác"],
                             "kind": ["school", "other"], "commune_code": ["C1", "C1"]},
                            geometry=[pt(4000, 30), pt(4500, 30)], crs="EPSG:32648")
    prov = province(roads=roads(line((0, 0), (6000, 0))), parks=parks, pois=pois,
                    fiber_nodes=nodes([{"xy": (0, 0)}]))
    plan = plan_fiber_extension(prov)
    assert sorted(plan.places["place_id"]) == ["K1", "S1"]
    assert plan.totals["cable_km"] == pytest.approx(4.0, abs=1e-6)


def test_plan_on_the_commune_demo(tmp_path) -> None:
    from phusong.layers import load_province
    from phusong.pipeline import run_demo

    result = run_demo(tmp_path / "demo", preset="commune", stages=False)
    prov = load_province(result.scenario_path)
    reach = fiber_reach(prov)
    before = reach.places.copy()
    plan = plan_fiber_extension(prov, reach)
    assert reach.places.equals(before)  # the plan does not touch the reach it is given
    targets = reach.places["priority"] & ~reach.places["served"]
    assert plan.totals["places_targeted"] == int(targets.sum())
    connected = plan.places["action"].isin(["route", "splitter_on_cable", "add_ports"])
    ids = set(plan.places.loc[connected, "place_id"])
    after = dict(zip(reach.places["place_id"], plan.served_after, strict=True))
    assert all(after[i] for i in ids)
    if len(plan.routes):
        assert (np.diff(plan.routes["places_per_km"].to_numpy()) <= 1e-9).all()
        assert plan.route_communes["cable_km"].sum() == pytest.approx(
            plan.routes["cable_km"].sum(), rel=1e-6)
