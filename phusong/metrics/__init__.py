"""Plan indicators from coverage: people, hamlets, roads, parks, POIs, dark spots, measurements.

Every indicator of ``docs/INDICATORS.md`` is an entry of :data:`REGISTRY`, keyed by its stable
ID (``T1``, ``T6``, ``K1a``, ``N3`` …), and computed by one family module (:mod:`.population`,
:mod:`.hamlets`, :mod:`.roads`, :mod:`.places`, :mod:`.darkspots`, :mod:`.measurements`,
:mod:`.reported`). :func:`compute_indicators` runs them all on a province and a coverage grid and
returns :class:`IndicatorResults`: the summary in the plans' appendix layout, the detail tables
and the methodology.

Example
-------
>>> from phusong.layers import load_province
>>> from phusong.metrics import compute_indicators
>>> results = compute_indicators(load_province("scenario.toml"), grid)  # doctest: +SKIP
>>> results.summary[["indicator_id", "result_text", "status_text"]]  # doctest: +SKIP
"""

from phusong.metrics.compute import LANGS, compute_indicators, evaluate
from phusong.metrics.context import MetricContext
from phusong.metrics.registry import FAMILIES, REGISTRY, Indicator, Target, deadline_text, ids, indicator
from phusong.metrics.results import (
    MET,
    NOT_COMPUTED,
    NOT_MET,
    STATUS_TEXT,
    IndicatorResults,
    IndicatorValue,
    fmt_number,
    status_text,
)

__all__ = [
    "FAMILIES",
    "Indicator",
    "IndicatorResults",
    "IndicatorValue",
    "LANGS",
    "MET",
    "MetricContext",
    "NOT_COMPUTED",
    "NOT_MET",
    "REGISTRY",
    "STATUS_TEXT",
    "Target",
    "compute_indicators",
    "deadline_text",
    "evaluate",
    "fmt_number",
    "ids",
    "indicator",
    "status_text",
]
