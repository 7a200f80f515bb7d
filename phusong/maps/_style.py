"""Colours, classes and words shared by the web map, the print maps and the report.

Everything a reader compares between two maps is fixed here, never fitted to the data:

* :data:`RSRP_CLASSES_DBM`: the colour scale of the coverage rasters (received power, dBm);
* :data:`COMMUNE_INDICATORS`: the commune columns a map can be shaded by, with fixed class
  limits and colours (red = far from the target, green = target met);
* status colours of hamlets, parks, POIs, dark spots and road gaps; operator colours.

Texts are given in Vietnamese and English (:func:`text`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

__all__ = [
    "RSRP_CLASSES_DBM",
    "RsrpClass",
    "Choropleth",
    "COMMUNE_INDICATORS",
    "OPERATOR_COLOURS",
    "STATUS_COLOURS",
    "DARK_SPOT_COLOURS",
    "GAP_COLOURS",
    "text",
    "operator_colour",
    "yes_no",
]


@dataclass(frozen=True)
class RsrpClass:
    """One class of the RSRP colour scale: ``low_dbm ≤ RSRP < high_dbm``."""

    low_dbm: float
    high_dbm: float
    colour: str


RSRP_CLASSES_DBM: tuple[RsrpClass, ...] = (
    RsrpClass(-80.0, math.inf, "#1a9850"),
    RsrpClass(-90.0, -80.0, "#66bd63"),
    RsrpClass(-100.0, -90.0, "#a6d96a"),
    RsrpClass(-110.0, -100.0, "#fee08b"),
    RsrpClass(-120.0, -110.0, "#fdae61"),
    RsrpClass(-130.0, -120.0, "#d73027"),
)
"""Fixed colour scale of predicted RSRP (best server, dBm), the same on every map.

Six 10 dB classes from ≥ −80 dBm (dark green) down to −130 dBm (red), after the usual
LTE/NR field-survey bands (excellent ≥ −80, good −80…−90, fair −90…−100, poor −100…−110,
weak below the default −110 dBm broadband threshold, then edge of service). Cells below
−130 dBm or without a prediction are transparent. The scale does not move with the scenario's
thresholds, so two maps (two operators, two scenarios) compare colour for colour; the legend
states the threshold in use.
"""


@dataclass(frozen=True)
class Choropleth:
    """How communes are shaded by one column of the indicators' commune table.

    Attributes
    ----------
    column
        Column of ``IndicatorResults.communes``.
    indicator_id
        Indicator the column reports (``T1`` …).
    label_vi, label_en
        Legend and layer title.
    limits
        Inner class limits, increasing; ``len(limits) + 1`` classes, each ``low ≤ v < high``.
    colours
        One colour per class, from the lowest values to the highest.
    unit
        Unit shown after the numbers (``%``, ``người``/``people``, ``km``).
    decimals
        Decimals in the legend and popups.
    """

    column: str
    indicator_id: str
    label_vi: str
    label_en: str
    limits: tuple[float, ...]
    colours: tuple[str, ...]
    unit: str = "%"
    decimals: int = 1

    def label(self, lang: str) -> str:
        """Title of the shading in ``lang``."""
        return self.label_vi if lang == "vi" else self.label_en

    def colour(self, value: float | None) -> str:
        """Fill colour of a value (:data:`NO_DATA_COLOUR` when missing)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return NO_DATA_COLOUR
        for limit, colour in zip(self.limits, self.colours, strict=False):
            if value < limit:
                return colour
        return self.colours[-1]

    def class_labels(self, lang: str) -> list[str]:
        """One legend line per class (``"< 50 %"``, ``"50 – 80 %"`` … ``"≥ 99,95 %"``)."""
        from phusong.metrics.results import fmt_number

        unit = _UNIT_WORDS.get(self.unit, {}).get(lang, self.unit)
        f = [fmt_number(v, lang, self._legend_decimals(v)) for v in self.limits]
        out = [f"< {f[0]} {unit}"]
        out += [f"{a} – < {b} {unit}" for a, b in zip(f[:-1], f[1:], strict=True)]
        out.append(f"≥ {f[-1]} {unit}")
        return out

    @staticmethod
    def _legend_decimals(v: float) -> int:
        return 0 if float(v).is_integer() else len(f"{v}".split(".")[1])


NO_DATA_COLOUR = "#bdbdbd"
_GOOD_HIGH = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")
_GOOD_LOW = tuple(reversed(_GOOD_HIGH))
_UNIT_WORDS = {"people": {"vi": "người", "en": "people"}}

