"""Indicator tables as files: an XLSX workbook, CSVs and a GeoPackage.

:func:`write_indicator_tables` writes what :func:`~phusong.metrics.compute_indicators` found:

* ``indicators.xlsx``: the summary in the plans' appendix layout (TT, chỉ tiêu, kết quả, mục
  tiêu, thời hạn, trạng thái, thiếu hụt …), one sheet per family table (communes, hamlets,
  routes, road gaps, parks, POIs, T8 places, dark spots, measurements, reported figures, values
  by operator) and the methodology sheet. Headers come from the column registries in the
  chosen language. The file is byte-for-byte reproducible: fixed document dates and fixed
  timestamps inside the zip.
* ``csv/<table>.csv``: the same tables, UTF-8 with BOM (Excel opens Vietnamese text correctly).
* ``indicators.gpkg``: hamlets, road gaps, parks, POIs, dark spots and measurements with their
  status, in the working CRS, with canonical column names (ready for QGIS).

Every file is written atomically (``phusong._io``) and none is replaced unless
``overwrite=True``; all targets are checked before anything is written.
"""

from __future__ import annotations

import io
import logging
import os
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from phusong._io import atomic_path, check_writable, write_csv, write_vectors
from phusong.errors import InputError
from phusong.metrics.labels import sheet_name, table_for_output
from phusong.metrics.results import IndicatorResults

__all__ = ["XLSX_NAME", "GPKG_NAME", "CSV_DIR", "output_paths", "write_indicator_tables",
           "table_for_report"]

log = logging.getLogger(__name__)

XLSX_NAME = "indicators.xlsx"
GPKG_NAME = "indicators.gpkg"
CSV_DIR = "csv"
_FIXED = datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_FORMATS = (("_pct", "0.0"), ("_km2", "0.00"), ("_km", "0.000"), ("_dbm", "0.0"),
            ("_mbps", "0.0"), ("_m", "0.0"))
_PEOPLE = {"population", "people", "pop_5g", "pop_broadband", "pop_without_5g", "people_grid",
           "people_no_signal", "dark_spot_people"}


def output_paths(out_dir: str | os.PathLike[str], tables: list[str]) -> dict[str, Path]:
    """Paths of every file :func:`write_indicator_tables` writes for these tables."""
    out = Path(out_dir)
    paths = {"xlsx": out / XLSX_NAME, "gpkg": out / GPKG_NAME}
    for name in tables:
        paths[f"csv:{name}"] = out / CSV_DIR / f"{name}.csv"
    return paths


def table_for_report(table: pd.DataFrame, lang: str, yes_no: bool = False) -> pd.DataFrame:
    """A table without geometry, with headers in ``lang`` (booleans as có/không if ``yes_no``).

    Values are not rounded (the sheets carry number formats instead).
    """
    return table_for_output(table, lang, yes_no=yes_no, rounded=False)


def _number_format(name: str) -> str | None:
    base = name.split("__")[0]
    if base in _PEOPLE:
        return "#,##0"
    for suffix, fmt in _FORMATS:
        if base.endswith(suffix):
            return fmt
    return None


def _write_sheet(ws: Any, table: pd.DataFrame, lang: str) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    frame = table.drop(columns="geometry", errors="ignore")
    names = [str(c) for c in frame.columns]
    shown = table_for_report(frame, lang, yes_no=True)
    ws.append(list(shown.columns))
    values = shown.astype(object).where(shown.notna(), None)
    for row in values.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = wrap
    ws.freeze_panes = "A2"
    n = len(frame)
    for j, name in enumerate(names, start=1):
        letter = get_column_letter(j)
        longest = values.iloc[:200, j - 1].map(lambda v: len(str(v)) if v is not None else 0)
        width = max(len(str(shown.columns[j - 1])) // 2, int(longest.max()) if n else 0) + 2
        ws.column_dimensions[letter].width = min(60, max(8, width))
        fmt = _number_format(name)
        if fmt and n:
            for (cell,) in ws.iter_rows(min_row=2, max_row=n + 1, min_col=j, max_col=j):
                cell.number_format = fmt


def _cell(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def _reproducible_zip(path: Path) -> None:
    """Rewrite an XLSX with fixed document dates and fixed zip entry times."""
    with zipfile.ZipFile(path) as zin:
        items = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    stamp = _FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                              rb"\g<1>" + stamp + rb"\g<2>", data)
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    path.write_bytes(buf.getvalue())


def _write_xlsx(path: Path, tables: dict[str, pd.DataFrame], lang: str, overwrite: bool) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, table in tables.items():
        ws = wb.create_sheet(sheet_name(name, lang))
        _write_sheet(ws, table, lang)
    wb.properties.creator = "phusong"
    wb.properties.title = ("Chỉ tiêu hạ tầng số" if lang == "vi" else
                           "Digital-infrastructure indicators")
    wb.properties.created = _FIXED
    wb.properties.modified = _FIXED
    with atomic_path(path, overwrite) as tmp:
        wb.save(tmp)
        _reproducible_zip(tmp)
    return path


def _for_gpkg(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Nullable booleans and mixed objects as types a GeoPackage holds."""
    out = table.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        dtype = out[col].dtype
        if isinstance(dtype, pd.BooleanDtype):
            out[col] = out[col].astype("Int8")
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            out[col] = out[col].dt.strftime("%Y-%m-%dT%H:%M:%S")
        elif pd.api.types.is_object_dtype(dtype):
            out[col] = out[col].astype("string")
    return out


def write_indicator_tables(results: IndicatorResults, out_dir: str | os.PathLike[str],
                           lang: str | None = None, overwrite: bool = False) -> dict[str, Path]:
    """Write the indicator tables as XLSX, CSV and GeoPackage.

    Parameters
    ----------
    results
        What :func:`~phusong.metrics.compute_indicators` returned.
    out_dir
        Output folder (created if needed).
    lang
        ``"vi"`` or ``"en"`` for headers and sheet names; default: the results' language (the
        texts inside the tables are always in the results' language).
    overwrite
        Replace files of an earlier run; without it an existing file stops the call before
        anything is written.

    Returns
    -------
    dict
        ``{"xlsx": path, "gpkg": path, "csv:<table>": path …}`` of the files written.

    Raises
    ------
    OutputExistsError
        If an output exists and ``overwrite`` is false.
    """
    lang = lang or results.lang
    if lang not in ("vi", "en"):
        msg = f"lang = {lang!r}: choose vi or en"
        raise InputError(msg)
    if lang != results.lang:
        log.warning("headers in %s, texts in the tables in %s (compute the indicators with "
                    "lang=%r to have both)", lang, results.lang, lang)
    tables = results.tables()
    paths = output_paths(out_dir, list(tables))
    # 0. refuse to touch an earlier run before anything is written
    for path in paths.values():
        check_writable(path, overwrite)
    # 1. the workbook
    _write_xlsx(paths["xlsx"], tables, lang, overwrite)
    # 2. one CSV per table
    for name, table in tables.items():
        write_csv(paths[f"csv:{name}"], table_for_report(table, lang), overwrite=overwrite)
    # 3. the layers with their status, for QGIS
    layers = {name: _for_gpkg(tables[name]) for name in results.GEO_TABLES
              if name in tables and len(tables[name])}
    if layers:
        write_vectors(paths["gpkg"], layers, overwrite=overwrite)
    else:
        del paths["gpkg"]
    log.info("indicator tables written to %s (%d tables)", Path(out_dir), len(tables))
    return paths
