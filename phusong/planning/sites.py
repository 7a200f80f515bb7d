"""Which candidate sites to build: a max-coverage / set-cover MILP over demand units.

The model (:class:`SiteProblem`) has a binary ``x_i`` per candidate and, per demand unit:

* a coverage variable ``y_c ∈ [0, 1]`` per demand cell, ``y_c ≤ Σ_{i covers c} x_i``; cells
  that the same candidates cover are merged into one variable (exact: they are covered
  together or not at all), cells no candidate covers are dropped;
* a hamlet passes (binary ``z_h``) when ``Σ_c a_hc y_c ≥ need_h z_h`` (its people, or cells
  when counted by area, still needed to reach ``hamlet_covered_share``);
* a road gap over the limit is removed (binary ``f_g``) when each of its windows holds a covered
  cell, ``Σ_{c∈w} y_c ≥ f_g`` (see :mod:`phusong.planning._demand`);
* a park gets 5G (binary ``p_k``) when ``Σ_{c∈k} y⁵_c ≥ p_k``.

Two problems are solved on it (:func:`solve_sites`):

``budget``
    maximise ``Σ w_c y_c + Σ w_h z_h + Σ w_g f_g + Σ w_k p_k`` with ``Σ x_i ≤ N`` (sites) or
    ``Σ cost_i x_i ≤ B`` (VND);
``target``
    minimise ``Σ cost_i x_i`` with ``z_h = f_g = p_k = 1`` for every unit of the chosen
    targets (T3, T6, K1) that the candidates can reach at all; the others are listed with the
    reason (:func:`reachability`). Its relaxation is tightened by valid rows that keep every
    optimum: per hamlet ``Σ_i min(1, cover_ih / need_h) x_i ≥ 1``, per road-gap window and park
    ``Σ_{i covers one of its cells} x_i ≥ 1`` (:func:`_model`).

In both, candidates dominated by another (a superset of cells at no greater cost) are fixed
to 0 (:func:`_dominated`), and the costs are scaled by an exact power of two for the solver.

HiGHS (``highspy``; ``scipy.optimize.milp`` when highspy is missing) solves it within
``time_limit_s`` to ``mip_gap``; the better of its solution and the greedy's is kept. The greedy (lazy
greedy on the submodular surrogate that credits partial progress of hamlets and gaps; by gain
per VND under a money budget, and against the best single site) is always run too, and both
results report their gap to the solver's bound: ``(bound − value) / bound`` for a gain,
``(value − bound) / value`` for a cost, so the optimum lies within that fraction of the value.
Candidates whose removal loses nothing are dropped from both results.
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import math
import os
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

if TYPE_CHECKING:  # pragma: no cover
    from phusong.planning._demand import Demand
    from phusong.planning.candidates import CandidateCoverage, Candidates

__all__ = ["TARGETS", "SiteProblem", "Selection", "Solution", "evaluate_selection",
           "plan_mode", "solve_sites", "reachability", "attribute", "problem_from"]

log = logging.getLogger(__name__)

TARGETS: tuple[str, ...] = ("T3", "T6", "K1")
"""Targets the minimum-cost plan can be asked to reach (100 % hamlets, no road gap over the
limit, every operating park with 5G)."""
_GAIN_KINDS = ("T3", "T6", "K1", "D1")


def _csr(m: Any, shape: tuple[int, int]) -> sparse.csr_matrix:
    return sparse.csr_matrix(m if m is not None else (shape[0], shape[1]), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class SiteProblem:
    """Candidates, what they cover, and the demand units with their gains.

    Attributes
    ----------
    cost_vnd
        Cost of each candidate.
    cover_b, cover_f
        ``(candidates × cells)`` 0/1: broadband on the broadband demand cells, 5G on the 5G
        demand cells.
    people_weight_b, road_weight_b, weight_f
        Gain of covering each cell: its people (D1), its km of over-limit road gap (T6); park
        hectares (K1).
    hamlet_matrix, hamlet_need, hamlet_weight
        ``(hamlets × broadband cells)`` coefficients, the amount needed, the gain of a pass.
    window_matrix, window_gap, gap_weight
        ``(windows × broadband cells)`` 0/1, the gap of each window, the gain of a gap removed.
    park_matrix, park_weight, park_unit
        ``(parks × 5G cells)`` 0/1, the gain of 5G present, and which parks are K1 units.
    """

    cost_vnd: NDArray[np.float64]
    cover_b: sparse.csr_matrix
    cover_f: sparse.csr_matrix
    people_weight_b: NDArray[np.float64]
    road_weight_b: NDArray[np.float64]
    weight_f: NDArray[np.float64]
    hamlet_matrix: sparse.csr_matrix
    hamlet_need: NDArray[np.float64]
    hamlet_weight: NDArray[np.float64]
    window_matrix: sparse.csr_matrix
    window_gap: NDArray[np.int64]
    gap_weight: NDArray[np.float64]
    park_matrix: sparse.csr_matrix
    park_weight: NDArray[np.float64]
    park_unit: NDArray[np.bool_]

    @property
    def n(self) -> int:
        """Number of candidates."""
        return len(self.cost_vnd)

    @classmethod
    def build(cls, cost_vnd: Any, cover_b: Any, *, cover_f: Any = None,
              people_weight_b: Any = None, road_weight_b: Any = None, weight_f: Any = None,
              hamlet_matrix: Any = None, hamlet_need: Any = None, hamlet_weight: Any = None,
              window_matrix: Any = None, window_gap: Any = None, gap_weight: Any = None,
              park_matrix: Any = None, park_weight: Any = None,
              park_unit: Any = None) -> SiteProblem:
        """A problem from arrays, with empty defaults for the unit kinds not given."""
        cost = np.asarray(cost_vnd, dtype=np.float64)
        cb = _csr(cover_b, (len(cost), 0))
        nb = cb.shape[1]
        cf = _csr(cover_f, (len(cost), 0))
        nf = cf.shape[1]

        def vec(v: Any, n: int) -> NDArray[np.float64]:
            return np.zeros(n) if v is None else np.asarray(v, dtype=np.float64)

        hm = _csr(hamlet_matrix, (0, nb))
        wm = _csr(window_matrix, (0, nb))
        pm = _csr(park_matrix, (0, nf))
        wg = np.zeros(0, np.int64) if window_gap is None else np.asarray(window_gap, np.int64)
        n_gaps = len(gap_weight) if gap_weight is not None else (int(wg.max()) + 1 if len(wg)
                                                                  else 0)
        return cls(cost, cb.sign(), cf.sign(), vec(people_weight_b, nb), vec(road_weight_b, nb),
                   vec(weight_f, nf), hm, vec(hamlet_need, hm.shape[0]),
                   vec(hamlet_weight, hm.shape[0]), wm.sign(), wg, vec(gap_weight, n_gaps), pm.sign(),
                   vec(park_weight, pm.shape[0]),
                   np.ones(pm.shape[0], bool) if park_unit is None else np.asarray(park_unit,
                                                                                   bool))

    def restricted(self, kinds: tuple[str, ...]) -> SiteProblem:
        """The same problem with the gains of other kinds (T3, T6, K1, D1) set to zero."""
        z = np.zeros_like
        return SiteProblem(
            self.cost_vnd, self.cover_b, self.cover_f,
            self.people_weight_b if "D1" in kinds else z(self.people_weight_b),
            self.road_weight_b if "T6" in kinds else z(self.road_weight_b),
            self.weight_f if "K1" in kinds else z(self.weight_f), self.hamlet_matrix,
            self.hamlet_need, self.hamlet_weight if "T3" in kinds else z(self.hamlet_weight),
            self.window_matrix, self.window_gap,
            self.gap_weight if "T6" in kinds else z(self.gap_weight), self.park_matrix,
            self.park_weight if "K1" in kinds else z(self.park_weight), self.park_unit)


def problem_from(demand: Demand, candidates: Candidates,
                 coverage: CandidateCoverage) -> SiteProblem:
    """The selection problem of a plan's demand units and evaluated candidates."""
    parks = demand.parks
    return SiteProblem.build(
        candidates.table["cost_vnd"].to_numpy(float), coverage.cover_b, cover_f=coverage.cover_f,
        people_weight_b=demand.people_weight_b, road_weight_b=demand.road_weight_b,
        weight_f=demand.weight_f, hamlet_matrix=demand.hamlet_matrix,
        hamlet_need=demand.hamlet_need,
        hamlet_weight=demand.hamlets["weight"].to_numpy(float) if len(demand.hamlets) else None,
        window_matrix=demand.window_matrix, window_gap=demand.window_gap,
        gap_weight=demand.gaps["weight"].to_numpy(float) if len(demand.gaps) else None,
        park_matrix=demand.park_matrix,
        park_weight=parks["weight"].to_numpy(float) if len(parks) else None,
        park_unit=parks["k1"].to_numpy(bool) if len(parks) else None)


