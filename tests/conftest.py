"""Shared fixtures: a tiny valid province written as ordinary files, and paths to real data.

``tiny_province(tmp_path)`` writes a three-commune province (communes, hamlets, roads, a park,
POIs, sites with sectors, fiber, measurements, reported figures, a DEM with one ridge, a
population grid) and its ``scenario.toml``. Bad-input tests start from it and break one thing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box

CRS = "EPSG:32648"
X0, Y0 = 590_000.0, 2_384_000.0  # near Thái Nguyên city, UTM 48N
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL = SHARED / "data" / "real"


def tiny_layers() -> dict[str, pd.DataFrame]:
    """The tiny province's layers, in canonical columns (EPSG:32648)."""
    communes = gpd.GeoDataFrame(
        {"commune_code": ["05443", "05444", "05445"],
         "name": ["Trần Phú", "Phú Xuyên", "Yên Lạc"],
         "kind": ["xa", "xa", "phuong"],
         "population": [3000, 2000, 5000]},
        geometry=[box(X0 + i * 2000, Y0, X0 + (i + 1) * 2000, Y0 + 2000) for i in range(3)],
        crs=CRS)
    hamlets = gpd.GeoDataFrame(
        {"hamlet_id": [f"H{i}" for i in range(1, 7)],
         "name": ["Thôn Nà Pục", "Xóm Đồng Tâm", "Bản Khuổi", "Xóm Mới", "Tổ dân phố 1",
                  "Tổ dân phố 2"],
         "commune_code": ["05443", "05443", "05444", "05444", "05445", "05445"],
         "population": [1500, 1500, 1200, 800, 2500, 2500],
         "kind": ["thon", "xom", "ban", "xom", "to_dan_pho", "to_dan_pho"]},
        geometry=[Point(X0 + 500, Y0 + 500), Point(X0 + 1500, Y0 + 1500),
                  Point(X0 + 2500, Y0 + 500), Point(X0 + 3500, Y0 + 1500),
                  Point(X0 + 4500, Y0 + 500), Point(X0 + 5500, Y0 + 1500)],
        crs=CRS)
    roads = gpd.GeoDataFrame(
        {"road_id": ["R1", "R2"], "class": ["national", "local"], "ref": ["QL3", None],
         "name": ["Quốc lộ 3", "Đường thôn"]},
        geometry=[LineString([(X0, Y0 + 1000), (X0 + 6000, Y0 + 1000)]),
                  LineString([(X0 + 500, Y0 + 500), (X0 + 500, Y0 + 1000)])],
        crs=CRS)
    parks = gpd.GeoDataFrame(
        {"park_id": ["P1"], "name": ["Yên Bình"], "status": ["operating"], "area_ha": [40.0]},
        geometry=[box(X0 + 4200, Y0 + 1200, X0 + 4800, Y0 + 1800)], crs=CRS)
    pois = gpd.GeoDataFrame(
        {"poi_id": ["S1", "S2"], "name": ["Trường THCS Trần Phú", "Trạm y tế Phú Xuyên"],
         "kind": ["school", "health_station"], "commune_code": ["05443", "05444"]},
        geometry=[Point(X0 + 700, Y0 + 700), Point(X0 + 2700, Y0 + 700)], crs=CRS)
    sites = gpd.GeoDataFrame(
        {"site_id": ["VTL-1", "VNP-1"], "operator": ["Viettel", "VNPT"],
         "height_agl_m": [30.0, 25.0], "status": ["on_air", "on_air"]},
        geometry=[Point(X0 + 1000, Y0 + 1000), Point(X0 + 5000, Y0 + 1000)], crs=CRS)
    sectors = pd.DataFrame(
        {"site_id": ["VTL-1", "VTL-1", "VNP-1"], "sector_id": ["VTL-1-1", "VTL-1-2", "VNP-1-1"],
         "tech": ["4G", "5G", "4G"], "band_mhz": [1800, 3500, 2100],
         "bandwidth_mhz": [20, 100, 15], "azimuth_deg": [0, 120, 240],
         "tx_power_dbm": [46, 49, 46], "antenna_gain_dbi": [17, 18, 17]})
    fiber_routes = gpd.GeoDataFrame(
        {"route_id": ["F1"], "operator": ["VNPT"], "kind": ["distribution"]},
        geometry=[LineString([(X0, Y0 + 1000), (X0 + 4000, Y0 + 1000)])], crs=CRS)
    fiber_nodes = gpd.GeoDataFrame(
        {"node_id": ["OLT-1", "SPL-1"], "operator": ["VNPT", "VNPT"],
         "technology": ["XGS-PON", "GPON"], "ports_total": [64, 16], "ports_used": [10, 16]},
        geometry=[Point(X0 + 1000, Y0 + 1000), Point(X0 + 3000, Y0 + 1000)], crs=CRS)
    lonlat = gpd.GeoSeries([Point(X0 + 1200, Y0 + 1000), Point(X0 + 3200, Y0 + 1000)],
                           crs=CRS).to_crs("EPSG:4326")
    measurements = pd.DataFrame(
        {"lon": lonlat.x.round(6), "lat": lonlat.y.round(6), "operator": ["Viettel", "VNPT"],
         "tech": ["4G", "4G"], "rsrp_dbm": [-85.0, -101.5], "dl_mbps": [42.0, 8.5],
         "time": ["2025-10-01T08:00:00", "2025-10-01T08:05:00"], "source": ["i-SPEED"] * 2})
    reported = pd.DataFrame(
        {"indicator": ["N1", "N2"], "value": [95.5, 120.0], "date": ["2025-12-31", "2025-12-31"],
         "source": ["Sở KH&CN", "Sở KH&CN"]})
    return {"communes": communes, "hamlets": hamlets, "roads": roads, "parks": parks,
            "pois": pois, "sites": sites, "sectors": sectors, "fiber_routes": fiber_routes,
            "fiber_nodes": fiber_nodes, "measurements": measurements, "reported": reported}


