"""Print maps (matplotlib): the province overview and one page per commune, A4 or A3.

Every page has a title with the key figures, the map (grid north up, UTM metres), a legend, a
scale bar, a north arrow and a source note naming the scenario and the coverage model:

* :func:`province_map`: dark spots (trắng sóng / lõm sóng, the largest numbered and listed) and
  road gaps longer than the limit, over communes, rivers and the main roads;
* :func:`commune_map`: one commune with its hamlets by status (names written), road gaps, dark
  spots, priority places and sites, its neighbours greyed; the hamlets without broadband and
  the road gaps are listed beside the map;
* :func:`write_print_maps`: the overview as PNG and PDF, every commune as a PNG and as a page of
  one multi-page PDF.

Figures are :class:`matplotlib.figure.Figure` objects built without pyplot (no global state);
fonts, sizes and colours are fixed here so that the output does not depend on the user's
matplotlib settings (the golden-image tests rely on it).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from phusong._io import atomic_path, check_writable
from phusong.errors import InputError
from phusong.maps import _draw
from phusong.maps import _style as st
from phusong.maps._base import BaseLayers, base_layers, check_metric
from phusong.metrics.results import fmt_number

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from phusong.layers.province import Province
    from phusong.metrics.results import IndicatorResults

__all__ = ["PAPER_MM", "PrintMaps", "province_map", "commune_map", "write_print_maps", "RC"]

log = logging.getLogger(__name__)

PAPER_MM = _draw.PAPER_MM
RC = _draw.RC


@dataclass(frozen=True)
class PrintMaps:
    """Files :func:`write_print_maps` wrote."""

    province_png: Path
    province_pdf: Path
    communes_pdf: Path | None
    commune_pngs: dict[str, Path] = field(default_factory=dict)

    def all(self) -> list[Path]:
        """Every file, overview first."""
        out = [self.province_png, self.province_pdf]
        if self.communes_pdf is not None:
            out.append(self.communes_pdf)
        return out + list(self.commune_pngs.values())


# --- page furniture ---------------------------------------------------------------------------


def source_note(province: Province, results: IndicatorResults, lang: str) -> str:
    """The source line printed on every page and in the report."""
    from phusong import __version__

    model = coverage_model(results)
    scenario = Path(province.scenario.source).name if province.scenario.source else "—"
    grid = st.text("grid_note", lang, crs=province.crs)
    return st.text("source_note", lang, scenario=scenario, model=model, version=__version__) + " " + grid


def coverage_model(results: IndicatorResults) -> str:
    """The coverage model named in the results' methodology (``"—"`` when absent)."""
    meth = results.methodology
    if meth is not None and not meth.empty and "item" in meth:
        row = meth.loc[meth["item"].astype(str) == "model"]
        if not row.empty:
            return str(row["value"].iloc[0])
    return "—"


# --- drawing the layers -----------------------------------------------------------------------

def _clip(frame: gpd.GeoDataFrame | None, bounds: tuple[float, float, float, float]
          ) -> gpd.GeoDataFrame | None:
    if frame is None or frame.empty:
        return None
    xmin, ymin, xmax, ymax = bounds
    out = frame.cx[xmin:xmax, ymin:ymax]
    return out if not out.empty else None


def _draw_base(ax: Axes, base: BaseLayers, bounds: tuple[float, float, float, float], scale: float,
               road_classes: Iterable[str]) -> None:
    rivers = _clip(base.rivers, bounds)
    if rivers is not None:
        major = rivers["major"].astype(bool).to_numpy()
        _draw.add_lines(ax, rivers.geometry, st.RIVER_COLOUR, np.where(major, 1.3, 0.6) * scale, 3)
    roads = _clip(base.roads, bounds)
    if roads is not None:
        roads = roads.loc[roads["class"].astype(str).isin(list(road_classes))]
        for cls in [c for c in st.ROAD_STYLE if c in set(roads["class"].astype(str))][::-1]:
            pick = roads.loc[roads["class"].astype(str) == cls]
            colour, width = st.ROAD_STYLE[cls]
            _draw.add_lines(ax, pick.geometry, colour, width * 0.45 * scale, 4)


