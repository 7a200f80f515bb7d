"""Reports: indicator tables as XLSX, CSV and GeoPackage, with headers in Vietnamese or English;
the one-file HTML report and its PDF, with the maps.

:func:`write_indicator_tables` writes the results of
:func:`phusong.metrics.compute_indicators`; :mod:`phusong.reports.labels` holds the headers of
the indicator columns; :func:`write_report` writes the map, the print maps, ``report.html`` and
``report.pdf`` (and the tables); :func:`run_report` does it all from a scenario file.
"""

from phusong.reports.labels import METRIC_COLUMNS, SHEETS, header, sheet_name
from phusong.reports.report import (
    REPORT_HTML,
    REPORT_PDF,
    ReportFiles,
    report_paths,
    run_report,
    write_report,
)
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
    "REPORT_HTML",
    "REPORT_PDF",
    "ReportFiles",
    "SHEETS",
    "XLSX_NAME",
    "header",
    "output_paths",
    "report_paths",
    "run_report",
    "sheet_name",
    "table_for_report",
    "write_indicator_tables",
    "write_report",
]
