"""T7, T8, P1 (points of interest) and K1, K1a, K1b (industrial parks)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from _coverage_fixtures import CRS, X0, Y0, grid_from_masks, province_from, write_raster
from shapely.geometry import Point, box

from phusong.config import Thresholds
from phusong.metrics import compute_indicators
from phusong.metrics.context import MetricContext
from phusong.metrics.places import district_centres, park_table

SHAPE = (20, 40)  # 30 m cells: 1,200 m × 600 m


def _communes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"commune_code": ["01", "02", "03"], "name": ["Phổ Yên", "Đại Từ", "Tân Cương"],
         "kind": ["phuong", "xa", "xa"],
         "former_district": ["Thành phố Phổ Yên", "Huyện Đại Từ", "Thành phố Thái Nguyên"]},
        geometry=[box(X0, Y0, X0 + 400, Y0 + 600), box(X0 + 400, Y0, X0 + 800, Y0 + 600),
                  box(X0 + 800, Y0, X0 + 1200, Y0 + 600)], crs=CRS)


def _parks() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"park_id": ["K1", "K2", "K3", "K4"],
         "name": ["KCN Yên Bình", "Điềm Thụy – Khu A", "Yên Bình 3", "Nam Phổ Yên"],
         "status": ["operating", "operating", "planned", "operating"]},
        geometry=[box(X0 + 60, Y0 + 60, X0 + 300, Y0 + 300),  # 8 × 8 cells
                  box(X0 + 600, Y0 + 300, X0 + 900, Y0 + 600),
                  box(X0 + 900, Y0 + 60, X0 + 1200, Y0 + 240),
                  Point(X0 + 1005, Y0 + 405)], crs=CRS)


def test_half_covered_park_has_5g_present_and_half_its_area() -> None:
    five = np.zeros(SHAPE, dtype=bool)
    five[:, :6] = True  # x < 180 m: the western half of park K1 (x 60-300 m)
    grid = grid_from_masks(SHAPE, {("Viettel", "5G"): five}, y0=Y0 + 600)
    table = park_table(MetricContext(province_from(_communes(), parks=_parks()), grid))
    k1 = table.iloc[0]
    assert k1["has_5g"] and k1["share_5g_pct"] == pytest.approx(50.0) and k1["cells"] == 64
    assert not k1["full_5g"] and k1["k1a_named"]
    assert table["k1a_named"].tolist() == [True, True, False, False]
    assert table["cells"].iloc[3] == 1  # a park given as a point is its point's cell
    res = compute_indicators(province_from(_communes(), parks=_parks()), grid)
    assert res.value("K1") == pytest.approx(100 / 3)  # 1 of 3 operating parks
    assert "Nam Phổ Yên" in res.values["K1"].detail
    assert res.value("K1a") == 0.0 and res.values["K1a"].shortfall == 2
    assert res.parks["status_text"].tolist() == ["đạt", "chưa đạt", "", "chưa đạt"]


def test_full_and_stable_5g() -> None:
    five = np.ones(SHAPE, dtype=bool)
    fast = np.where(np.arange(SHAPE[1])[None, :] < 20, 300.0, 50.0) * np.ones(SHAPE)
    grid = grid_from_masks(SHAPE, {("Viettel", "5G"): five}, y0=Y0 + 600,
                           dl_mbps={("Viettel", "5G"): fast})
    res = compute_indicators(province_from(_communes(), parks=_parks()), grid)
    assert res.value("K1") == 100.0 and res.value("K1a") == 2.0 and res.status("K1a") == "met"
    # K1b: 5G at ≥ 100 Mbit/s over 95 % of the area; K2 (x 600-900 m) is half at 300 Mbit/s
    assert res.parks["share_5g_fast_pct"].tolist()[:2] == pytest.approx([100.0, 0.0])
    assert res.value("K1b") == pytest.approx(100 / 3)
    lax = province_from(_communes(), parks=_parks(), thresholds=Thresholds(park_full_share=0.0))
    assert compute_indicators(lax, grid).value("K1b") == 100.0


def test_pois_by_kind() -> None:
    pois = gpd.GeoDataFrame(
        {"poi_id": list("ABCDE"), "name": ["BV A", "ĐH B", "Trường C", "UBND D", "Chợ E"],
         "kind": ["hospital", "university", "school", "commune_office", "other"]},
        geometry=[Point(X0 + 15, Y0 + 15), Point(X0 + 1185, Y0 + 15), Point(X0 + 15, Y0 + 45),
                  Point(X0 + 1185, Y0 + 45), Point(X0 + 1185, Y0 + 585)], crs=CRS)
    five = np.zeros(SHAPE, dtype=bool)
    five[:, :20] = True
    dl = np.where(np.arange(SHAPE[1])[None, :] < 20, 150.0, 60.0) * np.ones(SHAPE)
    grid = grid_from_masks(SHAPE, {("Viettel", "5G"): five,
                                   ("Viettel", "4G"): np.ones(SHAPE, bool),
                                   ("VNPT", "5G"): ~five},
                           dl_mbps={("Viettel", "5G"): dl, ("Viettel", "4G"): dl,
                                    ("VNPT", "5G"): dl}, y0=Y0 + 600)
    res = compute_indicators(province_from(_communes(), pois=pois), grid)
    t = res.pois.set_index("poi_id")
    assert t["indicator_id"].tolist() == ["T7", "T7", "P1", "P1", "T8"]
    assert t.loc["A", "has_5g_fast"] and not t.loc["B", "has_5g_fast"] and t.loc["B", "has_5g"]
    assert res.value("T7") == 50.0 and "ĐH B" in res.values["T7"].detail
    assert res.value("P1") == 100.0
    assert t["commune_code"].tolist() == ["01", "03", "01", "03", "03"]  # found by location
    assert res.values["T7"].by_operator == {"VNPT": 0.0, "Viettel": 50.0}


def test_t8_wards_centres_and_pois(tmp_path: Path) -> None:
    pop = write_raster(tmp_path / "pop.tif", np.full((6, 12), 5.0), 100.0, X0, Y0 + 600)
    five = np.zeros(SHAPE, dtype=bool)
    five[:, :13] = True  # the ward Phổ Yên (x 0-400 m): 13 of 13.3 cells → ~97.5 %
    grid = grid_from_masks(SHAPE, {("Viettel", "5G"): five}, y0=Y0 + 600)
    prov = province_from(_communes(), population_path=pop)
    ctx = MetricContext(prov, grid)
    rows, how = district_centres(ctx)
    assert rows.tolist() == [1] and how == "name"  # xã Đại Từ, named like Huyện Đại Từ
    res = compute_indicators(prov, grid)
    places = res.places
    assert places["place_type"].tolist() == ["ward", "district_centre"]
    assert places["meets"].tolist() == [True, False]
    assert res.value("T8") == 50.0
    by_setting = province_from(_communes(), population_path=pop,
                               thresholds=Thresholds(district_centres="Tân Cương, 01"))
    rows, how = district_centres(MetricContext(by_setting, grid))
    assert rows.tolist() == [0, 2] and how == "setting"
    # a ward counted as a ward is not counted again as a centre
    assert compute_indicators(by_setting, grid).places["place_type"].tolist() == [
        "ward", "district_centre"]
