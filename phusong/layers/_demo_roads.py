"""Roads of the demo province: least-cost routes on the DEM, merged into a noded network.

Main roads (expressway, national, provincial) are least-cost paths on the 240 m terrain grid
(:func:`scipy.sparse.csgraph.dijkstra`): a step costs its length times a grade penalty
``1 + (grade / 7 %)²`` and a height penalty, so roads keep to valleys and passes. National routes
follow fixed templates of commune seats (``_demo_data.NATIONAL_ROUTES``); provincial roads first
join the former district towns (minimum spanning tree), then add Delaunay links between commune
seats until the main network reaches a seed-drawn 2,425-2,575 km. Routes that share cells are
merged: each shared piece keeps the highest class, and the network is cut into chains at junctions,
so pieces meet at shared vertices.

District and local roads are built per commune on a 100 m grid around it: one multi-source
shortest-path tree grows from the main-road vertices, the commune seat's path to it is the district
road and every hamlet's path until it meets the tree is a local road. The tree also gives each
hamlet its distance to the main network along roads, which sets fiber reach.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra, minimum_spanning_tree
from scipy.spatial import Delaunay, cKDTree
from shapely.geometry import LineString

from phusong.layers import _demo_data as data
from phusong.layers._demo_terrain import CRS, Grid, Terrain, spectral_noise, waypoint_xy

__all__ = [
    "MainNetwork",
    "LocalTree",
    "build_main_roads",
    "build_local_tree",
    "tree_chains",
    "smooth_line",
    "road_friction",
]

log = logging.getLogger(__name__)

CLASS_RANK = {"expressway": 0, "national": 1, "provincial": 2, "district": 3, "local": 4}
LOCAL_M = 100.0


@dataclass(frozen=True, eq=False)
class MainNetwork:
    """Expressway, national and provincial roads, as noded chains."""

    roads: gpd.GeoDataFrame
    access_xy: np.ndarray  # vertices of non-expressway main roads, where local roads may join
    friction: np.ndarray  # cost multiplier on the coarse grid


def _grid_graph(z: np.ndarray, cell_m: float, ok: np.ndarray, grade0: float, z_scale_m: float,
                bad_factor: float, friction: np.ndarray) -> sp.csr_matrix:
    """8-connected cost graph over a grid, both directions stored (use ``directed=True``).

    A step costs ``length * (1 + (grade / grade0)²) * (1 + mean height / z_scale_m)`` times the
    mean ``friction`` of its two cells (smooth noise, so that roads on flat land still wander),
    times ``bad_factor`` where a cell is not ``ok`` (outside the province).
    """
    ny, nx = z.shape
    idx = np.arange(ny * nx).reshape(ny, nx)
    zf, okf, ff = z.ravel(), ok.ravel(), friction.ravel()
    rows, cols, w = [], [], []
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
        a = idx[0:ny - dy, max(0, -dx):nx - max(0, dx)].ravel()
        b = idx[dy:ny, max(0, dx):nx - max(0, -dx)].ravel()
        length = cell_m * math.hypot(dy, dx)
        grade = np.abs(zf[a] - zf[b]) / length
        cost = length * (1.0 + (grade / grade0) ** 2) * (1.0 + (zf[a] + zf[b]) / (2 * z_scale_m))
        cost *= 0.5 * (ff[a] + ff[b])
        cost = np.where(okf[a] & okf[b], cost, cost * bad_factor)
        rows += [a, b]
        cols += [b, a]
        w += [cost, cost]
    n = ny * nx
    return sp.csr_matrix((np.concatenate(w), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(n, n))


_STEPS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


class _Router:
    """Least-cost paths on a grid, each searched in a window around its two ends.

    The cost of the 8 steps out of every cell (as in :func:`_grid_graph`) is computed once; a
    window's graph is then cut from those arrays straight into CSR form.
    """

    def __init__(self, z: np.ndarray, ok: np.ndarray, friction: np.ndarray, cell_m: float,
                 grade0: float, z_scale_m: float) -> None:
        ny, nx = z.shape
        self.shape = (ny, nx)
        self.cell_m = cell_m
        w = np.full((8, ny, nx), np.inf)
        for k, (dy, dx) in enumerate(_STEPS):
            rs = slice(max(0, -dy), ny - max(0, dy))
            cs = slice(max(0, -dx), nx - max(0, dx))
            rt = slice(max(0, dy), ny - max(0, -dy))
            ct = slice(max(0, dx), nx - max(0, -dx))
            length = cell_m * math.hypot(dy, dx)
            za, zb = z[rs, cs], z[rt, ct]
            cost = length * (1.0 + (np.abs(za - zb) / length / grade0) ** 2) * (
                1.0 + (za + zb) / (2 * z_scale_m)) * 0.5 * (friction[rs, cs] + friction[rt, ct])
            w[k, rs, cs] = np.where(ok[rs, cs] & ok[rt, ct], cost, cost * 8.0)
        self.weights = w

    def _graph(self, r0: int, r1: int, c0: int, c1: int) -> sp.csr_matrix:
        h, wd = r1 - r0, c1 - c0
        data = self.weights[:, r0:r1, c0:c1].copy()
        data[0:3, 0, :] = np.inf  # no steps out of the window
        data[5:8, -1, :] = np.inf
        data[[0, 3, 5], :, 0] = np.inf
        data[[2, 4, 7], :, -1] = np.inf
        data = data.transpose(1, 2, 0).reshape(-1, 8)
        offsets = np.array([dy * wd + dx for dy, dx in _STEPS])
        nbr = np.arange(h * wd)[:, None] + offsets
        valid = np.isfinite(data)
        indptr = np.concatenate([[0], np.cumsum(valid.sum(axis=1))])
        return sp.csr_matrix((data[valid], nbr[valid], indptr), shape=(h * wd, h * wd))

    def route(self, a: int, b: int) -> list[int]:
        """Cell path (flat indices) from cell a to cell b."""
        ny, nx = self.shape
        (ra, ca), (rb, cb) = divmod(a, nx), divmod(b, nx)
        if a == b:
            return [a]
        span = math.hypot(ra - rb, ca - cb)
        for grow in (0.45, 1.2):
            m = int(span * grow) + int(4_000.0 / self.cell_m)
            r0, r1 = max(0, min(ra, rb) - m), min(ny, max(ra, rb) + m + 1)
            c0, c1 = max(0, min(ca, cb) - m), min(nx, max(ca, cb) + m + 1)
            wn = c1 - c0
            sa, sb = (ra - r0) * wn + (ca - c0), (rb - r0) * wn + (cb - c0)
            dist, pred = dijkstra(self._graph(r0, r1, c0, c1), directed=True, indices=sa,
                                  return_predecessors=True)
            if np.isfinite(dist[sb]):
                break
        path = [sb]
        while path[-1] != sa:
            path.append(int(pred[path[-1]]))
        rr, cc = np.divmod(np.asarray(path[::-1]), wn)
        return ((rr + r0) * nx + (cc + c0)).tolist()


def smooth_line(xy: np.ndarray, iterations: int = 2) -> np.ndarray:
    """Interpolating 4-point subdivision: smooths a grid path and keeps every original vertex."""
    pts = np.asarray(xy, dtype=float)
    for _ in range(iterations):
        if len(pts) < 3:
            return pts
        ext = np.vstack([2 * pts[0] - pts[1], pts, 2 * pts[-1] - pts[-2]])
        p0, p1, p2, p3 = ext[:-3], ext[1:-2], ext[2:-1], ext[3:]
        mid = (-p0 + 9 * p1 + 9 * p2 - p3) / 16.0
        out = np.empty((len(pts) + len(mid), 2))
        out[0::2] = pts
        out[1::2] = mid
        pts = out
    return pts


def _chains(paths: list[tuple[list[int], tuple]], stops: set[int]) -> list[tuple[list[int], tuple]]:
    """Cut the union of labelled cell paths into chains between junctions and label changes.

    ``paths`` holds (cells, label) in priority order; a cell pair keeps the label of the first
    path that uses it.
    """
    label: dict[tuple[int, int], tuple] = {}
    nbrs: dict[int, list[int]] = {}
    for cells, lab in paths:
        for a, b in zip(cells[:-1], cells[1:], strict=True):
            key = (a, b) if a < b else (b, a)
            if a == b or key in label:
                continue
            label[key] = lab
            nbrs.setdefault(a, []).append(b)
            nbrs.setdefault(b, []).append(a)

    def lab_of(a: int, b: int) -> tuple:
        return label[(a, b) if a < b else (b, a)]

    def is_break(c: int) -> bool:
        nb = nbrs[c]
        return len(nb) != 2 or c in stops or lab_of(c, nb[0]) != lab_of(c, nb[1])

    seen: set[tuple[int, int]] = set()
    out = []
    starts = [c for c in nbrs if is_break(c)] + list(nbrs)  # the tail catches pure loops
    for s in starts:
        for nb in nbrs[s]:
            key = (s, nb) if s < nb else (nb, s)
            if key in seen:
                continue
            lab = lab_of(s, nb)
            chain = [s, nb]
            seen.add(key)
            while not is_break(chain[-1]):
                c = chain[-1]
                nxt = nbrs[c][0] if nbrs[c][0] != chain[-2] else nbrs[c][1]
                k2 = (c, nxt) if c < nxt else (nxt, c)
                if k2 in seen:
                    break
                seen.add(k2)
                chain.append(nxt)
            out.append((chain, lab))
    return out


def _decompose(edges: list[tuple[int, int]], xy: np.ndarray) -> list[list[int]]:
    """Group seat-to-seat links into routes that continue roughly straight through seats."""
    unused = {i: e for i, e in enumerate(edges)}
    at: dict[int, list[int]] = {}
    for i, (a, b) in unused.items():
        at.setdefault(a, []).append(i)
        at.setdefault(b, []).append(i)
    routes = []

    def extend(node: int, prev: int, route: list[int]) -> None:
        while True:
            d_in = xy[node] - xy[prev]
            best, best_cos = None, math.cos(math.radians(55.0))
            for i in at.get(node, []):
                if i not in unused:
                    continue
                a, b = unused[i]
                other = b if a == node else a
                d_out = xy[other] - xy[node]
                cos = float(d_in @ d_out / (np.linalg.norm(d_in) * np.linalg.norm(d_out) + 1e-9))
                if cos > best_cos:
                    best, best_cos = i, cos
            if best is None:
                return
            a, b = unused.pop(best)
            other = b if a == node else a
            route.append(other)
            prev, node = node, other

    while unused:
        i = min(unused)
        a, b = unused.pop(i)
        fwd = [a, b]
        extend(b, a, fwd)
        back = [b, a]
        extend(a, b, back)
        routes.append(back[::-1][:-2] + fwd if len(back) > 2 else fwd)
    return routes


def road_friction(terrain: Terrain, rng: np.random.Generator) -> np.ndarray:
    """Smooth random cost multiplier (about 0.4-2.5) on the coarse grid: land use, soils, history."""
    n = spectral_noise(rng, terrain.coarse.shape, terrain.coarse.cell_m, 0.8, 500.0, 8_000.0)
    return np.exp(0.45 * n)


def build_main_roads(terrain: Terrain, outline: shapely.Geometry, seeds: np.ndarray,
                     hamlets: gpd.GeoDataFrame, rng: np.random.Generator) -> MainNetwork:
    """Expressway, national and provincial roads (see the module docstring).

    Routes are searched on a 480 m grid (the 240 m terrain, min-pooled so valley floors stay).
    Provincial links are added in this order until the target length is reached: the spanning tree
    of the former district towns, Delaunay links between commune seats (first those reaching a seat
    not yet on the network), then links from seats to their two largest outlying hamlets and to
    the province edge.
    """
    cg = terrain.coarse
    friction = road_friction(terrain, rng)
    nr, nc = (cg.nrows + 1) // 2, (cg.ncols + 1) // 2
    zp = np.full((2 * nr, 2 * nc), np.inf)
    zp[:cg.nrows, :cg.ncols] = terrain.z_m
    z2 = zp.reshape(nr, 2, nc, 2).min(axis=(1, 3))
    g = Grid(cg.x0 - cg.cell_m / 2, cg.y0 + cg.cell_m / 2, 2 * cg.cell_m, nr, nc)
    xs, ys = np.meshgrid(g.xs(), g.ys())
    ok = shapely.contains_xy(outline.buffer(-200.0), xs, ys)
    f2 = friction[::2, ::2]
    road_router = _Router(z2, ok, f2, g.cell_m, 0.07, 1_500.0)
    expr_router = _Router(z2, ok, np.sqrt(f2), g.cell_m, 0.25, 4_000.0)
    name_index = {r[1]: i for i, r in enumerate(data.COMMUNES)}

    def cell_of(p: np.ndarray) -> int:
        r, c = g.rowcol(p[0], p[1])
        return int(r * g.ncols + c)

    # nodes: the commune seats, then extra end points (outlying hamlets, province edge)
    node_xy = [p for p in seeds]
    node_cells = [cell_of(p) for p in seeds]
    expr_paths: list[tuple[list[int], tuple]] = []
    road_paths: list[tuple[list[int], tuple]] = []
    national_links: set[tuple[int, int]] = set()
    for ref, cls, name, wps in data.NATIONAL_ROUTES:
        pts = waypoint_xy(wps, seeds, name_index, outline)
        router = expr_router if cls == "expressway" else road_router
        cells: list[int] = []
        for p, q in zip(pts[:-1], pts[1:], strict=True):
            leg = router.route(cell_of(p), cell_of(q))
            cells.extend(leg if not cells else leg[1:])
        (expr_paths if cls == "expressway" else road_paths).append((cells, (cls, ref, name)))
        seat_ids = [name_index[w] for w in wps if not w.startswith("edge:")]
        for a, b in zip(seat_ids[:-1], seat_ids[1:], strict=True):
            national_links.add((min(a, b), max(a, b)))

    pairs: set[tuple[int, int]] = set()

    def add_len(cells: list[int]) -> float:
        """Length (m) that a cell path adds to the network (pairs not seen before)."""
        added = 0.0
        for a, b in zip(cells[:-1], cells[1:], strict=True):
            key = (a, b) if a < b else (b, a)
            if key not in pairs:
                pairs.add(key)
                diag = (a // g.ncols != b // g.ncols) and (a % g.ncols != b % g.ncols)
                added += g.cell_m * (math.sqrt(2.0) if diag else 1.0)
        return added

    total = sum(add_len(cells) for cells, _ in expr_paths)
    pairs.clear()
    total += sum(add_len(cells) for cells, _ in road_paths)
    target_m = rng.uniform(2_425e3, 2_575e3)

    # candidate provincial links, in order of preference
    centres = np.array([name_index[n] for n in data.DISTRICT_CENTRES])
    d = np.hypot(*(seeds[centres][:, None, :] - seeds[centres][None, :, :]).transpose(2, 0, 1))
    mst = minimum_spanning_tree(d).tocoo()
    first = [(int(min(a, b)), int(max(a, b))) for a, b in
             zip(centres[mst.row], centres[mst.col], strict=True)]
    tri = Delaunay(seeds)
    inner = outline.buffer(-500.0)
    delaunay = set()
    for s in tri.simplices:
        for a, b in ((s[0], s[1]), (s[1], s[2]), (s[0], s[2])):
            key = (int(min(a, b)), int(max(a, b)))
            if key in national_links or key in first:
                continue
            if np.hypot(*(seeds[a] - seeds[b])) <= 22_000.0 and inner.contains(
                    LineString([seeds[a], seeds[b]])):
                delaunay.add(key)
    extra = []
    hx, hy = hamlets.geometry.x.to_numpy(), hamlets.geometry.y.to_numpy()
    hpop, hci = hamlets["population"].to_numpy(), hamlets["commune_index"].to_numpy()
    centre = np.array(outline.centroid.coords[0])
    for ci in range(len(seeds)):
        mine = np.flatnonzero((hci == ci) & (np.hypot(hx - seeds[ci, 0], hy - seeds[ci, 1])
                                             > 3_500.0))
        for h in mine[np.argsort(-hpop[mine], kind="stable")][:2]:  # two largest outliers
            extra.append((-float(hpop[h]), ci, np.array([hx[h], hy[h]])))
        if outline.exterior.distance(shapely.Point(seeds[ci])) < 9_000.0:
            out = seeds[ci] - centre
            bearing = math.degrees(math.atan2(out[0], out[1]))
            edge = waypoint_xy((f"edge:{bearing:.1f}", data.COMMUNES[ci][1]), seeds, name_index,
                               outline)[0]
            extra.append((-float(data.COMMUNES[ci][6]) / 4.0, ci, edge))
    extra.sort(key=lambda t: (t[0], t[1]))
    for _, _ci, p in extra:
        node_xy.append(p)
        node_cells.append(cell_of(p))
    extra_links = [(ci, len(seeds) + k) for k, (_, ci, _) in enumerate(extra)]

    links: list[tuple[int, int]] = []
    link_cells: dict[tuple[int, int], list[int]] = {}
    on_net = {c for cells, _ in road_paths for c in cells}

    def add_link(a: int, b: int) -> None:
        nonlocal total
        cells = road_router.route(node_cells[a], node_cells[b])
        links.append((a, b))
        link_cells[(a, b)] = cells
        on_net.update(cells)
        total += add_len(cells)

    for a, b in first:
        add_link(a, b)
    remaining = sorted(delaunay)
    link_len = {(a, b): float(np.hypot(*(seeds[a] - seeds[b]))) for a, b in remaining}
    while total < target_m and remaining:
        connected = [node_cells[i] in on_net for i in range(len(seeds))]
        _, _, a, b = min((0 if connected[a] != connected[b] else 1, link_len[(a, b)], a, b)
                         for a, b in remaining)
        remaining.remove((a, b))
        add_link(a, b)
    for a, b in extra_links:
        if total >= target_m:
            break
        add_link(a, b)
    log.debug("provincial: %d links, %.0f km of %.0f km", len(links), total / 1e3,
              target_m / 1e3)

    # name the provincial routes: links that continue straight through a seat share a ref
    node_arr = np.asarray(node_xy)
    for k, route in enumerate(_decompose(links, node_arr)):
        n_ref = len(data.PROVINCIAL_REFS)
        ref = data.PROVINCIAL_REFS[k] if k < n_ref else f"ĐT{280 + k - n_ref}"
        cells = []
        for a, b in zip(route[:-1], route[1:], strict=True):
            leg = link_cells[(a, b)] if (a, b) in link_cells else link_cells[(b, a)][::-1]
            cells.extend(leg if not cells else leg[1:])
        road_paths.append((cells, ("provincial", ref, f"Đường tỉnh {ref[2:]}")))

    stops = set(node_cells[: len(seeds)])
    chains = _chains(expr_paths, stops) + _chains(road_paths, stops)
    rows, geoms, access = [], [], []
    for cells, (cls, ref, name) in chains:
        r, c = np.divmod(np.asarray(cells), g.ncols)
        xy = np.column_stack([g.xs()[c], g.ys()[r]])
        geoms.append(LineString(smooth_line(xy, 2)))
        rows.append({"class": cls, "ref": ref, "name": name})
        if cls != "expressway":
            access.append(xy)
    df = pd.DataFrame(rows)
    order = np.lexsort((np.arange(len(df)), df["ref"].to_numpy(),
                        df["class"].map(CLASS_RANK).to_numpy()))
    df = df.iloc[order].reset_index(drop=True)
    geoms = [geoms[i] for i in order]
    df.insert(0, "road_id", [f"R{k + 1:05d}" for k in range(len(df))])
    roads = gpd.GeoDataFrame(df, geometry=geoms, crs=CRS)
    access_xy = np.unique(np.vstack(access), axis=0)
    log.debug("main roads: %d chains, %.0f km", len(roads), roads.length.sum() / 1e3)
    return MainNetwork(roads, access_xy, friction)


# --------------------------------------------------------------------------- local roads


@dataclass(frozen=True, eq=False)
class LocalTree:
    """Shortest-path tree of one commune's roads on a 100 m grid, rooted at main-road vertices."""

    grid: Grid
    parent: np.ndarray  # parent cell of each cell in the tree, -1 for roots / cells off the tree
    root_xy: dict[int, tuple[float, float]]  # root cell -> the main-road vertex it stands for
    hamlet_cells: np.ndarray  # cell of each of the commune's hamlets (input order)
    seat_cell: int
    to_main_m: np.ndarray  # along-road distance of each hamlet to the main network (m)


