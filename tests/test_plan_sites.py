"""Site selection: the MILP finds the optimum known by enumeration; the greedy stays in its gap."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import sparse

from phusong.planning.sites import (
    SiteProblem,
    _dominated,
    _groups,
    _model,
    _solve_milp,
    attribute,
    evaluate_selection,
    plan_mode,
    reachability,
    solve_sites,
)

N_CANDIDATES = 12
N_HAMLETS = 30


def _fixture(seed: int) -> SiteProblem:
    """12 candidates, 30 hamlets of 2–4 cells, two road gaps with windows, two parks."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 5, N_HAMLETS)
    n_hamlet_cells = int(sizes.sum())
    road_cells = 10
    n_cells = n_hamlet_cells + road_cells
    # each candidate covers a random cluster of cells; one cell nobody covers
    cover = np.zeros((N_CANDIDATES, n_cells), dtype=bool)
    for i in range(N_CANDIDATES):
        centre = rng.integers(0, n_cells)
        span = rng.integers(4, 14)
        cover[i, max(0, centre - span // 2):centre + span // 2] = True
        cover[i, rng.choice(n_cells, 3, replace=False)] = True
    cover[:, 0] = False
    people = rng.uniform(10, 200, n_cells)
    hamlet = np.repeat(np.arange(N_HAMLETS), sizes)
    hm = sparse.csr_matrix((people[:n_hamlet_cells], (hamlet, np.arange(n_hamlet_cells))),
                           shape=(N_HAMLETS, n_cells))
    need = 0.5 * np.bincount(hamlet, weights=people[:n_hamlet_cells]) - rng.uniform(0, 30,
                                                                                    N_HAMLETS)
    # two road gaps over the road cells: sliding windows of 3 cells
    rows, cols, gap = [], [], []
    for g, cells in enumerate((np.arange(n_hamlet_cells, n_hamlet_cells + 5),
                               np.arange(n_hamlet_cells + 5, n_cells))):
        for w in range(len(cells) - 2):
            rows += [len(gap)] * 3
            cols += list(cells[w:w + 3])
            gap.append(g)
    wm = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(gap), n_cells))
    # two parks on 5G cells
    cover_f = rng.random((N_CANDIDATES, 6)) < 0.15
    pm = sparse.csr_matrix(np.array([[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1]], dtype=float))
    return SiteProblem.build(
        rng.choice([0.7e9, 1.2e9, 1.5e9, 2.2e9], N_CANDIDATES), cover,
        cover_f=cover_f, people_weight_b=0.1 * people, road_weight_b=np.r_[
            np.zeros(n_hamlet_cells), np.full(road_cells, 5.0)], weight_f=np.full(6, 2.0),
        hamlet_matrix=hm, hamlet_need=need, hamlet_weight=rng.choice([100.0, 150.0], N_HAMLETS),
        window_matrix=wm, window_gap=gap, gap_weight=[100.0, 100.0], park_matrix=pm,
        park_weight=[100.0, 100.0], park_unit=[True, True])


def _subsets(n: int, most: int | None = None):
    for k in range(0, (most if most is not None else n) + 1):
        yield from itertools.combinations(range(n), k)


def _best_gain(problem: SiteProblem, ok) -> float:
    best = -math.inf
    for subset in _subsets(problem.n):
        chosen = np.zeros(problem.n, dtype=bool)
        chosen[list(subset)] = True
        if ok(chosen):
            best = max(best, evaluate_selection(problem, chosen).gain)
    return best


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_budget_in_sites_milp_is_optimal_and_greedy_within_its_gap(seed: int) -> None:
    problem = _fixture(seed)
    for budget in (2, 4):
        optimum = _best_gain(problem, lambda c, b=budget: c.sum() <= b)
        sol = solve_sites(problem, budget_sites=budget, mip_gap=0.0)
        assert sol.milp is not None and sol.milp.sites <= budget
        assert sol.milp.objective == pytest.approx(optimum, rel=1e-9)
        assert sol.best.objective == pytest.approx(optimum, rel=1e-9)
        # the bound is valid, and the greedy's reported gap holds against the optimum
        assert sol.milp.bound >= optimum - 1e-6
        greedy = sol.greedy
        assert greedy.sites <= budget
        assert greedy.objective <= optimum + 1e-9
        assert greedy.objective >= optimum * (1 - greedy.gap_pct / 100) - 1e-6
        assert greedy.gap_pct == pytest.approx(
            100 * (sol.milp.bound - greedy.objective) / sol.milp.bound, abs=1e-9)


