"""The orchestrator: every indicator of the registry on one province and one coverage grid.

:func:`compute_indicators` reads like the methods section of a report: check the inputs, put
the people on the coverage grid, build each family's detail table, evaluate every registry
entry against its target, then lay out the summary (the plans' appendix layout), the
per-commune table, the per-operator values and the methodology.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

import numpy as np
import pandas as pd

from phusong.coverage.grid import ANY, CoverageGrid
from phusong.errors import InputError, PhusongError
from phusong.layers.province import Province
from phusong.metrics import darkspots, hamlets, measurements, places, population, reported, roads
from phusong.metrics._grids import check_same_crs
from phusong.metrics.context import MetricContext
from phusong.metrics.registry import REGISTRY, Indicator, deadline_text
from phusong.metrics.results import (
    MET,
    NOT_COMPUTED,
    NOT_MET,
    IndicatorResults,
    IndicatorValue,
    fmt_number,
    status_text,
)

__all__ = ["compute_indicators", "evaluate", "LANGS"]

log = logging.getLogger(__name__)

LANGS = ("vi", "en")
"""Report languages."""

_UNIT_TEXT = {
    "%": (" %", " %"), "%/yr": (" %/năm", " %/yr"), "people": (" người", " people"),
    "stations": (" trạm", " stations"), "parks": (" KCN", " parks"), "places": (" điểm", " places"),
    "count": ("", ""),
}
_DECIMALS = {"%": 1, "%/yr": 1}


def evaluate(entry: Indicator, ctx: MetricContext) -> IndicatorValue:
    """Compute one indicator, or say why it cannot be computed."""
    if entry.compute is None:
        return IndicatorValue.not_computed(ctx.text(
            "tính ở mô-đun cáp quang (phạm vi tiếp cận theo đường), không thuộc chỉ tiêu vùng phủ "
            "sóng" if entry.family == "fiber" else entry.why_not, entry.why_not))
    for layer in entry.needs:
        if getattr(ctx.province, layer) is None:
            return IndicatorValue.not_computed(ctx.no_layer(layer))
    try:
        return entry.compute(ctx)
    except PhusongError as e:
        log.warning("%s not computed: %s", entry.id, e)
        return IndicatorValue.not_computed(str(e))


def _status(entry: Indicator, value: IndicatorValue) -> tuple[str, Any]:
    """Status code and the target used (the target of the value's year for reported figures)."""
    year = int(value.as_of[:4]) if value.as_of[:4].isdigit() else None
    target = entry.target_for(year)
    if value.value is None or not np.isfinite(value.value):
        return NOT_COMPUTED, target
    met = target.met(value.value) if value.met is None else value.met
    return (MET if met else NOT_MET), target


_POINTS_TEXT = {"%": (" điểm %", " pp"), "%/yr": (" điểm %/năm", " pp/yr")}


def _shortfall(entry: Indicator, value: IndicatorValue, status: str, target: Any, lang: str
               ) -> tuple[float | None, str]:
    """What is still missing, as a number and a text (``"5.651 người"``, ``"17,9 điểm %"``).

    Counted shortfalls (people, hamlets, routes, parks) come from the indicator; otherwise the
    distance to the target in the indicator's unit (percentage points for shares).
    """
    if status == NOT_COMPUTED or value.value is None:
        return None, ""
    if value.shortfall is not None:
        number = value.shortfall if status == NOT_MET else 0.0
        word = entry.shortfall_unit_vi if lang == "vi" else entry.shortfall_unit_en
        return number, f"{fmt_number(number, lang)}{' ' + word if word else ''}"
    number = abs(target.value - value.value) if status == NOT_MET else 0.0
    units = _POINTS_TEXT.get(entry.unit) or _UNIT_TEXT.get(entry.unit, ("", ""))
    unit = units[0] if lang == "vi" else units[1]
    return number, f"{fmt_number(number, lang, _DECIMALS.get(entry.unit, 0))}{unit}"


def _summary(values: dict[str, IndicatorValue], lang: str) -> pd.DataFrame:
    rows = []
    for tt, (key, value) in enumerate(values.items(), start=1):
        entry = REGISTRY[key]
        status, target = _status(entry, value)
        unit_vi, unit_en = _UNIT_TEXT.get(entry.unit, (f" {entry.unit}", f" {entry.unit}"))
        unit_text = unit_vi if lang == "vi" else unit_en
        result = "" if value.value is None else (
            fmt_number(value.value, lang, _DECIMALS.get(entry.unit, 0)) + unit_text)
        shortfall, shortfall_text = _shortfall(entry, value, status, target, lang)
        rows.append({
            "tt": tt, "indicator_id": key, "indicator_name": entry.name(lang),
            "result_text": result, "target_text": target.text(lang),
            "deadline_text": deadline_text(target.deadline, lang),
            "status_text": status_text(status, lang), "shortfall_text": shortfall_text,
            "detail": value.detail if value.value is not None else value.reason,
            "value": value.value, "unit": entry.unit, "target_value": target.value,
            "comparison": target.comparison, "status_code": status, "shortfall": shortfall,
            "as_of": value.as_of, "source": value.source, "plan_source": entry.source,
            "family": entry.family,
        })
    return pd.DataFrame(rows)


def _by_operator(values: dict[str, IndicatorValue], lang: str) -> pd.DataFrame:
    rows = []
    for key, value in values.items():
        if value.value is None or not value.by_operator:
            continue
        entry = REGISTRY[key]
        rows.append({"indicator_id": key, "indicator_name": entry.name(lang), "operator": ANY,
                     "value": value.value, "unit": entry.unit})
        for op, v in value.by_operator.items():
            rows.append({"indicator_id": key, "indicator_name": entry.name(lang), "operator": op,
                         "value": v, "unit": entry.unit})
    return pd.DataFrame(rows, columns=["indicator_id", "indicator_name", "operator", "value",
                                       "unit"])


def _merge(base: pd.DataFrame, extra: pd.DataFrame, key: str, fill_zero: bool = True
           ) -> pd.DataFrame:
    if extra is None or extra.empty and len(extra.columns) <= 1:
        return base
    extra = extra.copy()
    extra[key] = extra[key].astype(str)
    out = base.merge(extra, on=key, how="left")
    if fill_zero:
        for col in extra.columns:
            if col != key and not col.endswith("_pct") and pd.api.types.is_numeric_dtype(out[col]):
                out[col] = out[col].fillna(0)
    return out


def _communes(ctx: MetricContext) -> pd.DataFrame:
    table = population.commune_table(ctx).copy()
    table["commune_code"] = table["commune_code"].astype(str)
    province = ctx.province
    if province.hamlets is not None and "commune_code" in province.hamlets:
        table = _merge(table, hamlets.commune_columns(ctx), "commune_code")
    if ctx.population.source != "none":
        table = _merge(table, darkspots.commune_columns(ctx), "commune_code")
    if province.roads is not None:
        table = _merge(table, roads.commune_columns(ctx), "commune_code")
    if province.measurements is not None:
        table = _merge(table, measurements.commune_columns(ctx), "commune_code")
    return table


def _methodology(ctx: MetricContext) -> pd.DataFrame:
    """Every definition and setting used, one row each."""
    rows: list[dict[str, Any]] = []
    lang = ctx.lang

    def add(topic: str, item: str, value: Any, unit: str = "", note: str = "") -> None:
        rows.append({"topic": topic, "item": item, "value": "" if value is None else str(value),
                     "unit": unit, "note": note})

    grid = ctx.grid
    cov = ctx.text("vùng phủ", "coverage")
    add(cov, "crs", grid.crs)
    add(cov, "resolution_m", f"{abs(grid.transform.a):g} × {abs(grid.transform.e):g}", "m")
    add(cov, "grid_shape", f"{grid.shape[0]} × {grid.shape[1]}")
    add(cov, "operators", ", ".join(grid.operators))
    for tech, thr in sorted(grid.rsrp_threshold_dbm.items()):
        add(cov, f"rsrp_threshold_{tech}", thr, "dBm",
            ctx.text("ngưỡng RSRP của lưới vùng phủ", "RSRP threshold of the coverage grid"))
    add(cov, "min_dl_mbps", grid.min_dl_mbps, "Mbit/s",
        ctx.text("tốc độ tối thiểu để tính là băng rộng", "rate that counts as broadband"))
    for key in sorted(grid.settings):
        add(cov, key, grid.settings[key])
    if not grid.settings:
        add(cov, "settings", ctx.text("(lưới không ghi thông số mô hình)",
                                      "(the grid records no model settings)"))
    th = ctx.thresholds
    topic = ctx.text("ngưỡng", "thresholds")
    for f in dataclasses.fields(th):
        add(topic, f.name, getattr(th, f.name), f.metadata.get("unit", ""), f.metadata.get("doc", ""))
    pop = ctx.population
    topic = ctx.text("dân số", "population")
    source = {"raster": ctx.text("lưới dân số", "population raster"),
              "hamlets": ctx.text("dân số thôn (không có lưới dân số)",
                                  "hamlet populations (no population raster)"),
              "communes": ctx.text("dân số xã (không có lưới dân số, thôn)",
                                   "commune populations (no raster, no hamlet populations)"),
              "none": ctx.text("không có", "none")}[pop.source]
    add(topic, "source", source, note=str(pop.path or ""))
    add(topic, "source_total", round(pop.source_total), "people")
    add(topic, "grid_total", round(pop.grid_total), "people",
        ctx.text("chia lại lên lưới vùng phủ, bảo toàn tổng (theo diện tích chồng lấn)",
                 "resampled onto the coverage grid conserving totals (by overlap area)"))
    step = 0.5 * min(abs(grid.transform.a), abs(grid.transform.e))
    centres, how = places.district_centres(ctx)
    centre_names = ", ".join(ctx.communes["name"].iloc[centres].astype(str))
    topic = ctx.text("định nghĩa", "definitions")
    for item, vi, en in _definitions(th, step, how, centre_names):
        add(topic, item, vi if lang == "vi" else en)
    return pd.DataFrame(rows, columns=["topic", "item", "value", "unit", "note"])


def _definitions(th: Any, step_m: float, centres_how: str, centres: str
                 ) -> list[tuple[str, str, str]]:
    share = f"{100 * th.hamlet_covered_share:g} %"
    radius = f"{th.hamlet_radius_m:g} m"
    how_vi = {"setting": "theo thiết lập district_centres", "name": "xã mang tên huyện cũ",
              "none": "không xác định (thiếu cột former_district)"}[centres_how]
    how_en = {"setting": "from the district_centres setting",
              "name": "communes named like their former district",
              "none": "none (no former_district column)"}[centres_how]
    return [
        ("broadband", "Phủ sóng di động băng rộng: 4G hoặc 5G có RSRP ≥ ngưỡng của công nghệ và tốc "
         "độ tải xuống ≥ min_dl_mbps, ngoài trời, độ cao 1,5 m.",
         "Mobile broadband: 4G or 5G with RSRP ≥ the technology's threshold and download rate ≥ "
         "min_dl_mbps, outdoor, 1.5 m."),
        ("5g", "Phủ sóng 5G: SS-RSRP ≥ ngưỡng 5G; 5G ≥ 100 Mbps còn cần tốc độ ≥ poi_min_dl_mbps.",
         "5G coverage: SS-RSRP ≥ the 5G threshold; 5G at ≥ 100 Mbit/s also needs the rate ≥ "
         "poi_min_dl_mbps."),
        ("T1", "Dân số có 5G: tổng số người trong các ô lưới vùng phủ có 5G (lưới dân số chia lại "
         "bảo toàn tổng), theo xã (ô có tâm trong xã) và toàn tỉnh.",
         "People with 5G: people in coverage-grid cells with 5G (population raster resampled "
         "conserving totals), per commune (cells centred in it) and province."),
        ("T3", f"Thôn được phủ sóng khi tỷ lệ dân của thôn có băng rộng ≥ {share}; dân của thôn: ô "
         f"có tâm trong đa giác thôn, hoặc ô có tâm cách điểm thôn ≤ {radius} (luôn gồm ô chứa "
         "điểm); ô không có dân thì tính theo diện tích.",
         f"A hamlet is covered when the covered share of its people ≥ {share}; its people: cells "
         f"centred in its polygon, or cells centred within {radius} of its point (always its own "
         "cell); by area where those cells hold no people."),
        ("T6", f"Đoạn mất sóng theo lý trình: gộp đoạn cùng số hiệu (ref), cắt theo ranh giới "
         f"tỉnh, lấy mẫu mỗi {step_m:g} m (≤ nửa ô lưới); tuyến đạt khi không có đoạn mất sóng "
         f"> {th.road_gap_km:g} km. Lý trình tính từ đầu tuyến đã gộp, không theo cột km.",
         f"Road gaps by chainage: segments merged by ref, clipped to the province, sampled every "
         f"{step_m:g} m (≤ half a cell); a route passes with no gap > {th.road_gap_km:g} km. "
         "Chainage runs from the start of the merged line, not official km posts."),
        ("T7_P1", "Bệnh viện, trường đại học (T7): 5G và tốc độ ≥ poi_min_dl_mbps tại ô chứa điểm; "
         "UBND xã, cơ quan, trường học, trạm y tế (P1): băng rộng di động tại ô chứa điểm.",
         "Hospitals, universities (T7): 5G at ≥ poi_min_dl_mbps at the point's cell; commune "
         "offices, public offices, schools, health stations (P1): mobile broadband there."),
        ("T8", f"Phường của TP Thái Nguyên, Sông Công, Phổ Yên cũ và trung tâm huyện cũ ({how_vi}: "
         f"{centres or '—'}) đạt khi tỷ lệ dân có 5G ≥ {100 * th.residential_5g_share:g} %; điểm "
         "POI (loại other) đạt khi có 5G.",
         f"Wards of the former cities Thái Nguyên, Sông Công, Phổ Yên and former district centres "
         f"({how_en}: {centres or '—'}) pass with ≥ {100 * th.residential_5g_share:g} % of people "
         "with 5G; POIs (kind other) with 5G at their cell."),
        ("K1", f"KCN: hiện diện 5G khi có ít nhất một ô có 5G trong KCN; phủ hoàn toàn khi ≥ "
         f"{100 * th.park_full_share:g} % diện tích có 5G (K1b: ở tốc độ ≥ poi_min_dl_mbps).",
         f"Parks: 5G present with at least one 5G cell inside; full coverage with ≥ "
         f"{100 * th.park_full_share:g} % of the area (K1b: at ≥ poi_min_dl_mbps)."),
        ("D1", f"Vùng lõm/trắng sóng: vùng liền kề (8 hướng) các ô có người (≥ "
         f"{th.populated_min_per_km2:g} người/km²) không có băng rộng; liệt kê vùng có ≥ "
         f"{th.dark_spot_min_people:g} người; trắng sóng khi đa số dân không có tín hiệu nào (RSRP "
         f"< {th.usable_rsrp_dbm:g} dBm), còn lại là lõm sóng.",
         f"Dark spots: 8-connected areas of inhabited cells (≥ {th.populated_min_per_km2:g} "
         f"people/km²) without broadband, listed from {th.dark_spot_min_people:g} people; no "
         f"signal (trắng sóng) when most people have RSRP < {th.usable_rsrp_dbm:g} dBm, else weak "
         "signal (lõm sóng)."),
        ("Q1", "Điểm đo trái dự báo khi trạng thái đo (RSRP ≥ ngưỡng, tốc độ ≥ min_dl_mbps) khác "
         "trạng thái dự báo cùng nhà mạng, công nghệ; điểm yếu: điểm đo dưới ngưỡng; điểm đo "
         f"thuộc tuyến khi cách tuyến ≤ {measurements.ROUTE_SNAP_M:g} m.",
         "A test contradicts the prediction when its measured status (RSRP ≥ threshold, rate ≥ "
         "min_dl_mbps) differs from the predicted one for its operator and technology; weak "
         f"place: measured below the thresholds; a test belongs to a route within "
         f"{measurements.ROUTE_SNAP_M:g} m."),
    ]


def compute_indicators(province: Province, grid: CoverageGrid, lang: str = "vi"
                       ) -> IndicatorResults:
    """Compute every indicator of the registry.

    Parameters
    ----------
    province
        The province (working CRS); missing optional layers make their indicators "not
        computed" with the reason.
    grid
        Predicted coverage on a grid in the same CRS.
    lang
        ``"vi"`` or ``"en"``: language of the names, statuses and notes in the tables.

    Returns
    -------
    IndicatorResults
        Summary in the plans' appendix layout, detail tables and methodology.

    Raises
    ------
    InputError
        On an unknown language.
    CRSError
        If the grid and the province are not in the same CRS.
    """
    if lang not in LANGS:
        msg = f"lang = {lang!r}: choose one of {', '.join(LANGS)}"
        raise InputError(msg)
    # 0. inputs in one CRS
    check_same_crs(province.crs, grid.crs, "the province", "the coverage grid")
    ctx = MetricContext(province, grid, lang)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    # 1. people on the coverage grid, communes as a label raster
    _ = ctx.population, ctx.commune_label
    seconds["population"] = time.perf_counter() - t0
    # 2. every indicator of the registry (each family's tables are built on first use)
    values: dict[str, IndicatorValue] = {}
    for key, entry in REGISTRY.items():
        t0 = time.perf_counter()
        values[key] = evaluate(entry, ctx)
        seconds[entry.family] = seconds.get(entry.family, 0.0) + time.perf_counter() - t0
    # 3. detail tables of every family whose layers are present
    t0 = time.perf_counter()
    hamlet_t = hamlets.hamlet_table(ctx) if province.hamlets is not None else None
    routes_t = gaps_t = None
    if province.roads is not None:
        routes_t, gaps_t, _ = roads.route_tables(ctx)
        if province.measurements is not None:
            routes_t = _merge(routes_t, measurements.route_columns(ctx), "route")
    park_t = places.park_table(ctx) if province.parks is not None else None
    poi_t = places.poi_table(ctx) if province.pois is not None else None
    spots_t = darkspots.dark_spot_table(ctx) if ctx.population.source != "none" else None
    meas_t = measurements.measurement_table(ctx) if province.measurements is not None else None
    communes_t = _communes(ctx)
    seconds["tables"] = time.perf_counter() - t0
    # 4. the plan-layout summary, per-operator values and the methodology
    results = IndicatorResults(
        lang=lang, values=values, summary=_summary(values, lang), communes=communes_t,
        methodology=_methodology(ctx), by_operator=_by_operator(values, lang),
        hamlets=hamlet_t, routes=routes_t, road_gaps=gaps_t, parks=park_t, pois=poi_t,
        places=places.t8_places(ctx), dark_spots=spots_t, measurements=meas_t,
        reported=reported.reported_table(ctx), seconds=seconds)
    log.info("indicators: %s", results.info())
    return results
