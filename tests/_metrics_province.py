"""The tiny province of ``conftest`` as a Province in memory, with a hand-made coverage grid.

Coverage (30 m cells over x 0–6 km, y 0–2 km from (X0, Y0)):

* Viettel 4G everywhere except a band x 2.0–3.5 km (1.5 km of QL3 without signal in Phú Xuyên);
* Viettel 5G over x 0–2.0 km (Trần Phú) and over the western half of the park Yên Bình
  (x 4.2–4.5 km), 150 Mbit/s;
* VNPT 4G over x 4.0–6.0 km.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from _coverage_fixtures import grid_from_masks, province_from
from conftest import X0, Y0, tiny_layers, write_population

from phusong.coverage.grid import CoverageGrid
from phusong.layers.province import Province

SHAPE = (67, 200)  # 30 m cells; the top row starts at Y0 + 2010 m


def tiny_province(folder: Path) -> Province:
    """The conftest tiny province with its population raster written into ``folder``."""
    layers = tiny_layers()
    m = layers["measurements"]
    meas = gpd.GeoDataFrame(m.drop(columns=["lon", "lat"]),
                            geometry=gpd.points_from_xy(m["lon"], m["lat"]), crs="EPSG:4326")
    meas = meas.to_crs("EPSG:32648")
    meas["time"] = pd.to_datetime(meas["time"])
    rep = layers["reported"].copy()
    rep["date"] = pd.to_datetime(rep["date"])
    pop = folder / "population.tif"
    write_population(pop)
    return province_from(layers["communes"], population_path=pop, hamlets=layers["hamlets"],
                         roads=layers["roads"], parks=layers["parks"], pois=layers["pois"],
                         sites=layers["sites"], sectors=layers["sectors"], measurements=meas,
                         reported=rep)


def tiny_masks() -> dict[tuple[str, str], np.ndarray]:
    """The coverage masks described in the module docstring."""
    xc = X0 + 15.0 + 30.0 * np.arange(SHAPE[1])
    cols = np.ones(SHAPE, dtype=bool)
    v4 = cols & ~((xc > X0 + 2000) & (xc < X0 + 3500))[None, :]
    v5 = cols & ((xc < X0 + 2000) | ((xc > X0 + 4200) & (xc < X0 + 4500)))[None, :]
    n4 = cols & (xc > X0 + 4000)[None, :]
    return {("Viettel", "4G"): v4, ("Viettel", "5G"): v5, ("VNPT", "4G"): n4}


def tiny_grid(masks: dict[tuple[str, str], np.ndarray] | None = None) -> CoverageGrid:
    """The hand-made coverage grid of the tiny province."""
    return grid_from_masks(SHAPE, masks or tiny_masks(), y0=Y0 + 2010.0)
