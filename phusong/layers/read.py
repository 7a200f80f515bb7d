"""Read one input layer: open the file, map its columns, check values, reproject.

:func:`read_layer` never raises on a bad file: it returns what it could read together with the
issues it found (:class:`~phusong.layers.issues.Issue`), so that one report lists every problem
of every layer. The returned frame is a copy in canonical columns, indexed by the 1-based row
number of the file (the ``row`` index), in the working CRS; the file itself is never modified.
"""

from __future__ import annotations

import difflib
import functools
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from phusong.config import LayerSource
from phusong.layers.issues import ERROR, INFO, WARNING, Issue
from phusong.layers.schema import COLUMNS, LayerSpec, fold

__all__ = ["read_layer", "LayerRead", "open_table", "map_columns", "coerce_columns"]

log = logging.getLogger(__name__)

_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_PARQUET_SUFFIXES = {".parquet", ".geoparquet"}
_LON_NAMES = ("lon", "lng", "long", "longitude", "kinh_do", "x")
_LAT_NAMES = ("lat", "latitude", "vi_do", "y")
_SEGMENTED_LAYERS = ("roads", "fiber_routes")
_TRUE = {"true", "1", "yes", "y", "co", "x", "t", "dung"}
_FALSE = {"false", "0", "no", "n", "khong", "f", "sai", ""}


@dataclass
class LayerRead:
    """What :func:`read_layer` returns: the frame (``None`` if unusable) and the issues."""

    frame: pd.DataFrame | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        """Whether any issue is an error."""
        return any(i.severity == ERROR for i in self.issues)


class _Issues(list):
    """A list of issues bound to one layer and file."""

    def __init__(self, layer: str, file: str) -> None:
        super().__init__()
        self.layer, self.file = layer, file

    def add(self, severity: str, code: str, message: str, column: str = "",
            rows: object = (), fix: str = "") -> None:
        row_tuple = tuple(int(r) for r in rows)  # type: ignore[union-attr]
        self.append(Issue(severity, code, self.layer, self.file, message, column, row_tuple, fix))


def open_table(path: Path, src: LayerSource, issues: _Issues) -> pd.DataFrame | None:
    """Open a file as a (Geo)DataFrame with its own column names; ``None`` on failure."""
    suffix = path.suffix.lower()
    if not path.exists():
        issues.add(ERROR, "file_not_found", "the file does not exist.",
                   fix="check [layers." + issues.layer + "] path in the scenario (it is relative "
                   "to the scenario file's folder).")
        return None
    if src.where and (suffix in _CSV_SUFFIXES or suffix in _PARQUET_SUFFIXES):
        issues.add(ERROR, "bad_filter", "where = \"…\" works only for GDAL formats "
                   "(GeoPackage, Shapefile, GeoJSON …).", fix="filter the table before, or "
                   "convert it to GeoPackage.")
        return None
    if path.name.lower().endswith((".osm", ".osm.pbf", ".pbf")):
        return _open_import(path, issues, "osm")
    if suffix in _CSV_SUFFIXES and issues.layer in ("sites", "sectors") and _is_opencellid(path):
        return _open_import(path, issues, "opencellid")
    if suffix in _CSV_SUFFIXES:
        return _open_csv(path, src, issues)
    if suffix in _PARQUET_SUFFIXES:
        try:
            return gpd.read_parquet(path)
        except Exception as e:  # noqa: BLE001 - any reader failure becomes an issue
            try:
                return pd.read_parquet(path)
            except Exception:  # noqa: BLE001
                issues.add(ERROR, "unreadable_file", f"cannot read it as (Geo)Parquet ({e}).")
                return None
    return _open_ogr(path, src, issues)


_OPENCELLID_HEADER = ("radio", "mcc", "net", "area", "cell")


def _is_opencellid(path: Path) -> bool:
    """Whether a CSV is an OpenCelliD cell export (by its header, or headerless by its shape)."""
    with path.open("rb") as f:
        first = f.readline().decode("utf-8", "replace").strip().lower()
    fields = [x.strip() for x in first.split(",")]
    if tuple(fields[:5]) == _OPENCELLID_HEADER:
        return True
    return len(fields) >= 13 and fields[0] in ("gsm", "umts", "lte", "nr", "cdma") and \
        fields[1].isdigit()


