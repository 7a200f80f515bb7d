"""Reported figures (N1–N7, K3, K4) and T5 against the targets of their year."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from _coverage_fixtures import CRS, X0, Y0, grid_from_masks, province_from
from shapely.geometry import Point, box

from phusong.metrics import compute_indicators

SHAPE = (4, 4)
GRID = grid_from_masks(SHAPE, {("Viettel", "4G"): np.ones(SHAPE, bool)}, y0=Y0 + 120)
COMMUNES = gpd.GeoDataFrame({"commune_code": ["01"], "name": ["Một"]},
                            geometry=[box(X0, Y0, X0 + 120, Y0 + 120)], crs=CRS)


def _reported(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["indicator", "value", "date", "source", "commune_code"])
    df["date"] = pd.to_datetime(df["date"])
    return df


def test_latest_province_figure_against_the_target_of_its_year() -> None:
    rep = _reported([("N2", 45.0, "2024-12-31", "Sở KH&CN", None),
                     ("n2", 72.0, "2025-12-31", "Sở KH&CN", None),
                     ("N2", 99.0, "2026-03-31", "UBND xã", "01"),
                     ("N3", 79.0, "2029-12-31", "VNNIC", None),
                     ("T5", 7100.0, "2026-12-31", "Sở KH&CN", None),
                     ("X9", 1.0, "2025-01-01", "?", None)])
    res = compute_indicators(province_from(COMMUNES, reported=rep), GRID)
    n2 = res.summary.set_index("indicator_id").loc["N2"]
    assert n2["value"] == 72.0 and n2["status_code"] == "met" and n2["target_text"] == "70 %"
    assert n2["as_of"] == "2025-12-31" and n2["source"] == "Sở KH&CN"
    n3 = res.summary.set_index("indicator_id").loc["N3"]
    assert n3["target_value"] == 80.0 and n3["status_code"] == "not_met"  # 2029 → the 2030 target
    assert res.value("T5") == 7100.0 and res.status("T5") == "met"
    assert res.status("N1") == "not_computed"
    assert "N1" in res.summary.set_index("indicator_id").loc["N1", "detail"]
    table = res.reported
    assert table["indicator_id"].tolist() == ["N2", "N2", "N2", "N3", "T5", "X9"]
    assert table["status_code"].tolist() == ["not_met", "met", "met", "not_met", "met", ""]


def test_t5_counts_5g_sites_on_air_without_a_reported_figure() -> None:
    sites = gpd.GeoDataFrame({"site_id": ["A", "B", "C"], "operator": ["Viettel"] * 3,
                              "status": ["on_air", "planned", "on_air"]},
                             geometry=[Point(X0, Y0)] * 3, crs=CRS)
    sectors = pd.DataFrame({"site_id": ["A", "A", "B", "C"], "sector_id": ["A1", "A2", "B1", "C1"],
                            "tech": ["5G", "5G", "5G", "4G"], "band_mhz": [3500] * 4})
    res = compute_indicators(province_from(COMMUNES, sites=sites, sectors=sectors), GRID)
    assert res.value("T5") == 1.0 and res.status("T5") == "not_met"
    assert "danh mục" in res.values["T5"].detail
    res = compute_indicators(province_from(COMMUNES), GRID)
    assert res.status("T5") == "not_computed" and res.reported is None
    assert res.summary.set_index("indicator_id").loc["N4", "detail"] == "không có lớp reported"
