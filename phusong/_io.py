"""Atomic output writing with an explicit overwrite policy.

Every output goes to a temporary file in the target folder and is moved into place with
:func:`os.replace`, so a crash or a bad input never leaves a half-written file, and an existing
output is never touched unless ``overwrite=True`` (the CLI's ``--overwrite``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phusong.errors import OutputError, OutputExistsError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = [
    "atomic_path",
    "check_writable",
    "write_text",
    "write_json",
    "write_csv",
    "gpkg_ready",
    "write_vector",
    "write_vectors",
]

log = logging.getLogger(__name__)


def check_writable(path: str | os.PathLike[str], overwrite: bool) -> Path:
    """Return ``path`` as a :class:`Path` after checking the overwrite policy.

    Raises
    ------
    OutputExistsError
        If the path exists and ``overwrite`` is false.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        msg = f"{path}: output exists already; pass --overwrite (overwrite=True) to replace it"
        raise OutputExistsError(msg)
    return path


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike[str], overwrite: bool = False, suffix: str | None = None
) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` when the block succeeds.

    The temporary file keeps the extension of ``path`` (drivers such as GDAL pick the format from
    it). If the block raises, the temporary file is removed and ``path`` is left as it was.
    """
    target = check_writable(path, overwrite)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        msg = f"{target.parent}: cannot create the output folder ({e.strerror})"
        raise OutputError(msg) from e
    ext = suffix if suffix is not None else "".join(target.suffixes[-1:])
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{ext}", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # let the writer create it (GDAL refuses to open an empty file as a dataset)
    try:
        yield tmp
        if not tmp.exists():
            msg = f"{target}: the writer produced no file"
            raise OutputError(msg)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    log.debug("wrote %s", target)


def write_text(path: str | os.PathLike[str], text: str, overwrite: bool = False) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(path, overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(path: str | os.PathLike[str], obj: Any, overwrite: bool = False) -> Path:
    """Write JSON atomically, keeping Vietnamese text as UTF-8 (``ensure_ascii=False``)."""
    text = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False, default=str) + "\n"
    return write_text(path, text, overwrite)


def write_csv(path: str | os.PathLike[str], df: pd.DataFrame, overwrite: bool = False) -> Path:
    """Write a table as UTF-8 CSV (with BOM, so that Excel opens Vietnamese text correctly)."""
    with atomic_path(path, overwrite) as tmp:
        df.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    return Path(path)


def write_vector(
    path: str | os.PathLike[str],
    gdf: gpd.GeoDataFrame,
    layer: str | None = None,
    overwrite: bool = False,
    driver: str | None = None,
) -> Path:
    """Write a GeoDataFrame atomically with pyogrio.

    For a GeoPackage with several layers, call :func:`write_vectors` instead so that the whole
    file is replaced at once.
    """
    return write_vectors(path, {layer or Path(path).stem: gdf}, overwrite=overwrite, driver=driver)


def gpkg_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with object columns for strings and nullable booleans (a GeoPackage has no pandas
    extension types; missing values become ``None``) and a fresh index."""
    import pandas as pd

    frame = frame.copy()
    for col in frame.columns:
        if col == "geometry":
            continue
        values = frame[col]
        if isinstance(values.dtype, pd.BooleanDtype) or not (
                pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            frame[col] = values.astype(object).where(values.notna(), None)
    return frame.reset_index(drop=True)


def write_vectors(
    path: str | os.PathLike[str],
    layers: dict[str, gpd.GeoDataFrame],
    overwrite: bool = False,
    driver: str | None = None,
) -> Path:
    """Write several layers into one vector file (GeoPackage) atomically."""
    import pyogrio

    # A GeoPackage records the time it was written; a fixed date keeps repeated runs of the same
    # inputs byte-identical (GDAL's OGR_CURRENT_DATE configuration option).
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _FIXED_DATE})
    try:
        with atomic_path(path, overwrite) as tmp:
            for name, gdf in layers.items():
                pyogrio.write_dataframe(gdf, tmp, layer=name, driver=driver, append=tmp.exists())
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    return Path(path)


_FIXED_DATE = "2000-01-01T00:00:00.000Z"