@functools.lru_cache(maxsize=4)
def _imported(path: Path, mtime_ns: int, kind: str) -> dict[str, pd.DataFrame]:
    """Layers of a public-format file, read once per file version (the scenario may name the
    same OSM extract for roads, hamlets, POIs and parks)."""
    from phusong.layers.importers import read_opencellid, read_osm

    if kind == "osm":
        return dict(read_osm(path))
    sites, sectors = read_opencellid(path)
    return {"sites": sites, "sectors": sectors}


def _open_import(path: Path, issues: _Issues, kind: str) -> pd.DataFrame | None:
    """Read a layer through an importer (OpenStreetMap extract, OpenCelliD export)."""
    from phusong.errors import PhusongError

    try:
        layers = _imported(path.resolve(), path.stat().st_mtime_ns, kind)
    except PhusongError as e:
        issues.add(ERROR, "unreadable_file", f"cannot import it as {kind} ({e}).")
        return None
    if issues.layer not in layers:
        issues.add(ERROR, "layer_not_found", f"an {kind} file gives the layers "
                   f"{', '.join(layers)}, not {issues.layer!r}.",
                   fix="name this file only for those layers.")
        return None
    issues.add(INFO, "imported", f"read through the {kind} importer.")
    return layers[issues.layer].copy()


def _open_csv(path: Path, src: LayerSource, issues: _Issues) -> pd.DataFrame | None:
    raw = path.read_bytes()
    encoding = src.encoding or "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        issues.add(ERROR, "non_utf8",
                   f"the text is not {encoding.replace('-sig', '')} (undecodable byte "
                   f"0x{raw[e.start]:02x} on line {line}, i.e. data row {line - 1}).",
                   rows=[line - 1] if line > 1 else [],
                   fix="save the file as UTF-8 (Excel: 'CSV UTF-8'), or set encoding = "
                   "\"cp1258\" (Windows Vietnamese) for this layer in the scenario.")
        return None
    except LookupError:
        issues.add(ERROR, "unknown_encoding", f"unknown text encoding {encoding!r}.",
                   fix="use a Python codec name such as utf-8 or cp1258.")
        return None
    sep = "\t" if path.suffix.lower() == ".tsv" else None
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, engine="python", dtype=str,
                           skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        issues.add(ERROR, "unreadable_file", f"cannot parse it as CSV ({e}).",
                   fix="check the delimiter (comma) and quoting.")
        return None


def _open_ogr(path: Path, src: LayerSource, issues: _Issues) -> pd.DataFrame | None:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except (DataSourceError, DataLayerError, OSError) as e:
        issues.add(ERROR, "unreadable_file", f"GDAL cannot open it ({_first_line(e)}).",
                   fix="use GeoPackage, GeoJSON, Shapefile, FlatGeobuf, MapInfo TAB, GeoParquet "
                   "or CSV.")
        return None
    layer = src.layer
    if not layer:
        if len(layers) == 1:
            layer = layers[0]
        elif issues.layer in layers:
            layer = issues.layer
        else:
            issues.add(ERROR, "layer_not_found",
                       f"the file has several layers ({', '.join(layers)}) and none is named "
                       f"{issues.layer!r}.",
                       fix=f"set layer = \"...\" in [layers.{issues.layer}] of the scenario.")
            return None
    elif layer not in layers:
        close = difflib.get_close_matches(layer, layers, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        issues.add(ERROR, "layer_not_found",
                   f"no layer {layer!r} in the file; it has {', '.join(layers)}.{hint}",
                   fix=f"correct layer = \"...\" in [layers.{issues.layer}].")
        return None
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, encoding=src.encoding or None,
                                       fid_as_index=bool(src.where))
        if src.where:
            kept = pyogrio.read_dataframe(path, layer=layer, where=src.where, columns=[],
                                          read_geometry=False, fid_as_index=True).index
            positions = np.flatnonzero(frame.index.isin(kept))
            frame = frame.iloc[positions]
            frame.index = pd.Index(positions + 1, name="row")
            frame.attrs["filtered"] = True
        return frame
    except UnicodeDecodeError as e:
        issues.add(ERROR, "non_utf8", f"text in layer {layer!r} is not UTF-8 ({e.reason}).",
                   fix="set encoding = \"cp1258\" (or the file's encoding) for this layer, or add "
                   "a .cpg file saying UTF-8 next to a Shapefile that is UTF-8.")
    except Exception as e:  # noqa: BLE001 - any reader failure becomes an issue
        if src.where:
            issues.add(ERROR, "bad_filter", f"the filter where = {src.where!r} failed "
                       f"({_first_line(e)}).", fix="write an OGR SQL condition on the file's "
                       "own column names, e.g. \"is_rail = 0\".")
        else:
            issues.add(ERROR, "unreadable_file", f"cannot read layer {layer!r} "
                       f"({_first_line(e)}).")
    return None


