"""Every output column, in Vietnamese and English: one registry for every stage's tables.

The indicator tables (:mod:`phusong.reports`), the fiber tables
(:mod:`phusong.planning.fiber_outputs`) and the site plan's tables
(:mod:`phusong.planning._site_outputs`) take their headers from here. Canonical input columns
(``commune_code``, ``name``, ``population`` …) take their labels from the input column registry
(:func:`phusong.layers.schema.header`); the columns the stages add are declared here once, with
their unit and the decimals their CSV files keep.

A name means the same thing in every table, except the few listed in :data:`TABLE_COLUMNS`,
whose label depends on the table (a fiber route's ``communes`` are the communes it crosses;
a plan site's ``rank`` is its order of priority). Two derived forms:

* ``<name>__<operator>`` is labelled ``<label of name> – <operator>``;
* ``<name>_before`` / ``<name>_after`` (the site plan's before / after tables), when not
  declared themselves, are labelled ``<label of name> – hiện trạng`` / ``– sau đề xuất``
  (``– today`` / ``– after the plan``).

This module sits in :mod:`phusong.metrics` so that every stage after the layers may import it
(metrics, planning, maps, reports); it imports nothing but the input column registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from phusong.layers.schema import COLUMNS as INPUT_COLUMNS

__all__ = ["OutputColumn", "MetricColumn", "OUTPUT_COLUMNS", "TABLE_COLUMNS", "SHEETS", "VALUES",
           "UNIT_DECIMALS", "column", "header", "sheet_name", "value_word", "table_for_output"]


@dataclass(frozen=True)
class OutputColumn:
    """One output column: canonical name, unit, labels and the decimals its CSV files keep.

    ``decimals`` is ``None`` to round by the unit (:data:`UNIT_DECIMALS`), or to keep the
    value as it is when the unit has no rule.
    """

    name: str
    unit: str
    label_vi: str
    label_en: str
    decimals: int | None = None

    def label(self, lang: str = "vi") -> str:
        """The label in ``"vi"`` or ``"en"``."""
        return self.label_vi if lang == "vi" else self.label_en


MetricColumn = OutputColumn
"""The former name of :class:`OutputColumn` (the indicator tables' registry)."""


def _m(name: str, unit: str, vi: str, en: str, decimals: int | None = None) -> OutputColumn:
    return OutputColumn(name, unit, vi, en, decimals)


_INDICATORS = [
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

_FIBER = [
    _m("place_layer", "", "Lớp", "Layer"),
    _m("place_id", "", "Mã điểm", "Place id"),
    _m("enterprises", "", "Số doanh nghiệp", "Enterprises"),
    _m("priority", "", "Đối tượng quy hoạch", "Plan target"),
    _m("snap_m", "m", "Khoảng cách tới đường (m)", "Distance to road (m)"),
    _m("distance_m", "m", "Khoảng cách theo đường tới thiết bị quang còn cổng (m)",
       "Distance along roads to a node with free ports (m)"),
    _m("node_id", "", "Thiết bị quang", "Fiber node"),
    _m("served", "", "Có cáp quang", "Fiber"),
    _m("gigabit", "", "Có cáp quang ≥ 1 Gb/s", "Fiber ≥ 1 Gbit/s"),
    _m("gigabit_node_id", "", "Thiết bị quang ≥ 1 Gb/s", "Gigabit node"),
    _m("full_node_id", "", "Thiết bị hết cổng cần mở rộng", "Full node to extend"),
    _m("fiber_status", "", "Mã tình trạng cáp quang", "Fiber status code"),
    _m("fiber_status_text", "", "Tình trạng cáp quang", "Fiber status"),
    _m("served_after", "", "Có cáp quang sau quy hoạch", "Fiber after the plan"),
    _m("ports_free", "ports", "Số cổng còn trống", "Free ports"),
    _m("full", "", "Hết cổng", "Full"),
    _m("on_road", "", "Gắn được vào đường", "On the road network"),
    _m("places_served", "", "Số điểm phục vụ", "Places served"),
    _m("places_waiting", "", "Số điểm chờ cổng", "Places waiting for ports"),
    _m("households_waiting", "households", "Số hộ chờ cổng", "Households waiting for ports"),
    _m("hamlets_total", "", "Số thôn", "Hamlets"),
    _m("hamlets_fiber", "", "Số thôn có cáp quang", "Hamlets with fiber"),
    _m("hamlets_fiber_pct", "%", "Tỷ lệ thôn có cáp quang (%)", "Hamlets with fiber (%)"),
    _m("households_total", "households", "Số hộ", "Households"),
    _m("households_fiber", "households", "Số hộ có cáp quang", "Households with fiber"),
    _m("households_fiber_pct", "%", "Tỷ lệ hộ có cáp quang (%)", "Households with fiber (%)"),
    _m("pop_fiber_total", "people", "Dân số (theo thôn)", "People (of hamlets)"),
    _m("pop_gigabit", "people", "Dân có thể dùng ≥ 1 Gb/s", "People able to get ≥ 1 Gbit/s"),
    _m("pop_gigabit_pct", "%", "Tỷ lệ dân có thể dùng ≥ 1 Gb/s (%)",
       "People able to get ≥ 1 Gbit/s (%)"),
    _m("hamlets_full_node", "", "Số thôn chờ cổng", "Hamlets waiting for ports"),
    _m("part_text", "", "Hạng mục", "Part"),
    _m("basis", "", "Tính theo", "Counted in"),
    _m("count", "", "Số có cáp quang", "With fiber"),
    _m("total", "", "Tổng", "Total"),
    _m("value_pct", "%", "Tỷ lệ (%)", "Share (%)"),
    _m("target_pct", "%", "Mục tiêu (%)", "Target (%)"),
    _m("needs_gigabit", "", "Yêu cầu ≥ 1 Gb/s", "Needs ≥ 1 Gbit/s"),
    _m("route_id", "", "Mã tuyến mới", "New route"),
    _m("cable_km", "km", "Chiều dài cáp mới (km)", "New cable (km)"),
    _m("splitters", "", "Số bộ chia mới", "New splitters"),
    _m("cost_vnd", "VND", "Chi phí (đồng)", "Cost (VND)"),
    _m("places", "", "Số điểm được kết nối", "Places connected"),
    _m("parks", "", "Số KCN", "Parks"),
    _m("pois", "", "Số điểm ưu tiên", "Priority places"),
    _m("places_per_km", "", "Số điểm trên 1 km cáp", "Places per km"),
    _m("cost_per_place_vnd", "VND", "Chi phí mỗi điểm (đồng)", "Cost per place (VND)"),
    _m("roads", "", "Tuyến đường", "Roads"),
    _m("place_ids", "", "Mã các điểm", "Place ids"),
    _m("place_names", "", "Các điểm được kết nối", "Places"),
    _m("tap_x", "m", "Điểm đấu nối X (m)", "Tap X (m)"),
    _m("tap_y", "m", "Điểm đấu nối Y (m)", "Tap Y (m)"),
    _m("routes", "", "Số tuyến", "Routes"),
    _m("places_connected", "", "Số điểm được kết nối", "Places connected"),
    _m("action", "", "Mã giải pháp", "Action code"),
    _m("action_text", "", "Giải pháp", "Action"),
    _m("road_x", "m", "Vị trí bộ chia X (m)", "Splitter X (m)"),
    _m("road_y", "m", "Vị trí bộ chia Y (m)", "Splitter Y (m)"),
    _m("setting", "", "Thông số", "Setting"),
    _m("value", "", "Giá trị", "Value"),
]

_PLAN = [
    # proposed sites
    _m("round", "", "Vòng lập kế hoạch", "Planning round"),
    _m("candidate_id", "", "Mã vị trí ứng viên", "Candidate id"),
    _m("host_site_id", "", "Trạm hiện có dùng chung cột", "Host site (co-location)"),
    _m("priority_commune", "", "Xã ưu tiên", "Priority commune"),
    _m("lon", "°", "Kinh độ", "Longitude", 6),
    _m("lat", "°", "Vĩ độ", "Latitude", 6),
    _m("techs", "", "Công nghệ", "Technologies"),
    _m("new_tower", "", "Xây cột mới", "New tower"),
    _m("gain", "", "Lợi ích (điểm có trọng số)", "Gain (weighted score)", 1),
    _m("hamlets_closed", "", "Số thôn được phủ sóng", "Hamlets closed"),
    _m("road_gaps_closed", "", "Số đoạn mất sóng được xóa", "Road gaps closed"),
    _m("road_gap_km_closed", "km", "Chiều dài mất sóng được xóa (km)",
       "Length of road gaps closed (km)"),
    _m("road_gaps", "", "Các đoạn mất sóng được xóa", "Road gaps closed (list)"),
    _m("parks_closed", "", "Số KCN được phủ 5G", "Parks closed"),
    _m("park_names", "", "Các KCN được phủ 5G", "Parks closed (names)"),
    _m("people_covered", "people", "Dân được phủ sóng thêm", "People newly covered"),
    _m("road_km_covered", "km", "Chiều dài đường được phủ sóng thêm (km)",
       "Road newly covered (km)"),
    _m("park_5g_ha", "ha", "Diện tích KCN có thêm 5G (ha)", "Park area with new 5G (ha)"),
    _m("generated_for", "", "Vị trí ứng viên sinh ra cho", "Candidate generated for"),
    _m("cost_cumulative_vnd", "VND", "Chi phí cộng dồn (đồng)", "Cumulative cost (VND)"),
    # demand units
    _m("unit_kind", "", "Mã loại đối tượng", "Unit kind code"),
    _m("unit_text", "", "Loại đối tượng", "Unit kind"),
    _m("unit_id", "", "Mã đối tượng", "Unit id"),
    _m("value_before", "", "Giá trị hiện trạng", "Value today", 2),
    _m("value_after", "", "Giá trị sau đề xuất", "Value after the plan", 2),
    _m("value_unit", "", "Đơn vị giá trị", "Unit of the value"),
    _m("reachable", "", "Có thể phủ sóng được", "Reachable"),
    _m("closed_planned", "", "Được phủ theo kế hoạch", "Closed by the plan"),
    _m("closed_after", "", "Được phủ theo dự báo sau đề xuất", "Closed in the after-prediction"),
    _m("closed_by", "", "Trạm đề xuất phủ sóng", "Closed by site"),
    _m("reason", "", "Lý do còn chưa phủ", "Why it stays open"),
    _m("people_covered_planned", "people", "Dân được phủ theo kế hoạch",
       "People covered by the plan"),
    # before / after and per commune
    _m("change", "", "Thay đổi", "Change", 2),
    _m("sites_proposed", "", "Số trạm đề xuất", "Sites proposed"),
]

OUTPUT_COLUMNS: Mapping[str, OutputColumn] = MappingProxyType(
    {c.name: c for c in (*_INDICATORS, *_FIBER, *_PLAN)})
"""Every column the stages add, by name, with its label outside the tables of
:data:`TABLE_COLUMNS`."""

_FIBER_OWN = {c.name: c for c in (
    _m("part", "", "Mã hạng mục", "Part code"),
    _m("rank", "", "Thứ tự ưu tiên", "Rank"),
    _m("commune_codes", "", "Mã xã đi qua", "Commune codes"),
    _m("communes", "", "Xã đi qua", "Communes"),
)}
_PLAN_SITES_OWN = {c.name: c for c in (
    _m("rank", "", "Thứ tự ưu tiên", "Rank"),
    _m("kind", "", "Mã loại đề xuất", "Proposal kind code"),
    _m("kind_text", "", "Loại đề xuất", "Proposal kind"),
    _m("hamlet_names", "", "Các thôn được phủ sóng", "Hamlets closed (names)"),
)}
_PLAN_UNITS_OWN = {c.name: c for c in (
    _m("priority", "", "Ưu tiên", "Priority"),
)}
_FIBER_TABLES = ("fiber_summary", "fiber_places", "fiber_nodes", "fiber_communes", "fiber_t9",
                 "fiber_routes", "fiber_route_communes", "fiber_plan_places", "fiber_capacity",
                 "fiber_plan_communes", "fiber_settings")

TABLE_COLUMNS: Mapping[str, Mapping[str, OutputColumn]] = MappingProxyType({
    "fiber": MappingProxyType(_FIBER_OWN),
    **{t: MappingProxyType(_FIBER_OWN) for t in _FIBER_TABLES},
    "plan_sites": MappingProxyType(_PLAN_SITES_OWN),
    "plan_units": MappingProxyType(_PLAN_UNITS_OWN),
    "plan_unreachable": MappingProxyType(_PLAN_UNITS_OWN),
})
"""Labels that depend on the table, by table (``"fiber"``: any fiber table), then by name."""

SHEETS: Mapping[str, tuple[str, str]] = MappingProxyType({
    # indicators
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
    # fiber
    "fiber_summary": ("Cáp quang – chỉ tiêu", "Fiber – indicators"),
    "fiber_places": ("Cáp quang – điểm", "Fiber – places"),
    "fiber_nodes": ("Cáp quang – thiết bị", "Fiber – nodes"),
    "fiber_communes": ("Cáp quang – theo xã", "Fiber – communes"),
    "fiber_t9": ("Cáp quang – T9", "Fiber – T9 parts"),
    "fiber_routes": ("Tuyến cáp mới", "New fiber routes"),
    "fiber_route_communes": ("Tuyến cáp mới – theo xã", "New routes by commune"),
    "fiber_plan_places": ("Quy hoạch – điểm", "Plan – places"),
    "fiber_capacity": ("Thiết bị cần mở rộng", "Nodes to extend"),
    "fiber_plan_communes": ("Quy hoạch – theo xã", "Plan – communes"),
    "fiber_settings": ("Cáp quang – thông số", "Fiber – settings"),
    # site plan
    "plan_sites": ("Trạm đề xuất", "Proposed sites"),
    "plan_units": ("Đối tượng cần phủ sóng", "Demand units"),
    "plan_unreachable": ("Đối tượng không phủ được", "Unreachable units"),
    "plan_before_after": ("Chỉ tiêu trước và sau", "Indicators before and after"),
    "plan_communes": ("Đề xuất theo xã", "Plan by commune"),
    "plan_settings": ("Đề xuất – thông số", "Plan – settings"),
})
"""Sheet / layer titles (≤ 31 characters) of each table, Vietnamese and English."""

VALUES: Mapping[str, tuple[str, str]] = MappingProxyType({
    # fiber_status
    "gigabit": ("có cáp quang ≥ 1 Gb/s", "fiber ≥ 1 Gbit/s"),
    "served": ("có cáp quang < 1 Gb/s", "fiber < 1 Gbit/s"),
    "full_node": ("chờ cổng (thiết bị hết cổng)", "waiting for ports (full node)"),
    "unserved": ("chưa có cáp quang", "no fiber"),
    "off_road": ("xa đường giao thông", "off the road network"),
    # fiber plan actions
    "route": ("kéo tuyến cáp mới", "new cable route"),
    "splitter_on_cable": ("lắp bộ chia trên tuyến cáp có sẵn", "splitter on existing cable"),
    "add_ports": ("mở rộng cổng thiết bị", "add ports at the node"),
    "unreachable": ("không có đường nối tới mạng cáp", "no road to existing fiber"),
    # booleans in the tables
    "yes": ("có", "yes"),
    "no": ("không", "no"),
})
"""Words of the status and action codes (and of booleans: ``yes``, ``no``)."""

UNIT_DECIMALS: Mapping[str, int] = MappingProxyType({
    "VND": 0, "people": 0, "households": 0, "ports": 0, "km": 2, "km²": 3, "ha": 2, "m": 1,
    "%": 2, "dBm": 1, "dB": 1, "Mbit/s": 1, "MHz": 1, "°": 6,
})
"""Decimals a CSV keeps for a float column of this unit (:func:`table_for_output`)."""

_SUFFIXES = {"_before": ("hiện trạng", "today"), "_after": ("sau đề xuất", "after the plan")}


def column(name: str, table: str | None = None) -> OutputColumn | None:
    """The output column ``name`` of ``table`` (``None`` for input and unknown columns).

    ``<name>__<operator>`` and undeclared ``<name>_before`` / ``<name>_after`` give the column
    of ``name`` (unit and decimals; :func:`header` writes their labels).
    """
    base, sep, _ = name.partition("__")
    if sep:
        return column(base, table)
    own = TABLE_COLUMNS.get(table) if table is not None else None
    if own is not None and name in own:
        return own[name]
    col = OUTPUT_COLUMNS.get(name)
    if col is not None:
        return col
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return column(name[: -len(suffix)], table)
    return None


def header(name: str, lang: str = "vi", table: str | None = None) -> str:
    """Header of a table column in ``"vi"`` or ``"en"``; unknown names pass through.

    ``table`` (``"fiber_routes"``, ``"plan_sites"`` …) picks the labels that depend on the
    table (:data:`TABLE_COLUMNS`); then the output columns (:data:`OUTPUT_COLUMNS`), then the
    input column registry. ``<name>__<operator>`` becomes ``<header of name> – <operator>``;
    an undeclared ``<name>_before`` / ``<name>_after`` becomes ``<header of name> – hiện
    trạng`` / ``– sau đề xuất``.
    """
    base, sep, operator = name.partition("__")
    if sep:
        return f"{header(base, lang, table)} – {operator}"
    own = TABLE_COLUMNS.get(table) if table is not None else None
    if own is not None and name in own:
        return own[name].label(lang)
    col = OUTPUT_COLUMNS.get(name)
    if col is not None:
        return col.label(lang)
    inp = INPUT_COLUMNS.get(name)
    if inp is not None:
        return inp.label_vi if lang == "vi" else inp.label_en
    for suffix, words in _SUFFIXES.items():
        stem = name[: -len(suffix)]
        if name.endswith(suffix) and stem and (
                column(stem, table) is not None or stem in INPUT_COLUMNS):
            return f"{header(stem, lang, table)} – {words[0] if lang == 'vi' else words[1]}"
    return name


def sheet_name(table: str, lang: str = "vi") -> str:
    """Sheet name of a table in ``lang`` (the table name, cut to 31 characters, if unknown)."""
    names = SHEETS.get(table)
    if names is None:
        return table[:31]
    return names[0] if lang == "vi" else names[1]


def value_word(code: Any, lang: str = "vi") -> str:
    """Words of a status or action code, or of a boolean (``có`` / ``không``, ``yes`` / ``no``);
    an unknown code itself."""
    if isinstance(code, (bool, np.bool_)):
        code = "yes" if code else "no"
    words = VALUES.get(code)
    if words is None:
        return str(code)
    return words[0] if lang == "vi" else words[1]


def _decimals(name: str, table: str | None) -> int | None:
    col = column(name, table)
    if col is None:
        inp = INPUT_COLUMNS.get(name.partition("__")[0])
        return UNIT_DECIMALS.get(inp.unit) if inp is not None else None
    return col.decimals if col.decimals is not None else UNIT_DECIMALS.get(col.unit)


def _is_bool_column(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series):
        return True
    if series.dtype != object:
        return False
    values = series.dropna()
    return len(values) > 0 and all(isinstance(v, (bool, np.bool_)) for v in values)


def _rounded(series: pd.Series, decimals: int) -> pd.Series:
    out = series.round(decimals)
    finite = np.isfinite(out.to_numpy(dtype=float)) | out.isna().to_numpy()
    if decimals == 0 and finite.all() and (out.abs() < 2**53).fillna(True).all():
        return out.astype("Int64")
    return out


def table_for_output(frame: pd.DataFrame, lang: str = "vi", table: str | None = None, *,
                     yes_no: bool = True, rounded: bool = True) -> pd.DataFrame:
    """A table as its CSV (or sheet) shows it: without geometry, booleans as ``có`` /
    ``không`` (``yes`` / ``no``) when ``yes_no``, float columns rounded to their column's
    decimals when ``rounded`` (VND whole, km to 2 decimals, lon / lat to 6 …), headers in
    ``lang`` (:func:`header` with ``table``). The input is not modified.
    """
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).copy()
    yes, no = value_word(True, lang), value_word(False, lang)
    for col in out.columns:
        series = out[col]
        if yes_no and _is_bool_column(series):
            out[col] = series.astype(object).map({True: yes, False: no}).astype(object)
        elif rounded and pd.api.types.is_float_dtype(series):
            decimals = _decimals(str(col), table)
            if decimals is not None:
                out[col] = _rounded(series, decimals)
    out.columns = [header(str(c), lang, table) for c in out.columns]
    return out
