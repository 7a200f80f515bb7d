"""The demo province end to end: the indicators find the problems the demo was built with.

Coverage is the engine's prediction (:func:`phusong.coverage.predict_coverage`) at 100 m, to
keep the test within CI's time (the scenario's 30 m takes minutes): the planted problems (no
site within 6 km of the dark valleys, 4.5 km of the road zones, no 5G carrier within 4.5 km of
two parks) are uncovered under any reasonable prediction. The figures are then checked against
slower, independent computations.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from scipy.spatial import cKDTree

from phusong.layers import load_province
from phusong.layers._demo_data import NO_5G_PARKS
from phusong.metrics import compute_indicators
from phusong.metrics.roads import T6_CLASSES
from phusong.reports import write_indicator_tables

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    from phusong.coverage import predict_coverage
    from phusong.pipeline import run_demo

    folder = tmp_path_factory.mktemp("demo")
    province = load_province(run_demo(folder, preset="province", stages=False).scenario_path)
    grid = predict_coverage(province, resolution_m=100.0)
    return province, grid, compute_indicators(province, grid), folder


def test_parks_without_5g_are_flagged(demo) -> None:
    _, _, res, _ = demo
    parks = res.parks[res.parks["status"] == "operating"]
    assert set(parks.loc[~parks["has_5g"], "name"]) == set(NO_5G_PARKS)
    assert res.status("K1") == "not_met"
    assert all(name in res.values["K1"].detail for name in NO_5G_PARKS)


def test_road_gaps_over_1_km_are_listed_with_their_communes(demo) -> None:
    _, _, res, _ = demo
    over = res.road_gaps[(res.road_gaps["operator"] == "ANY") & res.road_gaps["over_limit"]]
    assert over["route"].nunique() >= 3 and res.status("T6") == "not_met"
    ql3b = over[over["route"] == "QL3B"]
    assert len(ql3b) >= 1 and ql3b["communes"].str.contains("Trần Phú").any()
    assert (over["end_km"] > over["start_km"]).all() and (over["gap_km"] > 1.0).all()


def test_dark_valleys_are_dark_spots_and_their_hamlets_uncovered(demo) -> None:
    province, _, res, _ = demo
    sites = province.sites[province.sites["status"] == "on_air"]
    tree = cKDTree(np.column_stack([sites.geometry.x, sites.geometry.y]))
    h = province.hamlets
    far = h.loc[tree.query(np.column_stack([h.geometry.x, h.geometry.y]))[0] > 6_000.0,
                "hamlet_id"]
    assert len(far) >= 5
    in_spots = set("; ".join(res.dark_spots["hamlet_ids"]).split("; "))
    assert set(far) <= in_spots
    # their spots hold people with no usable signal at all (trắng sóng, or in a larger lõm area)
    holding = res.dark_spots[res.dark_spots["hamlet_ids"].str.split("; ").map(
        lambda ids: bool(set(ids) & set(far)))]
    assert (holding["people_no_signal"] > 0).all() and (holding["kind"] == "trang_song").any()
    table = res.hamlets.set_index("hamlet_id")
    assert not table.loc[list(far), "covered"].any()
    assert res.status("D1") == "not_met" and res.status("T3") == "not_met"


def test_figures_agree_with_independent_computations(demo) -> None:
    province, grid, res, _ = demo
    covered = grid.broadband()
    five = grid.covered(tech="5G")
    # people: the raster's total lands on the grid, and is the hamlets' total
    people = res.communes["people"].sum()
    assert people == pytest.approx(province.hamlets["population"].sum(), rel=0.01)
    # K1: covered share of each park's cells, cell by cell
    t = grid.transform
    for _, park in res.parks.iterrows():
        x0, y0, x1, y1 = park.geometry.bounds
        cols = np.arange(int((x0 - t.c) // t.a), int((x1 - t.c) // t.a) + 1)
        rows = np.arange(int((t.f - y1) // -t.e), int((t.f - y0) // -t.e) + 1)
        rr, cc = np.meshgrid(rows, cols, indexing="ij")
        inside = shapely.contains_xy(park.geometry, t.c + (cc + 0.5) * t.a, t.f + (rr + 0.5) * t.e)
        assert park["share_5g_pct"] == pytest.approx(100 * five[rr[inside], cc[inside]].mean())
    # T6: uncovered length of each route from its original segments walked every metre
    roads = province.roads[province.roads["class"].isin(T6_CLASSES)]
    boundary = province.boundary
    for _, route in res.routes.iterrows():
        if route["route"].startswith("#"):
            continue
        segs = shapely.intersection(roads.loc[roads["ref"] == route["route"]].geometry.values,
                                    boundary)
        lines = shapely.get_parts(shapely.get_parts(segs))
        lines = lines[shapely.get_type_id(lines) == 1]
        length = shapely.length(lines)
        n = np.ceil(length).astype(int)
        which = np.repeat(np.arange(len(lines)), n)
        d = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + 0.5) * np.repeat(length / n, n)
        pts = shapely.line_interpolate_point(lines[which], d)
        ok = grid.sample(covered, shapely.get_x(pts), shapely.get_y(pts))
        uncovered_m = (np.repeat(length / n, n) * ~ok).sum()
        assert route["length_km"] * 1000 == pytest.approx(length.sum(), rel=1e-6)
        tol = 30.0 * (route["gaps"] + len(lines)) + 1.0
        assert route["uncovered_km"] * 1000 == pytest.approx(uncovered_m, abs=tol), route["route"]


def test_workbook_of_the_demo(demo, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _, _, res, _ = demo
    paths = write_indicator_tables(res, tmp_path / "metrics")
    wb = load_workbook(paths["xlsx"], read_only=True)
    assert "Đoạn mất sóng" in wb.sheetnames and "Vùng lõm, trắng sóng" in wb.sheetnames
    summary = list(wb["Tổng hợp"].values)
    statuses = {row[1]: row[6] for row in summary[1:]}
    assert statuses["T6"] == "chưa đạt" and statuses["K1"] == "chưa đạt"
    assert statuses["D1"] == "chưa đạt"
