"""T3: hamlets covered by the share of their people (not their area)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from _coverage_fixtures import CRS, X0, Y0, grid_from_masks, province_from, write_raster
from shapely.geometry import Point, box

from phusong.config import Thresholds
from phusong.metrics import compute_indicators
from phusong.metrics.context import BROADBAND, MetricContext
from phusong.metrics.hamlets import hamlet_shares, hamlet_table

SHAPE = (20, 40)  # 30 m cells: 1,200 m × 600 m from (X0, Y0)


def _communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"commune_code": ["01"], "name": ["Xã Một"]},
                            geometry=[box(X0, Y0, X0 + 1200, Y0 + 600)], crs=CRS)


def _grid(covered: np.ndarray):
    return grid_from_masks(SHAPE, {("Viettel", "4G"): covered}, y0=Y0 + 600)


def test_people_in_the_uncovered_part_make_the_hamlet_uncovered(tmp_path: Path) -> None:
    # hamlet polygon x 0-900 m; its western 600 m covered, its people all in the eastern 300 m
    hamlet = gpd.GeoDataFrame({"hamlet_id": ["H1"], "name": ["Thôn Nà Pục"],
                               "commune_code": ["01"], "population": [250]},
                              geometry=[box(X0, Y0, X0 + 900, Y0 + 600)], crs=CRS)
    people = np.zeros((6, 12))
    people[:, 6:9] = 10.0  # x 600-900 m, 100 m cells
    pop = write_raster(tmp_path / "pop.tif", people, 100.0, X0, Y0 + 600)
    cov = np.zeros(SHAPE, dtype=bool)
    cov[:, :20] = True  # x 0-600 m: two thirds of the hamlet's area
    prov = province_from(_communes(), hamlets=hamlet, population_path=pop)
    table = hamlet_table(MetricContext(prov, _grid(cov)))
    assert table["broadband_share_pct"].iloc[0] == pytest.approx(0.0)
    assert not table["covered"].iloc[0]
    assert table["share_basis"].iloc[0] == "people" and table["method"].iloc[0] == "polygon"
    # the same hamlet with its people in the covered part is covered
    people = np.zeros((6, 12))
    people[:, 0:3] = 10.0
    pop2 = write_raster(tmp_path / "pop2.tif", people, 100.0, X0, Y0 + 600)
    prov = province_from(_communes(), hamlets=hamlet, population_path=pop2)
    res = compute_indicators(prov, _grid(cov))
    assert res.hamlets["broadband_share_pct"].iloc[0] == pytest.approx(100.0)
    assert res.value("T3") == 100.0 and res.status("T3") == "met"


def test_share_by_area_when_the_cells_hold_no_people(tmp_path: Path) -> None:
    hamlet = gpd.GeoDataFrame({"hamlet_id": ["H1"], "name": ["Thôn"], "commune_code": ["01"]},
                              geometry=[box(X0, Y0, X0 + 900, Y0 + 600)], crs=CRS)
    pop = write_raster(tmp_path / "pop.tif", np.zeros((6, 12)), 100.0, X0, Y0 + 600)
    cov = np.zeros(SHAPE, dtype=bool)
    cov[:, :20] = True
    table = hamlet_table(MetricContext(province_from(_communes(), hamlets=hamlet,
                                                     population_path=pop), _grid(cov)))
    assert table["share_basis"].iloc[0] == "area"
    assert table["broadband_share_pct"].iloc[0] == pytest.approx(100 * 20 / 30)
    assert table["covered"].iloc[0]


def test_point_hamlets_use_the_cells_within_the_radius(tmp_path: Path) -> None:
    pop = write_raster(tmp_path / "pop.tif", np.full((6, 12), 9.0), 100.0, X0, Y0 + 600)
    cov = np.zeros(SHAPE, dtype=bool)
    cov[:, :20] = True  # x < 600 m
    hamlets = gpd.GeoDataFrame({"hamlet_id": ["A", "B", "C"], "name": ["A", "B", "C"],
                                "commune_code": ["01"] * 3},
                               geometry=[Point(X0 + 600, Y0 + 300), Point(X0 + 585, Y0 + 300),
                                         Point(X0 + 615, Y0 + 300)], crs=CRS)
    prov = province_from(_communes(), hamlets=hamlets, population_path=pop,
                         thresholds=Thresholds(hamlet_radius_m=150.0))
    ctx = MetricContext(prov, _grid(cov))
    share, people, by_area = hamlet_shares(ctx, BROADBAND)
    # A sits on the edge: the disc of cell centres is split evenly
    assert share[0] == pytest.approx(0.5) and not by_area.any()
    cx, cy = np.meshgrid(X0 + 15 + 30 * np.arange(40), Y0 + 15 + 30 * np.arange(20))
    n_cells = (np.hypot(cx - (X0 + 600), cy - (Y0 + 300)) <= 150.0).sum()
    assert people[0] == pytest.approx(0.81 * n_cells, rel=1e-5)  # 9 people per 100 m cell
    assert share[1] > 0.5 > share[2]
    # radius 0: the point's own cell only
    prov0 = province_from(_communes(), hamlets=hamlets, population_path=pop,
                          thresholds=Thresholds(hamlet_radius_m=0.0))
    share0, _, _ = hamlet_shares(MetricContext(prov0, _grid(cov)), BROADBAND)
    np.testing.assert_allclose(share0, [0.0, 1.0, 0.0])
    table = hamlet_table(MetricContext(prov0, _grid(cov)))
    assert table["method"].tolist() == ["point cell"] * 3


def test_t3_counts_hamlets_and_reports_per_commune_and_operator(tmp_path: Path) -> None:
    pop = write_raster(tmp_path / "pop.tif", np.full((6, 12), 9.0), 100.0, X0, Y0 + 600)
    cov = np.zeros(SHAPE, dtype=bool)
    cov[:, :20] = True
    hamlets = gpd.GeoDataFrame({"hamlet_id": list("ABCD"), "name": list("ABCD"),
                                "commune_code": ["01"] * 4},
                               geometry=[Point(X0 + 100, Y0 + 100), Point(X0 + 300, Y0 + 300),
                                         Point(X0 + 900, Y0 + 300), Point(X0 + 1100, Y0 + 500)],
                               crs=CRS)
    grid = grid_from_masks(SHAPE, {("Viettel", "4G"): cov, ("VNPT", "4G"): ~cov}, y0=Y0 + 600)
    prov = province_from(_communes(), hamlets=hamlets, population_path=pop,
                         thresholds=Thresholds(hamlet_radius_m=50.0))
    res = compute_indicators(prov, grid)
    assert res.value("T3") == 100.0
    assert res.values["T3"].by_operator == {"VNPT": 50.0, "Viettel": 50.0}
    assert res.communes[["hamlets", "hamlets_covered"]].iloc[0].tolist() == [4, 4]
    only = compute_indicators(prov, grid_from_masks(SHAPE, {("Viettel", "4G"): cov},
                                                    y0=Y0 + 600))
    assert only.value("T3") == 50.0 and only.values["T3"].shortfall == 2
    assert only.hamlets["status_text"].tolist() == ["đạt", "đạt", "chưa đạt", "chưa đạt"]