COMMUNE_INDICATORS: Mapping[str, Choropleth] = MappingProxyType({
    "pop_5g_pct": Choropleth(
        "pop_5g_pct", "T1", "Tỷ lệ dân có 5G (T1)", "People with 5G (T1)",
        (50.0, 80.0, 95.0, 99.95), _GOOD_HIGH),
    "hamlets_covered_pct": Choropleth(
        "hamlets_covered_pct", "T3", "Tỷ lệ thôn có băng rộng di động (T3)",
        "Hamlets with mobile broadband (T3)", (50.0, 80.0, 95.0, 99.95), _GOOD_HIGH),
    "pop_broadband_pct": Choropleth(
        "pop_broadband_pct", "T3", "Tỷ lệ dân có băng rộng di động",
        "People with mobile broadband", (50.0, 80.0, 95.0, 99.95), _GOOD_HIGH),
    "dark_spot_people": Choropleth(
        "dark_spot_people", "D1", "Dân trong vùng lõm, trắng sóng (D1)",
        "People in dark spots (D1)", (1.0, 500.0, 2000.0, 10000.0), _GOOD_LOW, "people", 0),
    "road_gap_over_km": Choropleth(
        "road_gap_over_km", "T6", "Đường mất sóng vượt ngưỡng, km (T6)",
        "Road gaps over the limit, km (T6)", (0.001, 2.0, 5.0, 10.0), _GOOD_LOW, "km", 1),
})
"""Commune columns a map can be shaded by, with fixed classes (red: far from the target)."""

STATUS_COLOURS: Mapping[str, str] = MappingProxyType({
    "met": "#1a9641", "partial": "#a6d96a", "not_met": "#d7191c", "none": "#969696",
})
"""Feature status colours: target met, partly met (5G present but not full), not met, n/a."""

DARK_SPOT_COLOURS: Mapping[str, str] = MappingProxyType({
    "trang_song": "#6a3d9a", "lom_song": "#ff7f00",
})
"""Dark spots: trắng sóng (no usable signal, purple) and lõm sóng (below broadband, orange)."""

GAP_COLOURS: Mapping[str, str] = MappingProxyType({"over": "#e31a1c", "under": "#fd8d3c"})
"""Road gaps longer than the limit (red) and shorter ones (orange)."""

OPERATOR_COLOURS: Mapping[str, str] = MappingProxyType({
    "Viettel": "#c8102e", "VNPT": "#0072bc", "MobiFone": "#f28e00", "Vietnamobile": "#7b3294",
})
"""Operator colours (sites, fiber); other operators get :data:`OTHER_OPERATOR_COLOUR`."""

OTHER_OPERATOR_COLOUR = "#555555"
FIBER_STATUS_COLOURS: Mapping[str, str] = MappingProxyType({
    "gigabit": "#006d2c", "served": "#74c476", "full_node": "#fd8d3c", "unserved": "#d7191c",
    "off_road": "#969696",
})
"""Fiber status of a place (``phusong.coverage.fiber.PLACE_STATUSES``), best first."""
PLAN_ROUTE_COLOUR = "#c51b7d"
#: Fill of a proposed site by candidate kind (:data:`phusong.planning.candidates.KINDS`): new
#: towers (high point, road, park, user's) magenta, co-location purple, 5G upgrade green.
PROPOSAL_COLOURS = {"high_point": "#e7298a", "road": "#e7298a", "park": "#e7298a", "user": "#e7298a",
                    "colocation": "#7570b3", "upgrade_5g": "#66a61e"}
ROAD_STYLE: Mapping[str, tuple[str, float]] = MappingProxyType({
    "expressway": ("#b2182b", 2.4), "national": ("#d6604d", 2.0), "provincial": ("#f4a582", 1.6),
    "district": ("#8c8c8c", 1.0), "local": ("#b5b5b5", 0.6),
})
"""Road colour and width (web pixels; print maps scale them) by class."""
RIVER_COLOUR = "#6baed6"
COMMUNE_EDGE = "#4d4d4d"
BACKGROUND = "#f4f1ea"


def operator_colour(operator: str) -> str:
    """Colour of an operator."""
    return OPERATOR_COLOURS.get(operator, OTHER_OPERATOR_COLOUR)