def _draw_gaps(ax: Axes, results: IndicatorResults, bounds: tuple[float, float, float, float],
               scale: float, under: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    gaps = results.road_gaps
    empty = pd.DataFrame()
    if gaps is None:
        return empty, empty
    if "operator" in gaps:
        from phusong.coverage.grid import ANY

        gaps = gaps.loc[gaps["operator"].astype(str) == ANY]
    gaps = _clip(gaps, bounds)
    if gaps is None:
        return empty, empty
    over = gaps.loc[gaps["over_limit"].astype(bool)]
    short = gaps.loc[~gaps["over_limit"].astype(bool)]
    if under and not short.empty:
        _draw.add_lines(ax, short.geometry, st.GAP_COLOURS["under"], 1.6 * scale, 6)
    if not over.empty:
        _draw.add_lines(ax, over.geometry, st.GAP_COLOURS["over"], 2.6 * scale, 7)
    return over, short


def _draw_dark_spots(ax: Axes, results: IndicatorResults, bounds: tuple[float, float, float, float]
                     ) -> pd.DataFrame:
    spots = _clip(results.dark_spots, bounds)
    if spots is None:
        return pd.DataFrame()
    colours = [st.DARK_SPOT_COLOURS.get(k, st.DARK_SPOT_COLOURS["lom_song"])
               for k in spots["kind"].astype(str)]
    _draw.add_polygons(ax, spots.geometry, colours, colours, 0.3, 5, alpha=0.75)
    return spots


def _handles(lang: str, scale: float, hamlets: bool, pois: bool, under: bool, rivers_key: str,
             sites: bool, limit: str) -> list[tuple[str, dict[str, Any], str]]:
    t = st.text
    h: list[tuple[str, dict[str, Any], str]] = []

    def marker(shape: str, ms: float, mfc: str, mec: str, label: str) -> None:
        h.append(("marker", {"marker": shape, "ms": ms * scale, "mfc": mfc, "mec": mec}, label))

    if hamlets:
        marker("o", 5, st.STATUS_COLOURS["met"], "#222", t("hamlet_covered", lang))
        marker("o", 5, st.STATUS_COLOURS["not_met"], "#222", t("hamlet_not_covered", lang))
    if pois:
        marker("s", 5, st.STATUS_COLOURS["met"], "black", f"{t('pois', lang)}: {t('poi_met', lang)}")
        marker("s", 5, st.STATUS_COLOURS["not_met"], "black",
               f"{t('pois', lang)}: {t('poi_not_met', lang)}")
    if sites:
        marker("^", 4, "#222", "#222", t("sites_all", lang))
    h += [("patch", {"fc": st.DARK_SPOT_COLOURS["trang_song"], "alpha": 0.75}, t("trang_song", lang)),
          ("patch", {"fc": st.DARK_SPOT_COLOURS["lom_song"], "alpha": 0.75}, t("lom_song", lang)),
          ("line", {"color": st.GAP_COLOURS["over"], "lw": 2.6 * scale}, t("gaps_over", lang, limit=limit))]
    if under:
        h.append(("line", {"color": st.GAP_COLOURS["under"], "lw": 1.6 * scale},
                  t("gaps_under", lang, limit=limit)))
    for cls in ("expressway", "national", "provincial"):
        colour, width = st.ROAD_STYLE[cls]
        h.append(("line", {"color": colour, "lw": width * 0.45 * scale},
                  f"{t('roads', lang)}: {_road_word(cls, lang)}"))
    h.append(("line", {"color": st.RIVER_COLOUR, "lw": 1.3 * scale}, t(rivers_key, lang)))
    return h


_ROAD_WORDS = {"expressway": ("cao tốc", "expressway"), "national": ("quốc lộ", "national"),
               "provincial": ("đường tỉnh", "provincial"), "district": ("đường huyện", "district"),
               "local": ("đường xã, thôn", "local")}


def _road_word(cls: str, lang: str) -> str:
    pair = _ROAD_WORDS.get(cls, (cls, cls))
    return pair[0] if lang == "vi" else pair[1]


def _limit_text(province: Province, lang: str) -> str:
    km = province.scenario.thresholds.road_gap_km
    return fmt_number(km, lang, 0 if float(km).is_integer() else 1)


def _rivers_key(base: BaseLayers) -> str:
    return "rivers_dem" if base.rivers_source == "dem" else "rivers"


def _value(results: IndicatorResults, indicator_id: str) -> str:
    row = results.summary.loc[results.summary["indicator_id"] == indicator_id]
    if row.empty or not str(row["result_text"].iloc[0]):
        return "—"
    return f"{row['result_text'].iloc[0]} ({row['status_text'].iloc[0]})"


# --- the pages --------------------------------------------------------------------------------

def province_map(province: Province, results: IndicatorResults, *, lang: str | None = None,
                 base: BaseLayers | None = None, paper: str = "A3", top_n: int = 20) -> Figure:
    """The province overview: dark spots and road gaps over the limit.

    Parameters
    ----------
    province, results
        The province and its indicators.
    lang
        ``"vi"`` or ``"en"``; default: the results' language.
    base
        Base layers (computed when ``None``).
    paper
        ``"A4"`` or ``"A3"``; the orientation follows the province's shape.
    top_n
        Dark spots numbered on the map and listed beside it.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib import rc_context

    lang = lang or results.lang
    check_metric(province.crs, "print map")
    base = base if base is not None else base_layers(province)
    xmin, ymin, xmax, ymax = province.communes.total_bounds
    portrait = (ymax - ymin) > (xmax - xmin) * 1.05
    scale = 1.0 if paper == "A3" else 0.8
    with rc_context(RC):
        fig = _draw.page(paper, portrait)
        ax, panel = _draw.layout(fig, scale)
        bounds = (xmin, ymin, xmax, ymax)
        _draw.frame(ax, bounds, 0.02)
        view = (*ax.get_xlim(), *ax.get_ylim())
        view_bounds = (view[0], view[2], view[1], view[3])
        _draw.add_polygons(ax, base.communes.geometry, "#fbfaf6", "none", 0.0, 1)
        _draw_base(ax, base, view_bounds, scale, ("expressway", "national", "provincial"))
        spots = _draw_dark_spots(ax, results, view_bounds)
        over, _ = _draw_gaps(ax, results, view_bounds, scale, under=False)
        _draw.add_lines(ax, base.communes.boundary, "#6b6b6b", 0.35 * scale, 8)
        pts = base.communes.representative_point()
        for (x, y), name in zip(zip(pts.x, pts.y, strict=True), base.communes["name"], strict=True):
            ax.text(x, y, str(name), fontsize=4.6 * scale, ha="center", va="center", color="#444",
                    zorder=9)
        lines = []
        if not spots.empty:
            top = spots.sort_values("rank").head(top_n)
            centres = top.representative_point()
            for (x, y), rank in zip(zip(centres.x, centres.y, strict=True), top["rank"], strict=True):
                ax.annotate(str(rank), (x, y), fontsize=5.6 * scale, ha="center", va="center",
                            zorder=12, fontweight="bold",
                            bbox={"boxstyle": "circle,pad=0.18", "fc": "white", "ec": "#333", "lw": 0.5})
            people = st.text("people", lang)
            lines = [f"{r}. {c}: {fmt_number(p, lang)} {people} ({k})" for r, c, p, k in
                     zip(top["rank"], top["communes"], top["people"], top["kind_text"], strict=True)]
        _draw.scale_bar(ax, lang, scale)
        _draw.north_arrow(ax, lang, scale)
        ax.set_xlabel("")
        ax.set_ylabel("")
        limit = _limit_text(province, lang)
        handles = _handles(lang, scale, False, False, False, _rivers_key(base), False, limit)
        y = _draw.legend(panel, handles, st.text("legend", lang), scale)
        y = _draw.list_block(panel, y, st.text("dark_spots", lang), lines, scale, top_n)
        if not over.empty:
            gap_lines = [f"{r}: {fmt_number(k, lang, 1)} km ({c})" for r, k, c in
                         zip(over["route"], over["gap_km"], over.get("communes", over["route"]),
                             strict=True)]
            order = np.argsort(-over["gap_km"].to_numpy())
            _draw.list_block(panel, y, st.text("gaps_over", lang, limit=limit),
                        [gap_lines[i] for i in order], scale, 18)
        name = province.scenario.province.name
        d1 = results.values.get("D1")
        sub = (f"D1: {_value(results, 'D1')} · T6: {_value(results, 'T6')} · "
               f"T1: {_value(results, 'T1')} · T3: {_value(results, 'T3')}")
        if d1 is not None and d1.detail:
            sub += f"\n{d1.detail}"
        _draw.title(fig, f"{name} – {st.text('province_map', lang)}", sub, scale)
        _draw.footer(fig, source_note(province, results, lang), scale)
    return fig


def commune_map(province: Province, results: IndicatorResults, commune_code: str, *,
                lang: str | None = None, base: BaseLayers | None = None, paper: str = "A4") -> Figure:
    """One commune: hamlets by status, road gaps, dark spots, priority places, sites.

    Parameters
    ----------
    province, results
        The province and its indicators.
    commune_code
        The commune (``commune_code`` of the communes layer).
    lang
        ``"vi"`` or ``"en"``; default: the results' language.
    base
        Base layers (computed when ``None``).
    paper
        ``"A4"`` or ``"A3"``.

    Raises
    ------
    InputError
        If there is no commune with this code.
    """
    from matplotlib import rc_context

    lang = lang or results.lang
    check_metric(province.crs, "print map")
    base = base if base is not None else base_layers(province)
    communes = base.communes
    me = communes.loc[communes["commune_code"].astype(str) == str(commune_code)]
    if me.empty:
        msg = f"no commune with commune_code {commune_code!r} in the communes layer"
        raise InputError(msg)
    row = results.communes.loc[results.communes["commune_code"].astype(str) == str(commune_code)]
    info = row.iloc[0] if not row.empty else pd.Series(dtype=object)
    xmin, ymin, xmax, ymax = me.total_bounds
    portrait = (ymax - ymin) > (xmax - xmin) * 1.15
    scale = 1.0 if paper == "A4" else 1.25
    t = st.text
    with rc_context(RC):
        fig = _draw.page(paper, portrait)
        ax, panel = _draw.layout(fig, scale)
        _draw.frame(ax, (xmin, ymin, xmax, ymax), 0.06)
        view_bounds = (ax.get_xlim()[0], ax.get_ylim()[0], ax.get_xlim()[1], ax.get_ylim()[1])
        near = _clip(communes, view_bounds)
        others = near.loc[near["commune_code"].astype(str) != str(commune_code)] if near is not None else None
        if others is not None and not others.empty:
            _draw.add_polygons(ax, others.geometry, "#e4e4e4", "#9a9a9a", 0.5, 1)
            for (x, y), name in zip(zip(others.representative_point().x, others.representative_point().y,
                                        strict=True), others["name"], strict=True):
                if view_bounds[0] < x < view_bounds[2] and view_bounds[1] < y < view_bounds[3]:
                    ax.text(x, y, str(name), fontsize=7 * scale, color="#8a8a8a", ha="center",
                            va="center", style="italic", zorder=2)
        _draw.add_polygons(ax, me.geometry, "#fbfaf6", "none", 0.0, 1)
        _draw_base(ax, base, view_bounds, scale * 1.6, list(st.ROAD_STYLE))
        _draw_dark_spots(ax, results, view_bounds)
        over, short = _draw_gaps(ax, results, view_bounds, scale, under=True)
        _draw.add_lines(ax, me.boundary, "#252525", 1.3 * scale, 8)
        sites = _clip(province.sites, view_bounds)
        if sites is not None:
            ax.scatter(sites.geometry.x, sites.geometry.y, marker="^", s=14 * scale, c="#222", zorder=9,
                       linewidths=0)
        pois = _clip(results.pois, view_bounds)
        if pois is not None:
            colours = [st.STATUS_COLOURS["met"] if bool(v) else st.STATUS_COLOURS["not_met"]
                       for v in pois["meets"].fillna(False)]
            ax.scatter(pois.geometry.x, pois.geometry.y, marker="s", s=26 * scale, c=colours,
                       edgecolors="black", linewidths=0.7, zorder=10)
        hamlets = results.hamlets
        mine = pd.DataFrame()
        if hamlets is not None:
            mine = hamlets.loc[hamlets["commune_code"].astype(str) == str(commune_code)]
            if not mine.empty:
                pts = mine.geometry.representative_point()
                covered = mine["covered"]
                colours = [st.STATUS_COLOURS["none"] if pd.isna(v) else
                           st.STATUS_COLOURS["met" if bool(v) else "not_met"] for v in covered]
                ax.scatter(pts.x, pts.y, s=30 * scale, c=colours, edgecolors="#222", linewidths=0.6,
                           zorder=11)
                for x, y, name in zip(pts.x, pts.y, mine["name"], strict=True):
                    ax.annotate(str(name), (x, y), xytext=(3.5, 2.5), textcoords="offset points",
                                fontsize=5.6 * scale, zorder=12, color="#111")
        _draw.scale_bar(ax, lang, scale)
        _draw.north_arrow(ax, lang, scale)
        ax.set_xlabel("")
        ax.set_ylabel("")
        limit = _limit_text(province, lang)
        handles = _handles(lang, scale, not mine.empty, pois is not None, True, _rivers_key(base),
                           sites is not None, limit)
        y = _draw.legend(panel, handles, t("legend", lang), scale)
        if not mine.empty:
            miss = mine.loc[~mine["covered"].fillna(False).astype(bool)]
            lines = [f"{n}: {fmt_number(p, lang)} {t('people', lang)}, {fmt_number(s, lang, 0)} %"
                     for n, p, s in zip(miss["name"], miss["population"].fillna(0),
                                        miss["broadband_share_pct"].fillna(0), strict=True)]
            y = _draw.list_block(panel, y, t("hamlet_not_covered", lang), lines, scale, 16)
        if not over.empty:
            lines = [f"{r}: km {fmt_number(a, lang, 1)}–{fmt_number(b, lang, 1)}, {fmt_number(k, lang, 2)} km"
                     for r, a, b, k in zip(over["route"], over["start_km"], over["end_km"], over["gap_km"],
                                           strict=True)]
            _draw.list_block(panel, y, t("gaps_over", lang, limit=limit), lines, scale, 10)
        name = str(me["name"].iloc[0])
        kind = str(me["kind"].iloc[0]) if "kind" in me else ""
        kind_word = {"xa": ("Xã", "Commune"), "phuong": ("Phường", "Ward"),
                     "dac_khu": ("Đặc khu", "Special zone")}.get(kind, ("", ""))[0 if lang == "vi" else 1]
        _draw.title(fig, f"{kind_word} {name} – {t('commune_map', lang)}".strip(), _commune_line(info, lang),
               scale)
        _draw.footer(fig, source_note(province, results, lang), scale)
    return fig


def _commune_line(info: pd.Series, lang: str) -> str:
    from phusong.reports.labels import header

    def num(key: str, decimals: int = 0) -> str:
        v = info.get(key)
        return "—" if v is None or pd.isna(v) else fmt_number(float(v), lang, decimals)

    people = st.text("people", lang)
    return (f"{header('hamlets_covered', lang)}: {num('hamlets_covered')}/{num('hamlets')} · "
            f"{header('pop_5g_pct', lang)}: {num('pop_5g_pct', 1)} · "
            f"{header('dark_spots', lang)}: {num('dark_spots')} ({num('dark_spot_people')} {people}) · "
            f"{header('road_gaps_over_limit', lang)}: {num('road_gaps_over_limit')} "
            f"({num('road_gap_over_km', 1)} km)")


# --- files -----------------------------------------------------------------------------------

def _save(fig: Figure, path: Path, overwrite: bool, dpi: float) -> Path:
    with atomic_path(path, overwrite) as tmp:
        fig.savefig(tmp, dpi=dpi, format=path.suffix[1:], metadata=_metadata(path.suffix))
    return path


def _metadata(suffix: str) -> dict[str, Any]:
    if suffix == ".pdf":
        return {"Creator": "phusong", "Producer": "phusong (matplotlib)", "CreationDate": None}
    if suffix == ".png":
        return {"Software": "phusong (matplotlib)"}
    return {}


def write_print_maps(
    province: Province,
    results: IndicatorResults,
    out_dir: str | os.PathLike[str],
    *,
    lang: str | None = None,
    base: BaseLayers | None = None,
    communes: Iterable[str] | None = None,
    png_communes: Iterable[str] | None = None,
    dpi: float = 110.0,
    province_paper: str = "A3",
    commune_paper: str = "A4",
    overwrite: bool = False,
    progress: bool = False,
    keep: dict[str, Figure] | None = None,
) -> PrintMaps:
    """Write the overview and the commune pages as PNG and PDF into ``out_dir``.

    Files: ``province.png``, ``province.pdf``, ``communes.pdf`` (one page per commune, in the
    order of the communes layer) and ``commune_<code>.png`` for the communes in ``png_communes``
    (every commune when ``None``; a PNG costs about as much as a PDF page, so a report over a
    whole province asks only for those it shows).

    Parameters
    ----------
    province, results
        The province and its indicators.
    out_dir
        Folder (``<report>/maps``), created if needed.
    lang
        ``"vi"`` or ``"en"``; default: the results' language.
    base
        Base layers (computed when ``None``).
    communes
        Commune codes to draw (default: every commune).
    png_communes
        Communes that also get a PNG (default: every drawn commune).
    dpi
        Resolution of the PNGs (the PDFs are vector).
    province_paper, commune_paper
        ``"A3"`` or ``"A4"``.
    overwrite
        Replace earlier files; without it an existing file stops the call before any is written.
    progress
        Show a progress bar over the communes.
    keep
        When given, receives the figures drawn for the PNGs (``"province"`` and the commune
        codes of ``png_communes``), so that a report can print them again without redrawing.

    Raises
    ------
    OutputExistsError
        If a file exists and ``overwrite`` is false.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    lang = lang or results.lang
    out = Path(out_dir)
    codes = [str(c) for c in (communes if communes is not None else province.communes["commune_code"])]
    pngs = codes if png_communes is None else [c for c in codes if c in {str(p) for p in png_communes}]
    paths = PrintMaps(out / "province.png", out / "province.pdf", out / "communes.pdf" if codes else None,
                      {c: out / f"commune_{_safe(c)}.png" for c in pngs})
    for path in paths.all():
        check_writable(path, overwrite)
    base = base if base is not None else base_layers(province)
    fig = province_map(province, results, lang=lang, base=base, paper=province_paper)
    _save(fig, paths.province_png, overwrite, dpi)
    _save(fig, paths.province_pdf, overwrite, dpi)
    if keep is not None:
        keep["province"] = fig
    if paths.communes_pdf is not None:
        iterator: Iterable[str] = codes
        if progress:
            from tqdm import tqdm

            iterator = tqdm(codes, desc="commune maps", unit="map")
        with atomic_path(paths.communes_pdf, overwrite) as tmp:
            with PdfPages(tmp, metadata=_metadata(".pdf")) as pdf:
                for code in iterator:
                    fig = commune_map(province, results, code, lang=lang, base=base, paper=commune_paper)
                    pdf.savefig(fig)
                    if code in paths.commune_pngs:
                        _save(fig, paths.commune_pngs[code], overwrite, dpi)
                        if keep is not None:
                            keep[code] = fig
    log.info("print maps: %d files in %s", len(paths.all()), out)
    return paths


def _safe(code: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in code)