@pytest.mark.parametrize("seed", [1, 6])
def test_budget_in_money(seed: int) -> None:
    problem = _fixture(seed)
    budget = 4.0e9
    optimum = _best_gain(problem, lambda c: problem.cost_vnd @ c <= budget + 1e-6)
    sol = solve_sites(problem, budget_vnd=budget, mip_gap=0.0)
    assert sol.best.objective == pytest.approx(optimum, rel=1e-9)
    assert problem.cost_vnd @ sol.best.chosen <= budget + 1e-6
    assert problem.cost_vnd @ sol.greedy.chosen <= budget + 1e-6
    assert sol.greedy.objective >= optimum * (1 - sol.greedy.gap_pct / 100) - 1e-6


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_least_cost_to_reach_every_reachable_target(seed: int) -> None:
    problem = _fixture(seed)
    reach = reachability(problem)
    assert reach.hamlets.sum() > 0 and reach.gaps.sum() > 0

    def meets(chosen: np.ndarray) -> bool:
        v = evaluate_selection(problem, chosen)
        return bool(v.hamlets[reach.hamlets].all() and v.gaps[reach.gaps].all()
                    and v.parks[reach.parks].all())

    optimum = min(problem.cost_vnd[list(s)].sum() for s in _subsets(problem.n)
                  if meets(np.isin(np.arange(problem.n), s)))
    sol = solve_sites(problem, mip_gap=0.0)
    assert sol.mode == "target" and sol.kinds == ("T3", "T6", "K1")
    assert meets(sol.best.chosen) and meets(sol.greedy.chosen)
    assert sol.milp is not None
    assert sol.milp.objective == pytest.approx(optimum, rel=1e-9)
    assert sol.milp.bound <= optimum + 1e-3
    # for a cost the gap reads (value − bound) / value: the optimum is within it
    assert sol.greedy.objective * (1 - sol.greedy.gap_pct / 100) <= optimum + 1e-3


def test_targets_can_be_chosen_and_greedy_alone_has_no_gap() -> None:
    problem = _fixture(7)
    only_roads = solve_sites(problem, targets=("T6",))
    v = evaluate_selection(problem, only_roads.best.chosen)
    assert v.gaps[only_roads.reach.gaps].all()
    greedy = solve_sites(problem, budget_sites=3, use_milp=False)
    assert greedy.milp is None and greedy.best.method == "greedy"
    assert math.isnan(greedy.best.gap_pct)
    # with a budget, --target keeps only those gains
    roads = solve_sites(problem, budget_sites=2, targets=("T6",), mip_gap=0.0)
    assert roads.best.objective == pytest.approx(_best_gain(
        problem.restricted(("T6",)), lambda c: c.sum() <= 2))


def test_bad_requests() -> None:
    with pytest.raises(ValueError, match="not both"):
        plan_mode(budget_sites=3, budget_vnd=1e9)
    with pytest.raises(ValueError, match="negative"):
        plan_mode(budget_sites=-1)
    with pytest.raises(ValueError, match="unknown target.*T9"):
        plan_mode(targets=("T9",))
    with pytest.raises(ValueError, match="D1 only with a budget"):
        plan_mode(targets=("D1",))
    assert plan_mode(budget_sites=1, targets=("D1",)) == ("budget", ("D1",))


def test_cells_covered_by_the_same_candidates_are_merged() -> None:
    cover = sparse.csr_matrix(np.array([[1, 1, 0, 0, 1], [0, 1, 1, 0, 1], [0, 0, 1, 0, 0]]))
    group, cov = _groups(cover)
    assert group[3] == -1  # no candidate
    assert group[1] == group[4] != group[0]
    assert cov.shape == (3, 3)
    assert (cov.toarray()[:, group[1]] == [1, 1, 0]).all()


def test_attribute_credits_each_unit_once_in_rank_order() -> None:
    problem = _fixture(3)
    sol = solve_sites(problem, budget_sites=4, mip_gap=0.0)
    ranking = attribute(problem, sol.best.chosen)
    assert list(ranking["rank"]) == list(range(1, sol.best.sites + 1))
    assert set(ranking["candidate"]) == set(np.flatnonzero(sol.best.chosen))
    assert ranking["gain"].sum() == pytest.approx(sol.best.objective)
    hamlets = np.concatenate(list(ranking["hamlets"]))
    assert len(hamlets) == len(set(hamlets)) == evaluate_selection(
        problem, sol.best.chosen).hamlets.sum()


def test_inputs_are_not_modified() -> None:
    problem = _fixture(2)
    before = (problem.cost_vnd.copy(), problem.cover_b.toarray().copy(),
              problem.hamlet_need.copy())
    solve_sites(problem, budget_sites=3)
    assert (problem.cost_vnd == before[0]).all()
    assert (problem.cover_b.toarray() == before[1]).all()
    assert (problem.hamlet_need == before[2]).all()


