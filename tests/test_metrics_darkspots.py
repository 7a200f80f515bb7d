"""D1: dark spots (trắng sóng, lõm sóng) with people, ranked, with communes and hamlets."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from _coverage_fixtures import CRS, X0, Y0, grid_from_masks, province_from, write_raster
from shapely.geometry import Point, box

from phusong.config import Thresholds
from phusong.metrics import compute_indicators

SHAPE = (20, 40)  # 30 m cells: 1,200 m × 600 m


def _communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"commune_code": ["01", "02"], "name": ["Bằng Vân", "Thượng Quan"]},
        geometry=[box(X0, Y0, X0 + 600, Y0 + 600), box(X0 + 600, Y0, X0 + 1200, Y0 + 600)],
        crs=CRS)


def _setup(tmp_path: Path):
    people = np.zeros((6, 12))
    people[1:3, 1:3] = 50.0  # 200 people at x 100-300 m, y 300-500 m
    people[3:5, 8:11] = 40.0  # 240 people at x 800-1100 m, y 100-300 m
    people[5, 5] = 0.5  # a few people alone (below dark_spot_min_people)
    pop = write_raster(tmp_path / "pop.tif", people, 100.0, X0, Y0 + 600)
    rsrp = np.full(SHAPE, -80.0)
    rsrp[3:10, 3:10] = np.nan  # no signal at all: x 90-300 m, y 300-510 m (cells)
    rsrp[10:17, 26:37] = -115.0  # weak signal: below -110 but above -120 dBm
    rsrp[17:20, 15:20] = np.nan  # holds the lonely people only
    grid = grid_from_masks(SHAPE, rsrp={("Viettel", "4G"): rsrp}, y0=Y0 + 600)
    hamlets = gpd.GeoDataFrame(
        {"hamlet_id": ["A", "B", "C"], "name": ["Bản Khuổi", "Thôn Nà Pục", "Xóm Mới"],
         "commune_code": ["01", "02", "02"]},
        geometry=[Point(X0 + 200, Y0 + 400), Point(X0 + 950, Y0 + 200),
                  Point(X0 + 1150, Y0 + 550)], crs=CRS)
    return pop, grid, hamlets


def test_white_and_weak_spots_ranked_by_people(tmp_path: Path) -> None:
    pop, grid, hamlets = _setup(tmp_path)
    prov = province_from(_communes(), population_path=pop, hamlets=hamlets,
                         thresholds=Thresholds(hamlet_radius_m=100.0))
    res = compute_indicators(prov, grid)
    spots = res.dark_spots
    assert spots["spot_id"].tolist() == ["D0001", "D0002"]
    weak, white = spots.iloc[0], spots.iloc[1]
    assert weak["kind"] == "lom_song" and weak["kind_text"] == "lõm sóng"
    assert white["kind"] == "trang_song" and white["kind_text"] == "trắng sóng"
    # each group of people lies wholly inside its spot's cells
    assert white["people"] == pytest.approx(200.0) and weak["people"] == pytest.approx(240.0)
    assert white["people_no_signal"] == pytest.approx(white["people"])
    assert weak["people_no_signal"] == 0 and weak["best_rsrp_dbm"] == pytest.approx(-115.0)
    assert white["area_km2"] == pytest.approx(49 * 0.0009)
    assert white.geometry.area == pytest.approx(49 * 900.0)
    assert (white["commune_code"], white["commune_name"]) == ("01", "Bằng Vân")
    assert weak["commune_name"] == "Thượng Quan" and weak["communes"] == "Thượng Quan"
    assert white["hamlet_names"] == "Bản Khuổi" and weak["hamlet_names"] == "Thôn Nà Pục"
    assert res.value("D1") == pytest.approx(spots["people"].sum())
    assert res.status("D1") == "not_met" and "1 trắng sóng" in res.values["D1"].detail
    assert res.communes["dark_spots"].tolist() == [1, 1]
    assert res.communes["dark_spot_people"].tolist() == pytest.approx(
        [white["people"], weak["people"]])


def test_small_spots_are_not_listed_and_full_coverage_has_none(tmp_path: Path) -> None:
    pop, grid, _ = _setup(tmp_path)
    prov = province_from(_communes(), population_path=pop,
                         thresholds=Thresholds(dark_spot_min_people=500.0))
    assert len(compute_indicators(prov, grid).dark_spots) == 0
    full = grid_from_masks(SHAPE, {("Viettel", "4G"): np.ones(SHAPE, bool)}, y0=Y0 + 600)
    res = compute_indicators(province_from(_communes(), population_path=pop), full)
    assert len(res.dark_spots) == 0 and res.value("D1") == 0.0 and res.status("D1") == "met"