@dataclass(frozen=True)
class Value:
    """What a selection achieves: its gain, cost and the units it closes."""

    gain: float
    cost_vnd: float
    sites: int
    covered_b: NDArray[np.bool_]
    covered_f: NDArray[np.bool_]
    hamlets: NDArray[np.bool_]
    gaps: NDArray[np.bool_]
    parks: NDArray[np.bool_]


def evaluate_selection(problem: SiteProblem, chosen: NDArray[np.bool_]) -> Value:
    """The exact gain and cost of a set of candidates (boolean per candidate)."""
    x = np.asarray(chosen, dtype=np.float64)
    yb = (problem.cover_b.T @ x) > 0
    yf = (problem.cover_f.T @ x) > 0
    hamlets = (problem.hamlet_matrix @ yb) >= problem.hamlet_need - 1e-9
    window_ok = (problem.window_matrix @ yb) > 0
    n_gaps = len(problem.gap_weight)
    bad = np.bincount(problem.window_gap[~window_ok], minlength=n_gaps)[:n_gaps]
    has_windows = np.bincount(problem.window_gap, minlength=n_gaps)[:n_gaps] > 0
    gaps = (bad == 0) & has_windows
    parks = ((problem.park_matrix @ yf) > 0) & problem.park_unit
    gain = float(problem.people_weight_b @ yb + problem.road_weight_b @ yb
                 + problem.weight_f @ yf + problem.hamlet_weight @ hamlets
                 + problem.gap_weight @ gaps + problem.park_weight @ parks)
    return Value(gain, float(problem.cost_vnd @ x), int(x.sum()), yb, yf, hamlets, gaps, parks)


@dataclass(frozen=True)
class Reach:
    """Which units the candidates can close at all (every candidate built)."""

    hamlets: NDArray[np.bool_]
    gaps: NDArray[np.bool_]
    parks: NDArray[np.bool_]


