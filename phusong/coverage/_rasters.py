"""Writing a :class:`~phusong.coverage.grid.CoverageGrid`: Cloud-Optimised GeoTIFFs and a CSV.

One file per quantity, operator and technology, ``<quantity>_<operator>_<tech>.tif``:

==============  =======  ==========  ==============================================
quantity        type     no data     meaning
==============  =======  ==========  ==============================================
``rsrp_dbm``    float32  NaN         best-server RSRP, fading margin included (dBm)
``sinr_db``     float32  NaN         SINR of the best server, median (dB)
``dl_mbps``     float32  NaN         downlink throughput (Mbit/s); NaN where no server
``server``      int32    −1          row of the best server in ``sectors_coverage.csv``
==============  =======  ==========  ==============================================

GDAL's ``COG`` driver (GDAL ≥ 3.1) writes them: north-up, the grid's CRS, DEFLATE with a
floating-point predictor, 512-pixel tiles and overviews (average; nearest for ``server``), so
they open as they are in QGIS and stream over HTTP. Tags record the model, thresholds and every
setting (``settings``, JSON) plus one tag per scalar setting, the quantity, unit, operator,
technology and the technology's RSRP threshold (``rsrp_threshold_dbm``). ``sectors_coverage.csv`` lists
each predicted sector with the area it serves and covers as best server, its range and mean
RSRP (:func:`~phusong.coverage._composite.sector_summary`).

Every file is written to a temporary file beside it and moved into place; nothing is written
if any output exists and ``overwrite`` is false.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from phusong._io import atomic_path, check_writable, write_csv
from phusong.errors import OutputError

if TYPE_CHECKING:  # pragma: no cover
    from phusong.coverage.grid import CoverageGrid

__all__ = ["QUANTITIES", "SUMMARY_FILE", "output_names", "write_grid"]

log = logging.getLogger(__name__)

QUANTITIES = ("rsrp_dbm", "sinr_db", "dl_mbps", "server")
"""Quantities written per layer, in file-name order."""

SUMMARY_FILE = "sectors_coverage.csv"

_UNITS = {"rsrp_dbm": "dBm", "sinr_db": "dB", "dl_mbps": "Mbit/s", "server": ""}
_DESCRIPTIONS = {
    "rsrp_dbm": "best-server RSRP per resource element, shadow-fading margin included",
    "sinr_db": "median SINR of the best server (co-channel interference and thermal noise)",
    "dl_mbps": "downlink throughput, 3GPP TR 36.942 Annex A.2 bounded Shannon",
    "server": "row of the best server in sectors_coverage.csv (0-based; -1 none)",
}


def _safe(name: str) -> str:
    """A file-name-safe form of an operator name (letters, digits, ``-``; others ``_``)."""
    return re.sub(r"[^0-9A-Za-z-]+", "_", name).strip("_") or "operator"


def output_names(grid: CoverageGrid) -> list[str]:
    """File names :func:`write_grid` writes for ``grid``, the summary CSV last."""
    names = [f"{q}_{_safe(op)}_{tech}.tif" for (op, tech) in sorted(grid.layers)
             for q in QUANTITIES]
    return [*names, SUMMARY_FILE]


def _tags(grid: CoverageGrid, operator: str, tech: str, quantity: str) -> dict[str, str]:
    settings = grid.settings or {}
    tags = {key: str(value) for key, value in settings.items()
            if isinstance(value, (str, int, float, bool))}
    tags.update({
        "quantity": quantity,
        "unit": _UNITS[quantity],
        "description": _DESCRIPTIONS[quantity],
        "operator": operator,
        "tech": tech,
        "model": str(settings.get("model", "")),
        "rsrp_threshold_dbm": str(float(grid.rsrp_threshold_dbm.get(tech, float("nan")))),
        "min_dl_mbps": str(float(grid.min_dl_mbps)),
        "settings": json.dumps(settings, ensure_ascii=False, default=str),
    })
    return tags


def _write_cog(path: Path, array: np.ndarray, grid: CoverageGrid, quantity: str,
               tags: dict[str, str], overwrite: bool) -> None:
    import rasterio
    from rasterio.errors import RasterioError

    from phusong.crs import parse_crs

    is_int = array.dtype.kind in "iu"
    profile: dict[str, Any] = {
        "driver": "COG", "width": array.shape[1], "height": array.shape[0], "count": 1,
        "dtype": "int32" if is_int else "float32", "crs": parse_crs(grid.crs).to_wkt(),
        "transform": grid.transform, "nodata": -1 if is_int else float("nan"),
        "compress": "DEFLATE", "predictor": 2 if is_int else 3, "blocksize": 512,
        "overview_resampling": "nearest" if is_int else "average", "bigtiff": "IF_SAFER",
    }
    try:
        with atomic_path(path, overwrite) as tmp, rasterio.open(tmp, "w", **profile) as ds:
            ds.write(array, 1)
            ds.update_tags(**tags)
            ds.set_band_description(1, _DESCRIPTIONS[quantity])
            if _UNITS[quantity]:
                ds.set_band_unit(1, _UNITS[quantity])
    except RasterioError as e:
        msg = f"{path}: cannot write the raster ({e})."
        raise OutputError(msg) from e


def write_grid(grid: CoverageGrid, folder: str | Path, overwrite: bool = False) -> list[Path]:
    """Write every layer of ``grid`` as Cloud-Optimised GeoTIFFs, and the per-sector CSV.

    Parameters
    ----------
    grid
        The coverage grid (not modified).
    folder
        Output folder (created if needed).
    overwrite
        Replace files of an earlier run; otherwise an existing output stops the writing before
        any file is written.

    Returns
    -------
    list of Path
        The files written, rasters first, ``sectors_coverage.csv`` last.

    Raises
    ------
    OutputExistsError
        If an output exists and ``overwrite`` is false.
    OutputError
        If a file cannot be written.
    """
    from phusong.coverage._composite import sector_summary

    out = Path(folder)
    names = output_names(grid)
    for name in names:
        check_writable(out / name, overwrite)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for op, tech in sorted(grid.layers):
        layer = grid.layers[(op, tech)]
        served = layer.server >= 0
        arrays = {
            "rsrp_dbm": layer.rsrp_dbm.astype(np.float32, copy=False),
            "sinr_db": layer.sinr_db.astype(np.float32, copy=False),
            "dl_mbps": np.where(served, layer.dl_mbps, np.nan).astype(np.float32),
            "server": layer.server.astype(np.int32, copy=False),
        }
        for quantity in QUANTITIES:
            path = out / f"{quantity}_{_safe(op)}_{tech}.tif"
            _write_cog(path, arrays[quantity], grid, quantity,
                       _tags(grid, op, tech, quantity), overwrite)
            written.append(path)
    summary = sector_summary(grid)
    written.append(write_csv(out / SUMMARY_FILE, summary, overwrite=overwrite))
    log.info("coverage: %d rasters and %s written to %s", len(written) - 1, SUMMARY_FILE, out)
    return written