_TEXT: Mapping[str, tuple[str, str]] = MappingProxyType({
    "map_title": ("Hạ tầng viễn thông so với mục tiêu kế hoạch", "Telecom network against the plan targets"),
    "communes_outline": ("Ranh giới xã, phường", "Commune boundaries"),
    "commune_prefix": ("Xã", "Communes"),
    "roads": ("Đường giao thông", "Roads"),
    "rivers": ("Sông suối", "Rivers"),
    "rivers_dem": ("Sông suối (vạch từ DEM)", "Rivers (traced from the DEM)"),
    "gaps_over": ("Đường mất sóng liên tục > {limit} km (T6)", "Road gaps > {limit} km (T6)"),
    "gaps_under": ("Đường mất sóng ≤ {limit} km", "Road gaps ≤ {limit} km"),
    "dark_spots": ("Vùng lõm, trắng sóng (D1)", "Dark spots (D1)"),
    "trang_song": ("Trắng sóng", "No signal (trắng sóng)"),
    "lom_song": ("Lõm sóng", "Weak signal (lõm sóng)"),
    "hamlets": ("Thôn, xóm: băng rộng di động (T3)", "Hamlets: mobile broadband (T3)"),
    "hamlet_covered": ("Thôn có băng rộng", "Hamlet covered"),
    "hamlet_not_covered": ("Thôn chưa có băng rộng", "Hamlet not covered"),
    "parks": ("Khu công nghiệp: 5G (K1)", "Industrial parks: 5G (K1)"),
    "park_full": ("Phủ 5G hoàn toàn", "Full 5G coverage"),
    "park_partial": ("Có 5G một phần", "5G present, not full"),
    "park_none": ("Chưa có 5G", "No 5G"),
    "park_not_operating": ("Chưa hoạt động", "Not operating"),
    "pois": ("Điểm ưu tiên (T7, P1)", "Priority places (T7, P1)"),
    "poi_met": ("Đạt", "Meets the target"),
    "poi_not_met": ("Chưa đạt", "Misses the target"),
    "sites": ("Trạm BTS {operator} {tech}", "BTS {operator} {tech}"),
    "coverage": ("Vùng phủ {tech} {operator} (RSRP)", "{tech} coverage {operator} (RSRP)"),
    "any_operator": ("mọi nhà mạng", "any operator"),
    "fiber_routes": ("Cáp quang {operator}", "Fiber {operator}"),
    "fiber_nodes": ("Thiết bị quang {operator}", "Fiber nodes {operator}"),
    "measurements": ("Điểm đo (Q1)", "Measurements (Q1)"),
    "fiber_places": ("Cáp quang đến thôn, KCN, điểm ưu tiên (T4, K2)",
                     "Fiber to hamlets, parks, priority places (T4, K2)"),
    "fiber_plan": ("Tuyến cáp quang đề xuất", "Proposed fiber routes"),
    "proposals": ("Trạm BTS đề xuất", "Proposed BTS sites"),
    "proposal_kind": ("Loại đề xuất", "Kind of proposal"),
    "proposal_closes": ("Khắc phục", "Closes"),
    "distance_m": ("Khoảng cách cáp thuê bao (m)", "Drop distance (m)"),
    "node": ("Thiết bị quang", "Fiber node"),
    "legend": ("Chú giải", "Legend"),
    "rsrp_legend": ("RSRP dự báo (dBm), trạm phục vụ tốt nhất",
                    "Predicted RSRP (dBm), best server"),
    "threshold": ("Ngưỡng băng rộng: {value}", "Broadband threshold: {value}"),
    "no_data": ("Không có số liệu", "No data"),
    "source": ("Nguồn", "Source"),
    "scale": ("Tỷ lệ", "Scale"),
    "operator": ("Nhà mạng", "Operator"),
    "techs": ("Công nghệ", "Technologies"),
    "bands": ("Băng tần (MHz)", "Bands (MHz)"),
    "ports": ("Cổng đã dùng / tổng", "Ports used / total"),
    "yes": ("có", "yes"),
    "no": ("không", "no"),
    "rank": ("Thứ hạng", "Rank"),
    "people": ("người", "people"),
    "province_map": ("Vùng lõm, trắng sóng và đường mất sóng",
                     "Dark spots and road gaps"),
    "commune_map": ("Thôn, xóm và đường mất sóng", "Hamlets and road gaps"),
    "neighbours": ("Xã lân cận", "Neighbouring communes"),
    "sites_all": ("Trạm BTS (mọi nhà mạng)", "BTS sites (all operators)"),
    "north": ("B", "N"),
    "grid_note": ("Lưới chiếu {crs}; bắc lưới ≈ bắc thật", "Grid {crs}; grid north ≈ true north"),
    "source_note": (
        "Nguồn: lớp dữ liệu của kịch bản {scenario}; vùng phủ: {model}; chỉ tiêu: phusong {version}.",
        "Source: layers of scenario {scenario}; coverage: {model}; indicators: phusong {version}."),
})