def reachability(problem: SiteProblem) -> Reach:
    """The units that building every candidate would close."""
    every = evaluate_selection(problem, np.ones(problem.n, dtype=bool))
    return Reach(every.hamlets, every.gaps, every.parks)


# --- the MILP ----------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class _Model:
    """The MILP in matrix form: columns x | y_b | y_f | z_h | f_g | p_k."""

    c: NDArray[np.float64]
    a: sparse.csc_matrix
    row_lo: NDArray[np.float64]
    row_hi: NDArray[np.float64]
    col_lo: NDArray[np.float64]
    col_hi: NDArray[np.float64]
    integer: NDArray[np.bool_]
    maximise: bool
    group_b: NDArray[np.int64]
    group_f: NDArray[np.int64]
    units: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]


def _groups(cover: sparse.csr_matrix) -> tuple[NDArray[np.int64], sparse.csr_matrix]:
    """Merge cells covered by the same candidates: group of each cell (−1: no candidate) and
    the (candidates × groups) coverage."""
    csc = cover.tocsc()
    csc.sort_indices()
    seen: dict[bytes, int] = {}
    group = np.full(csc.shape[1], -1, dtype=np.int64)
    for j in range(csc.shape[1]):  # one dict lookup per demand cell
        lo, hi = csc.indptr[j], csc.indptr[j + 1]
        if hi > lo:
            group[j] = seen.setdefault(csc.indices[lo:hi].tobytes(), len(seen))
    first = np.full(len(seen), -1, dtype=np.int64)
    valid = np.flatnonzero(group >= 0)
    first[group[valid[::-1]]] = valid[::-1]
    return group, csc[:, first].tocsr() if len(first) else sparse.csr_matrix((cover.shape[0], 0))


def _member(group: NDArray[np.int64], n_groups: int) -> sparse.csr_matrix:
    """``(cells × groups)`` 0/1 membership."""
    ok = np.flatnonzero(group >= 0)
    return sparse.csr_matrix((np.ones(len(ok)), (ok, group[ok])), shape=(len(group), n_groups))


