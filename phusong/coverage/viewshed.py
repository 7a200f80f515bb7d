"""Line-of-sight mask (viewshed) of an observer over a DEM, with earth curvature.

:func:`viewshed` tests, for every cell centre within a radius, whether the straight ray from
the observer to a target above the cell clears the terrain (sampled bilinearly about once per
cell along the ray, in the "drop" frame: a point ``d`` away is lowered by ``d² / (2 k R)``). It
is the optical line of sight of the terrain model (ITU-R P.526's clear-ray case) as a raster,
the counterpart of GDAL's ``gdal_viewshed`` (whose curvature coefficient ``cc`` is ``1/k``:
0.85714 is ``k = 7/6``); ``tests/test_viewshed.py`` holds the two to at least 99 % of cells.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np
from affine import Affine
from numpy.typing import NDArray

from phusong.errors import InputError

__all__ = ["Viewshed", "viewshed"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Viewshed:
    """A line-of-sight mask on the DEM's grid (or a window of it).

    ``visible`` is True where the target is seen, ``inside`` where the cell lies within the
    radius (and has terrain); ``transform`` and ``crs`` place the window.
    """

    visible: NDArray[np.bool_]
    inside: NDArray[np.bool_]
    transform: Affine
    crs: str

    @property
    def visible_share(self) -> float:
        """Share of the cells within the radius that are visible."""
        n = int(self.inside.sum())
        return float(self.visible.sum() / n) if n else 0.0


def viewshed(dem_path: str | os.PathLike[str], x: float, y: float, observer_height_m: float,
             radius_m: float, *, target_height_m: float = 1.5, k_factor: float = 4.0 / 3.0,
             earth_radius_m: float = 6_371_000.0) -> Viewshed:
    """The cells of a DEM within ``radius_m`` of ``(x, y)`` seen from an observer.

    Parameters
    ----------
    dem_path
        A projected (metric) DEM with square cells; read in the window around the observer.
    x, y
        Observer position in the DEM's CRS (metres).
    observer_height_m
        Observer height above the ground of its cell.
    radius_m
        Largest distance tested.
    target_height_m
        Target height above the ground of each cell (1.5 m: a handset).
    k_factor
        Effective earth-radius factor (``inf`` for a flat earth).
    earth_radius_m
        Earth radius (GDAL uses the CRS's semi-major axis).

    Returns
    -------
    Viewshed
        The mask on the window of the DEM around the observer.

    Raises
    ------
    InputError
        If the observer is outside the DEM, on no-data, or the cells are not square.
    """
    import rasterio
    from rasterio.windows import Window

    from phusong.coverage._kernels_grid import HIDDEN, OUTSIDE, VISIBLE, los_cells

    with rasterio.open(dem_path) as ds:
        t = ds.transform
        if abs(abs(t.a) - abs(t.e)) > 1e-6 * abs(t.a) or t.b or t.d:
            msg = f"{dem_path}: viewshed needs square, north-up cells; got {t!r}."
            raise InputError(msg)
        cell = abs(t.a)
        col_f, row_f = ~t @ (x, y)
        if not (0 <= row_f < ds.height and 0 <= col_f < ds.width):
            msg = f"{dem_path}: the observer ({x:.1f}, {y:.1f}) is outside the DEM."
            raise InputError(msg)
        pad = int(radius_m / cell) + 2
        c0 = max(int(col_f) - pad, 0)
        r0 = max(int(row_f) - pad, 0)
        c1 = min(int(col_f) + pad + 1, ds.width)
        r1 = min(int(row_f) + pad + 1, ds.height)
        window = Window(c0, r0, c1 - c0, r1 - r0)
        dem = ds.read(1, window=window, masked=True).astype(np.float64).filled(np.nan)
        transform = ds.window_transform(window)
        crs = ds.crs.to_string() if ds.crs else ""
    obs_r, obs_c = row_f - r0, col_f - c0
    ground = dem[int(obs_r), int(obs_c)]
    if not np.isfinite(ground):
        msg = f"{dem_path}: the observer ({x:.1f}, {y:.1f}) stands on a no-data cell."
        raise InputError(msg)
    mask = los_cells(dem, obs_r, obs_c, float(ground) + observer_height_m, target_height_m,
                     cell, radius_m, k_factor, earth_radius_m)
    log.debug("viewshed: %d of %d cells visible", int((mask == VISIBLE).sum()),
              int((mask != OUTSIDE).sum()))
    return Viewshed(mask == VISIBLE, (mask == VISIBLE) | (mask == HIDDEN), transform, crs)
