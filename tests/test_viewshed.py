"""The line-of-sight mask against GDAL's ``gdal_viewshed`` on the demo DEM.

Both use the same observer (a cell centre, 30 m above its ground), a 1.5 m target, and earth
curvature with refraction: GDAL's curvature coefficient 0.85714 lowers a point ``d`` away by
``0.85714 · d² / (2 R)``, our ``k = 7/6`` by ``d² / (2 k R)``, the same with ``R`` the WGS 84
semi-major axis GDAL uses. The two algorithms differ (GDAL interpolates each cell's horizon
from its neighbours nearer the observer; we test the straight ray to every cell centre), so
they may disagree on cells that graze the horizon: at least 99 % of cells must agree.

``gdal_viewshed`` comes with Debian's ``gdal-bin`` (``apt-get install -y gdal-bin``); without
it the comparison is skipped.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import rasterio
from conftest import requires_tool

from phusong.coverage.viewshed import viewshed

GDAL_VIEWSHED = shutil.which("gdal_viewshed")
WGS84_A = 6_378_137.0


@pytest.fixture(scope="module")
def demo_dem(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from phusong.layers.demo import write_demo

    out = tmp_path_factory.mktemp("vs")
    return Path(write_demo(out, preset="commune")["dem"])


def _gdal(dem: Path, x: float, y: float, oz: float, radius: float, out: Path) -> np.ndarray:
    subprocess.run([GDAL_VIEWSHED, "-q", "-ox", repr(x), "-oy", repr(y), "-oz", repr(oz),
                    "-tz", "1.5", "-md", repr(radius), "-cc", "0.85714", "-vv", "1", "-iv", "0",
                    "-ov", "255", str(dem), str(out)], check=True, capture_output=True)
    with rasterio.open(out) as ds:
        return ds.read(1), ds.transform


@requires_tool(GDAL_VIEWSHED is not None, "gdal_viewshed not on PATH: install Debian's gdal-bin "
               "(apt-get install -y gdal-bin) to compare with GDAL")
@pytest.mark.parametrize(("dx_cells", "dy_cells", "height_m"), [(0, 0, 30.0), (-90, 60, 45.0)])
def test_line_of_sight_agrees_with_gdal_viewshed(demo_dem: Path, tmp_path: Path, dx_cells: int,
                                                 dy_cells: int, height_m: float) -> None:
    with rasterio.open(demo_dem) as ds:
        t = ds.transform
        row, col = ds.height // 2 + dy_cells, ds.width // 2 + dx_cells
    x, y = t @ (col + 0.5, row + 0.5)
    radius = 8000.0
    gdal, gt = _gdal(demo_dem, x, y, height_m, radius, tmp_path / "vs.tif")
    ours = viewshed(demo_dem, x, y, height_m, radius, target_height_m=1.5, k_factor=7 / 6,
                    earth_radius_m=WGS84_A)
    # put both on the DEM's grid
    def place(a: np.ndarray, at, fill) -> np.ndarray:
        full = np.full((ds.height, ds.width), fill, dtype=a.dtype)
        r0, c0 = round((at.f - t.f) / t.e), round((at.c - t.c) / t.a)
        full[r0:r0 + a.shape[0], c0:c0 + a.shape[1]] = a
        return full

    g = place(gdal, gt, 255)
    vis = place(ours.visible.astype(np.uint8), ours.transform, 0)
    inside = place(ours.inside.astype(np.uint8), ours.transform, 0).astype(bool)
    both = inside & (g != 255)
    assert both.sum() > 0.9 * inside.sum() > 100_000
    agree = np.mean((g[both] == 1) == (vis[both] == 1))
    assert agree >= 0.99, f"{100 * agree:.2f} % of cells agree"
    assert 0.02 < ours.visible_share < 0.98  # a real test: both visible and hidden cells


def test_viewshed_flat_ground_and_horizon(tmp_path: Path) -> None:
    # flat ground at sea level: with k = 4/3 an observer 30 m up sees a 1.5 m target out to
    # √(2kR)(√30 + √1.5) = 27.6 km; on a 60 m grid the horizon lands within two cells
    from rasterio.transform import from_origin

    n = 1000
    path = tmp_path / "flat.tif"
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=1, dtype="float32",
                       crs="EPSG:32648", transform=from_origin(500_000, 2_400_000, 60, 60)) as ds:
        ds.write(np.zeros((n, n), np.float32), 1)
    ox, oy = 500_000 + 500.5 * 60, 2_400_000 - 500.5 * 60
    vs = viewshed(path, ox, oy, 30.0, 29_000.0)
    rows, cols = np.nonzero(vs.inside)
    x = vs.transform.c + (cols + 0.5) * 60
    y = vs.transform.f - (rows + 0.5) * 60
    d = np.hypot(x - ox, y - oy)
    horizon = np.sqrt(2 * 4 / 3 * 6_371_000.0) * (np.sqrt(30.0) + np.sqrt(1.5))
    seen = vs.visible[rows, cols]
    assert np.all(seen[d < horizon - 120]) and not np.any(seen[d > horizon + 120])
