"""Raster helpers of the indicators: people on the coverage grid, zone labels, point stencils.

Everything here works on whole arrays (sparse matrices, ``bincount``, rasterio's rasterize);
there is no loop per cell or per hamlet.

People on the coverage grid
    The population raster (people per cell, any resolution) is resampled onto the coverage
    grid *conserving totals*: each source cell's people are shared among the grid cells it
    overlaps in proportion to the overlap area. For north-up rasters in the same CRS the overlap
    is separable into an x and a y factor, so the resampling is exact and is two sparse matrix
    products (``Wyᵀ · P · Wx``). In another CRS GDAL's ``sum`` resampling is used and the total
    rescaled to the source's. Without a raster, hamlet populations are spread evenly over each
    hamlet's cells (its polygon, or the cells within ``hamlet_radius_m`` of its point); without
    hamlet populations, commune populations over each commune's cells.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy import sparse

from phusong.errors import CRSError, InputError

if TYPE_CHECKING:  # pragma: no cover
    from phusong.coverage.grid import CoverageGrid
    from phusong.layers.province import Province

__all__ = [
    "PopulationGrid",
    "overlap_matrix",
    "resample_sum",
    "population_on_grid",
    "rasterize_index",
    "point_stencil",
    "per_point_stencil",
    "is_polygonal",
    "check_same_crs",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class PopulationGrid:
    """People per cell of the coverage grid and where they come from.

    Attributes
    ----------
    people
        float32 array of the grid's shape, people per cell.
    source
        ``"raster"``, ``"hamlets"``, ``"communes"`` or ``"none"``.
    path
        The population raster, when ``source == "raster"``.
    source_total
        People in the source (the part of the raster overlapping the grid, or the layer's sum).
    grid_total
        People on the grid (``people.sum()``).
    """

    people: NDArray[np.float32]
    source: str
    path: Path | None
    source_total: float
    grid_total: float


def check_same_crs(a: str, b: str, what_a: str, what_b: str) -> None:
    """Raise :class:`CRSError` naming both CRSs when ``a`` and ``b`` differ."""
    from phusong.crs import parse_crs

    if a == b:
        return
    if parse_crs(a) != parse_crs(b):
        msg = (f"{what_a} is in {a} but {what_b} is in {b}; both must be in the working CRS "
               "(build the coverage grid from the same province).")
        raise CRSError(msg)


def overlap_matrix(src_edges: NDArray[np.float64], dst_edges: NDArray[np.float64]
                   ) -> sparse.csr_matrix:
    """Overlap lengths of two 1-D partitions: ``O[i, j]`` = length of src cell i ∩ dst cell j.

    Both edge arrays must increase. The union of the edges cuts the axis into elementary
    intervals that each lie in one source and one destination cell.
    """
    src_edges = np.asarray(src_edges, dtype=float)
    dst_edges = np.asarray(dst_edges, dtype=float)
    cuts = np.unique(np.concatenate([src_edges, dst_edges]))
    mids = 0.5 * (cuts[:-1] + cuts[1:])
    lengths = np.diff(cuts)
    si = np.searchsorted(src_edges, mids, side="right") - 1
    di = np.searchsorted(dst_edges, mids, side="right") - 1
    ns, nd = len(src_edges) - 1, len(dst_edges) - 1
    ok = (si >= 0) & (si < ns) & (di >= 0) & (di < nd) & (lengths > 0)
    return sparse.coo_matrix((lengths[ok], (si[ok], di[ok])), shape=(ns, nd)).tocsr()


def _north_up(transform: object) -> bool:
    return (getattr(transform, "b", 1.0) == 0.0 and getattr(transform, "d", 1.0) == 0.0
            and getattr(transform, "a", 0.0) > 0 and getattr(transform, "e", 0.0) < 0)


def resample_sum(values: NDArray[np.floating], src_transform: object, dst_transform: object,
                 dst_shape: tuple[int, int]) -> NDArray[np.float64]:
    """Resample a per-cell quantity (people) between north-up grids, conserving sums.

    Each source cell's value is shared among the destination cells it overlaps in proportion to
    the overlap area; what falls outside the destination grid is lost.
    """
    h, w = values.shape
    sa, se, sc, sf = src_transform.a, src_transform.e, src_transform.c, src_transform.f  # type: ignore[attr-defined]
    da, de, dc, df = dst_transform.a, dst_transform.e, dst_transform.c, dst_transform.f  # type: ignore[attr-defined]
    ox = overlap_matrix(sc + sa * np.arange(w + 1), dc + da * np.arange(dst_shape[1] + 1))
    oy = overlap_matrix(-sf - se * np.arange(h + 1), -df - de * np.arange(dst_shape[0] + 1))
    wx = (ox / sa).T.tocsr()  # (dst cols, src cols): share of a source column's width
    wy = (oy / -se).T.tocsr()  # (dst rows, src rows)
    rows = wy @ np.asarray(values, dtype=np.float64)  # (dst rows, src cols)
    return np.asarray((wx @ rows.T).T)


def _raster_people(path: Path, grid: CoverageGrid, declared_crs: str
                   ) -> tuple[NDArray[np.float32], float]:
    """People of a population raster on the coverage grid, and the source total read."""
    import rasterio
    from rasterio.windows import Window

    from phusong.crs import parse_crs

    gt = grid.transform
    gx0, gy0 = gt.c, gt.f
    gx1, gy1 = gt.c + gt.a * grid.shape[1], gt.f + gt.e * grid.shape[0]
    with rasterio.open(path) as ds:
        src_crs = ds.crs.to_wkt() if ds.crs is not None else (declared_crs or grid.crs)
        same = parse_crs(src_crs) == parse_crs(grid.crs) if src_crs != grid.crs else True
        if same and _north_up(ds.transform) and _north_up(gt):
            st = ds.transform
            c0, r0 = (gx0 - st.c) / st.a, (gy0 - st.f) / st.e
            c1, r1 = (gx1 - st.c) / st.a, (gy1 - st.f) / st.e
            col0 = max(0, math.floor(min(c0, c1)))
            row0 = max(0, math.floor(min(r0, r1)))
            col1 = min(ds.width, math.ceil(max(c0, c1)))
            row1 = min(ds.height, math.ceil(max(r0, r1)))
            if col1 <= col0 or row1 <= row0:
                log.warning("%s: the population raster does not overlap the coverage grid", path)
                return np.zeros(grid.shape, dtype=np.float32), 0.0
            window = Window(col0, row0, col1 - col0, row1 - row0)
            data = _clean(ds.read(1, window=window, masked=True))
            out = resample_sum(data, ds.window_transform(window), gt, grid.shape)
            return out.astype(np.float32), float(data.sum())
        from rasterio.crs import CRS as RioCRS
        from rasterio.enums import Resampling
        from rasterio.warp import reproject

        data = _clean(ds.read(1, masked=True))
        out = np.zeros(grid.shape, dtype=np.float64)
        reproject(data, out, src_transform=ds.transform, src_crs=RioCRS.from_wkt(
            parse_crs(src_crs).to_wkt()), dst_transform=gt,
            dst_crs=RioCRS.from_wkt(parse_crs(grid.crs).to_wkt()), resampling=Resampling.sum)
        total = float(data.sum())
        if out.sum() > 0:
            out *= total / out.sum() if total > 0 else 0.0
        log.info("%s: population raster reprojected onto the coverage grid (GDAL sum "
                 "resampling, total rescaled to the raster's)", path)
        return out.astype(np.float32), total


def _clean(masked: np.ma.MaskedArray) -> NDArray[np.float64]:
    data = np.ma.filled(masked.astype(np.float64), 0.0)
    data[~np.isfinite(data) | (data < 0)] = 0.0
    return data


def is_polygonal(geoms: gpd.GeoSeries) -> NDArray[np.bool_]:
    """Whether each geometry is a (multi)polygon with an area."""
    kinds = shapely.get_type_id(geoms.values)
    return np.isin(kinds, (3, 6)) & (shapely.area(geoms.values) > 0)


def rasterize_index(geoms: gpd.GeoSeries, grid: CoverageGrid) -> NDArray[np.int32]:
    """Label raster: ``i + 1`` in the cells whose centre lies in geometry ``i``, 0 elsewhere.

    Later geometries win where geometries overlap.
    """
    from rasterio.features import rasterize

    shapes = [(g, i + 1) for i, g in enumerate(geoms.values) if g is not None and not g.is_empty]
    if not shapes:
        return np.zeros(grid.shape, dtype=np.int32)
    return rasterize(shapes, out_shape=grid.shape, transform=grid.transform, fill=0,
                     dtype="int32")


def point_stencil(grid: CoverageGrid, x: NDArray[np.float64], y: NDArray[np.float64],
                  radius_m: float) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Flat cell indices around points: cells whose centre lies within ``radius_m`` of each point.

    The cell holding the point is always included (so ``radius_m = 0`` is the point's cell).

    Returns
    -------
    flat, valid
        ``(n, k)`` flat indices into the grid and whether each is a cell of the stencil on the
        grid; points off the grid have no valid cell.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    rows, cols = grid.shape
    dx, dy = abs(grid.transform.a), abs(grid.transform.e)
    kr, kc = int(math.ceil(radius_m / dy)) + 1, int(math.ceil(radius_m / dx)) + 1
    dr2, dc2 = np.meshgrid(np.arange(-kr, kr + 1), np.arange(-kc, kc + 1), indexing="ij")
    dr, dc = dr2.ravel(), dc2.ravel()
    r0, c0, inside = grid.xy_to_rowcol(x, y)
    rr = r0[:, None] + dr[None, :]
    cc = c0[:, None] + dc[None, :]
    cx = grid.transform.c + (cc + 0.5) * grid.transform.a
    cy = grid.transform.f + (rr + 0.5) * grid.transform.e
    near = np.hypot(cx - x[:, None], cy - y[:, None]) <= radius_m
    near |= (dr == 0)[None, :] & (dc == 0)[None, :]
    valid = near & inside[:, None] & (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
    flat = np.where(valid, rr * cols + cc, 0)
    keep = valid.any(axis=0)
    return flat[:, keep], valid[:, keep]


def _spread(n_cells: int, flat: NDArray[np.int64], valid: NDArray[np.bool_],
            amount: NDArray[np.float64]) -> NDArray[np.float64]:
    """Spread ``amount[i]`` evenly over the valid cells of row i of ``flat``."""
    count = valid.sum(axis=1)
    share = np.divide(amount, count, out=np.zeros(len(amount)), where=count > 0)
    weights = np.where(valid, share[:, None], 0.0)
    return np.bincount(flat.ravel(), weights=weights.ravel(), minlength=n_cells).astype(np.float64)


def _zones_people(zones: gpd.GeoDataFrame, amount: NDArray[np.float64], grid: CoverageGrid,
                  radius_m: float) -> NDArray[np.float64]:
    """People of polygons (evenly over their cells) or points (over their stencil) on the grid."""
    n_cells = grid.shape[0] * grid.shape[1]
    out = np.zeros(n_cells, dtype=np.float64)
    poly = is_polygonal(zones.geometry)
    point_like = ~poly
    if poly.any():
        label = rasterize_index(zones.geometry[poly], grid).ravel()
        counts = np.bincount(label, minlength=int(poly.sum()) + 1)[1:]
        share = np.divide(amount[poly], counts, out=np.zeros(int(poly.sum())), where=counts > 0)
        out += np.concatenate([[0.0], share])[label]
        empty = np.zeros(len(zones), dtype=bool)
        empty[np.flatnonzero(poly)[counts == 0]] = True
        point_like |= empty
    if point_like.any():
        pts = shapely.point_on_surface(zones.geometry.values[point_like])
        radius = np.where(poly[point_like], 0.0, radius_m)
        flat, valid = per_point_stencil(grid, pts, radius)
        out += _spread(n_cells, flat, valid, amount[point_like])
    return out


def per_point_stencil(grid: CoverageGrid, pts: NDArray[np.object_], radius: NDArray[np.float64]
                      ) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Like :func:`point_stencil` with a radius per point (``0`` = the point's own cell)."""
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    flat, valid = point_stencil(grid, x, y, float(radius.max(initial=0.0)))
    cols = grid.shape[1]
    cx = grid.transform.c + (flat % cols + 0.5) * grid.transform.a
    cy = grid.transform.f + (flat // cols + 0.5) * grid.transform.e
    r0, c0, _ = grid.xy_to_rowcol(x, y)
    own = flat == (r0 * cols + c0)[:, None]
    valid = valid & ((np.hypot(cx - x[:, None], cy - y[:, None]) <= radius[:, None]) | own)
    return flat, valid


def population_on_grid(province: Province, grid: CoverageGrid, radius_m: float
                       ) -> PopulationGrid:
    """People per coverage-grid cell, from the best source the province has.

    Parameters
    ----------
    province
        The province; its population raster is used when present, else hamlet populations,
        else commune populations.
    grid
        The coverage grid whose cells receive the people.
    radius_m
        For point hamlets (no raster): people spread over the cells within this distance.

    Returns
    -------
    PopulationGrid
        People per cell and their source.
    """
    if province.population_path is not None:
        src = province.scenario.layers.get("population")
        try:
            people, total = _raster_people(Path(province.population_path), grid,
                                           src.crs if src is not None else "")
        except OSError as e:
            msg = f"{province.population_path}: cannot read the population raster ({e})"
            raise InputError(msg) from e
        grid_total = float(people.sum(dtype=np.float64))
        if total > 0 and abs(grid_total - total) > 1e-3 * total:
            log.info("population raster: %.0f people read, %.0f on the coverage grid (the rest "
                     "lies outside the grid)", total, grid_total)
        return PopulationGrid(people, "raster", Path(province.population_path), total, grid_total)
    hamlets = province.hamlets
    if hamlets is not None and "population" in hamlets and hamlets["population"].notna().any():
        amount = hamlets["population"].astype("float64").fillna(0.0).to_numpy()
        flat = _zones_people(hamlets, amount, grid, radius_m)
        people = flat.reshape(grid.shape).astype(np.float32)
        return PopulationGrid(people, "hamlets", None, float(amount.sum()),
                              float(people.sum(dtype=np.float64)))
    communes = province.communes
    if "population" in communes and communes["population"].notna().any():
        amount = communes["population"].astype("float64").fillna(0.0).to_numpy()
        flat = _zones_people(communes, amount, grid, 0.0)
        people = flat.reshape(grid.shape).astype(np.float32)
        return PopulationGrid(people, "communes", None, float(amount.sum()),
                              float(people.sum(dtype=np.float64)))
    log.warning("no population raster, hamlet or commune population: people-based indicators "
                "cannot be computed")
    return PopulationGrid(np.zeros(grid.shape, dtype=np.float32), "none", None, 0.0, 0.0)