def _dominated(cov_b: sparse.csr_matrix, cov_f: sparse.csr_matrix,
               cost: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Candidates another one dominates: it covers a superset of their cells (broadband and
    5G) at no greater cost; a candidate covering nothing is dominated too.

    Exact for every problem here, since each unit (cell, hamlet, gap window, park) is closed
    by covering cells, so more cells never lose a gain nor open a target: in any selection a
    dominated candidate can be swapped for its dominator (or dropped when the dominator is in
    already) without losing a gain, adding cost or adding a site. ``j`` dominates ``i`` when
    ``cells_i ⊆ cells_j``, ``cost_j ≤ cost_i`` and ``(|cells_j|, −cost_j, −j)`` is
    lexicographically greater than ``(|cells_i|, −cost_i, −i)``: a strict order (ties keep
    the lowest index), so every dominated candidate has an undominated dominator.
    """
    both = sparse.hstack([cov_b, cov_f], format="csr")
    both.data[:] = 1.0
    n = both.shape[0]
    size = np.diff(both.indptr)
    out = size == 0
    both_t = both.T.tocsr()
    step = 1000
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        shared = (both[lo:hi] @ both_t).tocoo()  # |cells_i ∩ cells_j|
        i = shared.row + lo
        j = shared.col
        sub = ((shared.data == size[i]) & (i != j) & (cost[j] <= cost[i])
               & ((size[j] > size[i]) | (cost[j] < cost[i]) | (j < i)))
        out[i[sub]] = True
    return out


def _model(problem: SiteProblem, mode: str, budget_sites: int | None,
           budget_vnd: float | None, kinds: tuple[str, ...], reach: Reach,
           strengthen: bool = True) -> _Model:
    """The MILP; ``strengthen`` adds the valid rows and fixings that tighten its relaxation
    (:func:`_dominated`; in target mode the cover rows, see below) and keeps every optimum
    value."""
    n = problem.n
    group_b, cov_b = _groups(problem.cover_b)
    group_f, cov_f = _groups(problem.cover_f)
    mb, mf = cov_b.shape[1], cov_f.shape[1]
    mem_b, mem_f = _member(group_b, mb), _member(group_f, mf)
    target = mode == "target"
    # units in the model: gains (budget) or the reachable units of the targets (target)
    if target:
        h = np.flatnonzero(reach.hamlets) if "T3" in kinds else np.zeros(0, np.int64)
        g = np.flatnonzero(reach.gaps) if "T6" in kinds else np.zeros(0, np.int64)
        k = np.flatnonzero(reach.parks) if "K1" in kinds else np.zeros(0, np.int64)
    else:
        h = np.flatnonzero(reach.hamlets & (problem.hamlet_weight > 0))
        g = np.flatnonzero(reach.gaps & (problem.gap_weight > 0))
        k = np.flatnonzero(reach.parks & (problem.park_weight > 0))
    hm = (problem.hamlet_matrix[h] @ mem_b).tocsr()
    win = np.flatnonzero(np.isin(problem.window_gap, g))
    gap_col = np.searchsorted(g, problem.window_gap[win])
    wm = ((problem.window_matrix[win] @ mem_b) > 0).astype(np.float64).tocsr()
    pm = ((problem.park_matrix[k] @ mem_f) > 0).astype(np.float64).tocsr()
    nh, ng, nk, nw = len(h), len(g), len(k), len(win)
    eye = sparse.identity
    zero = sparse.csr_matrix
    blocks = [
        # y_b − Σ x ≤ 0 and y_f − Σ x ≤ 0
        [-cov_b.T, eye(mb), zero((mb, mf)), zero((mb, nh)), zero((mb, ng)), zero((mb, nk))],
        [-cov_f.T, zero((mf, mb)), eye(mf), zero((mf, nh)), zero((mf, ng)), zero((mf, nk))],
        # hamlets: Σ a y − need z ≥ 0; windows: Σ y − f ≥ 0; parks: Σ y − p ≥ 0
        [zero((nh, n)), hm, zero((nh, mf)), sparse.diags(-problem.hamlet_need[h]),
         zero((nh, ng)), zero((nh, nk))],
        [zero((nw, n)), wm, zero((nw, mf)), zero((nw, nh)),
         sparse.csr_matrix((-np.ones(nw), (np.arange(nw), gap_col)), shape=(nw, ng)),
         zero((nw, nk))],
        [zero((nk, n)), zero((nk, mb)), pm, zero((nk, nh)), zero((nk, ng)), -eye(nk)],
    ]
    lo = [np.full(mb + mf, -np.inf), np.zeros(nh + nw + nk)]
    hi = [np.zeros(mb + mf), np.full(nh + nw + nk, np.inf)]
    width = n + mb + mf + nh + ng + nk
    if budget_sites is not None or budget_vnd is not None:
        row = np.ones(n) if budget_sites is not None else problem.cost_vnd
        blocks.append([sparse.csr_matrix(row[None, :])] + [zero((1, w)) for w in
                                                           (mb, mf, nh, ng, nk)])
        lo.append(np.array([-np.inf]))
        limit = float(budget_sites) if budget_sites is not None else float(budget_vnd or 0.0)
        hi.append(np.array([limit]))
    if target and strengthen:
        # cover rows, valid for every selection that closes the units (z = f = p = 1):
        # * hamlet h: Σ_i min(1, cover_ih / need_h) x_i ≥ 1, cover_ih the people (cells)
        #   of h that candidate i covers. The chosen sites together cover at least need_h, so
        #   either one of them has cover_ih ≥ need_h (its term is 1) or Σ cover_ih / need_h
        #   ≥ 1 over them. Coefficients are rounded up (never down), which only weakens it.
        #   The relaxation otherwise builds a hamlet from a fraction need_h / cover_ih of one
        #   site.
        # * window w of a gap, park k: Σ_{i covers a cell of w} x_i ≥ 1: a covered cell needs
        #   one of those sites (the y rows let the relaxation count a site once per cell).
        pos = problem.hamlet_need[h] > 1e-9
        hc = (hm[pos] @ cov_b.T).tocsr()
        hc = sparse.diags(1.0 / problem.hamlet_need[h][pos]) @ hc
        hc.data = np.maximum(np.minimum(hc.data, 1.0), 1e-6)
        wc = ((wm @ cov_b.T) > 0).astype(np.float64)
        pc = ((pm @ cov_f.T) > 0).astype(np.float64)
        cuts = sparse.vstack([hc, wc, pc], format="csr")
        blocks.append([cuts] + [zero((cuts.shape[0], w)) for w in (mb, mf, nh, ng, nk)])
        lo.append(np.ones(cuts.shape[0]))
        hi.append(np.full(cuts.shape[0], np.inf))
    a = sparse.bmat(blocks, format="csc")
    if target:
        c = np.concatenate([problem.cost_vnd, np.zeros(width - n)])
        unit_lo = 1.0
    else:
        wb = (problem.people_weight_b + problem.road_weight_b) @ mem_b
        c = np.concatenate([np.zeros(n), np.asarray(wb).ravel(), (problem.weight_f @ mem_f),
                            problem.hamlet_weight[h], problem.gap_weight[g],
                            problem.park_weight[k]])
        unit_lo = 0.0
    col_lo = np.concatenate([np.zeros(n + mb + mf), np.full(nh + ng + nk, unit_lo)])
    integer = np.concatenate([np.ones(n, bool), np.zeros(mb + mf, bool),
                              np.ones(nh + ng + nk, bool)])
    col_hi = np.ones(width)
    if strengthen:
        col_hi[:n][_dominated(cov_b, cov_f, problem.cost_vnd)] = 0.0
    return _Model(c, a, np.concatenate(lo), np.concatenate(hi), col_lo, col_hi, integer,
                  not target, group_b, group_f, (h, g, k))


@contextlib.contextmanager
def _quiet_stdout() -> Any:
    """Silence the C++ banner HiGHS prints on stdout when its first instance is created."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a captured stream without a descriptor
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


def _solve_milp(model: _Model, time_limit_s: float, mip_gap: float
                ) -> tuple[NDArray[np.float64] | None, float, float, str]:
    """Solve; returns the column values (None: no solution), objective, bound and status.

    No warm start is passed: with HiGHS 1.16 a start given by ``setSolution`` came back as the
    solution while the reported objective was another one (the greedy is kept as the fallback
    and compared instead).
    """
    try:
        import highspy
    except ImportError:  # pragma: no cover - highspy is a dependency; scipy bundles HiGHS too
        return _solve_scipy(model, time_limit_s, mip_gap)
    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    # more primal heuristics than the default 0.05: on the demo province's 13,000 candidates
    # they find a better plan in less time
    h.setOptionValue("mip_heuristic_effort", 0.2)
    lp = highspy.HighsLp()
    a = model.a
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    # costs in VND (~1e9) are far beyond the dual tolerances (the dual simplex fails on the
    # strengthened rows): solve for c / 2^k, a power of two, so the scaling is exact
    big = float(np.abs(model.c).max(initial=0.0))
    scale = 2.0 ** round(math.log2(big)) if big > 0 else 1.0
    lp.col_cost_ = model.c / scale
    lp.col_lower_, lp.col_upper_ = model.col_lo, model.col_hi
    lp.row_lower_, lp.row_upper_ = model.row_lo, model.row_hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    lp.sense_ = highspy.ObjSense.kMaximize if model.maximise else highspy.ObjSense.kMinimize
    lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                       for i in model.integer]
    h.passModel(lp)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    if info.primal_solution_status == 0:  # no feasible solution
        return None, math.nan, scale * float(info.mip_dual_bound), status
    values = np.asarray(h.getSolution().col_value)
    obj = scale * float(info.objective_function_value)
    if abs(float(model.c @ values) - obj) > 1e-6 * max(abs(obj), 1.0):
        log.warning("plan: the solver's objective %.6g does not match its solution's %.6g; its "
                    "bound is not used", obj, float(model.c @ values))
        return values, float(model.c @ values), math.nan, status
    return values, obj, scale * float(info.mip_dual_bound), status


