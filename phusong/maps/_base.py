"""The base layers every map draws, prepared once for display: communes, roads, rivers.

No tile server is used: the maps draw the province from its own layers. :func:`base_layers`
returns them in the working CRS, simplified for display (in metres, before any reprojection):

* communes: ``shapely.coverage_simplify`` keeps shared edges shared, so neighbours do not gap
  or overlap after simplification;
* roads: simplified per line and sorted by class (local roads first, expressways on top);
* rivers: the province's ``rivers`` layer when there is one; otherwise the main watercourses
  traced from the DEM (:func:`drainage_lines`), labelled as derived in the legends.

:func:`drainage_lines` is a small D8 flow-accumulation on the DEM read at a coarse cell
(``cell_m``, 250 m by default): depressions are filled by priority flood (Barnes, Lehman &
Mulla 2014, "Priority-flood: an optimal depression-filling and watershed-labeling algorithm",
with an ε-gradient on flats), each cell drains to its steepest lower neighbour, and cells
draining at least ``min_area_km2`` are drawn. It is a display aid, not hydrology.
"""

from __future__ import annotations

import heapq
import logging
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from phusong.errors import CRSError
from phusong.layers.province import Province

__all__ = ["BaseLayers", "base_layers", "drainage_lines", "simplify_for_display", "check_metric"]

log = logging.getLogger(__name__)

ROAD_ORDER = ("local", "district", "provincial", "national", "expressway")
"""Road classes from the least to the most important (drawing order)."""

MAJOR_RIVER_KM2 = 400.0
"""Catchment area above which a derived watercourse is drawn as a main river."""


@dataclass(frozen=True)
class BaseLayers:
    """Display-ready base layers in the working CRS.

    Attributes
    ----------
    communes
        ``commune_code``, ``name``, ``kind``, geometry (simplified, shared edges kept).
    roads
        ``road_id``, ``class``, ``ref``, ``name``, ``rank`` (0 local … 4 expressway), geometry,
        sorted by ``rank``; ``None`` without a roads layer.
    rivers
        ``name``, ``major`` (bool), ``area_km2``, geometry; ``None`` when neither a rivers layer
        nor a DEM is available.
    rivers_source
        ``"layer"``, ``"dem"`` or ``""``.
    crs
        The working CRS.
    """

    communes: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame | None
    rivers: gpd.GeoDataFrame | None
    rivers_source: str
    crs: str


def check_metric(crs: str, what: str) -> None:
    """Raise :class:`CRSError` unless ``crs`` is projected in metres."""
    import pyproj

    parsed = pyproj.CRS.from_user_input(crs)
    unit = parsed.axis_info[0].unit_name if parsed.axis_info else ""
    if not parsed.is_projected or unit not in ("metre", "meter"):
        msg = (f"{what}: needs a metric CRS (such as EPSG:32648) to simplify in metres; got {crs} "
               f"({unit or 'no unit'}). Load the layers with phusong.layers.load_province, which "
               "puts them in the working CRS.")
        raise CRSError(msg)


def simplify_for_display(geoms: gpd.GeoSeries, tolerance_m: float) -> gpd.GeoSeries:
    """Simplify geometries for display, keeping them valid and non-empty.

    Polygons that would vanish keep their original shape; the input is not modified.
    """
    if tolerance_m <= 0 or geoms.empty:
        return geoms.copy()
    values = geoms.values
    out = shapely.simplify(np.asarray(values), tolerance_m, preserve_topology=True)
    empty = shapely.is_empty(out)
    out = np.where(empty, np.asarray(values), out)
    return gpd.GeoSeries(out, index=geoms.index, crs=geoms.crs)