_STATUS_WORDS = {
    "operating": ("đang hoạt động", "operating"), "building": ("đang xây dựng", "under construction"),
    "planned": ("quy hoạch", "planned"), "on_air": ("đang phát sóng", "on air"),
    "hospital": ("bệnh viện", "hospital"), "university": ("trường đại học", "university"),
    "school": ("trường học", "school"), "health_station": ("trạm y tế", "health station"),
    "commune_office": ("UBND xã, phường", "commune office"),
    "public_office": ("cơ quan nhà nước", "public office"), "other": ("khác", "other"),
    "backbone": ("trục", "backbone"), "distribution": ("phân phối", "distribution"),
    "access": ("truy nhập", "access"), "under": ("đo tốt hơn dự báo", "measured better"),
    "over": ("đo kém hơn dự báo", "measured worse"),
    "gigabit": ("có cáp quang ≥ 1 Gbit/s", "fiber ≥ 1 Gbit/s"), "served": ("có cáp quang", "fiber"),
    "full_node": ("thiết bị quang hết cổng", "fiber node full"),
    "unserved": ("chưa có cáp quang trong tầm", "no fiber within reach"),
    "off_road": ("xa đường giao thông", "off the road network"),
    "hamlets": ("thôn, xóm", "hamlet"), "parks": ("khu công nghiệp", "industrial park"),
    "pois": ("điểm ưu tiên", "priority place"),
}


def text(key: str, lang: str, **values: object) -> str:
    """A map text in ``lang`` (``"vi"`` or ``"en"``), with ``{placeholders}`` filled."""
    vi, en = _TEXT[key]
    template = vi if lang == "vi" else en
    return template.format(**values) if values else template


def word(value: str, lang: str) -> str:
    """A category value (``operating``, ``hospital`` …) in ``lang``; unknown values unchanged."""
    pair = _STATUS_WORDS.get(str(value))
    if pair is None:
        return str(value)
    return pair[0] if lang == "vi" else pair[1]


def yes_no(value: object, lang: str) -> str:
    """``có``/``không`` (vi) or ``yes``/``no`` (en); empty for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        flag = bool(value)
    except (TypeError, ValueError):
        return ""
    return text("yes" if flag else "no", lang)


def rsrp_classes(rsrp_dbm: np.ndarray) -> np.ndarray:
    """Class of each RSRP value on :data:`RSRP_CLASSES_DBM`: 1 (best) … 6; 0 below or NaN."""
    out = np.zeros(np.shape(rsrp_dbm), dtype=np.uint8)
    values = np.asarray(rsrp_dbm, dtype=float)
    with np.errstate(invalid="ignore"):
        for i, c in reversed(list(enumerate(RSRP_CLASSES_DBM, start=1))):
            out[values >= c.low_dbm] = i
    return out


def rsrp_class_labels(lang: str) -> list[str]:
    """Legend lines of :data:`RSRP_CLASSES_DBM` (``"≥ −80"``, ``"−90 … −80"`` …)."""
    out = []
    for c in RSRP_CLASSES_DBM:
        lo = f"{c.low_dbm:.0f}".replace("-", "−")
        hi = f"{c.high_dbm:.0f}".replace("-", "−")
        out.append(f"≥ {lo} dBm" if math.isinf(c.high_dbm) else f"{lo} … {hi} dBm")
    return out


def choropleth(column: str) -> Choropleth:
    """The shading of a commune column; :class:`InputError` lists the choices."""
    from phusong.errors import InputError

    try:
        return COMMUNE_INDICATORS[column]
    except KeyError:
        msg = f"no commune shading {column!r}; choose one of {sorted(COMMUNE_INDICATORS)}"
        raise InputError(msg) from None


def join_limited(values: Sequence[str], limit: int = 120) -> str:
    """Values joined by ``"; "``, cut with ``…`` after about ``limit`` characters."""
    out = "; ".join(v for v in values if v)
    return out if len(out) <= limit else out[: limit - 1].rstrip("; ") + "…"
