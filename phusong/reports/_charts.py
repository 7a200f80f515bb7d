"""Report pages drawn with matplotlib: shortfall charts, the summary and methodology tables.

Every function returns :class:`matplotlib.figure.Figure` objects (no pyplot), used both as PNGs
in ``report.html`` and as pages of ``report.pdf``.
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from phusong.maps._draw import MM, PAPER_MM, RC
from phusong.metrics.results import fmt_number
from phusong.reports.labels import header

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from phusong.metrics.results import IndicatorResults

__all__ = ["SHORTFALLS", "shortfall_table", "shortfall_figure", "table_pages", "STATUS_FILL"]

log = logging.getLogger(__name__)

SHORTFALLS: tuple[tuple[str, str, str, str, int], ...] = (
    ("pop_without_5g", "T1", "Dân chưa có 5G", "People without 5G", 0),
    ("hamlets_missing", "T3", "Thôn chưa có băng rộng di động", "Hamlets without mobile broadband", 0),
    ("road_gap_over_km", "T6", "Đường mất sóng vượt ngưỡng (km)", "Road gaps over the limit (km)", 1),
    ("dark_spot_people", "D1", "Dân trong vùng lõm, trắng sóng", "People in dark spots", 0),
)
"""Per-commune shortfalls charted: column, indicator, title (vi, en), decimals."""

STATUS_FILL = {"met": "#d9f0d3", "not_met": "#fbd5d2", "not_computed": "#eeeeee"}
"""Background of the status cell in the summary tables."""


def shortfall_table(results: IndicatorResults) -> pd.DataFrame:
    """Per-commune shortfalls: ``commune_code``, ``name`` and one column per :data:`SHORTFALLS`."""
    c = results.communes
    out = pd.DataFrame({"commune_code": c["commune_code"].astype(str), "name": c["name"].astype(str)})
    num = {k: pd.to_numeric(c[k], errors="coerce") if k in c else pd.Series(np.nan, index=c.index)
           for k in ("pop_without_5g", "hamlets", "hamlets_covered", "road_gap_over_km", "dark_spot_people")}
    out["pop_without_5g"] = num["pop_without_5g"]
    out["hamlets_missing"] = num["hamlets"] - num["hamlets_covered"]
    out["road_gap_over_km"] = num["road_gap_over_km"]
    out["dark_spot_people"] = num["dark_spot_people"]
    return out


def worst_communes(results: IndicatorResults, n: int) -> list[str]:
    """Codes of the ``n`` communes with the most hamlets without broadband, then dark-spot people."""
    table = shortfall_table(results).fillna(0)
    order = table.sort_values(["hamlets_missing", "dark_spot_people", "road_gap_over_km"],
                              ascending=False, kind="stable")
    order = order.loc[(order[["hamlets_missing", "dark_spot_people", "road_gap_over_km"]] > 0).any(axis=1)]
    return order["commune_code"].head(n).tolist()


def shortfall_figure(results: IndicatorResults, lang: str, top_n: int = 15,
                     title: str = "") -> Figure:
    """Four bar charts (T1, T3, T6, D1): the communes with the largest shortfall, A4 landscape."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    table = shortfall_table(results)
    w, h = PAPER_MM["A4"]
    with rc_context(RC):
        fig = Figure(figsize=(w * MM, h * MM), dpi=100)
        axes = fig.subplots(2, 2, gridspec_kw={"left": 0.14, "right": 0.97, "top": 0.86, "bottom": 0.07,
                                               "hspace": 0.38, "wspace": 0.55})
        if title:
            fig.suptitle(title, x=0.03, y=0.965, ha="left", fontsize=13, fontweight="bold")
        for ax, (col, ind, vi, en, dec) in zip(axes.ravel(), SHORTFALLS, strict=True):
            values = table[["name", col]].dropna()
            values = values.loc[values[col] > 0].sort_values(col, ascending=False).head(top_n)
            ax.set_title(f"{ind}: {vi if lang == 'vi' else en}", loc="left", fontsize=9, fontweight="bold")
            ax.spines[["top", "right"]].set_visible(False)
            ax.tick_params(labelsize=6.5)
            if values.empty:
                ax.text(0.5, 0.5, "không có thiếu hụt" if lang == "vi" else "no shortfall",
                        ha="center", va="center", transform=ax.transAxes, color="#555")
                ax.set_xticks([])
                ax.set_yticks([])
                continue
            y = np.arange(len(values))[::-1] + (top_n - len(values))  # bars from the top, same height
            ax.barh(y, values[col].to_numpy(), color="#d7191c" if ind != "T6" else "#e31a1c",
                    height=0.7)
            ax.set_yticks(y, labels=[textwrap.shorten(n, 22, placeholder="…") for n in values["name"]])
            top = float(values[col].max())
            for yy, v in zip(y, values[col], strict=True):
                ax.text(v + top * 0.01, yy, fmt_number(float(v), lang, dec), va="center", fontsize=6)
            ax.set_xlim(0, top * 1.18)
            ax.set_ylim(-0.6, top_n - 0.4)
            ax.xaxis.set_major_formatter(_formatter(lang))
    return fig