def _coverage_simplify(communes: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoSeries:
    geoms = np.asarray(communes.geometry.values)
    if tolerance_m <= 0:
        return communes.geometry.copy()
    try:
        out = shapely.coverage_simplify(geoms, tolerance_m)
        if not bool(np.all(shapely.is_valid(out))) or bool(np.any(shapely.is_empty(out))):
            raise ValueError("invalid result")
    except (ValueError, shapely.errors.GEOSException) as e:  # not a clean coverage
        log.debug("coverage_simplify failed (%s); simplifying communes one by one", e)
        return simplify_for_display(communes.geometry, tolerance_m)
    return gpd.GeoSeries(out, index=communes.index, crs=communes.crs)


def base_layers(province: Province, simplify_m: float = 25.0, river_cell_m: float = 250.0,
                min_river_km2: float = 40.0) -> BaseLayers:
    """Communes, roads and rivers of a province, simplified for display.

    Parameters
    ----------
    province
        The province (working CRS, metres).
    simplify_m
        Douglas-Peucker tolerance in metres for outlines and roads (25 m is below a pixel of
        an A3 province map and of the web map up to zoom 12).
    river_cell_m
        Cell of the DEM used to trace watercourses when there is no rivers layer.
    min_river_km2
        Catchment area from which a traced watercourse is drawn.

    Raises
    ------
    CRSError
        If the province is not in a metric CRS.
    """
    check_metric(province.crs, "base layers")
    cols = [c for c in ("commune_code", "name", "kind") if c in province.communes]
    communes = gpd.GeoDataFrame(province.communes[cols].copy(),
                                geometry=_coverage_simplify(province.communes, simplify_m),
                                crs=province.crs)
    roads = None
    if province.roads is not None and not province.roads.empty:
        r = province.roads
        keep = [c for c in ("road_id", "class", "ref", "name") if c in r]
        roads = gpd.GeoDataFrame(r[keep].copy(), geometry=simplify_for_display(r.geometry, simplify_m),
                                 crs=province.crs)
        cls = roads["class"].astype(str) if "class" in roads else pd.Series("local", index=roads.index)
        roads["rank"] = cls.map({c: i for i, c in enumerate(ROAD_ORDER)}).fillna(0).astype(int)
        roads = roads.sort_values("rank", kind="stable")
    rivers, source = None, ""
    layer = getattr(province, "rivers", None)
    if layer is not None and not layer.empty:
        rivers = gpd.GeoDataFrame(
            {"name": layer["name"] if "name" in layer else "", "major": True, "area_km2": np.nan},
            geometry=simplify_for_display(layer.geometry, simplify_m), crs=province.crs)
        source = "layer"
    elif province.dem_path is not None and Path(province.dem_path).exists():
        rivers = drainage_lines(province.dem_path, province.crs, cell_m=river_cell_m,
                                min_area_km2=min_river_km2, clip=province.boundary)
        source = "dem" if rivers is not None else ""
    return BaseLayers(communes, roads, rivers, source, province.crs)


# --- watercourses from a DEM -----------------------------------------------------------------

_D8 = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def _priority_flood(z: NDArray[np.float64], valid: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Fill depressions: every valid cell gets a path to the edge that never climbs (ε-gradient)."""
    rows, cols = z.shape
    filled = np.where(valid, z, np.nan).astype(np.float64)
    done = ~valid.copy()
    heap: list[tuple[float, int, int]] = []
    edge = np.zeros_like(valid)
    edge[0, :] = edge[-1, :] = edge[:, 0] = edge[:, -1] = True
    # valid cells on the raster edge or next to nodata are outlets
    pad = np.pad(~valid, 1, constant_values=True)
    near_nodata = np.zeros_like(valid)
    for dr, dc in _D8:
        near_nodata |= pad[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols]
    for r, c in zip(*np.nonzero(valid & (edge | near_nodata)), strict=True):
        heapq.heappush(heap, (float(filled[r, c]), int(r), int(c)))
        done[r, c] = True
    flat = filled.tolist()
    seen = done.tolist()
    eps = 1e-4
    push, pop = heapq.heappush, heapq.heappop
    while heap:
        h, r, c = pop(heap)
        for dr, dc in _D8:
            rr, cc = r + dr, c + dc
            if 0 <= rr < rows and 0 <= cc < cols and not seen[rr][cc]:
                seen[rr][cc] = True
                v = flat[rr][cc]
                if v <= h:
                    v = h + eps
                    flat[rr][cc] = v
                push(heap, (v, rr, cc))
    return np.array(flat, dtype=np.float64)


def _receivers(filled: NDArray[np.float64], cell_m: float) -> NDArray[np.int64]:
    """Flat index of each cell's steepest lower D8 neighbour, −1 for outlets and nodata."""
    rows, cols = filled.shape
    pad = np.pad(filled, 1, constant_values=np.nan)
    best = np.zeros(filled.shape)
    recv = np.full(filled.shape, -1, dtype=np.int64)
    rr, cc = np.indices(filled.shape)
    for dr, dc in _D8:
        neighbour = pad[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols]
        with np.errstate(invalid="ignore"):
            slope = (filled - neighbour) / (cell_m * np.hypot(dr, dc))
            better = np.isfinite(slope) & (slope > best)
        best = np.where(better, slope, best)
        recv = np.where(better, (rr + dr) * cols + (cc + dc), recv)
    return recv


def drainage_lines(dem_path: str | Path, crs: str, cell_m: float = 250.0, min_area_km2: float = 40.0,
                   clip: shapely.Geometry | None = None) -> gpd.GeoDataFrame | None:
    """Main watercourses traced from a DEM (display aid when there is no rivers layer).

    Parameters
    ----------
    dem_path
        GeoTIFF of terrain heights (m), in ``crs``.
    crs
        The working CRS (metres).
    cell_m
        Cell the DEM is averaged to before tracing.
    min_area_km2
        Catchment area from which a cell is part of a drawn watercourse.
    clip
        Area to keep (the province outline); lines are cut to it.

    Returns
    -------
    GeoDataFrame or None
        ``name`` (empty), ``major`` (catchment ≥ :data:`MAJOR_RIVER_KM2`), ``area_km2``
        (largest catchment along the line), geometry; ``None`` when the DEM is too small.
    """
    import rasterio
    from rasterio.enums import Resampling

    with rasterio.open(dem_path) as ds:
        factor = max(1, round(cell_m / abs(ds.res[0])))
        shape = (max(1, ds.height // factor), max(1, ds.width // factor))
        band = ds.read(1, out_shape=shape, resampling=Resampling.average, masked=True)
        transform = ds.transform @ ds.transform.scale(ds.width / shape[1], ds.height / shape[0])
    if min(shape) < 3:
        return None
    z = np.ma.filled(band.astype(np.float64), np.nan)
    valid = np.isfinite(z)
    cell = abs(transform.a)
    filled = _priority_flood(z, valid)
    recv = _receivers(filled, cell).ravel()
    order = np.argsort(np.where(valid, filled, -np.inf).ravel(), kind="stable")[::-1]
    acc = valid.ravel().astype(np.float64).tolist()
    recv_list = recv.tolist()
    for i in order.tolist():
        j = recv_list[i]
        if j >= 0:
            acc[j] += acc[i]
    area_km2 = np.asarray(acc) * cell * abs(transform.e) / 1e6
    stream = (area_km2 >= min_area_km2) & (recv >= 0)
    src = np.nonzero(stream)[0]
    if src.size == 0:
        return None
    dst = recv[src]
    cols = shape[1]
    x0, y0 = transform @ ((src % cols) + 0.5, (src // cols) + 0.5)
    x1, y1 = transform @ ((dst % cols) + 0.5, (dst // cols) + 0.5)
    major = area_km2[src] >= MAJOR_RIVER_KM2
    frames = []
    for flag in (False, True):
        pick = major == flag
        if not pick.any():
            continue
        segs = shapely.linestrings(np.stack([np.column_stack([x0[pick], y0[pick]]),
                                             np.column_stack([x1[pick], y1[pick]])], axis=1))
        merged = shapely.line_merge(shapely.union_all(segs))
        parts = shapely.get_parts(merged)
        # smooth the D8 staircase a little; a river is drawn, not measured
        parts = shapely.simplify(parts, cell * 0.75)
        tree = shapely.STRtree(shapely.points(np.column_stack([x0[pick], y0[pick]])))
        best = np.zeros(len(parts))
        pairs = tree.query(parts, predicate="dwithin", distance=cell)
        if pairs.size:
            np.maximum.at(best, pairs[0], area_km2[src][pick][pairs[1]])
        frames.append(gpd.GeoDataFrame({"name": "", "major": flag, "area_km2": best},
                                       geometry=parts, crs=crs))
    out = pd.concat(frames, ignore_index=True)
    if clip is not None:
        out = out.loc[out.intersects(clip)].copy()
        out["geometry"] = out.geometry.intersection(clip)
        out = out.explode(index_parts=False)
        out = out.loc[out.geometry.geom_type == "LineString"]
    log.debug("drainage lines: %d from a %d × %d DEM at %.0f m", len(out), *shape, cell)
    return gpd.GeoDataFrame(out.reset_index(drop=True), crs=crs)