def _solve_scipy(model: _Model, time_limit_s: float, mip_gap: float  # pragma: no cover
                 ) -> tuple[NDArray[np.float64] | None, float, float, str]:
    from scipy.optimize import Bounds, LinearConstraint, milp

    sign = -1.0 if model.maximise else 1.0
    res = milp(sign * model.c, integrality=model.integer.astype(int),
               bounds=Bounds(model.col_lo, model.col_hi),
               constraints=LinearConstraint(model.a, model.row_lo, model.row_hi),
               options={"time_limit": time_limit_s, "mip_rel_gap": mip_gap})
    if res.x is None:
        return None, math.nan, math.nan, res.message
    bound = sign * getattr(res, "mip_dual_bound", sign * res.fun)
    return res.x, sign * res.fun, bound, res.message


# --- the greedy ----------------------------------------------------------------------------------

def _gather(csc: sparse.csc_matrix, cols: NDArray[np.int64]
            ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Row indices and values of the entries in columns ``cols`` (no sparse slicing)."""
    start, end = csc.indptr[cols], csc.indptr[cols + 1]
    size = end - start
    if size.sum() == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    pos = np.repeat(start - np.cumsum(size) + size, size) + np.arange(size.sum())
    return csc.indices[pos].astype(np.int64), csc.data[pos]


class _State:
    """Progress of a growing selection, for the greedy's marginal gains."""

    def __init__(self, problem: SiteProblem, target_kinds: tuple[str, ...] | None) -> None:
        p = problem
        self.p = p
        self.target = target_kinds
        self.cb = np.zeros(p.cover_b.shape[1], bool)
        self.cf = np.zeros(p.cover_f.shape[1], bool)
        self.prog = np.zeros(p.hamlet_matrix.shape[0])
        self.win = np.zeros(p.window_matrix.shape[0], bool)
        self.park = np.zeros(p.park_matrix.shape[0], bool)
        n_gaps = len(p.gap_weight)
        self.n_win = np.maximum(np.bincount(p.window_gap, minlength=n_gaps)[:n_gaps], 1)
        self.h_csc, self.w_csc, self.p_csc = (p.hamlet_matrix.tocsc(), p.window_matrix.tocsc(),
                                              p.park_matrix.tocsc())
        need = np.maximum(p.hamlet_need, 1e-9)
        if target_kinds is None:
            self.wh, self.wg, self.wp = p.hamlet_weight / need, p.gap_weight, p.park_weight
            self.wcb, self.wcf = p.people_weight_b + p.road_weight_b, p.weight_f
        else:
            self.wh = (1.0 if "T3" in target_kinds else 0.0) / need
            self.wg = np.full(n_gaps, 1.0 if "T6" in target_kinds else 0.0)
            self.wp = np.where(p.park_unit, 1.0 if "K1" in target_kinds else 0.0, 0.0)
            self.wcb, self.wcf = np.zeros(len(self.cb)), np.zeros(len(self.cf))
        self.need = p.hamlet_need

    def targets_met(self, kinds: tuple[str, ...], reach: Reach) -> bool:
        """Whether every reachable unit of the targets is closed by the selection so far."""
        p = self.p
        if "T3" in kinds and (self.prog[reach.hamlets] < self.need[reach.hamlets] - 1e-9).any():
            return False
        if "T6" in kinds and not self.win[reach.gaps[p.window_gap]].all():
            return False
        return not ("K1" in kinds and not self.park[reach.parks].all())

    def delta(self, i: int, apply: bool = False) -> float:
        """Gain of the surrogate from adding candidate ``i`` (and add it when ``apply``)."""
        p = self.p
        rb = p.cover_b.indices[p.cover_b.indptr[i]:p.cover_b.indptr[i + 1]]
        rf = p.cover_f.indices[p.cover_f.indptr[i]:p.cover_f.indptr[i + 1]]
        nb, nf = rb[~self.cb[rb]], rf[~self.cf[rf]]
        gain = float(self.wcb[nb].sum() + self.wcf[nf].sum())
        if len(nb):
            hs, add = _gather(self.h_csc, nb)
            if len(hs):
                hs, inv = np.unique(hs, return_inverse=True)
                add = np.bincount(inv, weights=add, minlength=len(hs)).astype(np.float64)
                old = np.minimum(self.prog[hs], self.need[hs])
                new = np.minimum(self.prog[hs] + add, self.need[hs])
                wh = self.wh[hs] if np.ndim(self.wh) else self.wh
                gain += float(np.sum(wh * (new - old)))
                if apply:
                    self.prog[hs] += add
            ws = np.unique(_gather(self.w_csc, nb)[0])
            ws = ws[~self.win[ws]]
            if len(ws):
                gs = self.p.window_gap[ws]
                gain += float(np.sum(self.wg[gs] / self.n_win[gs]))
                if apply:
                    self.win[ws] = True
        if len(nf):
            ks = np.unique(_gather(self.p_csc, nf)[0])
            ks = ks[~self.park[ks]]
            gain += float(self.wp[ks].sum())
            if apply:
                self.park[ks] = True
        if apply:
            self.cb[nb] = True
            self.cf[nf] = True
        return gain


def _greedy(problem: SiteProblem, mode: str, budget_sites: int | None, budget_vnd: float | None,
            kinds: tuple[str, ...], reach: Reach) -> NDArray[np.bool_]:
    """Lazy greedy on the surrogate; returns the chosen candidates."""
    n = problem.n
    target = mode == "target"
    state = _State(problem, kinds if target else None)
    stop = (lambda c: state.targets_met(kinds, reach)) if target else None
    chosen = _lazy_greedy(problem, np.ones(n, dtype=bool), state,
                          per_vnd=budget_vnd is not None or target, budget_sites=budget_sites,
                          budget_vnd=budget_vnd, stop=stop)[0]
    if budget_vnd is not None and not target:
        # the classic safeguard of cost-scaled greedy: the best single affordable site
        single_state = _State(problem, None)
        fits = np.flatnonzero(problem.cost_vnd <= budget_vnd)
        if len(fits):
            gains = np.array([single_state.delta(int(i)) for i in fits])
            single = np.zeros(n, dtype=bool)
            single[fits[int(np.argmax(gains))]] = True
            if (evaluate_selection(problem, single).gain
                    > evaluate_selection(problem, chosen).gain):
                chosen = single
    return chosen


def _lazy_greedy(problem: SiteProblem, allowed: NDArray[np.bool_], state: _State, *,
                 per_vnd: bool, budget_sites: int | None = None, budget_vnd: float | None = None,
                 stop: Any = None) -> tuple[NDArray[np.bool_], list[int]]:
    """Add the candidate with the largest surrogate gain (per VND when ``per_vnd``) until the
    budget is spent, ``stop(chosen)`` holds or nothing gains; returns the choice and its order.

    The surrogate is submodular, so a gain computed earlier bounds the gain now: a candidate
    is re-evaluated only when it reaches the top of the heap (Minoux's lazy greedy).
    """
    cost = np.maximum(problem.cost_vnd, 1.0)
    heap: list[tuple[float, int]] = []
    for c in map(int, np.flatnonzero(allowed)):
        g = state.delta(c)
        if g > 1e-12:
            heap.append((-(g / cost[c] if per_vnd else g), c))
    heapq.heapify(heap)
    chosen = np.zeros(problem.n, dtype=bool)
    order: list[int] = []
    spent = 0.0
    while heap:
        if budget_sites is not None and len(order) >= budget_sites:
            break
        _, i = heapq.heappop(heap)
        if budget_vnd is not None and spent + problem.cost_vnd[i] > budget_vnd + 1e-6:
            continue
        g = state.delta(i)
        if g <= 1e-12:
            continue
        score = g / cost[i] if per_vnd else g
        if heap and score < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-score, i))  # stale: back in with its fresh gain
            continue
        state.delta(i, apply=True)
        chosen[i] = True
        order.append(i)
        spent += problem.cost_vnd[i]
        if stop is not None and stop(chosen):
            break
    return chosen, order


