"""Typed results of the indicators: one value per indicator, and the tables behind them.

:class:`IndicatorValue` is what one indicator function returns; :class:`IndicatorResults` is
what :func:`~phusong.metrics.compute_indicators` returns: the summary table in the plans'
appendix layout (TT, chỉ tiêu, kết quả, mục tiêu, thời hạn, trạng thái, thiếu hụt), one detail
table per family (communes, hamlets, routes, road gaps, parks, POIs, T8 places, dark spots,
measurements, reported figures), the per-operator values and the methodology table.

Tables use canonical column names (``pop_5g_pct``, ``gap_km``); report writers translate the
headers (:mod:`phusong.metrics.labels`). Per-operator columns are ``<name>__<operator>``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import geopandas as gpd
import pandas as pd

__all__ = [
    "MET",
    "NOT_MET",
    "NOT_COMPUTED",
    "STATUS_TEXT",
    "IndicatorValue",
    "IndicatorResults",
    "fmt_number",
    "status_text",
]

log = logging.getLogger(__name__)

MET = "met"
NOT_MET = "not_met"
NOT_COMPUTED = "not_computed"
STATUS_TEXT: dict[str, dict[str, str]] = {
    MET: {"vi": "đạt", "en": "met"},
    NOT_MET: {"vi": "chưa đạt", "en": "not met"},
    NOT_COMPUTED: {"vi": "không tính được", "en": "not computed"},
}
"""Status codes and their words in each language."""


def status_text(status: str, lang: str) -> str:
    """The word of a status code in ``lang``."""
    return STATUS_TEXT[status][lang]


def fmt_number(value: float | None, lang: str, decimals: int = 0) -> str:
    """A number as a planner writes it: ``12.345,6`` (vi) or ``12,345.6`` (en); ``""`` if None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


@dataclass(frozen=True)
class IndicatorValue:
    """The value of one indicator, as computed (or why it could not be).

    Attributes
    ----------
    value
        The computed value in the indicator's unit; ``None`` when not computed.
    shortfall
        What is still missing to meet the target (people, hamlets, routes, parks …), ``None``
        when not applicable.
    count, total
        Numerator and denominator behind a share (hamlets covered, hamlets), when there are.
    detail
        One short line in the report's language that the summary prints after the value
        (``"12 tuyến; 3 tuyến có đoạn mất sóng > 1 km"``).
    reason
        Why it is not computed (report's language), when ``value`` is ``None``.
    by_operator
        ``{operator: value}`` for the mobile indicators (union of operators is ``value``).
    as_of
        Date of a reported figure (``"2025-06-30"``), or ``""``.
    source
        Where a reported figure comes from, or ``""``.
    met
        The status decided by the indicator itself, for a target of several parts that must
        all pass (T9); ``None``: the value is compared with the registry's target.
    """

    value: float | None
    shortfall: float | None = None
    count: float | None = None
    total: float | None = None
    detail: str = ""
    reason: str = ""
    by_operator: dict[str, float] = field(default_factory=dict)
    as_of: str = ""
    source: str = ""
    met: bool | None = None

    @classmethod
    def not_computed(cls, reason: str) -> IndicatorValue:
        """A value that could not be computed, with the reason."""
        return cls(None, reason=reason)


@dataclass(frozen=True, eq=False)
class IndicatorResults:
    """Everything :func:`~phusong.metrics.compute_indicators` found.

    Attributes
    ----------
    lang
        Language of the texts in the tables (``"vi"`` or ``"en"``).
    values
        ``{indicator ID: IndicatorValue}`` for every registry entry.
    summary
        One row per indicator in the plans' appendix layout: ``tt``, ``indicator_id``,
        ``indicator_name``, ``result_text``, ``target_text``, ``deadline_text``,
        ``status_text``, ``shortfall_text``, then ``detail`` (how the value breaks down, or why
        it is not computed), ``value``, ``unit``, ``target_value``, ``comparison``,
        ``status_code`` (:data:`MET`, :data:`NOT_MET`, :data:`NOT_COMPUTED`), ``shortfall``,
        ``as_of`` and ``source`` (reported figures), ``plan_source``, ``family``.
    communes
        One row per commune (people with 5G and broadband, hamlets covered, dark spots, road
        gaps over the limit, measurements), per operator where it applies.
    hamlets, road_gaps, parks, pois, dark_spots, measurements
        GeoDataFrames (working CRS) with one row per feature and its status; ``None`` when the
        layer is missing.
    routes
        One row per road route (merged by ``ref``) with its longest gap per operator.
    places
        The T8 places (wards, former district centres, POIs) and whether each has 5G.
    reported
        Every reported figure with the target of its year and its status.
    by_operator
        Values of the mobile indicators per operator and for the union (``ANY``).
    methodology
        Every definition and setting used: thresholds, model, σ, edge probability,
        resolution, population source, sampling steps.
    """

    lang: str
    values: dict[str, IndicatorValue]
    summary: pd.DataFrame
    communes: pd.DataFrame
    methodology: pd.DataFrame
    by_operator: pd.DataFrame
    hamlets: gpd.GeoDataFrame | None = None
    routes: pd.DataFrame | None = None
    road_gaps: gpd.GeoDataFrame | None = None
    parks: gpd.GeoDataFrame | None = None
    pois: gpd.GeoDataFrame | None = None
    places: pd.DataFrame | None = None
    dark_spots: gpd.GeoDataFrame | None = None
    measurements: gpd.GeoDataFrame | None = None
    reported: pd.DataFrame | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    TABLES: ClassVar[tuple[str, ...]] = ("summary", "communes", "hamlets", "routes", "road_gaps", "parks",
                               "pois", "places", "dark_spots", "measurements", "reported",
                               "by_operator", "methodology")
    """Table names in report order (the XLSX sheet order)."""

    GEO_TABLES: ClassVar[tuple[str, ...]] = ("hamlets", "road_gaps", "parks", "pois", "dark_spots",
                                   "measurements")
    """Tables with geometry (written to the GeoPackage)."""

    def tables(self) -> dict[str, pd.DataFrame]:
        """``{name: table}`` of every table present, in report order."""
        out: dict[str, pd.DataFrame] = {}
        for name in self.TABLES:
            table = getattr(self, name)
            if table is not None:
                out[name] = table
        return out

    def status(self, indicator_id: str) -> str:
        """Status code (:data:`MET`, :data:`NOT_MET`, :data:`NOT_COMPUTED`) of an indicator."""
        row = self.summary.loc[self.summary["indicator_id"] == indicator_id]
        if row.empty:
            msg = f"no indicator {indicator_id!r} in the results"
            raise KeyError(msg)
        return str(row["status_code"].iloc[0])

    def value(self, indicator_id: str) -> float | None:
        """Computed value of an indicator (``None`` when not computed)."""
        return self.values[indicator_id].value

    def to_text(self) -> str:
        """The summary as aligned text lines, for the terminal."""
        lines = []
        for row in self.summary.itertuples(index=False):
            lines.append(f"{row.indicator_id:<4} {row.status_text:<16} {row.result_text}"
                         f"  [{row.target_text}; {row.deadline_text}]")
        return "\n".join(lines)

    def info(self) -> dict[str, Any]:
        """Counts of met / not met / not computed indicators."""
        counts = self.summary["status_code"].value_counts()
        return {k: int(counts.get(k, 0)) for k in (MET, NOT_MET, NOT_COMPUTED)}
