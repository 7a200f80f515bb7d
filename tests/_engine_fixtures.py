"""Provinces for the coverage engine's tests: built in memory, on a DEM written to a folder.

``engine_province`` starts from ``conftest.tiny_layers()`` (two sites, three sectors, a ridge)
and lets a test replace sites, sectors, the DEM (``"ridge"``, ``"flat"`` or ``None``) and any
radio setting. ``flat_dem`` writes a flat DEM around the tiny province.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from conftest import CRS, X0, Y0, tiny_layers, write_dem
from rasterio.transform import from_origin
from shapely.geometry import Point

from phusong.config import RadioConfig, Scenario
from phusong.layers.province import Province


def flat_dem(path: Path, height_m: float = 20.0, cell_m: float = 30.0) -> Path:
    """A flat DEM over the tiny province and 3 km around it."""
    west, north = X0 - 3000.0, Y0 + 5000.0
    n_cols, n_rows = int(12_000 / cell_m), int(8_000 / cell_m)
    with rasterio.open(path, "w", driver="GTiff", width=n_cols, height=n_rows, count=1,
                       dtype="float32", crs=CRS, transform=from_origin(west, north, cell_m, cell_m),
                       nodata=-9999) as ds:
        ds.write(np.full((n_rows, n_cols), height_m, dtype="float32"), 1)
    return path


def sites_frame(rows: list[tuple[str, str, float, float, float]]) -> gpd.GeoDataFrame:
    """Sites from ``(site_id, operator, x offset m, y offset m, height m)`` around (X0, Y0)."""
    return gpd.GeoDataFrame(
        {"site_id": [r[0] for r in rows], "operator": [r[1] for r in rows],
         "height_agl_m": [r[4] for r in rows], "status": ["on_air"] * len(rows)},
        geometry=[Point(X0 + r[2], Y0 + r[3]) for r in rows], crs=CRS)


def engine_province(folder: Path, *, sites: gpd.GeoDataFrame | None = None,
                    sectors: pd.DataFrame | None = None, dem: str | None = "ridge",
                    measurements: gpd.GeoDataFrame | None = None,
                    **radio: Any) -> Province:
    """The tiny province (or the given sites and sectors) with ``radio`` settings."""
    folder.mkdir(parents=True, exist_ok=True)
    layers = tiny_layers()
    dem_path = None
    if dem == "ridge":
        dem_path = folder / "dem.tif"
        write_dem(dem_path)
    elif dem == "flat":
        dem_path = flat_dem(folder / "flat.tif")
    scenario = Scenario(radio=dataclasses.replace(RadioConfig(), **radio))
    return Province(scenario=scenario, crs=CRS, communes=layers["communes"],
                    sites=layers["sites"] if sites is None else sites,
                    sectors=layers["sectors"] if sectors is None else sectors,
                    measurements=measurements, dem_path=dem_path)