def _first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def _explicit_columns(df: pd.DataFrame, spec: LayerSpec, columns: dict[str, str],
                      issues: _Issues) -> pd.DataFrame:
    """Apply the scenario's ``columns = { canonical = "file column" }`` table."""
    renames = {}
    for canonical, original in columns.items():
        if canonical not in spec.columns:
            close = difflib.get_close_matches(canonical, spec.columns, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            issues.add(ERROR, "unknown_column_setting", f"columns: {canonical!r} is not a "
                       f"column of layer {spec.name!r}.{hint}", column=canonical,
                       fix=f"use one of {', '.join(spec.columns)}.")
        elif original not in df.columns:
            close = difflib.get_close_matches(original, [str(c) for c in df.columns], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            issues.add(ERROR, "missing_column", f"columns: the file has no column {original!r} "
                       f"for {canonical!r}.{hint}", column=canonical,
                       fix="correct the [layers.…] columns table.")
        else:
            renames[original] = canonical
    if not renames:
        return df
    # a file column already named like a mapped canonical one steps aside
    clash = [c for c in renames.values() if c in df.columns and c not in renames]
    out = df.drop(columns=clash).rename(columns=renames)
    for original, canonical in renames.items():
        if original != canonical:
            issues.add(INFO, "column_mapped", f"column {original!r} read as {canonical!r} "
                       "(scenario columns table).", column=canonical)
    return out


def map_columns(df: pd.DataFrame, spec: LayerSpec, issues: _Issues) -> pd.DataFrame:
    """Rename a frame's columns to canonical names; report aliases, ambiguity and absences."""
    lookup: dict[str, str] = {}
    for name in spec.columns:
        for key in (name, *COLUMNS[name].aliases):
            lookup.setdefault(fold(key), name)
    renames: dict[str, str] = {}
    claimed: dict[str, list[str]] = {}
    for col in df.columns:
        if col == "geometry":
            continue
        canonical = lookup.get(fold(col))
        if canonical is not None:
            claimed.setdefault(canonical, []).append(str(col))
    for canonical, found in claimed.items():
        exact = [c for c in found if c == canonical]
        chosen = exact[0] if exact else found[0]
        if len(found) > 1 and not exact:
            issues.add(ERROR, "ambiguous_column",
                       f"columns {', '.join(map(repr, found))} all mean {canonical!r}.",
                       column=canonical, fix="rename or delete all but one of them.")
        if chosen != canonical:
            renames[chosen] = canonical
            issues.add(INFO, "alias_used", f"column {chosen!r} read as {canonical!r}.",
                       column=canonical)
        for other in found:
            if other != chosen and exact:
                issues.add(INFO, "column_ignored",
                           f"column {other!r} ignored: {canonical!r} is present.",
                           column=canonical)
    out = df.rename(columns=renames)
    keep = [c for c in out.columns if c in spec.columns or c == "geometry"]
    dropped = [str(c) for c in out.columns if c not in keep and c not in renames.values()]
    if dropped:
        issues.add(INFO, "columns_not_used",
                   f"columns not used by phusong: {', '.join(dropped[:15])}"
                   f"{' …' if len(dropped) > 15 else ''}.")
    missing = [c for c in spec.required if c not in out.columns]
    for name in missing:
        if spec.name == "hamlets" and name == "commune_code":
            continue  # found by location
        candidates = [str(c) for c in df.columns if c != "geometry"]
        close = difflib.get_close_matches(fold(name), [fold(c) for c in candidates], n=1,
                                          cutoff=0.6)
        hint = ""
        if close:
            original = next(c for c in candidates if fold(c) == close[0])
            hint = f" Column {original!r} looks close: rename it to {name!r}."
        accepted = ", ".join([name, *COLUMNS[name].aliases][:6])
        issues.add(ERROR, "missing_column",
                   f"required column {name!r} not found (accepted names: {accepted}).{hint}",
                   column=name, fix=f"add or rename a column to {name!r}.")
    return out[keep]


def _bad_rows(mask: pd.Series) -> list[int]:
    return [int(i) for i in mask.index[mask.to_numpy(dtype=bool)]]


def coerce_columns(df: pd.DataFrame, spec: LayerSpec, issues: _Issues) -> pd.DataFrame:
    """Convert each canonical column to its type; check allowed values and ranges."""
    out = df.copy()
    for name in [c for c in spec.columns if c in out.columns]:
        col = COLUMNS[name]
        raw = out[name]
        present = raw.notna() & (raw.astype(str).str.strip() != "")
        if name in spec.required and not (spec.name == "hamlets" and name == "commune_code"):
            empty = ~present
            if empty.any():
                issues.add(ERROR, "missing_value", "required value is empty.", column=name,
                           rows=_bad_rows(empty), fix="fill in the value or delete the rows.")
        if col.dtype == "str":
            values = raw.astype("string").str.strip().str.normalize("NFC")
            if name == "commune_code":
                values = _normalise_codes(raw)
            elif name == "ref":
                from phusong.layers.importers.osm import normalise_road_ref

                values = values.map(normalise_road_ref, na_action="ignore").astype("string")
            out[name] = values.where(present, pd.NA)
        elif col.dtype in ("int", "float"):
            text = raw.astype("string").str.strip().str.replace(",", ".", regex=False)
            numbers = pd.to_numeric(text.where(present, None), errors="coerce")
            bad = present & numbers.isna()
            if col.dtype == "int":
                frac = present & numbers.notna() & (numbers.round() != numbers)
                bad |= frac
            if bad.any():
                shown = ", ".join(repr(v) for v in raw[bad].astype(str).head(3))
                issues.add(ERROR, "wrong_type",
                           f"expected {'whole ' if col.dtype == 'int' else ''}numbers"
                           f"{' in ' + col.unit if col.unit else ''}, found {shown}.",
                           column=name, rows=_bad_rows(bad),
                           fix="write plain numbers (decimal point, no units or text).")
            if col.dtype == "int" and not bad.any():
                out[name] = numbers.round().astype("Int64")
            else:
                out[name] = numbers.astype("float64")
            _check_range(out[name], name, issues)
        elif col.dtype == "bool":
            keys = raw.astype("string").map(lambda v: fold(v) if isinstance(v, str) else "")
            truth = keys.isin(_TRUE)
            bad = present & ~truth & ~keys.isin(_FALSE)
            if bad.any():
                issues.add(ERROR, "wrong_type", "expected true/false (1/0, có/không).",
                           column=name, rows=_bad_rows(bad))
            out[name] = truth.astype(bool)
        elif col.dtype == "datetime":
            parsed = pd.to_datetime(raw.where(present, None), errors="coerce", format="mixed",
                                    utc=False)
            bad = present & parsed.isna()
            if bad.any():
                issues.add(ERROR, "wrong_type", "expected dates like 2025-12-31 or "
                           "2025-12-31T08:30:00.", column=name, rows=_bad_rows(bad))
            out[name] = parsed
        if name in spec.choices:
            out[name] = _map_choices(out[name], name, spec, issues)
    return out


def _normalise_codes(raw: pd.Series) -> pd.Series:
    """Commune codes as text; all-digit codes padded to the 5 digits of the national list."""
    text = raw.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    digits = text.str.fullmatch(r"\d{1,5}").fillna(False).astype(bool)
    return text.where(~digits, text.str.zfill(5))


def _map_choices(values: pd.Series, name: str, spec: LayerSpec, issues: _Issues) -> pd.Series:
    allowed = spec.choices[name]
    lookup = {alias: canonical for canonical, aliases in allowed.items() for alias in aliases}
    present = values.notna()
    folded = values.astype("string").map(lambda v: fold(v) if isinstance(v, str) else v)
    mapped = folded.map(lambda v: lookup.get(v) if isinstance(v, str) else None)
    bad = present & mapped.isna()
    if bad.any() and name in spec.open_choices:
        shown = ", ".join(sorted({repr(str(v)) for v in values[bad].head(50)})[:8])
        issues.add(WARNING, "unknown_value", f"value(s) {shown} kept as written (known: "
                   f"{', '.join(allowed)}).", column=name, rows=_bad_rows(bad),
                   fix="check the spelling if these are one of the known values.")
        return mapped.fillna(values.astype("string")).astype("string")
    if bad.any():
        shown = ", ".join(sorted({repr(str(v)) for v in values[bad].head(50)})[:8])
        issues.add(ERROR, "unknown_value", f"unknown value(s) {shown}; allowed: "
                   f"{', '.join(allowed)}.", column=name, rows=_bad_rows(bad),
                   fix="use one of the allowed values (Vietnamese spellings are accepted).")
    return mapped.astype("string")


def _check_range(values: pd.Series, name: str, issues: _Issues) -> None:
    col = COLUMNS[name]
    unit = f" {col.unit}" if col.unit else ""
    values = values.astype("float64")
    if col.minimum is not None:
        low = (values < col.minimum).fillna(False)
        if low.any():
            code = "negative_value" if col.minimum == 0 else "impossible_value"
            issues.add(ERROR, code, f"values below {col.minimum:g}{unit} (e.g. "
                       f"{values[low].iloc[0]:g}).", column=name, rows=_bad_rows(low),
                       fix="correct the sign or the unit of these values.")
    if col.maximum is not None:
        high = (values > col.maximum).fillna(False)
        if high.any():
            issues.add(ERROR, "impossible_value", f"values above {col.maximum:g}{unit} (e.g. "
                       f"{values[high].iloc[0]:g}).", column=name, rows=_bad_rows(high),
                       fix="correct the value or its unit.")
    if col.plausible is not None:
        lo, hi = col.plausible
        odd = ((values < lo) | (values > hi)).fillna(False)
        if col.minimum is not None:
            odd &= (values >= col.minimum).fillna(False)
        if col.maximum is not None:
            odd &= (values <= col.maximum).fillna(False)
        if odd.any():
            issues.add(WARNING, "implausible_value",
                       f"values outside the plausible range {lo:g}–{hi:g}{unit} (e.g. "
                       f"{values[odd].iloc[0]:g}).", column=name, rows=_bad_rows(odd),
                       fix="check the unit and the value.")


def _points_from_table(df: pd.DataFrame, src: LayerSource, issues: _Issues) -> gpd.GeoDataFrame | None:
    """Build point geometries from lon/lat or x/y columns of a CSV."""
    folded = {fold(c): c for c in df.columns}
    xcol = src.x or next((folded[n] for n in _LON_NAMES if n in folded), None)
    ycol = src.y or next((folded[n] for n in _LAT_NAMES if n in folded), None)
    if xcol not in df.columns or ycol not in df.columns:
        issues.add(ERROR, "missing_column", "no coordinate columns: expected lon/lat (WGS84) or "
                   f"x/y; found {', '.join(map(str, df.columns[:12]))}.", column="lon/lat",
                   fix=f"add lon and lat columns, or name them with x = \"…\", y = \"…\" in "
                   f"[layers.{issues.layer}].")
        return None
    x = pd.to_numeric(df[xcol].astype("string").str.replace(",", ".", regex=False), errors="coerce")
    y = pd.to_numeric(df[ycol].astype("string").str.replace(",", ".", regex=False), errors="coerce")
    bad = x.isna() | y.isna()
    if bad.any():
        issues.add(ERROR, "wrong_type", f"coordinates in {xcol!r}/{ycol!r} are empty or not "
                   "numbers.", column=f"{xcol}/{ycol}", rows=_bad_rows(bad),
                   fix="fill in numeric coordinates (decimal point) or delete the rows.")
    geometry = gpd.points_from_xy(x.fillna(np.nan), y.fillna(np.nan))
    geometry[bad.to_numpy()] = None
    lonlat = re.search(r"(^|_)(lon|lng|long|longitude|kinh_do)($|_)", fold(str(xcol))) is not None
    crs = src.crs or ("EPSG:4326" if lonlat else None)
    gdf = gpd.GeoDataFrame(df.drop(columns=[xcol, ycol]), geometry=geometry, crs=None)
    gdf.attrs["declared_crs"] = crs
    return gdf


def read_layer(name: str, spec: LayerSpec, src: LayerSource, path: Path,
               working_crs: str | pyproj.CRS) -> LayerRead:
    """Read, map, check and reproject one vector or table layer.

    Parameters
    ----------
    name
        Layer name in the scenario (``"hamlets"``).
    spec
        Its :class:`~phusong.layers.schema.LayerSpec`.
    src
        Its ``[layers.<name>]`` settings.
    path
        Resolved file path.
    working_crs
        CRS every geometry is reprojected to.

    Returns
    -------
    LayerRead
        The frame (canonical columns, ``row`` index from 1, working CRS) and the issues found;
        the frame is ``None`` when the file cannot be used at all.
    """
    from phusong.crs import parse_crs

    working_crs = parse_crs(working_crs)
    issues = _Issues(name, str(path))
    df = open_table(path, src, issues)
    if df is None:
        return LayerRead(None, list(issues))
    if not df.attrs.get("filtered"):
        df.index = pd.RangeIndex(1, len(df) + 1, name="row")
    if len(df) == 0:
        from phusong.layers.schema import REQUIRED_LAYERS

        required = name in REQUIRED_LAYERS
        issues.add(ERROR if required else WARNING, "empty_layer",
                   "the layer has no rows" + ("." if required else "; it is not used."),
                   fix="export the layer again, or remove it from the scenario.")
        return LayerRead(None, list(issues))
    if not isinstance(df, gpd.GeoDataFrame) and spec.geometry:
        gdf = _points_from_table(df, src, issues) if spec.point_table else None
        if gdf is None:
            if not spec.point_table:
                issues.add(ERROR, "wrong_geometry_type", f"a table without geometry; layer "
                           f"{name!r} needs {'/'.join(spec.geometry)} geometries.",
                           fix="export it as GeoPackage or GeoJSON.")
            return LayerRead(None, list(issues))
        df = gdf
    if src.columns:
        df = _explicit_columns(df, spec, src.columns, issues)
    mapped = map_columns(pd.DataFrame(df) if not spec.geometry else df, spec, issues)
    frame = coerce_columns(mapped, spec, issues)
    if spec.geometry:
        frame = _check_geometry(gpd.GeoDataFrame(frame, geometry="geometry", crs=df.crs), spec,
                                issues)
        declared = src.crs or df.attrs.get("declared_crs")
        frame = _to_working_crs(frame, declared, working_crs, parse_crs, issues)
        if frame is None:
            return LayerRead(None, list(issues))
    if spec.id_column and spec.id_column in frame.columns:
        ids = frame[spec.id_column]
        dup = ids.notna() & ids.duplicated(keep=False)
        if dup.any():
            shown = ", ".join(repr(str(v)) for v in ids[dup].drop_duplicates().head(3))
            if name in _SEGMENTED_LAYERS:  # pieces of one road or cable often share its id
                issues.add(WARNING, "duplicate_id", f"ids used by several lines: {shown}; "
                           "they are read as pieces of one route.", column=spec.id_column,
                           rows=_bad_rows(dup), fix="give every piece its own id if they are "
                           "different routes.")
            else:
                issues.add(ERROR, "duplicate_id", f"ids used more than once: {shown}.",
                           column=spec.id_column, rows=_bad_rows(dup),
                           fix="give every row its own id.")
    if name == "measurements":
        if "rsrp_dbm" not in frame.columns and "dl_mbps" not in frame.columns:
            issues.add(ERROR, "missing_column", "measurements need rsrp_dbm or dl_mbps (or both).",
                       column="rsrp_dbm", fix="add an RSRP (dBm) or download (Mbit/s) column.")
    usable = frame is not None and not any(
        i.severity == ERROR and i.code in ("missing_column", "missing_crs", "unknown_crs",
                                          "ambiguous_column") for i in issues)
    return LayerRead(frame if usable else None, list(issues))


def _check_geometry(gdf: gpd.GeoDataFrame, spec: LayerSpec, issues: _Issues) -> gpd.GeoDataFrame:
    geoms = gdf.geometry.values
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        issues.add(ERROR, "empty_geometry", "rows without geometry.",
                   rows=gdf.index[missing], fix="draw the features or delete the rows.")
    types = pd.Series(shapely.get_type_id(geoms), index=gdf.index)
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection"])
    type_names = np.where(types.to_numpy() >= 0, names[np.clip(types.to_numpy(), 0, 7)], "")
    wrong = ~missing & ~np.isin(type_names, spec.geometry)
    if wrong.any():
        found = sorted(set(type_names[wrong]))
        issues.add(ERROR, "wrong_geometry_type", f"found {', '.join(found)} geometries; layer "
                   f"{spec.name!r} takes {', '.join(spec.geometry)}.", rows=gdf.index[wrong],
                   fix="check that the right file or layer is named in the scenario.")
    invalid = ~missing & ~shapely.is_valid(geoms)
    if invalid.any():
        reason = shapely.is_valid_reason(geoms[invalid][0])
        issues.add(ERROR, "invalid_geometry", f"invalid geometries (first: {reason}).",
                   rows=gdf.index[invalid],
                   fix="repair them (QGIS: Vector ▸ Geometry Tools ▸ Fix Geometries, or "
                   "shapely.make_valid).")
    return gdf


def _to_working_crs(gdf: gpd.GeoDataFrame, declared: str | None, working_crs: str,
                    parse_crs, issues: _Issues) -> gpd.GeoDataFrame | None:
    if gdf.crs is None:
        if not declared:
            issues.add(ERROR, "missing_crs", "the file has no coordinate reference system.",
                       fix=f"set crs = \"EPSG:4326\" (lon/lat), \"EPSG:32648\" or "
                       f"\"vn2000_tm3:106.5\" (VN-2000 TM-3) in [layers.{issues.layer}], or add "
                       "a .prj file.")
            return None
        try:
            gdf = gdf.set_crs(parse_crs(declared))
        except Exception as e:  # noqa: BLE001 - any parse failure is reported
            issues.add(ERROR, "unknown_crs", f"crs = {declared!r} is not a CRS pyproj knows "
                       f"({_first_line(e)}).", fix="use an EPSG code such as EPSG:4326.")
            return None
    elif declared and issues.layer and gdf.crs is not None and not gdf.attrs.get("declared_crs"):
        log.info("%s: file CRS %s kept; crs setting %r ignored", issues.file, gdf.crs.name,
                 declared)
    valid = ~(shapely.is_missing(gdf.geometry.values) | shapely.is_empty(gdf.geometry.values))
    if valid.any():
        bounds = shapely.bounds(gdf.geometry.values[valid])
        looks_degrees = (np.abs(bounds[:, [0, 2]]) <= 180).all() and \
            (np.abs(bounds[:, [1, 3]]) <= 90).all()
        if gdf.crs.is_projected and looks_degrees:
            issues.add(ERROR, "crs_mismatch", f"coordinates look like degrees but the CRS is "
                       f"{gdf.crs.name} (metres).", fix="set crs = \"EPSG:4326\" for this layer.")
            return None
        if gdf.crs.is_geographic and not looks_degrees:
            out = ~((np.abs(bounds[:, [0, 2]]) <= 180).all(axis=1) &
                    (np.abs(bounds[:, [1, 3]]) <= 90).all(axis=1))
            issues.add(ERROR, "crs_mismatch", "coordinates are not degrees but the CRS is "
                       f"{gdf.crs.name} (lon/lat).", rows=gdf.index[valid][out],
                       fix="set the layer's metric crs (e.g. EPSG:32648 or vn2000_tm3:106.5).")
            return None
    try:
        return gdf.to_crs(working_crs)
    except Exception as e:  # noqa: BLE001
        issues.add(ERROR, "unknown_crs", f"cannot reproject from {gdf.crs} to {working_crs} "
                   f"({_first_line(e)}).")
        return None
