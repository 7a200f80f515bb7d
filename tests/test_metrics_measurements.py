"""Q1: measured status against the predicted status, per commune and route."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _coverage_fixtures import CRS, X0, Y0, grid_from_masks, province_from
from shapely.geometry import LineString, Point, box

from phusong.metrics import compute_indicators

SHAPE = (20, 40)


def test_contradictions_weak_places_communes_and_routes() -> None:
    communes = gpd.GeoDataFrame({"commune_code": ["01", "02"], "name": ["Một", "Hai"]},
                                geometry=[box(X0, Y0, X0 + 600, Y0 + 600),
                                          box(X0 + 600, Y0, X0 + 1200, Y0 + 600)], crs=CRS)
    cov = np.zeros(SHAPE, dtype=bool)
    cov[:, :20] = True  # Viettel 4G in the west only
    grid = grid_from_masks(SHAPE, {("Viettel", "4G"): cov}, y0=Y0 + 600)
    meas = gpd.GeoDataFrame(
        {"operator": ["Viettel", "Viettel", "Viettel", "Viettel", "VNPT", "Viettel"],
         "tech": ["4G", "4G", "4G", "3G", "4G", "4G"],
         "rsrp_dbm": [-90.0, -118.0, -95.0, np.nan, -90.0, np.nan],
         "dl_mbps": [30.0, 2.0, 25.0, 1.0, 40.0, np.nan]},
        geometry=[Point(X0 + 100, Y0 + 300), Point(X0 + 200, Y0 + 300), Point(X0 + 900, Y0 + 300),
                  Point(X0 + 300, Y0 + 300), Point(X0 + 100, Y0 + 100), Point(X0 + 50, Y0 + 50)],
        crs=CRS)
    roads = gpd.GeoDataFrame({"road_id": ["R1"], "class": ["national"], "ref": ["QL3"]},
                             geometry=[LineString([(X0, Y0 + 310), (X0 + 1200, Y0 + 310)])],
                             crs=CRS)
    res = compute_indicators(province_from(communes, measurements=meas, roads=roads), grid)
    t = res.measurements
    assert t["measured_ok"].tolist() == [True, False, True, False, True, pd.NA]
    assert t["predicted_ok"].tolist() == [True, True, False, True, pd.NA, True]
    assert t["contradicts"].tolist() == [False, True, True, True, False, False]
    assert t["direction"].tolist() == ["", "over", "under", "over", "", ""]
    assert t["weak"].tolist() == [False, True, False, True, False, False]
    assert t["commune_code"].tolist() == ["01", "01", "02", "01", "01", "01"]
    assert t["route"].tolist() == ["QL3", "QL3", "QL3", "QL3", "", ""]
    assert res.value("Q1") == 2.0 and res.status("Q1") == "not_met"
    c = res.communes.set_index("commune_code")
    assert c.loc["01", "q1_tests"] == 5 and c.loc["01", "q1_weak"] == 2
    assert c.loc["01", "q1_contradict_pct"] == pytest.approx(100 * 2 / 3)
    assert res.routes["q1_tests"].iloc[0] == 4 and res.routes["q1_contradicts"].iloc[0] == 3
