"""Headers and value words of the fiber tables, in Vietnamese and English.

The same shape as :data:`phusong.reports.labels.METRIC_COLUMNS` (``name: (unit, vi, en)``), so
the report writer can merge :data:`FIBER_COLUMNS` into its registry; :func:`fiber_header` falls
back to the input column registry (:func:`phusong.layers.schema.header`) for input columns. A
per-operator column ``<name>__<operator>`` is labelled ``<label of name> – <operator>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from phusong.layers.schema import header as schema_header

__all__ = ["FIBER_COLUMNS", "FIBER_SHEETS", "FIBER_VALUES", "fiber_header", "fiber_value"]

FIBER_COLUMNS: Mapping[str, tuple[str, str, str]] = MappingProxyType({
    # places and reach
    "place_layer": ("", "Lớp", "Layer"),
    "place_id": ("", "Mã điểm", "Place id"),
    "commune_name": ("", "Tên xã", "Commune"),
    "enterprises": ("", "Số doanh nghiệp", "Enterprises"),
    "priority": ("", "Đối tượng quy hoạch", "Plan target"),
    "snap_m": ("m", "Khoảng cách tới đường (m)", "Distance to road (m)"),
    "distance_m": ("m", "Khoảng cách theo đường tới thiết bị quang còn cổng (m)",
                   "Distance along roads to a node with free ports (m)"),
    "node_id": ("", "Thiết bị quang", "Fiber node"),
    "served": ("", "Có cáp quang", "Fiber"),
    "gigabit": ("", "Có cáp quang ≥ 1 Gb/s", "Fiber ≥ 1 Gbit/s"),
    "gigabit_node_id": ("", "Thiết bị quang ≥ 1 Gb/s", "Gigabit node"),
    "full_node_id": ("", "Thiết bị hết cổng cần mở rộng", "Full node to extend"),
    "fiber_status": ("", "Mã tình trạng cáp quang", "Fiber status code"),
    "fiber_status_text": ("", "Tình trạng cáp quang", "Fiber status"),
    "served_after": ("", "Có cáp quang sau quy hoạch", "Fiber after the plan"),
    # nodes
    "ports_free": ("ports", "Số cổng còn trống", "Free ports"),
    "full": ("", "Hết cổng", "Full"),
    "on_road": ("", "Gắn được vào đường", "On the road network"),
    "places_served": ("", "Số điểm phục vụ", "Places served"),
    "places_waiting": ("", "Số điểm chờ cổng", "Places waiting for ports"),
    "households_waiting": ("households", "Số hộ chờ cổng", "Households waiting for ports"),
    # communes
    "hamlets_total": ("", "Số thôn", "Hamlets"),
    "hamlets_fiber": ("", "Số thôn có cáp quang", "Hamlets with fiber"),
    "hamlets_fiber_pct": ("%", "Tỷ lệ thôn có cáp quang (%)", "Hamlets with fiber (%)"),
    "households_total": ("households", "Số hộ", "Households"),
    "households_fiber": ("households", "Số hộ có cáp quang", "Households with fiber"),
    "households_fiber_pct": ("%", "Tỷ lệ hộ có cáp quang (%)", "Households with fiber (%)"),
    "pop_fiber_total": ("people", "Dân số (theo thôn)", "People (of hamlets)"),
    "pop_gigabit": ("people", "Dân có thể dùng ≥ 1 Gb/s", "People able to get ≥ 1 Gbit/s"),
    "pop_gigabit_pct": ("%", "Tỷ lệ dân có thể dùng ≥ 1 Gb/s (%)",
                        "People able to get ≥ 1 Gbit/s (%)"),
    "hamlets_full_node": ("", "Số thôn chờ cổng", "Hamlets waiting for ports"),
    # T9 parts
    "part": ("", "Mã hạng mục", "Part code"),
    "part_text": ("", "Hạng mục", "Part"),
    "basis": ("", "Tính theo", "Counted in"),
    "count": ("", "Số có cáp quang", "With fiber"),
    "total": ("", "Tổng", "Total"),
    "value_pct": ("%", "Tỷ lệ (%)", "Share (%)"),
    "target_pct": ("%", "Mục tiêu (%)", "Target (%)"),
    "needs_gigabit": ("", "Yêu cầu ≥ 1 Gb/s", "Needs ≥ 1 Gbit/s"),
    "meets": ("", "Đạt", "Meets"),
    "status_text": ("", "Trạng thái", "Status"),
    # plan
    "route_id": ("", "Mã tuyến mới", "New route"),
    "rank": ("", "Thứ tự ưu tiên", "Rank"),
    "cable_km": ("km", "Chiều dài cáp mới (km)", "New cable (km)"),
    "splitters": ("", "Số bộ chia mới", "New splitters"),
    "cost_vnd": ("VND", "Chi phí (đồng)", "Cost (VND)"),
    "places": ("", "Số điểm được kết nối", "Places connected"),
    "hamlets": ("", "Số thôn", "Hamlets"),
    "parks": ("", "Số KCN", "Parks"),
    "pois": ("", "Số điểm ưu tiên", "Priority places"),
    "places_per_km": ("", "Số điểm trên 1 km cáp", "Places per km"),
    "cost_per_place_vnd": ("VND", "Chi phí mỗi điểm (đồng)", "Cost per place (VND)"),
    "commune_codes": ("", "Mã xã đi qua", "Commune codes"),
    "communes": ("", "Xã đi qua", "Communes"),
    "roads": ("", "Tuyến đường", "Roads"),
    "place_ids": ("", "Mã các điểm", "Place ids"),
    "place_names": ("", "Các điểm được kết nối", "Places"),
    "tap_x": ("m", "Điểm đấu nối X (m)", "Tap X (m)"),
    "tap_y": ("m", "Điểm đấu nối Y (m)", "Tap Y (m)"),
    "routes": ("", "Số tuyến", "Routes"),
    "places_connected": ("", "Số điểm được kết nối", "Places connected"),
    "action": ("", "Mã giải pháp", "Action code"),
    "action_text": ("", "Giải pháp", "Action"),
    "road_x": ("m", "Vị trí bộ chia X (m)", "Splitter X (m)"),
    "road_y": ("m", "Vị trí bộ chia Y (m)", "Splitter Y (m)"),
    # settings
    "setting": ("", "Thông số", "Setting"),
    "value": ("", "Giá trị", "Value"),
    "unit": ("", "Đơn vị", "Unit"),
    "note": ("", "Ghi chú", "Note"),
})
"""Every column the fiber tables add: ``name: (unit, label_vi, label_en)``."""

FIBER_SHEETS: Mapping[str, tuple[str, str]] = MappingProxyType({
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
})
"""Table names and their sheet / layer titles (≤ 31 characters)."""

FIBER_VALUES: Mapping[str, tuple[str, str]] = MappingProxyType({
    # fiber_status
    "gigabit": ("có cáp quang ≥ 1 Gb/s", "fiber ≥ 1 Gbit/s"),
    "served": ("có cáp quang < 1 Gb/s", "fiber < 1 Gbit/s"),
    "full_node": ("chờ cổng (thiết bị hết cổng)", "waiting for ports (full node)"),
    "unserved": ("chưa có cáp quang", "no fiber"),
    "off_road": ("xa đường giao thông", "off the road network"),
    # plan actions
    "route": ("kéo tuyến cáp mới", "new cable route"),
    "splitter_on_cable": ("lắp bộ chia trên tuyến cáp có sẵn", "splitter on existing cable"),
    "add_ports": ("mở rộng cổng thiết bị", "add ports at the node"),
    "unreachable": ("không có đường nối tới mạng cáp", "no road to existing fiber"),
})
"""Words of the status and action codes."""


def fiber_header(name: str, lang: str = "vi") -> str:
    """Header of a fiber table column in ``"vi"`` or ``"en"``; unknown names pass through."""
    base, sep, operator = name.partition("__")
    if sep:
        return f"{fiber_header(base, lang)} – {operator}"
    entry = FIBER_COLUMNS.get(name)
    if entry is not None:
        return entry[1] if lang == "vi" else entry[2]
    return schema_header(name, lang)


def fiber_value(code: str, lang: str = "vi") -> str:
    """Words of a status or action code (the code itself if unknown)."""
    words = FIBER_VALUES.get(code)
    if words is None:
        return code
    return words[0] if lang == "vi" else words[1]
