"""The road graph: roads noded at intersections, edges weighted by length in metres.

Built once from the roads layer and shared by fiber reach (:mod:`phusong.coverage.fiber`) and
the fiber extension plan (:mod:`phusong.planning.fiber`):

1. every road is cut into straight segments of at most :data:`MAX_EDGE_M` (``shapely.segmentize``)
   and the whole layer is noded (``shapely.node``), so crossing roads share a vertex;
2. vertices closer than ``merge_m`` are joined (``cKDTree.query_pairs`` + connected components),
   and a dangling road end within ``merge_m`` of another road is joined to it where it nearly
   touches (digitising gaps);
3. each segment is an edge of the graph, weighted by its length in metres.

Places and fiber nodes are then *attached* to their nearest road point (:func:`attach`, a
bounded ``STRtree.query_nearest``) and the edges they fall on are split there
(:func:`insert_points`), so that distances along roads between any two attached things are exact
shortest paths on the graph (``scipy.sparse.csgraph.dijkstra``).

Everything here works on arrays: no loop over rows or edges in Python.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from phusong.errors import CRSError, InputError

__all__ = ["MAX_EDGE_M", "MIN_WEIGHT_M", "RoadGraph", "Attachment", "build_road_graph", "attach",
           "insert_points", "add_leaves"]

log = logging.getLogger(__name__)

MAX_EDGE_M = 200.0
"""Longest edge of the graph: longer straight road segments are cut (``shapely.segmentize``)."""

MIN_WEIGHT_M = 1e-6
"""Smallest edge weight: zero-length edges (a place exactly on a vertex) weigh 1 µm so that the
sparse-matrix routines never mistake them for missing edges."""

_ROUND_M = 1e-3  # vertices equal to the millimetre are one vertex before merging


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """An undirected graph of roads in a metric CRS.

    Attributes
    ----------
    xy
        ``(n, 2)`` vertex coordinates (m).
    u, v
        End vertices of each edge (``u < v`` is not required).
    length_m
        Edge lengths (m); every edge is a straight segment from ``xy[u]`` to ``xy[v]``, except
        leaf edges added by :func:`add_leaves`, whose length is the access distance.
    road
        Row position (0-based) in the roads layer of the road each edge belongs to; ``-1`` for
        leaf edges.
    crs
        CRS of the coordinates.
    """

    xy: NDArray[np.float64]
    u: NDArray[np.int64]
    v: NDArray[np.int64]
    length_m: NDArray[np.float64]
    road: NDArray[np.int64]
    crs: str

    @property
    def n_vertices(self) -> int:
        """Number of vertices."""
        return int(len(self.xy))

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return int(len(self.u))

    @property
    def length_km(self) -> float:
        """Total length of the road edges (leaf edges excluded), in km."""
        return float(self.length_m[self.road >= 0].sum() / 1000.0)

    def matrix(self, keep: NDArray[np.bool_] | None = None,
               weight_m: NDArray[np.float64] | None = None) -> sparse.csr_matrix:
        """Upper-triangular CSR adjacency (use with ``directed=False``), parallel edges at their minimum.

        Parameters
        ----------
        keep
            Edges to include (default: all).
        weight_m
            Edge weights (default: :attr:`length_m`); floored at :data:`MIN_WEIGHT_M`.
        """
        w = self.length_m if weight_m is None else weight_m
        sel = np.ones(self.n_edges, dtype=bool) if keep is None else keep
        a = np.minimum(self.u[sel], self.v[sel])
        b = np.maximum(self.u[sel], self.v[sel])
        ww = np.maximum(w[sel], MIN_WEIGHT_M)
        a, b, ww = _min_per_pair(a, b, ww)
        n = self.n_vertices
        return sparse.csr_matrix((ww, (a, b)), shape=(n, n))

    @cached_property
    def segments(self) -> NDArray[np.object_]:
        """The edges as shapely LineStrings (leaf edges too: their ends are both vertices)."""
        coords = np.stack([self.xy[self.u], self.xy[self.v]], axis=1)
        return shapely.linestrings(coords)

    @cached_property
    def road_tree(self) -> shapely.STRtree:
        """STRtree over the road edges' segments (leaf edges are left out as empty geometries)."""
        segs = self.segments.copy()
        segs[self.road < 0] = None
        return shapely.STRtree(segs)


