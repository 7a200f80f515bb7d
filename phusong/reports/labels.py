"""Headers of the report tables, in Vietnamese and English.

The registry of every output column lives in :mod:`phusong.metrics.labels` (so that the
planning stages, which may not import the reports, share it); this module keeps its former
names: :data:`METRIC_COLUMNS` (every output column), :data:`SHEETS`, :func:`header` and
:func:`sheet_name`.
"""

from __future__ import annotations

from phusong.metrics.labels import OUTPUT_COLUMNS as METRIC_COLUMNS
from phusong.metrics.labels import SHEETS, MetricColumn, header, sheet_name

__all__ = ["MetricColumn", "METRIC_COLUMNS", "SHEETS", "header", "sheet_name"]
