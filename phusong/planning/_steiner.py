"""Steiner tree on a weighted graph: Mehlhorn's 2-approximation with scipy.sparse.csgraph.

K. Mehlhorn, "A faster approximation algorithm for the Steiner problem in graphs",
Information Processing Letters 27 (1988) 125–128; the same bound as Kou, Markowsky and Berman
(1981), ``2 (1 − 1/ℓ)`` times the optimum for ``ℓ`` leaves, in ``O(E + V log V)``:

1. one multi-source Dijkstra from all terminals: every vertex gets its nearest terminal (its
   Voronoi region), the distance and the predecessor towards it;
2. every edge ``(x, y)`` between two regions offers the terminals ``s(x)``, ``s(y)`` a path of
   length ``d(x) + w(x, y) + d(y)``; keep the shortest per pair;
3. a minimum spanning tree of the terminals over those offers;
4. each chosen offer becomes its graph path (walked down the predecessors);
5. the minimum spanning tree of the subgraph spanned by those vertices, without the non-terminal
   leaves (Kou et al.'s last steps; never more expensive).

Arrays in, arrays out: the caller maps its own graph (here, roads with existing fiber contracted
into one vertex) onto vertex numbers. ``networkx.algorithms.approximation.steiner_tree`` with
``method="mehlhorn"`` computes the same thing on a networkx graph, one Python object per edge,
which is too slow for the whole province.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components, dijkstra, minimum_spanning_tree

__all__ = ["SteinerTree", "steiner_tree"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class SteinerTree:
    """A tree connecting terminals.

    Attributes
    ----------
    edges
        Indices (into the input edge arrays) of the tree's edges.
    cost
        Sum of their weights.
    terminals
        Terminals in the tree (the root's connected component).
    unreachable
        Terminals with no path to the root.
    """

    edges: NDArray[np.int64]
    cost: float
    terminals: NDArray[np.int64]
    unreachable: NDArray[np.int64]


def _unique_edges(n: int, u: NDArray[np.int64], v: NDArray[np.int64], w: NDArray[np.float64]
                  ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64],
                             NDArray[np.int64]]:
    """One edge per vertex pair (the lightest), sorted by ``(a, b)`` with ``a < b``; and its index."""
    a, b = np.minimum(u, v), np.maximum(u, v)
    idx = np.flatnonzero(a != b)
    order = np.lexsort((w[idx], b[idx], a[idx]))
    idx = idx[order]
    first = np.ones(len(idx), dtype=bool)
    first[1:] = (a[idx][1:] != a[idx][:-1]) | (b[idx][1:] != b[idx][:-1])
    idx = idx[first]
    return a[idx], b[idx], w[idx].astype(float), idx


def _mst_edges(a: NDArray[np.int64], b: NDArray[np.int64], w: NDArray[np.float64], n: int
               ) -> NDArray[np.int64]:
    """Positions (in ``a``, ``b``) of a minimum spanning forest's edges; ``a < b`` unique pairs."""
    if len(a) == 0:
        return np.zeros(0, dtype=np.int64)
    mst = minimum_spanning_tree(sparse.csr_matrix((w, (a, b)), shape=(n, n))).tocoo()
    i, j = np.minimum(mst.row, mst.col), np.maximum(mst.row, mst.col)
    key = a.astype(np.int64) * n + b
    return np.searchsorted(key, i.astype(np.int64) * n + j)


def _prune(a: NDArray[np.int64], b: NDArray[np.int64], keep_vertex: NDArray[np.bool_]
           ) -> NDArray[np.bool_]:
    """Drop leaves that are not terminals, repeatedly; return which edges stay."""
    alive = np.ones(len(a), dtype=bool)
    if len(a) == 0:
        return alive
    n = int(max(a.max(), b.max())) + 1
    deg = np.bincount(np.concatenate([a, b]), minlength=n)
    incident: list[list[int]] = [[] for _ in range(n)]
    for e, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        incident[x].append(e)
        incident[y].append(e)
    queue = deque(int(x) for x in np.flatnonzero((deg == 1) & ~keep_vertex[:n]))
    while queue:
        x = queue.popleft()
        if deg[x] != 1:
            continue
        e = next(e for e in incident[x] if alive[e])
        alive[e] = False
        deg[x] = 0
        y = int(b[e]) if int(a[e]) == x else int(a[e])
        deg[y] -= 1
        if deg[y] == 1 and not keep_vertex[y]:
            queue.append(y)
    return alive


def steiner_tree(n_vertices: int, u: NDArray[np.int64], v: NDArray[np.int64],
                 weight: NDArray[np.float64], terminals: NDArray[np.int64], root: int
                 ) -> SteinerTree:
    """A Steiner tree connecting ``terminals`` to ``root`` (Mehlhorn's 2-approximation).

    Parameters
    ----------
    n_vertices
        Number of vertices (numbered ``0 … n_vertices − 1``).
    u, v, weight
        Undirected edges and their weights (> 0; parallel edges allowed, the lightest is used).
    terminals
        Vertices to connect (duplicates allowed).
    root
        The vertex the tree must contain (the contracted existing network).

    Returns
    -------
    SteinerTree
        The tree's edges (input indices), its cost, and the terminals it connects and cannot
        connect (no path to ``root``).
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    weight = np.asarray(weight, dtype=float)
    if (weight <= 0).any():
        msg = "Steiner tree: edge weights must be positive"
        raise ValueError(msg)
    n = int(n_vertices)
    a, b, w, eidx = _unique_edges(n, u, v, weight)
    graph = sparse.csr_matrix((w, (a, b)), shape=(n, n))
    terms = np.unique(np.append(np.asarray(terminals, dtype=np.int64), root))
    _, comp = connected_components(graph, directed=False)
    with_root = comp[terms] == comp[root]
    terms, unreachable = terms[with_root], terms[~with_root]
    empty = np.zeros(0, dtype=np.int64)
    if len(terms) <= 1:
        return SteinerTree(empty, 0.0, terms, unreachable)
    # 1. Voronoi regions of the terminals: nearest terminal, distance, predecessor
    dist, pred, src = dijkstra(graph, directed=False, indices=terms, min_only=True,
                               return_predecessors=True)
    # 2. the shortest offer between each pair of neighbouring regions
    sa, sb = src[a], src[b]
    cross = np.flatnonzero((sa >= 0) & (sb >= 0) & (sa != sb))
    tindex = np.full(n, -1, dtype=np.int64)
    tindex[terms] = np.arange(len(terms))
    ta, tb = tindex[sa[cross]], tindex[sb[cross]]
    ca, cb = np.minimum(ta, tb), np.maximum(ta, tb)
    cw = dist[a[cross]] + w[cross] + dist[b[cross]]
    order = np.lexsort((cw, cb, ca))
    ca, cb, cw, cross = ca[order], cb[order], cw[order], cross[order]
    first = np.ones(len(ca), dtype=bool)
    first[1:] = (ca[1:] != ca[:-1]) | (cb[1:] != cb[:-1])
    ca, cb, cw, cross = ca[first], cb[first], cw[first], cross[first]
    # 3. minimum spanning tree of the terminals over the offers
    chosen = cross[_mst_edges(ca, cb, cw, len(terms))]
    # 4. each chosen offer as its graph path, walked down the predecessors
    key = a * n + b
    has_pred = np.flatnonzero(pred >= 0)
    pred_edge = np.full(n, -1, dtype=np.int64)
    pa, pb = np.minimum(pred[has_pred], has_pred), np.maximum(pred[has_pred], has_pred)
    pred_edge[has_pred] = np.searchsorted(key, pa.astype(np.int64) * n + pb)
    pred_l, pred_edge_l = pred.tolist(), pred_edge.tolist()
    walked = np.zeros(n, dtype=bool)
    walked_l = walked.tolist()
    in_h = set(chosen.tolist())
    for x in np.concatenate([a[chosen], b[chosen]]).tolist():
        while not walked_l[x] and pred_l[x] >= 0:
            walked_l[x] = True
            in_h.add(pred_edge_l[x])
            x = pred_l[x]
    h = np.fromiter(sorted(in_h), dtype=np.int64)
    # 5. MST of the subgraph spanned by those vertices, then no non-terminal leaves
    span = np.zeros(n, dtype=bool)
    span[a[h]] = True
    span[b[h]] = True
    sub = np.flatnonzero(span[a] & span[b])
    tree = sub[_mst_edges(a[sub], b[sub], w[sub], n)]
    is_term = np.zeros(n, dtype=bool)
    is_term[terms] = True
    tree = tree[_prune(a[tree], b[tree], is_term)]
    cost = float(w[tree].sum())
    log.debug("Steiner tree: %d terminals, %d edges, cost %.1f", len(terms), len(tree), cost)
    return SteinerTree(np.sort(eidx[tree]), cost, terms, unreachable)