class _Counts:
    """How many chosen candidates cover each cell, and what that closes; exact and incremental
    (adding or removing one site touches only the units of the cells it alone covers)."""

    def __init__(self, problem: SiteProblem, chosen: NDArray[np.bool_]) -> None:
        p = problem
        self.p = p
        x = np.asarray(chosen, dtype=np.float64)
        self.cb = np.rint(p.cover_b.T @ x).astype(np.int64)
        self.cf = np.rint(p.cover_f.T @ x).astype(np.int64)
        self.h_csc, self.w_csc, self.p_csc = (p.hamlet_matrix.tocsc(), p.window_matrix.tocsc(),
                                              p.park_matrix.tocsc())
        self.prog = p.hamlet_matrix @ (self.cb > 0)
        self.wcnt = np.rint(p.window_matrix @ (self.cb > 0)).astype(np.int64)
        self.pcnt = np.rint(p.park_matrix @ (self.cf > 0)).astype(np.int64)
        n_gaps = len(p.gap_weight)
        self.bad = np.bincount(p.window_gap[self.wcnt == 0], minlength=n_gaps)[:n_gaps]
        self.has_windows = np.bincount(p.window_gap, minlength=n_gaps)[:n_gaps] > 0

    def change(self, i: int, sign: int) -> dict[str, Any]:
        """What adding (``sign = 1``) or removing (``-1``) candidate ``i`` changes."""
        p = self.p
        rb = p.cover_b.indices[p.cover_b.indptr[i]:p.cover_b.indptr[i + 1]]
        rf = p.cover_f.indices[p.cover_f.indptr[i]:p.cover_f.indptr[i + 1]]
        edge = 0 if sign > 0 else 1
        fb, ff = rb[self.cb[rb] == edge], rf[self.cf[rf] == edge]
        hs, coef = _gather(self.h_csc, fb)
        hs, inv = np.unique(hs, return_inverse=True)
        prog = self.prog[hs] + sign * np.bincount(inv, weights=coef, minlength=len(hs))
        need = p.hamlet_need[hs] - 1e-9
        hamlets = hs[(self.prog[hs] >= need) != (prog >= need)]
        ws, inv = np.unique(_gather(self.w_csc, fb)[0], return_inverse=True)
        wcnt = self.wcnt[ws] + sign * np.bincount(inv, minlength=len(ws))
        switch = ws[(self.wcnt[ws] == 0) != (wcnt == 0)]
        bad = self.bad.copy()
        np.add.at(bad, p.window_gap[switch], -sign)
        gaps = np.flatnonzero(((self.bad == 0) != (bad == 0)) & self.has_windows)
        ks, inv = np.unique(_gather(self.p_csc, ff)[0], return_inverse=True)
        pcnt = self.pcnt[ks] + sign * np.bincount(inv, minlength=len(ks))
        parks = ks[((self.pcnt[ks] > 0) != (pcnt > 0)) & p.park_unit[ks]]
        gain = sign * float(p.people_weight_b[fb].sum() + p.road_weight_b[fb].sum()
                            + p.weight_f[ff].sum() + p.hamlet_weight[hamlets].sum()
                            + p.gap_weight[gaps].sum() + p.park_weight[parks].sum())
        return {"rb": rb, "rf": rf, "cells_b": fb, "cells_f": ff, "hs": hs, "prog": prog,
                "ws": ws, "wcnt": wcnt, "bad": bad, "ks": ks, "pcnt": pcnt,
                "hamlets": hamlets, "gaps": gaps, "parks": parks, "gain": gain}

    def apply(self, sign: int, ch: dict[str, Any]) -> None:
        """Make the change :meth:`change` computed."""
        self.cb[ch["rb"]] += sign
        self.cf[ch["rf"]] += sign
        self.prog[ch["hs"]] = ch["prog"]
        self.wcnt[ch["ws"]] = ch["wcnt"]
        self.bad = ch["bad"]
        self.pcnt[ch["ks"]] = ch["pcnt"]


