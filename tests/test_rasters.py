"""Coverage rasters: Cloud-Optimised GeoTIFFs that open as they are, with their settings."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from _coverage_fixtures import grid_from_masks

from phusong.coverage._rasters import write_grid
from phusong.errors import OutputExistsError


def test_grid_rasters_round_trip(tmp_path: Path) -> None:
    mask = np.zeros((20, 30), dtype=bool)
    mask[5:10, 5:25] = True
    grid = grid_from_masks((20, 30), {("Viettel", "4G"): mask},
                           settings={"model": "terrain", "resolution_m": 30.0})
    paths = write_grid(grid, tmp_path / "cov")
    names = {p.name for p in paths}
    assert "rsrp_dbm_Viettel_4G.tif" in names and "server_Viettel_4G.tif" in names
    with rasterio.open(tmp_path / "cov" / "rsrp_dbm_Viettel_4G.tif") as ds:
        assert ds.crs.to_epsg() == 32648
        assert ds.transform == grid.transform and ds.transform.e < 0  # north up
        assert ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        tags = ds.tags()
        assert tags["rsrp_threshold_dbm"] == "-110.0"
        assert json.loads(tags["settings"])["model"] == "terrain"
        data = ds.read(1)
        assert np.array_equal(np.isfinite(data), np.isfinite(grid.layers[("Viettel", "4G")].rsrp_dbm))
    with pytest.raises(OutputExistsError):
        write_grid(grid, tmp_path / "cov")
    assert len(write_grid(grid, tmp_path / "cov", overwrite=True)) == len(paths)
