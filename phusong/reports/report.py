"""The report a planner opens: an offline map, print maps, one HTML file and a PDF.

:func:`write_report` writes, for a province and its indicators, into one folder::

    map.html              the interactive map (phusong.maps.web), opens without the internet
    maps/province.png|pdf overview of dark spots and road gaps (A3)
    maps/communes.pdf     one A4 page per commune: hamlets by status, road gaps
    maps/commune_<code>.png  the commune pages shown in the report
    report.html           summary in the plans' appendix layout, shortfall charts, maps,
                          detail tables, methodology: one file (images embedded) to email
    report.pdf            the same pages for print (matplotlib PdfPages)
    indicators.xlsx, indicators.gpkg, csv/   the indicator tables (phusong.reports.tables)

:func:`run_report` is the whole flow from a scenario file (load, predict coverage, compute the
indicators, write the report); ``phusong report`` calls it.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from phusong._io import atomic_path, check_writable, write_text
from phusong.errors import InputError, PhusongError
from phusong.maps import _style as st
from phusong.metrics.results import fmt_number
from phusong.reports.labels import header

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    from matplotlib.figure import Figure

    from phusong.coverage.fiber import FiberReach
    from phusong.coverage.grid import CoverageGrid
    from phusong.layers.province import Province
    from phusong.maps.static import PrintMaps
    from phusong.metrics.results import IndicatorResults
    from phusong.planning.fiber import FiberPlan

__all__ = ["ReportFiles", "write_report", "run_report", "report_paths", "REPORT_HTML", "REPORT_PDF",
           "MAPS_DIR"]

log = logging.getLogger(__name__)

REPORT_HTML = "report.html"
REPORT_PDF = "report.pdf"
MAPS_DIR = "maps"
TEMPLATE = "report.html.j2"
ROAD_GAP_ROWS = 40
"""Road gaps over the limit listed in the report (the longest; every gap is in the tables)."""

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("Hạ tầng viễn thông so với mục tiêu kế hoạch",
              "Telecom infrastructure against the plan targets"),
    "summary": ("Tổng hợp kết quả thực hiện chỉ tiêu", "Indicator summary"),
    "shortfalls": ("Thiếu hụt theo xã, phường", "Shortfall by commune"),
    "communes": ("Chỉ tiêu theo xã, phường", "Indicators by commune"),
    "maps": ("Bản đồ", "Maps"),
    "dark_spots": ("Vùng lõm, trắng sóng lớn nhất", "Largest dark spots"),
    "road_gaps": ("Đoạn đường mất sóng liên tục vượt ngưỡng", "Road gaps over the limit"),
    "parks": ("Khu công nghiệp", "Industrial parks"),
    "methodology": ("Phương pháp và thông số", "Methodology and settings"),
    "counts": ("{met} chỉ tiêu đạt, {not_met} chưa đạt, {nc} không tính được",
               "{met} met, {not_met} not met, {nc} not computed"),
    "generated": ("Lập ngày {date} bằng phusong {version}; kịch bản: {scenario}",
                  "Made on {date} with phusong {version}; scenario: {scenario}"),
    "interactive": ("Bản đồ tương tác (mở được khi không có Internet): {path}",
                    "Interactive map (opens without the internet): {path}"),
    "all_communes": ("Bản đồ từng xã, phường: {path} ({n} trang). Dưới đây: {k} xã thiếu hụt "
                     "nhiều nhất.",
                     "Every commune: {path} ({n} pages). Below: the {k} communes with the largest "
                     "shortfall."),
    "scale": ("Thang màu RSRP trên bản đồ tương tác (cố định, dBm): {classes}. Ô dưới −130 dBm hoặc không "
              "có dự báo để trống.",
              "RSRP colours on the interactive map (fixed, dBm): {classes}. Cells below −130 dBm or "
              "without a prediction are blank."),
    "shortfall_note": ("Các xã có thiếu hụt lớn nhất theo từng chỉ tiêu (tối đa {n} xã mỗi biểu đồ).",
                       "Communes with the largest shortfall per indicator (at most {n} per chart)."),
    "dark_spot_rows": ("{n} vùng; hiển thị {k} vùng nhiều dân nhất.",
                       "{n} spots; the {k} with most people shown."),
    "gap_rows": ("{n} đoạn; hiển thị {k} đoạn dài nhất (đủ danh sách trong indicators.xlsx).",
                 "{n} gaps; the {k} longest shown (all of them in indicators.xlsx)."),
    "none": ("Không có.", "None."),
}


def _t(key: str, lang: str, **values: Any) -> str:
    vi, en = _TEXT[key]
    return (vi if lang == "vi" else en).format(**values)


@dataclass(frozen=True)
class ReportFiles:
    """What :func:`write_report` wrote."""

    out_dir: Path
    map_html: Path
    report_html: Path
    report_pdf: Path
    maps: PrintMaps
    tables: dict[str, Path] = field(default_factory=dict)
    pdf_pages: tuple[str, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)

    def all(self) -> list[Path]:
        """Every file written."""
        return [self.map_html, self.report_html, self.report_pdf, *self.maps.all(),
                *self.tables.values()]

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [f"Report written to {self.out_dir}",
                 f"  report:      {self.report_html} ({self.report_pdf.name}, {len(self.pdf_pages)} pages)",
                 f"  map:         {self.map_html}",
                 f"  print maps:  {self.out_dir / MAPS_DIR} ({len(self.maps.all())} files)"]
        if "xlsx" in self.tables:
            lines.append(f"  tables:      {self.tables['xlsx']}")
        lines.append("  time: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items()))
        return "\n".join(lines)


def report_paths(out_dir: str | os.PathLike[str], tables: bool = True) -> dict[str, Path]:
    """The fixed files of a report folder (commune PNGs depend on the province)."""
    from phusong.maps.web import MAP_FILE

    out = Path(out_dir)
    paths = {"map": out / MAP_FILE, "html": out / REPORT_HTML, "pdf": out / REPORT_PDF,
             "province_png": out / MAPS_DIR / "province.png",
             "province_pdf": out / MAPS_DIR / "province.pdf",
             "communes_pdf": out / MAPS_DIR / "communes.pdf"}
    if tables:
        from phusong.metrics.results import IndicatorResults
        from phusong.reports.tables import output_paths

        paths |= {f"table:{k}": v for k, v in output_paths(out, list(IndicatorResults.TABLES)).items()}
    return paths


# --- the report ------------------------------------------------------------------------------

def write_report(
    province: Province,
    results: IndicatorResults,
    out_dir: str | os.PathLike[str],
    grid: CoverageGrid | None = None,
    *,
    lang: str | None = None,
    indicator: str = "pop_5g_pct",
    report_maps: int = 6,
    tables: bool = True,
    overwrite: bool = False,
    created: str | None = None,
    fiber: FiberReach | None = None,
    fiber_plan: FiberPlan | None = None,
    proposals: gpd.GeoDataFrame | None = None,
    progress: bool = False,
) -> ReportFiles:
    """Write the map, the print maps, ``report.html``, ``report.pdf`` and the indicator tables.

    Parameters
    ----------
    province
        The province (working CRS).
    results
        Its indicators (:func:`phusong.metrics.compute_indicators`).
    out_dir
        Output folder (created if needed).
    grid
        The coverage grid behind the results (raster overlays on the map); optional.
    lang
        ``"vi"`` or ``"en"``; default: the results' language.
    indicator
        Commune column the map opens with (see :func:`phusong.maps.web.web_map`).
    report_maps
        Commune pages embedded in the report (the communes with the largest shortfall); every
        commune is in ``maps/communes.pdf``.
    tables
        Also write the indicator tables (XLSX, CSV, GeoPackage).
    overwrite
        Replace the files of an earlier run; without it an existing file stops the call before
        anything is written.
    created
        Date printed on the report (ISO); default: today.
    fiber, fiber_plan
        Fiber reach and extension plan, drawn on the interactive map when given.
    proposals
        Proposed BTS sites (:func:`phusong.planning.proposals_layer`), drawn on the interactive
        map when given.
    progress
        Show a progress bar over the commune pages.

    Returns
    -------
    ReportFiles

    Raises
    ------
    OutputExistsError
        If an output exists and ``overwrite`` is false.
    InputError
        If ``lang`` or ``indicator`` is not known.
    """
    from phusong.maps._base import base_layers
    from phusong.maps.static import commune_map, province_map, write_print_maps
    from phusong.maps.web import write_web_map
    from phusong.reports._charts import worst_communes

    lang = lang or results.lang
    if lang not in ("vi", "en"):
        msg = f"lang must be 'vi' or 'en', not {lang!r}"
        raise InputError(msg)
    out = Path(out_dir)
    seconds: dict[str, float] = {}
    shown = worst_communes(results, report_maps) if report_maps > 0 else []
    # 0. every output checked before anything is written
    for path in report_paths(out, tables).values():
        check_writable(path, overwrite)
    for code in shown:
        check_writable(out / MAPS_DIR / f"commune_{code}.png", overwrite)
    # 1. the base layers once (communes, roads, rivers), shared by every map
    t0 = time.perf_counter()
    base = base_layers(province)
    seconds["base"] = time.perf_counter() - t0
    # 2. the interactive map
    t0 = time.perf_counter()
    map_html = write_web_map(out / "map.html", province, results, grid, lang=lang, indicator=indicator,
                             base=base, fiber=fiber, fiber_plan=fiber_plan, proposals=proposals,
                             overwrite=overwrite)
    seconds["map"] = time.perf_counter() - t0
    # 3. print maps: the overview and one page per commune (PNGs for those the report shows)
    t0 = time.perf_counter()
    figures: dict[str, Figure] = {}
    maps = write_print_maps(province, results, out / MAPS_DIR, lang=lang, base=base, png_communes=shown,
                            overwrite=overwrite, progress=progress, keep=figures)
    seconds["print_maps"] = time.perf_counter() - t0
    # 4. the indicator tables
    table_files: dict[str, Path] = {}
    if tables:
        from phusong.reports.tables import write_indicator_tables

        t0 = time.perf_counter()
        table_files = write_indicator_tables(results, out, lang=lang, overwrite=overwrite)
        seconds["tables"] = time.perf_counter() - t0
    # 5. report.pdf: summary, shortfall charts, maps, detail tables, methodology
    t0 = time.perf_counter()
    context = _context(province, results, lang, created, maps, shown, out)
    pages: list[tuple[str, Figure]] = []
    pages += _summary_pages(results, lang, context)
    pages.append((_t("shortfalls", lang), context["chart_fig"]))
    overview = figures.get("province") or province_map(province, results, lang=lang, base=base)
    pages.append((overview.texts[0].get_text(), overview))
    for code in shown:
        fig = figures.get(code) or commune_map(province, results, code, lang=lang, base=base)
        pages.append((fig.texts[0].get_text(), fig))
    pages += _detail_pages(context, lang)
    report_pdf = _write_pdf(out / REPORT_PDF, pages, context["title"], overwrite)
    seconds["pdf"] = time.perf_counter() - t0
    # 6. report.html: the same content, images embedded, one file
    t0 = time.perf_counter()
    report_html = write_text(out / REPORT_HTML, _render_html(context), overwrite=overwrite)
    seconds["html"] = time.perf_counter() - t0
    log.info("report written to %s (%s)", out, ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items()))
    return ReportFiles(out, map_html, report_html, report_pdf, maps, table_files,
                       tuple(title for title, _ in pages), seconds)


def _png(fig: Figure, dpi: float = 110) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": "phusong (matplotlib)"})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _file_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _num(v: Any, lang: str, decimals: int = 0, unit: str = "") -> str:
    if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)):
        return ""
    return fmt_number(float(v), lang, decimals) + (f" {unit}" if unit else "")


def _table(frame: pd.DataFrame | None, columns: list[tuple[str, Callable[[pd.Series], str]]],
           lang: str) -> dict[str, Any]:
    """A table for the template and the PDF: headers and rows of text."""
    heads = [header(name, lang) for name, _ in columns]
    rows = [] if frame is None else [[fmt(row) for _, fmt in columns] for _, row in frame.iterrows()]
    return {"headers": heads, "rows": rows, "keys": [name for name, _ in columns]}


def _context(province: Province, results: IndicatorResults, lang: str, created: str | None,
             maps: PrintMaps, shown: list[str], out: Path) -> dict[str, Any]:
    """Everything the HTML template and the PDF pages print."""
    from phusong import __version__
    from phusong.coverage.grid import ANY
    from phusong.maps.static import source_note
    from phusong.reports._charts import shortfall_figure

    name = province.scenario.province.name
    info = results.info()
    yes_no = lambda v: st.yes_no(None if pd.isna(v) else bool(v), lang)  # noqa: E731
    summary = results.summary
    c = results.communes
    communes = _table(c, [
        ("commune_code", lambda r: str(r["commune_code"])), ("name", lambda r: str(r["name"])),
        ("people", lambda r: _num(r.get("people"), lang)),
        ("pop_5g_pct", lambda r: _num(r.get("pop_5g_pct"), lang, 1)),
        ("pop_broadband_pct", lambda r: _num(r.get("pop_broadband_pct"), lang, 1)),
        ("hamlets_covered",
         lambda r: f"{_num(r.get('hamlets_covered'), lang)}/{_num(r.get('hamlets'), lang)}"),
        ("dark_spot_people", lambda r: _num(r.get("dark_spot_people"), lang)),
        ("road_gap_over_km", lambda r: _num(r.get("road_gap_over_km"), lang, 1)),
        ("t1_met", lambda r: yes_no(r.get("t1_met"))),
    ], lang)
    spots = results.dark_spots
    top_spots = None if spots is None else spots.sort_values("rank").head(20)
    dark = _table(top_spots, [
        ("rank", lambda r: str(r["rank"])), ("kind_text", lambda r: str(r["kind_text"])),
        ("communes", lambda r: str(r["communes"])), ("people", lambda r: _num(r["people"], lang)),
        ("area_km2", lambda r: _num(r["area_km2"], lang, 2)),
        ("hamlet_names", lambda r: st.join_limited(str(r.get("hamlet_names") or "").split("; "), 90)),
    ], lang)
    gaps = results.road_gaps
    over = None
    if gaps is not None:
        over = gaps.loc[(gaps["operator"].astype(str) == ANY) & gaps["over_limit"].astype(bool)]
        over = over.sort_values("gap_km", ascending=False)
    n_over = 0 if over is None else len(over)
    over = None if over is None else over.head(ROAD_GAP_ROWS)
    road = _table(over, [
        ("route", lambda r: str(r["route"])), ("name", lambda r: str(r.get("name") or "")),
        ("start_km", lambda r: _num(r["start_km"], lang, 2)),
        ("end_km", lambda r: _num(r["end_km"], lang, 2)),
        ("gap_km", lambda r: _num(r["gap_km"], lang, 2)),
        ("communes", lambda r: str(r.get("communes") or "")),
    ], lang)
    parks = _table(results.parks, [
        ("name", lambda r: str(r["name"])), ("status", lambda r: st.word(str(r.get("status")), lang)),
        ("has_5g", lambda r: yes_no(r.get("has_5g"))),
        ("share_5g_pct", lambda r: _num(r.get("share_5g_pct"), lang, 1)),
        ("full_5g", lambda r: yes_no(r.get("full_5g"))), ("status_text", lambda r: str(r.get("status_text"))),
    ], lang) if results.parks is not None else None
    meth = _table(results.methodology, [
        ("topic", lambda r: str(r["topic"])), ("item", lambda r: str(r["item"])),
        ("value", lambda r: str(r["value"])), ("unit", lambda r: str(r.get("unit") or "")),
        ("note", lambda r: str(r.get("note") or "")),
    ], lang)
    chart_fig = shortfall_figure(results, lang, title=_t("shortfalls", lang))
    title = f"{name} – {_t('title', lang)}"
    classes = "; ".join(f"{label} {colour}" for label, colour in
                        zip(st.rsrp_class_labels(lang), [c.colour for c in st.RSRP_CLASSES_DBM], strict=True))
    rel_map = os.path.relpath(out / "map.html", out)
    return {
        "lang": lang, "title": title, "province": name,
        "generated": _t("generated", lang, date=created or dt.date.today().isoformat(), version=__version__,
                        scenario=Path(province.scenario.source).name if province.scenario.source else "—"),
        "counts": _t("counts", lang, met=info["met"], not_met=info["not_met"], nc=info["not_computed"]),
        "summary_headers": [header(k, lang) for k in ("tt", "indicator_id", "indicator_name", "result_text",
                                                      "target_text", "deadline_text", "status_text",
                                                      "shortfall_text", "detail")],
        "summary": summary.to_dict("records"),
        "chart_fig": chart_fig, "chart": _png(chart_fig),
        "shortfall_note": _t("shortfall_note", lang, n=15),
        "overview": _file_uri(maps.province_png),
        "commune_maps": [_file_uri(maps.commune_pngs[c]) for c in shown if c in maps.commune_pngs],
        "all_communes": _t("all_communes", lang, path=f"{MAPS_DIR}/communes.pdf",
                           n=len(results.communes), k=len(shown)),
        "interactive": _t("interactive", lang, path=rel_map),
        "communes": communes, "dark_spots": dark, "road_gaps": road, "parks": parks, "methodology": meth,
        "dark_note": _t("dark_spot_rows", lang, n=0 if spots is None else len(spots),
                        k=0 if top_spots is None else len(top_spots)),
        "gap_note": _t("gap_rows", lang, n=n_over, k=0 if over is None else len(over)),
        "scale_note": _t("scale", lang, classes=classes),
        "source": source_note(province, results, lang),
        "headings": {k: _t(k, lang) for k in ("summary", "shortfalls", "communes", "maps", "dark_spots",
                                               "road_gaps", "parks", "methodology", "none")},
    }


def _summary_pages(results: IndicatorResults, lang: str, context: dict[str, Any]) -> list[tuple[str, Figure]]:
    from phusong.reports._charts import table_pages

    cols = [("tt", 0.35), ("indicator_id", 0.5), ("indicator_name", 3.4), ("result_text", 1.1),
            ("target_text", 1.2), ("deadline_text", 0.95), ("status_text", 0.9), ("shortfall_text", 1.1),
            ("detail", 3.2)]
    return table_pages(results.summary, cols, lang, context["title"],
                       subtitle=f"{_t('summary', lang)} · {context['counts']} · {context['generated']}",
                       status_column="status_text")


def _detail_pages(context: dict[str, Any], lang: str) -> list[tuple[str, Figure]]:
    from phusong.reports._charts import table_pages

    pages = []
    for key, widths in (("communes", (0.7, 1.6, 1.0, 0.9, 0.9, 0.9, 1.0, 1.0, 0.6)),
                        ("dark_spots", (0.4, 0.8, 1.8, 0.8, 0.7, 3.5)),
                        ("road_gaps", (0.7, 1.8, 0.7, 0.7, 0.7, 2.5)),
                        ("parks", (2.0, 1.0, 0.6, 0.8, 0.8, 0.8)),
                        ("methodology", (0.8, 1.2, 2.2, 0.5, 4.5))):
        table = context[key]
        if table is None or not table["rows"]:
            continue
        frame = pd.DataFrame(table["rows"], columns=table["keys"])
        pages += table_pages(frame, list(zip(table["keys"], widths, strict=True)), lang,
                             context["headings"][key], subtitle=context["province"])
    return pages


def _write_pdf(path: Path, pages: list[tuple[str, Figure]], title: str, overwrite: bool) -> Path:
    from matplotlib.backends.backend_pdf import PdfPages

    meta = {"Title": title, "Creator": "phusong", "Producer": "phusong (matplotlib)", "CreationDate": None}
    with atomic_path(path, overwrite) as tmp:
        with PdfPages(tmp, metadata=meta) as pdf:
            for _, fig in pages:
                pdf.savefig(fig)
    return path


def _render_html(context: dict[str, Any]) -> str:
    import jinja2

    source = resources.files("phusong").joinpath("templates", TEMPLATE).read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    return env.from_string(source).render(**{k: v for k, v in context.items() if k != "chart_fig"})


# --- from a scenario file --------------------------------------------------------------------

def _engine(resolution_m: float | None, progress: bool) -> Callable[[Province], CoverageGrid]:
    """``phusong.coverage.engine.predict_coverage``, or a clear error when it is not available."""
    try:
        from phusong.coverage.engine import predict_coverage
    except ImportError as e:
        msg = ("the coverage engine (phusong.coverage.engine.predict_coverage) is not available in "
               "this installation; update phusong, or call phusong.reports.write_report with a "
               "CoverageGrid of your own")
        raise PhusongError(msg) from e

    def predict(province: Province) -> CoverageGrid:
        return predict_coverage(province, resolution_m=resolution_m, progress=progress)

    return predict


def run_report(
    scenario: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    lang: str = "vi",
    indicator: str = "pop_5g_pct",
    overwrite: bool = False,
    tables: bool = True,
    resolution_m: float | None = None,
    predict: Callable[[Province], CoverageGrid] | None = None,
    progress: bool = False,
) -> ReportFiles:
    """Load a scenario, predict coverage, compute the indicators and write the report.

    Parameters
    ----------
    scenario
        ``scenario.toml``.
    out_dir
        Output folder.
    lang
        ``"vi"`` or ``"en"``.
    indicator
        Commune column the map opens with.
    overwrite
        Replace the files of an earlier run.
    tables
        Also write the indicator tables.
    resolution_m
        Coverage cell size in metres (default: the scenario's ``radio.resolution_m``).
    predict
        Coverage prediction to use instead of :func:`phusong.coverage.engine.predict_coverage`
        (a function of the province returning a ``CoverageGrid``).
    progress
        Progress bars.

    Raises
    ------
    OutputExistsError
        If an output exists and ``overwrite`` is false (checked before any work).
    """
    from phusong.layers.validate import load_province
    from phusong.metrics import compute_indicators

    # refuse to touch an earlier run before the (long) coverage prediction
    for path in report_paths(out_dir, tables).values():
        check_writable(path, overwrite)
    if lang not in ("vi", "en"):
        msg = f"lang must be 'vi' or 'en', not {lang!r}"
        raise InputError(msg)
    predict = predict or _engine(resolution_m, progress)
    # 1. the province's layers, checked
    province = load_province(scenario, progress=progress)
    # 2. coverage of every operator and technology
    grid = predict(province)
    # 3. every plan indicator
    results = compute_indicators(province, grid, lang=lang)
    # 4. fiber reach and the extension plan, for the map (skipped without roads or fiber nodes)
    fiber, plan = fiber_for_map(province)
    # 5. maps, report and tables
    return write_report(province, results, out_dir, grid, lang=lang, indicator=indicator, tables=tables,
                        overwrite=overwrite, fiber=fiber, fiber_plan=plan, progress=progress)


def fiber_for_map(province: Province) -> tuple[FiberReach | None, FiberPlan | None]:
    """Fiber reach and the extension plan of a province, or ``None`` where they cannot be made."""
    if province.roads is None or province.fiber_nodes is None:
        return None, None
    from phusong.coverage.fiber import fiber_reach
    from phusong.planning.fiber import plan_fiber_extension

    try:
        reach = fiber_reach(province)
    except PhusongError as e:
        log.warning("fiber reach not drawn on the map: %s", e)
        return None, None
    try:
        plan = plan_fiber_extension(province, reach)
    except PhusongError as e:
        log.warning("fiber extension plan not drawn on the map: %s", e)
        return reach, None
    return reach, plan
