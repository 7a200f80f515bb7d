"""The one registry of output columns: context-specific labels, derived forms, CSV values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from phusong.metrics import labels
from phusong.metrics.labels import header, sheet_name, table_for_output, value_word
from phusong.reports import labels as report_labels


def test_context_specific_labels() -> None:
    # a new fiber route's communes are the communes it crosses
    assert header("communes", "vi", "fiber_routes") == "Xã đi qua"
    assert header("commune_codes", "vi", "fiber_routes") == "Mã xã đi qua"
    assert header("rank", "vi", "fiber_routes") == "Thứ tự ưu tiên"
    assert header("part", "en", "fiber_t9") == "Part code"
    # elsewhere (road gaps, dark spots, maps) the indicator labels
    for table in (None, "road_gaps", "dark_spots"):
        assert header("communes", "vi", table) == "Xã, phường đi qua"
        assert header("rank", "vi", table) == "Thứ hạng"
        assert header("part", "en", table) == "Part"
    assert header("kind_text", "en") == "Spot type"
    assert header("kind_text", "en", "plan_sites") == "Proposal kind"
    # the former module keeps its names, and the same labels
    assert report_labels.header("communes", "vi") == "Xã, phường đi qua"
    assert report_labels.METRIC_COLUMNS["pop_5g_pct"].label_en == "People with 5G (%)"
    assert report_labels.sheet_name("dark_spots", "en") == "Dark spots"


def test_derived_forms_and_fallbacks() -> None:
    assert header("pop_5g_pct__Viettel", "en") == "People with 5G (%) – Viettel"
    assert header("communes__VNPT", "vi", "fiber_routes") == "Xã đi qua – VNPT"
    assert header("hamlets_covered_after", "vi") == "Số thôn có băng rộng – sau đề xuất"
    assert header("people_before", "en") == "People on the grid – today"
    assert header("value_before", "en") == "Value today"  # declared itself
    assert header("population", "vi") == "Dân số"  # input column registry
    assert header("no_such_column", "vi") == "no_such_column"
    assert header("no_such_after", "vi") == "no_such_after"
    assert sheet_name("fiber_routes", "vi") == "Tuyến cáp mới"
    assert sheet_name("plan_sites", "en") == "Proposed sites"
    assert all(len(v) <= 31 for pair in labels.SHEETS.values() for v in pair)
    assert value_word("unserved", "en") == "no fiber"
    assert value_word(True, "vi") == "có" and value_word(np.False_, "en") == "no"
    assert value_word("whatever", "vi") == "whatever"


def test_table_for_output() -> None:
    frame = pd.DataFrame({
        "cost_vnd": [1.5e9 + 0.4, np.nan], "lon": [105.918038947, 106.0],
        "gain": [854.789, 1.0], "road_km_covered": [1.83103957, 0.0],
        "new_tower": [True, False], "closed_after": pd.array([True, pd.NA], dtype="boolean"),
        "reachable": np.array([True, False], dtype=object), "name": ["a", "b"],
        "geometry": [None, None]})
    before = frame.copy()
    out = table_for_output(frame, "vi", "plan_sites")
    pd.testing.assert_frame_equal(frame, before)
    assert list(out.columns) == ["Chi phí (đồng)", "Kinh độ", "Lợi ích (điểm có trọng số)",
                                 "Chiều dài đường được phủ sóng thêm (km)", "Xây cột mới",
                                 "Được phủ theo dự báo sau đề xuất", "Có thể phủ sóng được",
                                 "Tên"]
    assert out.iloc[0, 0] == 1_500_000_000 and pd.isna(out.iloc[1, 0])
    assert out.iloc[0, 1] == 105.918039 and out.iloc[0, 2] == 854.8 and out.iloc[0, 3] == 1.83
    assert out.iloc[:, 4].tolist() == ["có", "không"]
    assert out.iloc[0, 5] == "có" and pd.isna(out.iloc[1, 5])
    assert out.iloc[:, 6].tolist() == ["có", "không"]
    raw = table_for_output(frame, "en", yes_no=False, rounded=False)
    assert raw["Cost (VND)"].iloc[0] == 1.5e9 + 0.4 and raw["Longitude"].dtype == float
    assert raw["New tower"].tolist() == [True, False]