def build_local_tree(terrain: Terrain, inside_label: np.ndarray, main: MainNetwork,
                     seat: np.ndarray, hamlet_xy: np.ndarray) -> LocalTree:
    """Route the commune seat and every hamlet to the main network (see module docstring)."""
    pts = np.vstack([seat[None, :], hamlet_xy])
    lo, hi = pts.min(axis=0) - 1_500.0, pts.max(axis=0) + 1_500.0
    near = cKDTree(main.access_xy).query(seat)[1]
    lo = np.minimum(lo, main.access_xy[near] - 600.0)
    hi = np.maximum(hi, main.access_xy[near] + 600.0)
    grid = Grid.covering((lo[0], lo[1], hi[0], hi[1]), LOCAL_M)
    xs, ys = np.meshgrid(grid.xs(), grid.ys())
    z = terrain.smooth(xs, ys)
    cr, cc = terrain.coarse.rowcol(xs, ys)
    ok = inside_label[cr, cc] >= 0
    graph = _grid_graph(z, LOCAL_M, ok, 0.10, 3_000.0, 5.0, main.friction[cr, cc])
    inwin = ((main.access_xy[:, 0] > grid.bounds[0]) & (main.access_xy[:, 0] < grid.bounds[2])
             & (main.access_xy[:, 1] > grid.bounds[1]) & (main.access_xy[:, 1] < grid.bounds[3]))
    axy = main.access_xy[inwin]
    ar, ac = grid.rowcol(axy[:, 0], axy[:, 1])
    acell = ar * grid.ncols + ac
    root_xy: dict[int, tuple[float, float]] = {}
    for cell, (x, y) in zip(acell.tolist(), axy.tolist(), strict=True):
        root_xy.setdefault(cell, (x, y))
    roots = np.array(sorted(root_xy))
    dist, pred = dijkstra(graph, directed=True, indices=roots, return_predecessors=True,
                          min_only=True)[:2]
    hr, hc = grid.rowcol(hamlet_xy[:, 0], hamlet_xy[:, 1])
    hcells = hr * grid.ncols + hc
    sr, sc = grid.rowcol(np.array([seat[0]]), np.array([seat[1]]))
    seat_cell = int(sr[0] * grid.ncols + sc[0])
    parent = np.full(grid.nrows * grid.ncols, -1, dtype=np.int64)
    length = np.full(grid.nrows * grid.ncols, np.nan)
    length[roots] = 0.0
    order = [seat_cell] + [int(hcells[i]) for i in np.argsort(-dist[hcells], kind="stable")]
    for start in order:
        path = [start]
        while np.isnan(length[path[-1]]):
            p = int(pred[path[-1]])
            if p < 0:  # unreachable (cannot happen on a connected grid): treat as a root
                length[path[-1]] = 0.0
                break
            parent[path[-1]] = p
            path.append(p)
        acc = length[path[-1]]
        for a, b in zip(path[-2::-1], path[:0:-1], strict=True):
            ra, ca = divmod(a, grid.ncols)
            rb, cb = divmod(b, grid.ncols)
            acc += LOCAL_M * math.hypot(ra - rb, ca - cb)
            length[a] = acc
    to_main = length[hcells] + np.hypot(hamlet_xy[:, 0] - grid.xs()[hc],
                                        hamlet_xy[:, 1] - grid.ys()[hr])
    return LocalTree(grid, parent, root_xy, hcells, seat_cell, to_main)