def test_planning_settings_are_documented_and_checked(tmp_path) -> None:
    import dataclasses

    from phusong.config import PlanningConfig, load_scenario, render_template
    from phusong.errors import ConfigError

    text = render_template()
    assert "\n[planning]\n" in text
    for f in dataclasses.fields(PlanningConfig):
        assert f"\n{f.name} = " in text, f.name
        assert f.metadata["doc"] in text
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    assert load_scenario(path).planning == PlanningConfig()
    path.write_text("[planning]\ncost_new_site = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Did you mean 'cost_new_site_vnd'"):
        load_scenario(path)
    path.write_text("[planning]\nmip_gap = 2.0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="above the maximum"):
        load_scenario(path)


@pytest.mark.parametrize("seed", [11, 12])
def test_incremental_counts_agree_with_a_full_evaluation(seed: int) -> None:
    from phusong.planning.sites import _Counts

    problem = _fixture(seed)
    rng = np.random.default_rng(seed)
    chosen = rng.random(problem.n) < 0.5
    counts = _Counts(problem, np.zeros(problem.n, dtype=bool))
    gain = 0.0
    for i in np.flatnonzero(chosen):
        ch = counts.change(int(i), 1)
        counts.apply(1, ch)
        gain += ch["gain"]
    full = evaluate_selection(problem, chosen)
    assert gain == pytest.approx(full.gain)
    # and back down again, one at a time, to nothing
    for i in np.flatnonzero(chosen)[::-1]:
        ch = counts.change(int(i), -1)
        chosen[i] = False
        counts.apply(-1, ch)
        gain += ch["gain"]
        assert gain == pytest.approx(evaluate_selection(problem, chosen).gain, abs=1e-9)


def _with_dominated(seed: int) -> SiteProblem:
    """The fixture and two dominated candidates: a twin of candidate 0 at its cost (a tie: one
    of the two is kept) and a part of candidate 1 at a higher cost."""
    import dataclasses

    p = _fixture(seed)
    part_b = p.cover_b[1].toarray()
    part_b[0, np.flatnonzero(part_b[0])[::2]] = 0
    cover_b = sparse.vstack([p.cover_b, p.cover_b[0], sparse.csr_matrix(part_b)], format="csr")
    cover_f = sparse.vstack([p.cover_f, p.cover_f[0], p.cover_f[1]], format="csr")
    cost = np.r_[p.cost_vnd, p.cost_vnd[0], p.cost_vnd[1] + 0.1e9]
    return dataclasses.replace(p, cost_vnd=cost, cover_b=cover_b, cover_f=cover_f)


def _target_optimum(problem: SiteProblem) -> float:
    reach = reachability(problem)

    def meets(chosen: np.ndarray) -> bool:
        v = evaluate_selection(problem, chosen)
        return bool(v.hamlets[reach.hamlets].all() and v.gaps[reach.gaps].all()
                    and v.parks[reach.parks].all())

    return min(problem.cost_vnd[list(s)].sum() for s in _subsets(problem.n)
               if meets(np.isin(np.arange(problem.n), s)))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_strengthened_model_keeps_the_optimum_and_raises_the_lp_bound(seed: int) -> None:
    import dataclasses

    problem = _with_dominated(seed) if seed % 2 else _fixture(seed)
    optimum = _target_optimum(problem)
    reach = reachability(problem)
    lp_bound = {}
    for strengthen in (False, True):
        model = _model(problem, "target", None, None, ("T3", "T6", "K1"), reach,
                       strengthen=strengthen)
        values, obj, bound, _ = _solve_milp(model, 60.0, 0.0)
        assert values is not None
        assert obj == pytest.approx(optimum, rel=1e-9)
        assert bound <= optimum * (1 + 1e-9)
        relaxed = dataclasses.replace(model, integer=np.zeros_like(model.integer))
        lp_bound[strengthen] = _solve_milp(relaxed, 60.0, 0.0)[1]
    assert lp_bound[False] - 1e-6 * optimum <= lp_bound[True] <= optimum * (1 + 1e-9)


def test_dominated_candidates_are_fixed_to_zero_one_of_twins_kept() -> None:
    problem = _with_dominated(1)
    _, cov_b = _groups(problem.cover_b)
    _, cov_f = _groups(problem.cover_f)
    dom = _dominated(cov_b, cov_f, problem.cost_vnd)
    n = problem.n
    assert dom[n - 2] and not dom[0]  # the twin (higher index) goes, candidate 0 stays
    assert dom[n - 1]  # the part of candidate 1 at a higher cost
    # against the definition, pair by pair
    cells = np.hstack([problem.cover_b.toarray(), problem.cover_f.toarray()]) > 0
    cost = problem.cost_vnd
    for i in range(n):
        expect = not cells[i].any() or any(
            j != i and not (cells[i] & ~cells[j]).any() and cost[j] <= cost[i]
            and (cells[j].sum() > cells[i].sum() or cost[j] < cost[i] or j < i)
            for j in range(n))
        assert dom[i] == expect, i
    # the fixings keep the optimum with a budget too
    for budget in (2, 3):
        optimum = _best_gain(problem, lambda c, b=budget: c.sum() <= b)
        sol = solve_sites(problem, budget_sites=budget, mip_gap=0.0)
        assert sol.milp is not None
        assert sol.milp.objective == pytest.approx(optimum, rel=1e-9)
