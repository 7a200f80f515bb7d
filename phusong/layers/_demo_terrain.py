"""Outline, commune cells and terrain of the synthetic demo province.

The terrain is defined once, on a coarse 240 m grid over the whole province, as

``z = floor(v) + s * envelope(u, v) * noise(x, y) * valleys(x, y)``

where ``u, v`` are the west-east and south-north positions inside the outline's bounding box,
``floor`` rises from about 10 m on the southern plain to about 250 m in the north, ``envelope``
sets the relief (a plain in the south, hills in the middle, mountains in the north and along the
south-western edge), ``noise`` is spectral (power-law) noise with a ridged part, and ``valleys``
carves river valleys and the valley network that joins the commune seats. The scale ``s`` makes
the highest peak (in the north) a seed-drawn 1,400-1,520 m, before up to ~100 m of 30 m detail.
The 30 m DEM is that coarse field interpolated with a Catmull-Rom cubic plus a periodic 30 m
detail tile, so any window of it (the commune preset) is an exact crop of the province DEM, and
:meth:`Terrain.sample` gives the same value at any point without building the raster.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import shapely
from affine import Affine
from pyproj import Transformer
from scipy import ndimage
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import Delaunay
from shapely.geometry import LineString, Polygon

from phusong.layers import _demo_data as data

__all__ = [
    "CRS",
    "Grid",
    "Terrain",
    "make_outline",
    "commune_polygons",
    "edge_point",
    "waypoint_xy",
    "meander",
    "build_terrain",
    "smoothstep",
]

log = logging.getLogger(__name__)

CRS = "EPSG:32648"
CENTRE_X_M, CENTRE_Y_M = 586_000.0, 2_437_000.0
AREA_KM2 = 8_400.0
FINE_M = 30.0
COARSE_M = 240.0
TILE_CELLS = 512
NODATA = -9999.0


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid: west edge ``x0``, north edge ``y0``, square cells."""

    x0: float
    y0: float
    cell_m: float
    nrows: int
    ncols: int

    @classmethod
    def covering(cls, bounds: tuple[float, float, float, float], cell_m: float,
                 margin_m: float = 0.0) -> Grid:
        """Smallest grid aligned to multiples of ``cell_m`` that covers ``bounds`` + margin."""
        xmin, ymin, xmax, ymax = bounds
        x0 = math.floor((xmin - margin_m) / cell_m) * cell_m
        x1 = math.ceil((xmax + margin_m) / cell_m) * cell_m
        y0 = math.ceil((ymax + margin_m) / cell_m) * cell_m
        y1 = math.floor((ymin - margin_m) / cell_m) * cell_m
        return cls(x0, y0, cell_m, round((y0 - y1) / cell_m), round((x1 - x0) / cell_m))

    @property
    def transform(self) -> Affine:
        return Affine(self.cell_m, 0.0, self.x0, 0.0, -self.cell_m, self.y0)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.nrows, self.ncols)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0 - self.nrows * self.cell_m, self.x0 + self.ncols * self.cell_m,
                self.y0)

    def xs(self) -> np.ndarray:
        """Cell-centre eastings of the columns."""
        return self.x0 + (np.arange(self.ncols) + 0.5) * self.cell_m

    def ys(self) -> np.ndarray:
        """Cell-centre northings of the rows."""
        return self.y0 - (np.arange(self.nrows) + 0.5) * self.cell_m

    def rowcol(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cells holding points (clipped to the grid)."""
        r = np.floor((self.y0 - np.asarray(y, dtype=float)) / self.cell_m).astype(np.int64)
        c = np.floor((np.asarray(x, dtype=float) - self.x0) / self.cell_m).astype(np.int64)
        return np.clip(r, 0, self.nrows - 1), np.clip(c, 0, self.ncols - 1)


def smoothstep(e0: float, e1: float, x: np.ndarray | float) -> np.ndarray:
    """Cubic Hermite step from 0 at ``e0`` to 1 at ``e1``."""
    t = np.clip((np.asarray(x, dtype=float) - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


# --------------------------------------------------------------------------- outline and communes


def make_outline(rng: np.random.Generator) -> tuple[Polygon, np.ndarray]:
    """The province outline and the commune seats.

    The outline is a rounded super-ellipse (exponent 4, ~132 x 74 km) narrowed towards the
    south, with a seed-drawn wobble of five harmonics, scaled to 8,400 km² ± 1.5 %. The seats are
    the communes' anchor points (real centroids), jittered, and morphed radially from the
    anchors' own smooth hull onto the outline, so that every part of it gets communes.
    """
    theta = np.linspace(-np.pi, np.pi, 721)[:-1]
    n, a, b = 4.0, 34_000.0, 62_000.0
    r = (np.abs(np.cos(theta)) ** n / a**n + np.abs(np.sin(theta)) ** n / b**n) ** (-1.0 / n)
    wobble = np.zeros_like(theta)
    for k in range(2, 7):
        wobble += rng.uniform(0.006, 0.02) * np.cos(k * theta + rng.uniform(0.0, 2 * np.pi))
    r = r * (1.0 + wobble)
    x, y = r * np.cos(theta), r * np.sin(theta)
    x = x * (0.86 + 0.14 * smoothstep(-b, 0.2 * b, y))
    poly = Polygon(np.column_stack([x, y]))
    s = math.sqrt(AREA_KM2 * 1e6 * rng.uniform(0.985, 1.015) / poly.area)
    centre = np.array([CENTRE_X_M, CENTRE_Y_M])
    outline = Polygon(np.column_stack([x, y]) * s + centre)

    xy = _anchor_xy()
    pts = xy - (xy.min(axis=0) + xy.max(axis=0)) / 2 + rng.normal(0.0, 450.0, size=xy.shape)
    hull = shapely.union_all(shapely.buffer(shapely.points(pts), 9_000.0, quad_segs=8))
    hull = hull.buffer(12_000.0, quad_segs=8).buffer(-12_000.0, quad_segs=8)
    ang = np.arctan2(pts[:, 1], pts[:, 0])
    r_src = _radial_extent(hull, np.zeros(2), ang)
    r_dst = _radial_extent(outline, centre, ang)
    seeds = centre + pts * (0.96 * r_dst / r_src)[:, None]
    return outline, _settle_seeds(seeds, outline)


def _radial_extent(poly: shapely.Geometry, centre: np.ndarray, angles: np.ndarray
                   ) -> np.ndarray:
    """Distance from ``centre`` to the far edge of a polygon along each angle."""
    parts = shapely.get_parts(poly)
    ring = max(parts, key=lambda g: g.area).exterior.segmentize(300.0)
    v = shapely.get_coordinates(ring) - centre
    a = np.arctan2(v[:, 1], v[:, 0])
    rad = np.hypot(v[:, 0], v[:, 1])
    bins = np.linspace(-np.pi, np.pi, 361)
    k = np.clip(np.digitize(a, bins) - 1, 0, 359)
    far = np.zeros(360)
    np.maximum.at(far, k, rad)
    mids = (bins[:-1] + bins[1:]) / 2
    ok = far > 0
    return np.interp(angles, mids[ok], far[ok], period=2 * np.pi)


def _anchor_xy() -> np.ndarray:
    """The communes' anchor points (real centroids, a few overridden) in UTM 48N metres."""
    tr = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    overrides = data.ANCHOR_OVERRIDES
    lon = np.array([overrides.get(c[1], (c[4], c[5]))[0] for c in data.COMMUNES])
    lat = np.array([overrides.get(c[1], (c[4], c[5]))[1] for c in data.COMMUNES])
    x, y = tr.transform(lon, lat)
    return np.column_stack([x, y])


def _settle_seeds(pts: np.ndarray, outline: Polygon) -> np.ndarray:
    """Keep seats 2.5 km inside the outline and at least 1.8 km from one another."""
    pts = pts.copy()
    inner = outline.buffer(-2_500.0)
    for _ in range(30):
        d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
        np.fill_diagonal(d, np.inf)
        i, j = np.unravel_index(np.argmin(d), d.shape)
        if d[i, j] >= 1_800.0:
            break
        v = (pts[i] - pts[j]) / (d[i, j] + 1e-9)
        pts[i] += v * ((1_800.0 - d[i, j]) / 2 + 1.0)
        pts[j] -= v * ((1_800.0 - d[i, j]) / 2 + 1.0)
    inside = shapely.contains_xy(inner, pts[:, 0], pts[:, 1])
    if not inside.all():
        ring = inner.exterior
        moved = shapely.line_interpolate_point(
            ring, shapely.line_locate_point(ring, shapely.points(pts[~inside])))
        pts[~inside] = shapely.get_coordinates(moved)
    return pts


def commune_polygons(seeds: np.ndarray, outline: Polygon) -> np.ndarray:
    """Voronoi cells of the seats clipped to the outline: they tile it without gaps or overlaps."""
    cells = shapely.voronoi_polygons(
        shapely.multipoints(seeds), extend_to=outline.buffer(20_000.0), ordered=True)
    parts = np.asarray(shapely.get_parts(cells))
    polys = shapely.intersection(parts, outline)
    return shapely.make_valid(polys)


def edge_point(outline: Polygon, origin: np.ndarray, bearing_deg: float) -> np.ndarray:
    """Point 150 m inside the outline where a ray from ``origin`` on a compass bearing leaves it."""
    b = math.radians(bearing_deg)
    d = np.array([math.sin(b), math.cos(b)])
    ray = LineString([origin, origin + d * 250_000.0])
    hit = ray.intersection(outline.exterior)
    pts = shapely.get_coordinates(hit)
    if len(pts) == 0:
        return np.asarray(origin, dtype=float)
    far = pts[np.argmin(np.hypot(*(pts - origin).T))]
    return far - d * 150.0


def waypoint_xy(names: tuple[str, ...], seeds: np.ndarray, name_index: dict[str, int],
                outline: Polygon) -> np.ndarray:
    """Resolve route/river waypoints (commune names or ``edge:<bearing>``) to coordinates."""
    out = np.zeros((len(names), 2))
    for k, w in enumerate(names):
        if not w.startswith("edge:"):
            out[k] = seeds[name_index[w]]
    for k, w in enumerate(names):
        if w.startswith("edge:"):
            nb = names[k + 1] if k == 0 else names[k - 1]
            out[k] = edge_point(outline, seeds[name_index[nb]], float(w.split(":")[1]))
    return out


def meander(p0: np.ndarray, p1: np.ndarray, rng: np.random.Generator, levels: int = 4,
            amp: float = 0.16) -> np.ndarray:
    """A wandering polyline from ``p0`` to ``p1`` by midpoint displacement."""
    pts = np.array([p0, p1], dtype=float)
    for _ in range(levels):
        a, b = pts[:-1], pts[1:]
        d = b - a
        length = np.hypot(d[:, 0], d[:, 1])[:, None]
        normal = np.column_stack([-d[:, 1], d[:, 0]]) / np.maximum(length, 1e-9)
        mid = (a + b) / 2 + normal * rng.normal(0.0, amp, size=(len(a), 1)) * length
        new = np.empty((len(pts) + len(mid), 2))
        new[0::2] = pts
        new[1::2] = mid
        pts = new
    return pts


# --------------------------------------------------------------------------- noise and terrain


def spectral_noise(rng: np.random.Generator, shape: tuple[int, int], cell_m: float,
                   beta: float, lmin_m: float, lmax_m: float) -> np.ndarray:
    """Periodic Gaussian noise with amplitude spectrum ∝ k^-beta between two wavelengths."""
    white = rng.standard_normal(shape)
    ky = np.fft.fftfreq(shape[0], d=cell_m)[:, None]
    kx = np.fft.rfftfreq(shape[1], d=cell_m)[None, :]
    k = np.hypot(ky, kx)
    k[0, 0] = 1.0
    filt = k ** (-beta)
    filt *= np.exp(-((k * lmin_m) ** 2))  # fade below lmin
    filt *= 1.0 - np.exp(-((k * lmax_m) ** 2))  # fade above lmax
    filt[0, 0] = 0.0
    out = np.fft.irfft2(np.fft.rfft2(white) * filt, s=shape)
    out -= out.mean()
    return out / (out.std() + 1e-12)


def _catmull_rom(t: np.ndarray) -> np.ndarray:
    """Catmull-Rom weights (n, 4) for taps -1, 0, +1, +2 at fractional offsets ``t``."""
    t2, t3 = t * t, t * t * t
    return 0.5 * np.column_stack(
        [-t3 + 2 * t2 - t, 3 * t3 - 5 * t2 + 2, -3 * t3 + 4 * t2 + t, t3 - t2])


def _interp_matrix(pos: np.ndarray, n: int) -> sp.csr_matrix:
    """Sparse cubic interpolation rows for fractional indices ``pos`` into an axis of length n."""
    i0 = np.floor(pos).astype(np.int64)
    w = _catmull_rom(pos - i0)
    cols = np.clip(i0[:, None] + np.arange(-1, 3)[None, :], 0, n - 1)
    rows = np.repeat(np.arange(len(pos)), 4)
    return sp.csr_matrix((w.ravel(), (rows, cols.ravel())), shape=(len(pos), n))


@dataclass(frozen=True, eq=False)
class Terrain:
    """The province terrain: coarse field + amplitude of the 30 m detail + the detail tile."""

    coarse: Grid
    z_m: np.ndarray  # coarse elevation (m), float64
    amp_m: np.ndarray  # detail amplitude (m) on the coarse grid
    tile: np.ndarray  # periodic unit detail noise, TILE_CELLS² at FINE_M
    uv_box: tuple[float, float, float, float]  # outline bounds, for u/v positions

    def _frac(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g = self.coarse
        return (g.y0 - y) / g.cell_m - 0.5, (x - g.x0) / g.cell_m - 0.5

    def _interp(self, field: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        fr, fc = self._frac(x, y)
        r0, c0 = np.floor(fr).astype(np.int64), np.floor(fc).astype(np.int64)
        wr, wc = _catmull_rom((fr - r0).ravel()), _catmull_rom((fc - c0).ravel())
        r0, c0 = r0.ravel(), c0.ravel()
        out = np.zeros(r0.shape)
        nr, nc = field.shape
        for a in range(4):
            rr = np.clip(r0 + a - 1, 0, nr - 1)
            acc = np.zeros(r0.shape)
            for b in range(4):
                acc += wc[:, b] * field[rr, np.clip(c0 + b - 1, 0, nc - 1)]
            out += wr[:, a] * acc
        return out.reshape(np.shape(x))

    def smooth(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Elevation (m) of the coarse field at points, without the 30 m detail."""
        return self._interp(self.z_m, np.asarray(x, float), np.asarray(y, float))

    def sample(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Elevation (m) of the 30 m DEM cell holding each point (same values as :meth:`fine`)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        gi = np.floor(x / FINE_M).astype(np.int64)
        gj = np.floor(y / FINE_M).astype(np.int64)
        xc, yc = (gi + 0.5) * FINE_M, (gj + 0.5) * FINE_M
        base = self._interp(self.z_m, xc, yc)
        amp = self._interp(self.amp_m, xc, yc)
        det = self.tile[np.mod(gj, TILE_CELLS), np.mod(gi, TILE_CELLS)]
        return np.round(base + amp * det)

    def fine(self, grid: Grid) -> np.ndarray:
        """The 30 m DEM (float32, whole metres) on a grid aligned to multiples of 30 m."""
        if grid.cell_m != FINE_M:
            msg = f"the demo DEM is defined on a {FINE_M:g} m grid, got {grid.cell_m:g} m"
            raise ValueError(msg)
        xs, ys = grid.xs(), grid.ys()
        fr, fc = self._frac(xs, ys)
        ry = _interp_matrix(fr, self.coarse.nrows)
        rx = _interp_matrix(fc, self.coarse.ncols)
        gi = np.mod(np.floor(xs / FINE_M).astype(np.int64), TILE_CELLS)
        gj = np.mod(np.floor(ys / FINE_M).astype(np.int64), TILE_CELLS)
        out = np.empty(grid.shape, dtype=np.float32)
        base_r = ry @ self.z_m
        amp_r = ry @ self.amp_m
        step = 512
        for r0 in range(0, grid.nrows, step):
            r1 = min(grid.nrows, r0 + step)
            base = (rx @ base_r[r0:r1].T).T
            amp = (rx @ amp_r[r0:r1].T).T
            det = self.tile[np.ix_(gj[r0:r1], gi)]
            out[r0:r1] = np.round(base + amp * det)
        return out


def build_terrain(outline: Polygon, seeds: np.ndarray, name_index: dict[str, int],
                  rng: np.random.Generator) -> Terrain:
    """Build the province terrain (see the module docstring)."""
    grid = Grid.covering(outline.bounds, COARSE_M, margin_m=12_000.0)
    xs, ys = grid.xs(), grid.ys()
    bx0, by0, bx1, by1 = outline.bounds
    u = ((xs - bx0) / (bx1 - bx0))[None, :]
    v = ((ys - by0) / (by1 - by0))[:, None]

    low = spectral_noise(rng, grid.shape, COARSE_M, 1.5, 15_000.0, 80_000.0)
    n1 = spectral_noise(rng, grid.shape, COARSE_M, 1.7, 700.0, 40_000.0)
    n2 = spectral_noise(rng, grid.shape, COARSE_M, 1.4, 600.0, 12_000.0)
    floor = 10.0 + 230.0 * smoothstep(0.12, 1.0, v) ** 1.2 + 30.0 * low * smoothstep(0.1, 0.5, v)
    envelope = (
        40.0
        + 900.0 * smoothstep(0.10, 0.60, v)
        + 420.0 * smoothstep(0.60, 0.95, v)
        + 750.0 * np.exp(-(((u - 0.02) / 0.13) ** 2)) * np.exp(-(((v - 0.30) / 0.13) ** 2))
        + 250.0 * np.exp(-(((u - 0.85) / 0.15) ** 2)) * np.exp(-(((v - 0.42) / 0.12) ** 2))
    )
    p1 = 0.5 * (1.0 + np.tanh(0.9 * n1))
    ridged = np.clip(1.0 - np.abs(n2) / 2.5, 0.0, 1.0)
    noise = np.clip(0.62 * p1 + 0.38 * ridged, 0.0, 1.0) ** 1.6

    # carve the valleys: main rivers (wide) and the valley network joining the commune seats
    rivers = []
    for _name, wps in data.RIVERS:
        pts = waypoint_xy(wps, seeds, name_index, outline)
        rivers.append(np.vstack([meander(a, b, rng, 3, 0.10)[:-1] for a, b in
                                 zip(pts[:-1], pts[1:], strict=True)] + [pts[-1:]]))
    tri = Delaunay(seeds)
    ii, jj = [], []
    for s in tri.simplices:
        for a, b in ((0, 1), (1, 2), (0, 2)):
            ii.append(s[a])
            jj.append(s[b])
    w = np.hypot(*(seeds[ii] - seeds[jj]).T)
    mst = minimum_spanning_tree(sp.coo_matrix((w, (ii, jj)), shape=(len(seeds),) * 2)).tocoo()
    valleys = [meander(seeds[a], seeds[b], rng, 4, 0.14) for a, b in
               zip(mst.row, mst.col, strict=True)]
    d_river = _distance_to_lines(grid, rivers)
    d_valley = _distance_to_lines(grid, valleys)
    w_river = 2_400.0 - 900.0 * smoothstep(0.3, 0.8, v)
    w_valley = 1_300.0 - 500.0 * smoothstep(0.3, 0.8, v)
    carve = np.minimum(1.0 - np.exp(-((d_river / w_river) ** 2)),
                       1.0 - np.exp(-((d_valley / w_valley) ** 2)))
    # relief fades outside the province, so that its highest point lies inside
    outside_m = _distance_to_lines(grid, [shapely.get_coordinates(outline.exterior)])
    inside = shapely.contains_xy(outline, *np.meshgrid(xs, ys))
    fade = np.where(inside, 1.0, 0.35 + 0.65 * np.exp(-outside_m / 4_000.0))
    relief = envelope * noise * carve * fade

    # scale so that the highest peak (in the north) is a seed-drawn 1,400-1,520 m
    peak = rng.uniform(1_400.0, 1_520.0)
    base = np.broadcast_to(floor, relief.shape)
    k = int(np.argmax(np.where(inside, relief + base, -np.inf)))
    scale = (peak - base.flat[k]) / relief.flat[k]
    z = np.maximum(base + relief * scale, 3.0)
    amp = 1.5 + 0.02 * relief * scale

    tile = spectral_noise(rng, (TILE_CELLS, TILE_CELLS), FINE_M, 1.2, 60.0, 1_500.0)
    log.debug("terrain: coarse grid %s, peak %.0f m", grid.shape, peak)
    return Terrain(grid, z, amp, tile.astype(np.float64), outline.bounds)


def _distance_to_lines(grid: Grid, lines: list[np.ndarray]) -> np.ndarray:
    """Distance (m) from each coarse cell centre to the nearest of the polylines."""
    from rasterio.features import rasterize

    mask = rasterize(((LineString(p), 1) for p in lines), out_shape=grid.shape,
                     transform=grid.transform, all_touched=True, dtype="uint8")
    return ndimage.distance_transform_edt(mask == 0) * grid.cell_m
