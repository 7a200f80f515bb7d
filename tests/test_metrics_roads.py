"""T6: road gaps by chainage, merged by route number."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _coverage_fixtures import CRS, X0, Y0, grid_from_masks, province_from
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, box

from phusong.config import Thresholds
from phusong.metrics import compute_indicators
from phusong.metrics.context import MetricContext
from phusong.metrics.roads import route_geometry, route_tables

SHAPE = (20, 200)  # 30 m cells, 6 km × 600 m
ROW_Y = Y0 + 315.0  # a road along the centres of grid row 9


def _communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"commune_code": ["01", "02"], "name": ["Trần Phú", "Côn Minh"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 600), box(X0 + 2000, Y0, X0 + 6000, Y0 + 600)],
        crs=CRS)


def _roads(rows: list[tuple[str, str, str | None, list[tuple[float, float]]]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"road_id": [r[0] for r in rows], "class": [r[1] for r in rows],
                             "ref": [r[2] for r in rows], "name": ""},
                            geometry=[LineString(r[3]) for r in rows], crs=CRS)


def _grid(uncovered_x: list[tuple[float, float]]):
    cov = np.ones(SHAPE, dtype=bool)
    xc = X0 + 15 + 30 * np.arange(SHAPE[1])
    for a, b in uncovered_x:
        cov[:, (xc > X0 + a) & (xc < X0 + b)] = False
    return grid_from_masks(SHAPE, {("Viettel", "4G"): cov}, y0=Y0 + 600)


def test_known_gap_split_across_two_segments_of_one_route_is_one_gap() -> None:
    # QL3 in two segments, the second digitised backwards; 1.2 km without signal from 1.5 km
    roads = _roads([("R1", "national", "QL3", [(X0, ROW_Y), (X0 + 2000, ROW_Y)]),
                    ("R2", "national", "QL3", [(X0 + 6000, ROW_Y), (X0 + 2000, ROW_Y)])])
    prov = province_from(_communes(), roads=roads)
    res = compute_indicators(prov, _grid([(1500, 2700)]))
    gaps = res.road_gaps[res.road_gaps["operator"] == "ANY"]
    assert len(gaps) == 1
    gap = gaps.iloc[0]
    assert gap["gap_km"] == pytest.approx(1.2, abs=1e-9)
    assert (gap["start_km"], gap["end_km"]) == pytest.approx((1.4925, 2.6925))
    assert gap["route"] == "QL3" and gap["over_limit"]
    assert gap["communes"] == "Trần Phú; Côn Minh" and gap["commune_codes"] == "01; 02"
    assert gap.geometry.length == pytest.approx(1200.0)
    route = res.routes.iloc[0]
    assert route["segments"] == 2 and route["parts"] == 1
    assert route["length_km"] == pytest.approx(6.0) and not route["passes"]
    assert route["longest_gap_km"] == pytest.approx(1.2)
    assert res.value("T6") == 0.0 and res.status("T6") == "not_met"
    assert res.communes["road_gap_over_km"].tolist() == pytest.approx([0.5075, 0.6925])
    # a looser limit passes
    loose = province_from(_communes(), roads=roads, thresholds=Thresholds(road_gap_km=1.5))
    assert compute_indicators(loose, _grid([(1500, 2700)])).status("T6") == "met"


def test_routes_without_ref_and_lower_classes() -> None:
    roads = _roads([("R1", "provincial", None, [(X0, ROW_Y), (X0 + 3000, ROW_Y)]),
                    ("R2", "provincial", "", [(X0 + 3000, ROW_Y), (X0 + 6000, ROW_Y)]),
                    ("R3", "local", "ĐH1", [(X0, ROW_Y + 30), (X0 + 6000, ROW_Y + 30)])])
    res = compute_indicators(province_from(_communes(), roads=roads), _grid([(2500, 3500)]))
    assert res.routes["route"].tolist() == ["#R1", "#R2"]
    # cells centred in (2.5, 3.5) km: uncovered from 2.49 to 3.51 km; within a 15 m step
    assert res.routes["longest_gap_km"].tolist() == pytest.approx([0.51, 0.51], abs=0.0151)
    assert res.value("T6") == 100.0


def test_a_spur_under_the_same_ref_does_not_split_the_through_line() -> None:
    # QL3 crosses a junction at x = 2 km where a spur of QL3 leaves to the north
    roads = _roads([("R1", "national", "QL3", [(X0, ROW_Y), (X0 + 2000, ROW_Y)]),
                    ("R2", "national", "QL3", [(X0 + 2000, ROW_Y), (X0 + 6000, ROW_Y)]),
                    ("R3", "national", "QL3", [(X0 + 2000, ROW_Y), (X0 + 2000, Y0 + 590)])])
    geo = route_geometry(roads, None)
    assert len(geo.parts) == 2
    assert shapely.length(geo.parts).tolist() == pytest.approx([6000.0, 275.0])
    res = compute_indicators(province_from(_communes(), roads=roads), _grid([(1500, 2700)]))
    gaps = res.road_gaps[(res.road_gaps["operator"] == "ANY")
                         & (res.road_gaps["part"] == 1)]
    assert gaps["gap_km"].tolist() == pytest.approx([1.2])


def test_chainage_is_measured_on_the_province_only() -> None:
    roads = _roads([("R1", "national", "QL3", [(X0 - 1000, ROW_Y), (X0 + 7000, ROW_Y)])])
    routes, _, geo = route_tables(MetricContext(province_from(_communes(), roads=roads),
                                                _grid([])))
    assert routes["length_km"].iloc[0] == pytest.approx(6.0)
    assert routes["gaps"].iloc[0] == 0


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), p=st.floats(0.05, 0.95),
       n_vertices=st.integers(2, 6))
def test_gaps_add_up_to_the_uncovered_length(seed: int, p: float, n_vertices: int) -> None:
    rng = np.random.default_rng(seed)
    xs = np.sort(rng.uniform(100, 5900, n_vertices))
    ys = rng.uniform(Y0 + 50, Y0 + 550, n_vertices)
    line = LineString(np.column_stack([X0 + xs, ys]))
    cov = rng.random(SHAPE) < p
    grid = grid_from_masks(SHAPE, {("Viettel", "4G"): cov}, y0=Y0 + 600)
    roads = _roads([("R1", "national", "QL3", list(line.coords))])
    ctx = MetricContext(province_from(_communes(), roads=roads), grid)
    routes, gaps, _ = route_tables(ctx)
    gaps = gaps[gaps["operator"] == "ANY"]
    total_km = routes["length_km"].iloc[0]
    assert total_km == pytest.approx(line.length / 1000)
    # exact uncovered length: the line inside the uncovered cells
    rows, cols = np.nonzero(~cov)
    cells = shapely.box(X0 + 30 * cols, Y0 + 600 - 30 * (rows + 1), X0 + 30 * (cols + 1),
                        Y0 + 600 - 30 * rows)
    exact_m = shapely.length(shapely.intersection(line, shapely.union_all(cells))) if len(cells) \
        else 0.0
    # sampling every ≤ 15 m: each change of state along the line costs at most one step
    crossings = len(gaps) * 2 + 2
    assert gaps["gap_km"].sum() * 1000 == pytest.approx(exact_m, abs=15.0 * crossings)
    assert (gaps["gap_km"] > 0).all() and (gaps["end_km"] <= total_km + 1e-9).all()
    assert gaps["start_km"].is_monotonic_increasing
    assert routes["uncovered_km"].iloc[0] == pytest.approx(gaps["gap_km"].sum())


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), p=st.floats(0.0, 1.0), extra=st.floats(0.0, 0.5))
def test_covering_more_never_lengthens_a_gap(seed: int, p: float, extra: float) -> None:
    rng = np.random.default_rng(seed)
    base = rng.random(SHAPE) < p
    more = base | (rng.random(SHAPE) < extra)
    roads = _roads([("R1", "national", "QL3", [(X0, ROW_Y), (X0 + 6000, ROW_Y + 200)])])
    prov = province_from(_communes(), roads=roads)
    a = route_tables(MetricContext(prov, grid_from_masks(SHAPE, {("V", "4G"): base},
                                                         y0=Y0 + 600)))[0]
    b = route_tables(MetricContext(prov, grid_from_masks(SHAPE, {("V", "4G"): more},
                                                         y0=Y0 + 600)))[0]
    assert b["longest_gap_km"].iloc[0] <= a["longest_gap_km"].iloc[0] + 1e-12
    assert b["uncovered_km"].iloc[0] <= a["uncovered_km"].iloc[0] + 1e-12