def write_dem(path: Path, hole_at: tuple[float, float] | None = None) -> None:
    """A 6.6 km × 2.6 km DEM at 30 m with one north–south ridge in the middle commune."""
    cell = 30.0
    west, north = X0 - 300, Y0 + 2300
    width, height = int(6600 / cell), int(2600 / cell)
    x = west + (np.arange(width) + 0.5) * cell
    z = 50 + 250 * np.exp(-(((x - (X0 + 3000)) / 300.0) ** 2))
    dem = np.repeat(z[None, :], height, axis=0).astype("float32")
    transform = from_origin(west, north, cell, cell)
    if hole_at is not None:
        r, c = rasterio.transform.rowcol(transform, *hole_at)
        dem[r - 2 : r + 3, c - 2 : c + 3] = -9999
    with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=1,
                       dtype="float32", crs=CRS, transform=transform, nodata=-9999) as ds:
        ds.write(dem, 1)


def write_population(path: Path) -> None:
    """A 100 m population grid over the tiny province."""
    grid = np.full((20, 60), 10000 / 1200, dtype="float32")
    with rasterio.open(path, "w", driver="GTiff", width=60, height=20, count=1,
                       dtype="float32", crs=CRS, transform=from_origin(X0, Y0 + 2000, 100, 100),
                       nodata=-1) as ds:
        ds.write(grid, 1)


GPKG_LAYERS = ("communes", "hamlets", "roads", "parks", "pois", "sites", "fiber_routes",
               "fiber_nodes")


def write_tiny(folder: Path, layers: dict[str, pd.DataFrame] | None = None,
               dem_hole_at: tuple[float, float] | None = None) -> Path:
    """Write the tiny province (or ``layers`` replacing some of it) and its scenario."""
    import pyogrio

    data = tiny_layers()
    data.update(layers or {})
    folder.mkdir(parents=True, exist_ok=True)
    gpkg = folder / "tiny.gpkg"
    entries = []
    for name in GPKG_LAYERS:
        if name in data:
            pyogrio.write_dataframe(data[name], gpkg, layer=name, append=gpkg.exists())
            entries.append(f'[layers.{name}]\npath = "tiny.gpkg"\nlayer = "{name}"\n')
    for name in ("sectors", "measurements", "reported"):
        data[name].to_csv(folder / f"{name}.csv", index=False)
        entries.append(f'[layers.{name}]\npath = "{name}.csv"\n')
    write_dem(folder / "dem.tif", dem_hole_at)
    write_population(folder / "population.tif")
    entries.append('[layers.dem]\npath = "dem.tif"\n')
    entries.append('[layers.population]\npath = "population.tif"\n')
    scenario = folder / "scenario.toml"
    scenario.write_text('[province]\nname = "Tiny"\n\n' + "\n".join(entries), encoding="utf-8")
    return scenario


@pytest.fixture
def tiny_province(tmp_path: Path) -> Path:
    """Path of the tiny province's scenario.toml."""
    return write_tiny(tmp_path / "tiny")


@pytest.fixture
def tiny_writer(tmp_path: Path) -> Callable[..., Path]:
    """``tiny_writer(layers={...}, dem_hole_at=(x, y))`` → scenario path of a modified copy."""
    counter = iter(range(1000))

    def _write(**kwargs: object) -> Path:
        return write_tiny(tmp_path / f"case{next(counter)}", **kwargs)  # type: ignore[arg-type]

    return _write


def requires_tool(available: bool, reason: str) -> pytest.MarkDecorator:
    """Skip when a system tool is missing, except in CI (``PHUSONG_REQUIRE_TOOLS=1``, set by
    ``.ci/run`` after installing them), where the test runs anyway and a missing tool fails it."""
    required = os.environ.get("PHUSONG_REQUIRE_TOOLS") == "1"
    return pytest.mark.skipif(not available and not required, reason=reason)


def requires_real() -> pytest.MarkDecorator:
    """Skip when ../shared/data/real is not beside the project (it is in CI)."""
    return pytest.mark.skipif(not REAL.exists(), reason=f"{REAL} not found")