def _min_per_pair(a: NDArray[np.int64], b: NDArray[np.int64], w: NDArray[np.float64]
                  ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Keep one entry per ``(a, b)`` pair, the lightest (a sparse constructor would sum them)."""
    if len(a) == 0:
        return a, b, w
    order = np.lexsort((w, b, a))
    a, b, w = a[order], b[order], w[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return a[first], b[first], w[first]


def _check_metric(frame: gpd.GeoDataFrame, what: str) -> str:
    if frame.crs is None:
        msg = f"{what} has no CRS; the road graph measures in metres (use the working CRS, EPSG:32648)"
        raise CRSError(msg)
    if not frame.crs.is_projected:
        msg = (f"{what} is in {frame.crs.to_string()}, not a metric CRS; reproject it to the "
               "working CRS (EPSG:32648) first")
        raise CRSError(msg)
    return str(frame.crs.to_string())


def build_road_graph(roads: gpd.GeoDataFrame, merge_m: float = 1.0) -> RoadGraph:
    """Build the road graph of a roads layer.

    Parameters
    ----------
    roads
        Road lines (LineString or MultiLineString) in a metric CRS.
    merge_m
        Vertices closer than this are one intersection, and a dangling road end this close to
        another road is joined to it.

    Returns
    -------
    RoadGraph
        Edges are straight segments of at most :data:`MAX_EDGE_M`, split at every crossing.

    Raises
    ------
    CRSError
        If the roads are not in a metric CRS.
    InputError
        If the layer holds no line with a length.
    """
    crs = _check_metric(roads, "the roads layer")
    geoms = np.asarray(roads.geometry.values, dtype=object)
    parts, owner = shapely.get_parts(geoms, return_index=True)
    parts = shapely.segmentize(parts, MAX_EDGE_M)
    keep = ~shapely.is_empty(parts) & (shapely.length(parts) > 0)
    parts, owner = parts[keep], owner[keep]
    if len(parts) == 0:
        msg = "the roads layer holds no line with a length; fiber reach needs roads"
        raise InputError(msg)
    # 1. node the whole layer: crossing roads share a vertex
    noded = shapely.get_parts(shapely.node(shapely.multilinestrings(parts)))
    coords, line = shapely.get_coordinates(noded, return_index=True)
    # 2. one vertex per location (to the millimetre), then join vertices closer than merge_m
    key = np.round(coords / _ROUND_M).astype(np.int64)
    _, first, vid = np.unique(key, axis=0, return_index=True, return_inverse=True)
    vid = vid.reshape(-1)
    xy = coords[first]
    vid, xy = _merge_close(vid, xy, merge_m)
    same_line = line[1:] == line[:-1]
    a, b = vid[:-1][same_line], vid[1:][same_line]
    p, q = coords[:-1][same_line], coords[1:][same_line]
    length = np.hypot(*(xy[b] - xy[a]).T)  # between the (merged) vertices: edges stay straight
    mid = 0.5 * (p + q)
    ok = a != b
    a, b, length, mid = a[ok], b[ok], length[ok], mid[ok]
    # 3. each edge remembers its road (the noding forgot it): the road nearest its midpoint
    tree = shapely.STRtree(parts)
    pos = tree.query_nearest(shapely.points(mid), all_matches=False)[1]
    road = owner[pos].astype(np.int64)
    graph = _dedupe(RoadGraph(xy, a.astype(np.int64), b.astype(np.int64), length, road, crs))
    # 4. dangling ends within merge_m of another road are joined where they nearly touch
    if merge_m > 0:
        graph = _join_dangling(graph, merge_m)
    log.debug("road graph: %d vertices, %d edges, %.1f km", graph.n_vertices, graph.n_edges,
              graph.length_km)
    return graph


def _merge_close(vid: NDArray[np.int64], xy: NDArray[np.float64], merge_m: float
                 ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Relabel vertices closer than ``merge_m`` (transitively) to one, at their first position."""
    if merge_m <= 0 or len(xy) < 2:
        return vid, xy
    pairs = cKDTree(xy).query_pairs(merge_m, output_type="ndarray")
    if len(pairs) == 0:
        return vid, xy
    n = len(xy)
    adj = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, label = connected_components(adj, directed=False)
    # keep the first vertex of each group (its position), renumber groups 0..k-1 in order
    uniq, first = np.unique(label, return_index=True)
    order = np.argsort(first)
    new_id = np.empty(len(uniq), dtype=np.int64)
    new_id[order] = np.arange(len(uniq))
    rep = new_id[label]
    out_xy = xy[np.sort(first)]
    return rep[vid], out_xy


def _dedupe(graph: RoadGraph) -> RoadGraph:
    """Drop self-loops and keep the shortest of parallel edges (duplicated roads)."""
    a = np.minimum(graph.u, graph.v)
    b = np.maximum(graph.u, graph.v)
    ok = a != b
    idx = np.flatnonzero(ok)
    order = np.lexsort((graph.length_m[idx], b[idx], a[idx]))
    idx = idx[order]
    first = np.ones(len(idx), dtype=bool)
    first[1:] = (a[idx][1:] != a[idx][:-1]) | (b[idx][1:] != b[idx][:-1])
    idx = np.sort(idx[first])
    return RoadGraph(graph.xy, graph.u[idx], graph.v[idx], graph.length_m[idx], graph.road[idx],
                     graph.crs)


def _join_dangling(graph: RoadGraph, merge_m: float) -> RoadGraph:
    """Join each dead end to the nearest other road within ``merge_m`` (T-junction near misses)."""
    deg = np.bincount(np.concatenate([graph.u, graph.v]), minlength=graph.n_vertices)
    ends = np.flatnonzero(deg == 1)
    if len(ends) == 0:
        return graph
    tree = graph.road_tree
    pts = shapely.points(graph.xy[ends])
    pairs = tree.query(pts, predicate="dwithin", distance=merge_m)
    if pairs.shape[1] == 0:
        return graph
    # leave out the dead end's own edge
    i, e = pairs
    own = (graph.u[e] == ends[i]) | (graph.v[e] == ends[i])
    i, e = i[~own], e[~own]
    if len(i) == 0:
        return graph
    d = shapely.distance(pts[i], graph.segments[e])
    order = np.lexsort((d, i))
    i, e, d = i[order], e[order], d[order]
    first = np.ones(len(i), dtype=bool)
    first[1:] = i[1:] != i[:-1]
    i, e, d = i[first], e[first], d[first]
    offset = shapely.line_locate_point(graph.segments[e], pts[i])
    split, vertex = insert_points(graph, e, offset)
    # an edge from each dead end to where it nearly touches (zero when it touches)
    return add_leaves(split, ends[i], vertex, d, road=graph.road[e], new_vertices=False)[0]


@dataclass(frozen=True, eq=False)
class Attachment:
    """Where each geometry meets the road graph.

    Attributes
    ----------
    edge
        Edge of the nearest road point, ``-1`` when no road lies within the snapping distance.
    offset_m
        Position of that point along the edge, from ``xy[u]`` (m).
    snap_m
        Distance from the geometry to that point (0 for a polygon a road crosses); NaN when
        not attached.
    """

    edge: NDArray[np.int64]
    offset_m: NDArray[np.float64]
    snap_m: NDArray[np.float64]

    @property
    def attached(self) -> NDArray[np.bool_]:
        """Whether each geometry has a road within the snapping distance."""
        return self.edge >= 0


def attach(graph: RoadGraph, geoms: NDArray[np.object_], max_snap_m: float) -> Attachment:
    """Attach geometries (points or polygons) to their nearest road point within ``max_snap_m``.

    A point is attached at its projection on the nearest road segment; a polygon at the road
    point nearest to it (inside it when a road crosses it, snapping distance 0).
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    edge = np.full(n, -1, dtype=np.int64)
    offset = np.full(n, np.nan)
    snap = np.full(n, np.nan)
    if n == 0:
        return Attachment(edge, offset, snap)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    idx = np.flatnonzero(valid)
    pairs, dist = graph.road_tree.query_nearest(geoms[idx], max_distance=max_snap_m,
                                                return_distance=True, all_matches=False)
    gi, ei = idx[pairs[0]], pairs[1]
    segs = graph.segments[ei]
    near = shapely.get_point(shapely.shortest_line(segs, geoms[gi]), 0)
    edge[gi] = ei
    offset[gi] = np.clip(shapely.line_locate_point(segs, near), 0.0, graph.length_m[ei])
    snap[gi] = dist
    return Attachment(edge, offset, snap)


def insert_points(graph: RoadGraph, edge: NDArray[np.int64], offset_m: NDArray[np.float64],
                  tol_m: float = _ROUND_M) -> tuple[RoadGraph, NDArray[np.int64]]:
    """Split edges at points along them; return the new graph and the vertex of each point.

    Parameters
    ----------
    graph
        The graph (not modified).
    edge, offset_m
        Edge and position along it (from ``xy[u]``) of each point; ``edge = -1`` is skipped.
    tol_m
        A point this close to an end of its edge is that end; points of one edge this close to
        each other share a vertex.

    Returns
    -------
    graph, vertex
        The graph with the split edges replaced by their pieces (each piece keeps its road), and
        the vertex of each point (``-1`` where ``edge`` is ``-1``). Vertex numbers of the input
        graph are kept; new vertices come after them.
    """
    edge = np.asarray(edge, dtype=np.int64)
    vertex = np.full(len(edge), -1, dtype=np.int64)
    ok = np.flatnonzero(edge >= 0)
    if len(ok) == 0:
        return graph, vertex
    e = edge[ok]
    length = graph.length_m[e]
    t = np.clip(np.asarray(offset_m, dtype=float)[ok], 0.0, length)
    at_u = t <= tol_m
    at_v = ~at_u & (t >= length - tol_m)
    vertex[ok[at_u]] = graph.u[e[at_u]]
    vertex[ok[at_v]] = graph.v[e[at_v]]
    inner = ~(at_u | at_v)
    if not inner.any():
        return graph, vertex
    pi, pe, pt = ok[inner], e[inner], t[inner]
    # one new vertex per distinct (edge, position to tol_m), in order along each edge
    key = np.round(pt / tol_m).astype(np.int64)
    order = np.lexsort((key, pe))
    pi, pe, pt, key = pi[order], pe[order], pt[order], key[order]
    new = np.ones(len(pe), dtype=bool)
    new[1:] = (pe[1:] != pe[:-1]) | (key[1:] != key[:-1])
    group = np.cumsum(new) - 1
    n0 = graph.n_vertices
    vertex[pi] = n0 + group
    ue, ut = pe[new], pt[new]  # one row per new vertex, sorted by (edge, position)
    m = len(ue)
    frac = (ut / graph.length_m[ue])[:, None]
    new_xy = graph.xy[graph.u[ue]] + frac * (graph.xy[graph.v[ue]] - graph.xy[graph.u[ue]])
    ids = n0 + np.arange(m)
    first = np.ones(m, dtype=bool)
    first[1:] = ue[1:] != ue[:-1]
    last = np.ones(m, dtype=bool)
    last[:-1] = ue[1:] != ue[:-1]
    prev_v = np.where(first, graph.u[ue], np.roll(ids, 1))
    prev_t = np.where(first, 0.0, np.roll(ut, 1))
    a = np.concatenate([prev_v, ids[last]])
    b = np.concatenate([ids, graph.v[ue[last]]])
    w = np.concatenate([ut - prev_t, graph.length_m[ue[last]] - ut[last]])
    parent = np.concatenate([ue, ue[last]])
    keep = np.ones(graph.n_edges, dtype=bool)
    keep[ue] = False
    out = RoadGraph(np.vstack([graph.xy, new_xy]),
                    np.concatenate([graph.u[keep], a]), np.concatenate([graph.v[keep], b]),
                    np.concatenate([graph.length_m[keep], np.maximum(w, 0.0)]),
                    np.concatenate([graph.road[keep], graph.road[parent]]), graph.crs)
    return out, vertex


def add_leaves(graph: RoadGraph, xy_or_vertex: NDArray, attach_vertex: NDArray[np.int64],
               length_m: NDArray[np.float64], road: NDArray[np.int64] | None = None,
               new_vertices: bool = True) -> tuple[RoadGraph, NDArray[np.int64]]:
    """Add an edge from each thing to its attachment vertex.

    Parameters
    ----------
    graph
        The graph (not modified).
    xy_or_vertex
        ``(k, 2)`` coordinates of new leaf vertices when ``new_vertices``, else existing vertex
        numbers.
    attach_vertex
        Vertex each leaf hangs from; ``-1`` adds no edge (the leaf stays isolated).
    length_m
        Length of each leaf edge (the access distance).
    road
        Road of each new edge (default ``-1``, a leaf edge).
    new_vertices
        Whether the leaves are new vertices.

    Returns
    -------
    graph, leaf
        The graph with the leaf edges (new edges come last) and the vertex of each leaf.
    """
    attach_vertex = np.asarray(attach_vertex, dtype=np.int64)
    if new_vertices:
        leaf = graph.n_vertices + np.arange(len(attach_vertex))
        xy = np.vstack([graph.xy, np.asarray(xy_or_vertex, dtype=float).reshape(-1, 2)])
    else:
        leaf = np.asarray(xy_or_vertex, dtype=np.int64)
        xy = graph.xy
    ok = (attach_vertex >= 0) & (attach_vertex != leaf)
    rd = np.full(len(leaf), -1, dtype=np.int64) if road is None else np.asarray(road, np.int64)
    out = RoadGraph(xy, np.concatenate([graph.u, leaf[ok]]),
                    np.concatenate([graph.v, attach_vertex[ok]]),
                    np.concatenate([graph.length_m, np.asarray(length_m, float)[ok]]),
                    np.concatenate([graph.road, rd[ok]]), graph.crs)
    return out, leaf
