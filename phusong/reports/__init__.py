"""Reports: indicator tables as XLSX, CSV and GeoPackage, with headers in Vietnamese or English.

:func:`write_indicator_tables` writes the results of
:func:`phusong.metrics.compute_indicators`; :mod:`phusong.reports.labels` holds the headers of
the indicator columns.
"""

from phusong.reports.labels import METRIC_COLUMNS, SHEETS, header, sheet_name
from phusong.reports.tables import (
    CSV_DIR,
    GPKG_NAME,
    XLSX_NAME,
    output_paths,
    table_for_report,
    write_indicator_tables,
)

__all__ = [
    "CSV_DIR",
    "GPKG_NAME",
    "METRIC_COLUMNS",
    "SHEETS",
    "XLSX_NAME",
    "header",
    "output_paths",
    "sheet_name",
    "table_for_report",
    "write_indicator_tables",
]
