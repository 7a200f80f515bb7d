"""MapInfo TAB in and out, VN-2000 TM-3 by default.

Vietnamese provincial offices (Sở TT&TT, Sở TN&MT) exchange layers as MapInfo TAB in VN-2000
TM-3. GDAL's "MapInfo File" driver reads and writes them; what this module adds:

- :func:`write_tab` reprojects to VN-2000 TM-3 (:func:`phusong.crs.vn2000_tm3`), writes UTF-8
  text (``!charset UTF-8``, MapInfo Pro ≥ 15.2; GDAL has no MapInfo charset for CP1258), sets the
  coordinate bounds from the data so that the integer storage of a ``.map`` resolves better than
  0.1 mm, and replaces the several files of a TAB (``.tab``, ``.dat``, ``.map``, ``.id``, ``.ind``)
  only as a whole and only when asked.
- The datum shift travels as MapInfo datum 9999 with the seven parameters (MapInfo applies
  rotations in the coordinate-frame convention; GDAL converts), so a TAB written here opens in
  MapInfo with the same parameters as MapInfo's own VN-2000 definitions.
- MapInfo has no NULL: a missing number is stored as 0 and missing text as ``""``. Columns with
  missing values are named in a warning.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj

from phusong.crs import to_working, vn2000_tm3
from phusong.errors import InputError, OutputError, OutputExistsError

__all__ = ["read_tab", "write_tab", "TAB_EXTENSIONS"]

log = logging.getLogger(__name__)

#: The files one MapInfo table may consist of.
TAB_EXTENSIONS: tuple[str, ...] = (".tab", ".dat", ".map", ".id", ".ind")


def read_tab(path: str | os.PathLike[str], layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a MapInfo TAB (or MIF) layer with GDAL, in the file's own CRS.

    This is the generic GDAL reader (as :func:`phusong.layers.read_layer` uses for a TAB named in
    a scenario); reproject with :func:`phusong.crs.to_working`.

    Parameters
    ----------
    path
        The ``.tab`` (or ``.mif``) file.
    layer
        Layer name, for a folder or a seamless table with several; ``None`` = the only one.

    Returns
    -------
    geopandas.GeoDataFrame
        Text decoded per the table's ``!charset``; CRS from its ``CoordSys``.

    Raises
    ------
    InputError
        If the file does not exist or GDAL cannot read it.
    """
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    path = Path(path)
    if not path.exists():
        msg = f"{path}: MapInfo table not found; check the path (a TAB needs its .dat/.map/.id too)"
        raise InputError(msg)
    missing = [ext for ext in (".dat", ".map") if path.suffix.lower() == ".tab"
               and not _sibling(path, ext).exists()]
    if missing and not _is_view_or_seamless(path):
        log.warning("%s: %s missing beside the .tab; GDAL may read no geometry or no attributes",
                    path, " and ".join(missing))
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except (DataSourceError, DataLayerError, UnicodeDecodeError, OSError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        where = f"{path}" + (f", layer {layer!r}" if layer else "")
        msg = (f"{where}: GDAL cannot read this MapInfo table ({first}); check that the .tab, "
               f".dat, .map and .id files are all there and open it in MapInfo or QGIS")
        raise InputError(msg) from e
    log.info("%s: %d features, CRS %s", path, len(gdf), gdf.crs.name if gdf.crs else "none")
    return gdf


def write_tab(
    path: str | os.PathLike[str],
    gdf: gpd.GeoDataFrame,
    crs: str | pyproj.CRS | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a layer as a MapInfo TAB, by default in VN-2000 TM-3 106°30′, atomically.

    The table is written into a temporary folder beside ``path`` and its files are then moved
    into place one by one; an existing table is refused unless ``overwrite``, and then its
    leftover sibling files (an old ``.ind``) are removed so that the table stays consistent.

    Parameters
    ----------
    path
        Target ``.tab`` file.
    gdf
        The layer (any CRS); it is not modified.
    crs
        CRS of the file; ``None`` = :func:`phusong.crs.vn2000_tm3` (VN-2000 TM-3 106°30′).
    overwrite
        Replace an existing table.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputExistsError
        If any file of the table exists and ``overwrite`` is false.
    OutputError
        If ``path`` does not end in ``.tab`` or GDAL cannot write it.
    CRSError
        If ``gdf`` has no CRS.
    """
    import pyogrio

    path = Path(path)
    if path.suffix.lower() != ".tab":
        msg = f"{path}: a MapInfo table must end in .tab"
        raise OutputError(msg)
    existing = [p for p in (_sibling(path, ext) for ext in TAB_EXTENSIONS) if p.exists()]
    if existing and not overwrite:
        names = ", ".join(p.name for p in existing)
        msg = f"{path}: output exists already ({names}); pass overwrite=True (--overwrite) to replace it"
        raise OutputExistsError(msg)
    target_crs = vn2000_tm3() if crs is None else crs
    out = to_working(gdf, target_crs, source=f"layer written to {path}")
    _warn_missing_values(out, path)
    layer_options = {"ENCODING": "UTF-8"}
    bounds = _bounds_option(out)
    if bounds:
        layer_options["BOUNDS"] = bounds
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmpdir = Path(tempfile.mkdtemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent))
    except OSError as e:
        msg = f"{path.parent}: cannot create the output folder or a temporary folder in it ({e})"
        raise OutputError(msg) from e
    try:
        tmp = tmpdir / f"{path.stem}.tab"
        try:
            pyogrio.write_dataframe(out, tmp, driver="MapInfo File", layer_options=layer_options)
        except Exception as e:  # GDAL raises several types; all mean "cannot write"
            msg = f"{path}: GDAL cannot write this layer as a MapInfo table ({e})"
            raise OutputError(msg) from e
        written = {p.suffix.lower(): p for p in tmpdir.iterdir()}
        for ext, old in ((p.suffix.lower(), p) for p in existing):
            if ext not in written:
                old.unlink()
        for ext, src in written.items():
            os.replace(src, _sibling(path, ext))
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(tmpdir)
    log.info("wrote %s (%d features, %s)", path, len(out), out.crs.name)
    return path


def _sibling(path: Path, ext: str) -> Path:
    """The file of the table ``path`` with extension ``ext`` (matching an existing case)."""
    for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return path.with_suffix(ext)


def _is_view_or_seamless(path: Path) -> bool:
    try:
        head = path.read_text(encoding="latin-1", errors="replace")[:2000].lower()
    except OSError:
        return False
    return "create view" in head or "seamless" in head


def _bounds_option(gdf: gpd.GeoDataFrame) -> str:
    """MapInfo ``BOUNDS`` around the data, padded, so that 32-bit storage keeps sub-mm detail."""
    valid = ~(gdf.geometry.is_empty | gdf.geometry.isna())
    if not valid.any():
        return ""
    xmin, ymin, xmax, ymax = gdf.geometry[valid].total_bounds
    if not np.isfinite([xmin, ymin, xmax, ymax]).all():
        return ""
    span = max(xmax - xmin, ymax - ymin)
    pad = max(0.1 * span, 1000.0 if gdf.crs.is_projected else 0.01)
    return ",".join(repr(float(v)) for v in (xmin - pad, ymin - pad, xmax + pad, ymax + pad))


def _warn_missing_values(gdf: gpd.GeoDataFrame, path: Path) -> None:
    columns = [c for c in gdf.columns if c != gdf.geometry.name and gdf[c].isna().any()]
    if columns:
        log.warning("%s: MapInfo has no empty value; missing values in %s are written as 0 "
                    "(numbers) or \"\" (text)", path, ", ".join(map(str, columns)))
