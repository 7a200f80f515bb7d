"""Grids of the coverage engine and the DEM resampled onto them by windowed reads.

Two grids share one lattice (north up, cells ``resolution_m`` square, corners on multiples of
the resolution in the working CRS, so a 30 m DEM on the same lattice is read as it is):

* the *output* grid: the province's bounding box plus a margin; the rasters written;
* the *terrain* grid: the output grid widened by the longest prediction radius (so that
  profiles from sites outside the province, or running out of it, see their terrain), cut to
  the DEM's extent. The output grid's cell ``(r, c)`` is the terrain grid's
  ``(r + row0, c + col0)``.

The DEM is resampled with GDAL's ``average`` (every DEM cell a grid cell overlaps, weighted by
the overlap) through a :class:`rasterio.vrt.WarpedVRT` and read in strips of rows, so memory
holds the terrain grid and one strip, whatever the DEM's size; a DEM in another CRS is
reprojected on the fly. DEM no-data becomes NaN.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass

import numpy as np
from affine import Affine
from numpy.typing import NDArray

from phusong.coverage._kernels import _bilinear_reference
from phusong.errors import CRSError, InputError

__all__ = ["GridSpec", "output_grid", "terrain_grid", "dem_bounds", "read_terrain", "bilinear_at"]

log = logging.getLogger(__name__)

_STRIP_ROWS = 512


@dataclass(frozen=True)
class GridSpec:
    """A north-up grid: transform, shape and CRS, and its offset in a parent grid."""

    transform: Affine
    shape: tuple[int, int]
    crs: str
    row0: int = 0
    col0: int = 0

    @property
    def resolution_m(self) -> float:
        """Cell size in metres."""
        return float(self.transform.a)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)``."""
        xmin, ymax = self.transform.c, self.transform.f
        return (xmin, ymax + self.shape[0] * self.transform.e,
                xmin + self.shape[1] * self.transform.a, ymax)


def output_grid(bounds: tuple[float, float, float, float], resolution_m: float, crs: str,
                margin_m: float) -> GridSpec:
    """The grid over ``bounds`` (xmin, ymin, xmax, ymax) widened by ``margin_m``, snapped to
    multiples of ``resolution_m``."""
    res = float(resolution_m)
    xmin, ymin, xmax, ymax = bounds
    x0 = math.floor((xmin - margin_m) / res) * res
    y0 = math.ceil((ymax + margin_m) / res) * res
    n_cols = max(int(math.ceil((xmax + margin_m - x0) / res)), 1)
    n_rows = max(int(math.ceil((y0 - (ymin - margin_m)) / res)), 1)
    return GridSpec(Affine(res, 0.0, x0, 0.0, -res, y0), (n_rows, n_cols), crs)


def terrain_grid(grid: GridSpec, reach_m: float,
                 dem_bounds: tuple[float, float, float, float] | None) -> GridSpec:
    """The output grid widened by ``reach_m`` and cut to ``dem_bounds`` (whole cells of the
    same lattice; never smaller than the output grid)."""
    res = grid.resolution_m
    gx0, gy1 = grid.transform.c, grid.transform.f
    gx1 = gx0 + grid.shape[1] * res
    gy0 = gy1 - grid.shape[0] * res
    pad = math.ceil(reach_m / res) * res
    x0, y0, x1, y1 = gx0 - pad, gy0 - pad, gx1 + pad, gy1 + pad
    if dem_bounds is not None:
        dxmin, dymin, dxmax, dymax = dem_bounds
        x0 = min(max(x0, gx0 + math.floor((dxmin - gx0) / res) * res), gx0)
        y0 = min(max(y0, gy0 + math.floor((dymin - gy0) / res) * res), gy0)
        x1 = max(min(x1, gx1 + math.ceil((dxmax - gx1) / res) * res), gx1)
        y1 = max(min(y1, gy1 + math.ceil((dymax - gy1) / res) * res), gy1)
    shape = (int(round((y1 - y0) / res)), int(round((x1 - x0) / res)))
    return GridSpec(Affine(res, 0.0, x0, 0.0, -res, y1), shape, grid.crs,
                    int(round((y1 - gy1) / res)), int(round((gx0 - x0) / res)))


def dem_bounds(dem_path: str | os.PathLike[str], crs: str) -> tuple[float, float, float, float]:
    """Bounds of a DEM in the working CRS.

    Raises
    ------
    CRSError
        If the DEM has no CRS.
    """
    import rasterio
    from rasterio.warp import transform_bounds

    from phusong.crs import parse_crs

    with rasterio.open(dem_path) as src:
        if src.crs is None:
            msg = (f"{dem_path}: the DEM has no coordinate reference system; assign one "
                   "(e.g. gdal_edit.py -a_srs EPSG:32648) before predicting coverage.")
            raise CRSError(msg)
        work = parse_crs(crs)
        if src.crs == work:
            return tuple(src.bounds)  # type: ignore[return-value]
        return transform_bounds(src.crs, work, *src.bounds, densify_pts=21)


def read_terrain(dem_path: str | os.PathLike[str], grid: GridSpec) -> NDArray[np.float32]:
    """The DEM on ``grid`` (float32, metres, NaN for no data), averaged, by strips of rows.

    Raises
    ------
    InputError
        If the DEM cannot be read.
    """
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.errors import RasterioError
    from rasterio.vrt import WarpedVRT
    from rasterio.windows import Window

    from phusong.crs import parse_crs

    n_rows, n_cols = grid.shape
    out = np.empty(grid.shape, dtype=np.float32)
    try:
        with rasterio.open(dem_path) as src, WarpedVRT(
                src, crs=parse_crs(grid.crs), transform=grid.transform, width=n_cols,
                height=n_rows, resampling=Resampling.average, src_nodata=src.nodata,
                nodata=np.nan, dtype="float32") as vrt:
            for r in range(0, n_rows, _STRIP_ROWS):
                h = min(_STRIP_ROWS, n_rows - r)
                out[r:r + h] = vrt.read(1, window=Window(0, r, n_cols, h))
    except RasterioError as e:
        msg = f"{dem_path}: the DEM cannot be read ({e})."
        raise InputError(msg) from e
    log.debug("terrain %s × %s cells at %.0f m read from %s", n_rows, n_cols,
              grid.resolution_m, dem_path)
    return out


def bilinear_at(z: NDArray[np.floating], transform: Affine, x: NDArray[np.float64],
                y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Terrain at points, bilinear between cell centres (as the sweep samples it); NaN off."""
    fc = (np.asarray(x, dtype=float) - transform.c) / transform.a - 0.5
    fr = (np.asarray(y, dtype=float) - transform.f) / transform.e - 0.5
    n_rows, n_cols = z.shape
    inside = (fc >= -0.5) & (fr >= -0.5) & (fc <= n_cols - 0.5) & (fr <= n_rows - 0.5)
    return np.where(inside, _bilinear_reference(z, fc, fr), np.nan)
