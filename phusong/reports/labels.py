"""Headers of the indicator tables, in Vietnamese and English.

Canonical input columns (``commune_code``, ``name``, ``population`` …) take their labels from
the column registry (:func:`phusong.layers.schema.header`); the columns the indicators add
(``pop_5g_pct``, ``gap_km`` …) are declared here once, in the same style. A per-operator
column ``<name>__<operator>`` is labelled ``<label of name> – <operator>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from phusong.layers.schema import COLUMNS
from phusong.layers.schema import header as schema_header

__all__ = ["MetricColumn", "METRIC_COLUMNS", "SHEETS", "header", "sheet_name"]


@dataclass(frozen=True)
class MetricColumn:
    """One column of the indicator tables: canonical name, unit and labels."""

    name: str
    unit: str
    label_vi: str
    label_en: str


def _m(name: str, unit: str, vi: str, en: str) -> MetricColumn:
    return MetricColumn(name, unit, vi, en)


_LIST = [
    # summary (the plans' appendix layout first)
    _m("tt", "", "TT", "No."),
    _m("indicator_id", "", "Mã chỉ tiêu", "ID"),
    _m("indicator_name", "", "Chỉ tiêu", "Indicator"),
    _m("result_text", "", "Kết quả", "Result"),
    _m("target_text", "", "Mục tiêu", "Target"),
    _m("deadline_text", "", "Thời hạn", "Deadline"),
    _m("status_text", "", "Trạng thái", "Status"),
    _m("shortfall_text", "", "Thiếu hụt", "Shortfall"),
    _m("detail", "", "Diễn giải", "Details"),
    _m("unit", "", "Đơn vị", "Unit"),
    _m("target_value", "", "Giá trị mục tiêu", "Target value"),
    _m("comparison", "", "So sánh", "Comparison"),
    _m("status_code", "", "Mã trạng thái", "Status code"),
    _m("shortfall", "", "Thiếu hụt (số)", "Shortfall (number)"),
    _m("as_of", "", "Ngày số liệu", "As of"),
    _m("plan_source", "", "Văn bản kế hoạch", "Plan document"),
    _m("family", "", "Nhóm chỉ tiêu", "Family"),
    # communes
    _m("people", "people", "Dân số trên lưới", "People on the grid"),
    _m("pop_5g", "people", "Dân có 5G", "People with 5G"),
    _m("pop_5g_pct", "%", "Tỷ lệ dân có 5G (%)", "People with 5G (%)"),
    _m("pop_broadband", "people", "Dân có băng rộng di động", "People with mobile broadband"),
    _m("pop_broadband_pct", "%", "Tỷ lệ dân có băng rộng di động (%)",
       "People with mobile broadband (%)"),
    _m("t1_met", "", "Đạt T1", "Meets T1"),
    _m("pop_without_5g", "people", "Dân chưa có 5G", "People without 5G"),
    _m("hamlets", "", "Số thôn", "Hamlets"),
    _m("hamlets_covered", "", "Số thôn có băng rộng", "Hamlets with broadband"),
    _m("hamlets_covered_pct", "%", "Tỷ lệ thôn có băng rộng (%)", "Hamlets with broadband (%)"),
    _m("dark_spots", "", "Số vùng lõm, trắng sóng", "Dark spots"),
    _m("dark_spot_people", "people", "Dân trong vùng lõm, trắng sóng", "People in dark spots"),
    _m("road_gaps_over_limit", "", "Số đoạn mất sóng vượt ngưỡng", "Road gaps over the limit"),
    _m("road_gap_over_km", "km", "Chiều dài mất sóng vượt ngưỡng (km)",
       "Length of road gaps over the limit (km)"),
    _m("q1_tests", "", "Số điểm đo", "Tests"),
    _m("q1_contradicts", "", "Điểm đo trái dự báo", "Tests contradicting the prediction"),
    _m("q1_weak", "", "Điểm đo dưới ngưỡng", "Weak tests"),
    _m("q1_contradict_pct", "%", "Tỷ lệ trái dự báo (%)", "Contradicting (%)"),
    # hamlets
    _m("commune_name", "", "Tên xã", "Commune"),
    _m("people_grid", "people", "Dân trên lưới (trong thôn)", "People on the grid (in hamlet)"),
    _m("method", "", "Cách xác định ô của thôn", "Hamlet cells"),
    _m("share_basis", "", "Tỷ lệ tính theo", "Share by"),
    _m("broadband_share_pct", "%", "Tỷ lệ dân có băng rộng (%)", "People with broadband (%)"),
    _m("covered", "", "Được phủ sóng", "Covered"),
    _m("pop_5g_share_pct", "%", "Tỷ lệ dân có 5G (%)", "People with 5G (%)"),
    # routes and gaps
    _m("route", "", "Tuyến", "Route"),
    _m("road_ids", "", "Mã các đoạn đường", "Road segments"),
    _m("segments", "", "Số đoạn", "Segments"),
    _m("parts", "", "Số phần rời", "Parts"),
    _m("length_km", "km", "Chiều dài (km)", "Length (km)"),
    _m("gaps", "", "Số đoạn mất sóng", "Gaps"),
    _m("uncovered_km", "km", "Tổng chiều dài mất sóng (km)", "Uncovered length (km)"),
    _m("longest_gap_km", "km", "Đoạn mất sóng dài nhất (km)", "Longest gap (km)"),
    _m("gaps_over_limit", "", "Số đoạn vượt ngưỡng", "Gaps over the limit"),
    _m("passes", "", "Đạt T6", "Passes T6"),
    _m("sample_step_m", "m", "Bước lấy mẫu (m)", "Sampling step (m)"),
    _m("part", "", "Phần", "Part"),
    _m("start_km", "km", "Từ km", "From km"),
    _m("end_km", "km", "Đến km", "To km"),
    _m("gap_km", "km", "Chiều dài mất sóng (km)", "Gap length (km)"),
    _m("over_limit", "", "Vượt ngưỡng", "Over the limit"),
    _m("communes", "", "Xã, phường đi qua", "Communes"),
    _m("commune_codes", "", "Mã xã, phường", "Commune codes"),
    # parks
    _m("cells", "", "Số ô lưới", "Grid cells"),
    _m("has_5g", "", "Có 5G", "5G present"),
    _m("share_5g_pct", "%", "Tỷ lệ diện tích có 5G (%)", "Area with 5G (%)"),
    _m("share_5g_fast_pct", "%", "Tỷ lệ diện tích có 5G ≥ 100 Mbps (%)",
       "Area with 5G ≥ 100 Mbit/s (%)"),
    _m("full_5g", "", "Phủ 5G hoàn toàn", "Full 5G coverage"),
    _m("stable_5g", "", "5G ổn định, chất lượng cao", "Stable high-quality 5G"),
    _m("k1a_named", "", "KCN nêu tên (K1a)", "Named park (K1a)"),
    # POIs and places
    _m("rsrp_4g_dbm", "dBm", "RSRP 4G (dBm)", "4G RSRP (dBm)"),
    _m("rsrp_5g_dbm", "dBm", "RSRP 5G (dBm)", "5G RSRP (dBm)"),
    _m("dl_5g_mbps", "Mbit/s", "Tốc độ 5G (Mbit/s)", "5G rate (Mbit/s)"),
    _m("broadband", "", "Có băng rộng di động", "Mobile broadband"),
    _m("has_5g_fast", "", "Có 5G ≥ 100 Mbps", "5G ≥ 100 Mbit/s"),
    _m("meets", "", "Đạt", "Meets"),
    _m("place_type", "", "Loại khu vực", "Place type"),
    # dark spots
    _m("rank", "", "Thứ hạng", "Rank"),
    _m("spot_id", "", "Mã vùng", "Spot"),
    _m("kind_text", "", "Loại vùng", "Spot type"),
    _m("people_no_signal", "people", "Dân không có tín hiệu", "People with no signal"),
    _m("area_km2", "km²", "Diện tích (km²)", "Area (km²)"),
    _m("best_rsrp_dbm", "dBm", "RSRP tốt nhất (dBm)", "Best RSRP (dBm)"),
    _m("hamlet_names", "", "Thôn trong vùng", "Hamlets touched"),
    _m("hamlet_ids", "", "Mã thôn trong vùng", "Hamlet ids"),
    # measurements
    _m("predicted_rsrp_dbm", "dBm", "RSRP dự báo (dBm)", "Predicted RSRP (dBm)"),
    _m("predicted_dl_mbps", "Mbit/s", "Tốc độ dự báo (Mbit/s)", "Predicted rate (Mbit/s)"),
    _m("measured_ok", "", "Đo đạt ngưỡng", "Measured above threshold"),
    _m("predicted_ok", "", "Dự báo đạt ngưỡng", "Predicted above threshold"),
    _m("contradicts", "", "Trái dự báo", "Contradicts prediction"),
    _m("direction", "", "Hướng sai lệch", "Direction"),
    _m("weak", "", "Điểm yếu", "Weak place"),
    # methodology
    _m("topic", "", "Mục", "Topic"),
    _m("item", "", "Thông số", "Item"),
    _m("note", "", "Ghi chú", "Note"),
]

METRIC_COLUMNS: Mapping[str, MetricColumn] = MappingProxyType({c.name: c for c in _LIST})
"""Every column the indicators add, by name."""

SHEETS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "summary": ("Tổng hợp", "Summary"),
    "communes": ("Theo xã", "Communes"),
    "hamlets": ("Thôn, xóm", "Hamlets"),
    "routes": ("Tuyến đường", "Routes"),
    "road_gaps": ("Đoạn mất sóng", "Road gaps"),
    "parks": ("Khu công nghiệp", "Industrial parks"),
    "pois": ("Điểm ưu tiên", "Places"),
    "places": ("Khu dân cư 5G (T8)", "5G residential (T8)"),
    "dark_spots": ("Vùng lõm, trắng sóng", "Dark spots"),
    "measurements": ("Đo kiểm (Q1)", "Measurements (Q1)"),
    "reported": ("Số liệu báo cáo", "Reported figures"),
    "by_operator": ("Theo nhà mạng", "By operator"),
    "methodology": ("Phương pháp", "Methodology"),
})
"""Sheet names (≤ 31 characters) of each table, Vietnamese and English."""


def header(name: str, lang: str = "vi") -> str:
    """Report header of a table column in ``"vi"`` or ``"en"``; unknown names pass through.

    Indicator columns come first (:data:`METRIC_COLUMNS`), then the input column registry;
    ``<name>__<operator>`` becomes ``<header of name> – <operator>``.
    """
    base, sep, operator = name.partition("__")
    if sep:
        return f"{header(base, lang)} – {operator}"
    col = METRIC_COLUMNS.get(name)
    if col is not None:
        return col.label_vi if lang == "vi" else col.label_en
    if name in COLUMNS:
        return schema_header(name, lang)
    return name


def sheet_name(table: str, lang: str = "vi") -> str:
    """Sheet name of a table in ``lang`` (the table name if unknown)."""
    names = SHEETS.get(table)
    if names is None:
        return table[:31]
    return names[0] if lang == "vi" else names[1]