def _prune(problem: SiteProblem, chosen: NDArray[np.bool_], mode: str, kinds: tuple[str, ...],
           reach: Reach) -> NDArray[np.bool_]:
    """Drop chosen candidates whose removal loses nothing, most expensive first: no target
    unit opens again (target mode), no gain is lost (budget mode)."""
    chosen = np.asarray(chosen, dtype=bool).copy()
    counts = _Counts(problem, chosen)
    for i in np.flatnonzero(chosen)[np.argsort(-problem.cost_vnd[chosen], kind="stable")]:
        ch = counts.change(int(i), -1)
        if mode == "target":
            ok = not (("T3" in kinds and reach.hamlets[ch["hamlets"]].any())
                      or ("T6" in kinds and reach.gaps[ch["gaps"]].any())
                      or ("K1" in kinds and reach.parks[ch["parks"]].any()))
        else:
            ok = ch["gain"] >= -1e-9
        if ok:
            counts.apply(-1, ch)
            chosen[i] = False
    return chosen


# --- the solution ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """One selection: what it chose, its objective and its gap to the solver's bound."""

    method: str
    chosen: NDArray[np.bool_]
    objective: float
    bound: float
    gap_pct: float
    status: str
    seconds: float

    @property
    def sites(self) -> int:
        """Number of candidates chosen."""
        return int(self.chosen.sum())


@dataclass(frozen=True)
class Solution:
    """The plan's selection (the better of the MILP and the greedy) and both results."""

    mode: str
    kinds: tuple[str, ...]
    best: Selection
    milp: Selection | None
    greedy: Selection
    reach: Reach
    budget_sites: int | None = None
    budget_vnd: float | None = None
    stats: dict[str, float] = field(default_factory=dict)


def _gap_pct(value: float, bound: float, maximise: bool) -> float:
    if not (math.isfinite(value) and math.isfinite(bound)):
        return math.nan
    if maximise:
        return 0.0 if bound <= 1e-12 else max(0.0, 100.0 * (bound - value) / bound)
    return 0.0 if value <= 1e-12 else max(0.0, 100.0 * (value - bound) / value)


def plan_mode(budget_sites: int | None = None, budget_vnd: float | None = None,
              targets: tuple[str, ...] | None = None) -> tuple[str, tuple[str, ...]]:
    """The problem a request asks for: ``("budget" | "target", kinds)``.

    Raises
    ------
    ValueError
        Both budgets given, a negative budget, or an unknown target.
    """
    if budget_sites is not None and budget_vnd is not None:
        msg = "plan: give a budget in sites or in VND, not both."
        raise ValueError(msg)
    if (budget_sites is not None and budget_sites < 0) or (budget_vnd is not None
                                                           and budget_vnd < 0):
        msg = "plan: the budget must not be negative."
        raise ValueError(msg)
    mode = "target" if budget_sites is None and budget_vnd is None else "budget"
    allowed = TARGETS if mode == "target" else _GAIN_KINDS
    kinds = tuple(targets) if targets else allowed
    unknown = [k for k in kinds if k not in allowed]
    if unknown:
        msg = (f"plan: unknown target(s) {', '.join(unknown)}; choose from "
               f"{', '.join(allowed)}{' (D1 only with a budget)' if mode == 'target' else ''}.")
        raise ValueError(msg)
    return mode, kinds