def tree_chains(tree: LocalTree, leaves: np.ndarray) -> list[np.ndarray]:
    """Polylines covering the paths from ``leaves`` (cells) to the main network, cut at junctions.

    Chains end at junctions and at the leaves, so they meet at shared vertices; a chain that
    reaches the main network ends exactly on a main-road vertex.
    """
    parent = tree.parent
    on: set[int] = set()
    for leaf in np.unique(leaves).tolist():
        c = leaf
        while c not in on and parent[c] >= 0:
            on.add(c)
            c = int(parent[c])
    if not on:
        return []
    children: dict[int, int] = {}
    for c in on:
        p = int(parent[c])
        children[p] = children.get(p, 0) + 1
    stops = set(np.unique(leaves).tolist())

    def is_start(c: int) -> bool:
        return c in stops or children.get(c, 0) != 1

    g = tree.grid
    xs, ys = g.xs(), g.ys()
    out = []
    for s in sorted(c for c in on if is_start(c)):
        cells = [s, int(parent[s])]
        while cells[-1] in on and not is_start(cells[-1]):
            cells.append(int(parent[cells[-1]]))
        r, c = np.divmod(np.asarray(cells), g.ncols)
        xy = np.column_stack([xs[c], ys[r]])
        end = cells[-1]
        if end not in on and end in tree.root_xy:
            xy[-1] = tree.root_xy[end]
        out.append(xy)
    return out