def _formatter(lang: str) -> Any:
    from matplotlib.ticker import FuncFormatter

    def fmt(v: float, _pos: int) -> str:
        return fmt_number(v, lang, 0 if abs(v) >= 10 or float(v).is_integer() else 1)

    return FuncFormatter(fmt)


def table_pages(frame: pd.DataFrame, columns: Sequence[tuple[str, float]], lang: str, title: str,
                subtitle: str = "", status_column: str | None = None, paper: str = "A4",
                font_size: float = 7.0) -> list[tuple[str, Figure]]:
    """A table over as many landscape pages as it needs, text wrapped to the column widths.

    Parameters
    ----------
    frame
        Rows to print (text or numbers, already formatted).
    columns
        ``(column, relative width)``; headers come from :func:`phusong.reports.labels.header`.
    lang
        Header language.
    title, subtitle
        Printed on every page (``title (2/3)`` on later pages).
    status_column
        Column whose ``status_code`` colours the row's status cell.

    Returns
    -------
    list of (str, Figure)
        The title printed on each page, and the page.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    w_mm, h_mm = PAPER_MM[paper]
    names = [c for c, _ in columns]
    widths = np.array([wd for _, wd in columns], dtype=float)
    widths = widths / widths.sum()
    usable_w = w_mm - 24.0
    chars = [max(4, int(usable_w * wd / (font_size * 0.352 * 0.56))) for wd in widths]
    line_mm = font_size * 0.352 * 1.35
    heads = [textwrap.wrap(header(c, lang), n) or [""] for c, n in zip(names, chars, strict=True)]
    rows = []
    for _, row in frame.iterrows():
        cells = [textwrap.wrap(_text(row.get(c), lang), n) or [""] for c, n in zip(names, chars, strict=True)]
        rows.append((cells, max(len(c) for c in cells), row.get("status_code")))
    head_lines = max(len(h) for h in heads)
    top_mm, bottom_mm = 24.0, 12.0
    pages: list[list[Any]] = [[]]
    used = head_lines * line_mm + 2
    for r in rows:
        need = r[1] * line_mm + 1.6
        if used + need > h_mm - top_mm - bottom_mm and pages[-1]:
            pages.append([])
            used = head_lines * line_mm + 2
        pages[-1].append(r)
        used += need
    figs = []
    with rc_context(RC):
        for i, page_rows in enumerate(pages, start=1):
            fig = Figure(figsize=(w_mm * MM, h_mm * MM), dpi=100)
            ax = fig.add_axes((0, 0, 1, 1))
            ax.set_axis_off()
            ax.set_xlim(0, w_mm)
            ax.set_ylim(h_mm, 0)
            label = title if len(pages) == 1 else f"{title} ({i}/{len(pages)})"
            ax.text(12, 12, label, fontsize=13, fontweight="bold", va="baseline")
            if subtitle:
                ax.text(12, 18, subtitle, fontsize=8, color="#333", va="baseline")
            x_edges = 12 + np.concatenate([[0], np.cumsum(widths)]) * usable_w
            y = top_mm
            hh = head_lines * line_mm + 2
            ax.add_patch(Rectangle((12, y), usable_w, hh, facecolor="#e6e6e6", edgecolor="none"))
            for x, lines in zip(x_edges[:-1], heads, strict=True):
                ax.text(x + 1, y + 1, "\n".join(lines), fontsize=font_size, fontweight="bold", va="top",
                        linespacing=1.25)
            y += hh
            for cells, n, status in page_rows:
                rh = n * line_mm + 1.6
                if status_column and status in STATUS_FILL:
                    j = names.index(status_column)
                    ax.add_patch(Rectangle((x_edges[j], y), x_edges[j + 1] - x_edges[j], rh,
                                           facecolor=STATUS_FILL[status], edgecolor="none"))
                for x, lines in zip(x_edges[:-1], cells, strict=True):
                    ax.text(x + 1, y + 0.8, "\n".join(lines), fontsize=font_size, va="top", linespacing=1.25)
                ax.plot([12, 12 + usable_w], [y + rh, y + rh], color="#cccccc", lw=0.4)
                y += rh
            figs.append((label, fig))
    return figs


def _text(value: Any, lang: str) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return ("có" if value else "không") if lang == "vi" else ("yes" if value else "no")
    if isinstance(value, float | np.floating):
        return fmt_number(float(value), lang, 0 if float(value).is_integer() else 1)
    return str(value)