def solve_sites(problem: SiteProblem, *, budget_sites: int | None = None,
                budget_vnd: float | None = None, targets: tuple[str, ...] | None = None,
                time_limit_s: float = 60.0, mip_gap: float = 0.005,
                use_milp: bool = True) -> Solution:
    """Choose the sites: maximum gain under a budget, or minimum cost to reach targets.

    Parameters
    ----------
    problem
        The candidates and demand units.
    budget_sites, budget_vnd
        A budget in sites or in VND (at most one): maximise the gain. Neither: minimise the
        cost of reaching ``targets``.
    targets
        With a budget, only the gains of these kinds count (``T3``, ``T6``, ``K1``, ``D1``;
        default all); without one, the targets to reach (``T3``, ``T6``, ``K1``; default all).
    time_limit_s, mip_gap
        Solver limits.
    use_milp
        ``False`` runs the greedy alone (no gap is then known).

    Raises
    ------
    ValueError
        Both budgets given, a negative budget, or an unknown target.
    """
    mode, kinds = plan_mode(budget_sites, budget_vnd, targets)
    work = problem.restricted(kinds) if mode == "budget" else problem
    reach = reachability(problem)
    maximise = mode == "budget"
    # 1. the greedy: the fallback and the comparison
    t0 = time.perf_counter()
    g_chosen = _prune(work, _greedy(work, mode, budget_sites, budget_vnd, kinds, reach), mode,
                      kinds, reach)
    g_val = evaluate_selection(work, g_chosen)
    g_obj = g_val.gain if maximise else g_val.cost_vnd
    g_seconds = time.perf_counter() - t0
    milp = None
    bound = math.nan
    stats: dict[str, float] = {}
    # 2. the MILP
    if use_milp and problem.n:
        t0 = time.perf_counter()
        model = _model(work, mode, budget_sites, budget_vnd, kinds, reach)
        stats = {"columns": model.a.shape[1], "rows": model.a.shape[0], "nonzeros": model.a.nnz,
                 "cell_groups": int(model.group_b.max(initial=-1) + 1
                                    + model.group_f.max(initial=-1) + 1)}
        try:
            values, _obj, bound, status = _solve_milp(model, time_limit_s, mip_gap)
        except Exception as e:  # noqa: BLE001 - any solver failure falls back to the greedy
            log.warning("plan: the MILP solver failed (%s); the greedy selection is used", e)
            values, status = None, f"failed: {e}"
        if values is not None:
            m_chosen = _prune(work, values[:problem.n] > 0.5, mode, kinds, reach)
            m_val = evaluate_selection(work, m_chosen)
            m_obj = m_val.gain if maximise else m_val.cost_vnd
            milp = Selection("milp", m_chosen, m_obj, bound, _gap_pct(m_obj, bound, maximise),
                             status, time.perf_counter() - t0)
        log.info("plan: MILP %s (%d columns, %d rows, %d nonzeros) in %.1f s", status,
                 stats["columns"], stats["rows"], stats["nonzeros"], time.perf_counter() - t0)
    greedy = Selection("greedy", g_chosen, g_obj, bound, _gap_pct(g_obj, bound, maximise),
                       "heuristic", g_seconds)
    best = greedy
    if milp is not None and ((milp.objective >= greedy.objective - 1e-9) if maximise
                             else (milp.objective <= greedy.objective + 1e-9)):
        best = milp
    log.info("plan: %s selection of %d sites, objective %.6g (greedy %d sites, %.6g); gap "
             "%.3g %% (greedy %.3g %%)", best.method, best.sites, best.objective, greedy.sites,
             greedy.objective, best.gap_pct, greedy.gap_pct)
    return Solution(mode, kinds, best, milp, greedy, reach, budget_sites, budget_vnd, stats)


def attribute(problem: SiteProblem, chosen: NDArray[np.bool_]) -> pd.DataFrame:
    """Rank the chosen candidates and credit each unit to the site that completes it.

    Sites are ranked by the greedy on the surrogate restricted to them (largest gain first);
    adding them in that order, a unit is credited to the site whose addition closes it, and a
    site's gain is the exact objective it adds.

    Returns
    -------
    pandas.DataFrame
        One row per chosen candidate in rank order: ``candidate`` (index), ``rank``, ``gain``,
        ``hamlets``, ``gaps``, ``parks`` (index arrays of the units it closes), ``cells_b``,
        ``cells_f`` (demand cells it newly covers).
    """
    _, order = _lazy_greedy(problem, np.asarray(chosen, bool), _State(problem, None),
                            per_vnd=False)
    ranked = set(order)
    order += [int(i) for i in np.flatnonzero(chosen) if int(i) not in ranked]
    counts = _Counts(problem, np.zeros(problem.n, dtype=bool))
    rows: list[dict[str, Any]] = []
    for i in order:  # one incremental step per proposed site
        ch = counts.change(i, 1)
        counts.apply(1, ch)
        rows.append({"candidate": int(i), "rank": len(rows) + 1, "gain": ch["gain"],
                     "hamlets": ch["hamlets"], "gaps": ch["gaps"], "parks": ch["parks"],
                     "cells_b": ch["cells_b"], "cells_f": ch["cells_f"]})
    return pd.DataFrame(rows, columns=["candidate", "rank", "gain", "hamlets", "gaps", "parks",
                                       "cells_b", "cells_f"])
