"""Hand-built coverage grids and provinces for the indicator tests (no coverage engine needed).

``grid_from_masks`` turns boolean masks (or RSRP arrays) per (operator, technology) into a
:class:`~phusong.coverage.grid.CoverageGrid` with the union layers (``ANY``) filled in the way
the engine fills them (best RSRP of any operator, throughput of that best server).
``province_from`` builds a :class:`~phusong.layers.province.Province` from GeoDataFrames,
with an optional population raster written to a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from affine import Affine
from rasterio.transform import from_origin

from phusong.config import Scenario, Thresholds
from phusong.coverage.grid import ANY, TECHS, CoverageGrid, CoverageLayer
from phusong.layers.province import Province

CRS = "EPSG:32648"
X0, Y0 = 590_000.0, 2_384_000.0
COVERED_DBM = -80.0
WEAK_DBM = -115.0
NONE_DBM = np.nan


def grid_from_masks(
    shape: tuple[int, int],
    covered: dict[tuple[str, str], np.ndarray] | None = None,
    *,
    rsrp: dict[tuple[str, str], np.ndarray] | None = None,
    dl_mbps: float | dict[tuple[str, str], np.ndarray] = 150.0,
    cell_m: float = 30.0,
    x0: float = X0,
    y0: float | None = None,
    thresholds_dbm: dict[str, float] | None = None,
    min_dl_mbps: float = 10.0,
    settings: dict | None = None,
) -> CoverageGrid:
    """A coverage grid from masks: covered cells get −80 dBm and ``dl_mbps``, others NaN and 0.

    ``rsrp`` gives explicit RSRP arrays instead (NaN = no signal); cells with RSRP get
    ``dl_mbps`` where RSRP is at or above the threshold, else 1 Mbit/s.
    """
    thresholds_dbm = thresholds_dbm or {"4G": -110.0, "5G": -110.0}
    y0 = Y0 + shape[0] * cell_m if y0 is None else y0
    transform = Affine(cell_m, 0.0, x0, 0.0, -cell_m, y0)
    arrays: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    for key, mask in (covered or {}).items():
        r = np.where(mask, COVERED_DBM, NONE_DBM).astype(np.float32)
        dl = dl_mbps[key] if isinstance(dl_mbps, dict) else dl_mbps
        d = np.where(mask, dl, 0.0).astype(np.float32)
        arrays[key] = (r, d)
    for key, r in (rsrp or {}).items():
        r = np.asarray(r, dtype=np.float32)
        dl = dl_mbps[key] if isinstance(dl_mbps, dict) else dl_mbps
        with np.errstate(invalid="ignore"):
            ok = r >= thresholds_dbm[key[1]]
        d = np.where(ok, dl, np.where(np.isfinite(r), 1.0, 0.0)).astype(np.float32)
        arrays[key] = (r, d)
    layers: dict[tuple[str, str], CoverageLayer] = {}
    for (op, tech), (r, d) in arrays.items():
        layers[(op, tech)] = _layer(op, tech, r, d)
    for tech in TECHS:
        mine = [(r, d) for (op, t), (r, d) in arrays.items() if t == tech and op != ANY]
        if not mine or (ANY, tech) in arrays:
            continue
        rs = np.stack([m[0] for m in mine])
        ds = np.stack([m[1] for m in mine])
        filled = np.where(np.isfinite(rs), rs, -np.inf)
        best = np.argmax(filled, axis=0)
        r = np.take_along_axis(rs, best[None], 0)[0]
        d = np.take_along_axis(ds, best[None], 0)[0]
        layers[(ANY, tech)] = _layer(ANY, tech, r, d)
    return CoverageGrid(transform, CRS, shape, layers, dict(thresholds_dbm), min_dl_mbps,
                        settings if settings is not None else {"model": "hand-built test grid",
                                                               "resolution_m": cell_m})


def _layer(op: str, tech: str, r: np.ndarray, d: np.ndarray) -> CoverageLayer:
    server = np.where(np.isfinite(r), 0, -1).astype(np.int32)
    return CoverageLayer(op, tech, r.astype(np.float32), np.zeros_like(r, dtype=np.float32),
                         d.astype(np.float32), server)


def write_raster(path: Path, people: np.ndarray, cell_m: float, x0: float, y0: float,
                 crs: str = CRS) -> Path:
    """Write a people-per-cell GeoTIFF (north-up, upper-left corner at ``x0, y0``)."""
    with rasterio.open(path, "w", driver="GTiff", width=people.shape[1], height=people.shape[0],
                       count=1, dtype="float32", crs=crs,
                       transform=from_origin(x0, y0, cell_m, cell_m), nodata=-1) as ds:
        ds.write(people.astype("float32"), 1)
    return path


def province_from(communes: gpd.GeoDataFrame, *, population_path: Path | None = None,
                  thresholds: Thresholds | None = None, **layers: pd.DataFrame | None
                  ) -> Province:
    """A Province from layers in canonical columns (EPSG:32648)."""
    scenario = Scenario(thresholds=thresholds or Thresholds())
    return Province(scenario=scenario, crs=CRS, communes=communes,
                    population_path=population_path, **layers)  # type: ignore[arg-type]


def site_distance_grid(province: Province, resolution_m: float | None = None) -> CoverageGrid:
    """A stand-in coverage grid: RSRP falls with the distance to each operator's nearest site.

    Not a radio prediction (no terrain, no antenna pattern): a log-distance law with a
    TR 38.901 RMa-like slope of 37.6 dB/decade, 128 dB at 1 km for 4G and 138 dB for 5G, from
    63 dBm EIRP minus 30 dB per-RE normalisation; throughput grows linearly above −125 dBm.
    With the default −110 dBm threshold, 4G reaches about 2.5 km and 5G about 1.4 km. Used for
    tests and benchmarks while the coverage engine is not available.
    """
    from scipy import ndimage

    res = resolution_m or province.scenario.radio.resolution_m
    xmin, ymin, xmax, ymax = province.communes.total_bounds
    x0 = np.floor(xmin / res) * res - 1000.0
    top = np.ceil(ymax / res) * res + 1000.0
    shape = (int(np.ceil((top - ymin + 1000.0) / res)), int(np.ceil((xmax + 1000.0 - x0) / res)))
    transform = Affine(res, 0.0, x0, 0.0, -res, top)
    sites = province.sites
    sectors = province.sectors
    if "status" in sites:
        sites = sites.loc[sites["status"].astype(str) != "planned"]
    layers: dict[tuple[str, str], CoverageLayer] = {}
    best: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    th = province.scenario.thresholds
    for op in sorted(sites["operator"].astype(str).unique()):
        for tech, loss_1km_db in (("4G", 128.0), ("5G", 138.0)):
            with_tech = set(sectors.loc[sectors["tech"].astype(str) == tech, "site_id"])
            mine = sites.loc[(sites["operator"] == op) & sites["site_id"].isin(with_tech)]
            if mine.empty:
                continue
            col = np.floor((mine.geometry.x.to_numpy() - x0) / res).astype(int)
            row = np.floor((top - mine.geometry.y.to_numpy()) / res).astype(int)
            ok = (row >= 0) & (row < shape[0]) & (col >= 0) & (col < shape[1])
            free = np.ones(shape, dtype=bool)
            free[row[ok], col[ok]] = False
            d_km = ndimage.distance_transform_edt(free).astype(np.float32) * np.float32(res / 1e3)
            rsrp = (33.0 - loss_1km_db - 37.6 * np.log10(np.maximum(d_km, 0.03))).astype(np.float32)
            slope = 12.0 if tech == "5G" else 4.0
            dl = np.clip((rsrp + 125.0) * slope, 0.0, None).astype(np.float32)
            layers[(op, tech)] = _layer(op, tech, rsrp, dl)
            if tech in best:
                take = rsrp > best[tech][0]
                best[tech] = (np.where(take, rsrp, best[tech][0]), np.where(take, dl, best[tech][1]))
            else:
                best[tech] = (rsrp, dl)
    for tech, (rsrp, dl) in best.items():
        layers[(ANY, tech)] = _layer(ANY, tech, rsrp, dl)
    return CoverageGrid(transform, province.crs, shape, layers,
                        {"4G": th.rsrp_4g_dbm, "5G": th.rsrp_5g_dbm}, th.min_dl_mbps,
                        {"model": "stand-in: log-distance from the nearest site (tests and "
                                  "benchmarks only)", "resolution_m": res})
