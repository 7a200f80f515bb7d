"""BTS site proposals end to end: :func:`plan_sites` and :func:`run_plan`.

:func:`plan_sites` reads like the method it applies:

1. coverage today on the plan's grid (``planning.resolution_m``) with the coverage engine;
2. the demand units (hamlets, road gaps, parks, dark-spot people) the indicators count, for the
   union of operators or the planning operator's own network (:mod:`._demand`);
3. the candidates of every kind, with costs and sectors (:mod:`.candidates`), and what each
   covers among the demand cells, with the engine's models;
4. the selection: maximum gain under a budget, or minimum cost to reach the targets (MILP with
   HiGHS, greedy fallback, optimality gap) (:mod:`.sites`);
5. the proposals ranked and credited with the units each closes;
6. coverage after the proposals, predicted by the engine for the operators that build (the
   other operators' layers are today's), and each unit checked again; what the proposals were
   meant to close but did not (the point-to-point prediction and the engine's grid differ a
   little; proposals interfere with each other and with today's cells) is planned again
   against the after-coverage, ``planning.repair_rounds`` times at most;
7. the indicators recomputed after the proposals, side by side with today's.

:func:`run_plan` loads a scenario, plans and writes the files (:mod:`._site_outputs`);
:func:`proposals_layer` is the proposals as a GeoDataFrame for the web map.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from phusong.coverage.grid import ANY, CoverageGrid
from phusong.errors import InputError
from phusong.layers.province import Province
from phusong.planning._demand import Demand, build_demand
from phusong.planning._site_outputs import (
    plan_output_paths,
    plan_tables,
    proposals_layer,
    summary_text,
    write_plan_outputs,
)
from phusong.planning.candidates import (
    CandidateCoverage,
    Candidates,
    evaluate_candidates,
    generate_candidates,
    plan_terrain,
)
from phusong.planning.sites import (
    SiteProblem,
    Solution,
    attribute,
    plan_mode,
    problem_from,
    solve_sites,
)

__all__ = ["PlanRound", "SitePlan", "plan_sites", "run_plan", "after_grid", "with_proposals",
           "proposals_layer", "write_plan_outputs", "plan_output_paths"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class PlanRound:
    """One round of re-planning after the after-prediction (see :func:`plan_sites`)."""

    demand: Demand
    candidates: Candidates
    coverage: CandidateCoverage
    problem: SiteProblem
    solution: Solution
    ranking: pd.DataFrame
    site_ids: np.ndarray
    rank_offset: int

    @property
    def chosen(self) -> pd.DataFrame:
        """The chosen candidates in rank order."""
        return self.candidates.table.iloc[self.ranking["candidate"].to_numpy(int)]


@dataclass(frozen=True, eq=False)
class SitePlan:
    """Everything :func:`plan_sites` computed.

    Attributes
    ----------
    operator
        The operator that builds (``None``: the province's plan).
    demand, candidates, coverage, problem, solution
        The stages (see the module notes).
    ranking
        :func:`~phusong.planning.sites.attribute` of the chosen candidates (rank order).
    site_ids
        Ids of the first round's proposals, in rank order.
    sites, sectors
        The proposed sites of every round (new towers and co-locations; upgrades add sectors to
        their host) in the sites layer's columns with ``status = "planned"``, and every proposed
        sector in the sectors layer's columns.
    repairs
        The rounds of re-planning after the after-prediction (``planning.repair_rounds``).
    province_after, grid_before, grid_after, before, after, demand_after
        The province with the proposals on air, coverage and indicators today and after
        (``None`` when not verified), and the demand units left after.
    tables
        The report tables (:func:`phusong.planning._site_outputs.plan_tables`).
    seconds
        Time of each stage; ``plan`` is demand, candidates, coverage, selection and ranking.
    """

    operator: str | None
    demand: Demand
    candidates: Candidates
    coverage: CandidateCoverage
    problem: SiteProblem
    solution: Solution
    ranking: pd.DataFrame
    site_ids: np.ndarray
    sites: gpd.GeoDataFrame
    sectors: pd.DataFrame
    province_after: Province
    grid_before: CoverageGrid
    grid_after: CoverageGrid | None = None
    before: Any = None
    after: Any = None
    demand_after: Demand | None = None
    repairs: tuple[PlanRound, ...] = ()
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    lang: str = "vi"

    @property
    def chosen(self) -> pd.DataFrame:
        """The chosen candidates in rank order (rows of ``candidates.table``)."""
        return self.candidates.table.iloc[self.ranking["candidate"].to_numpy(int)]

    @property
    def rounds(self) -> list[PlanRound]:
        """Every round, the first included."""
        first = PlanRound(self.demand, self.candidates, self.coverage, self.problem,
                          self.solution, self.ranking, self.site_ids, 0)
        return [first, *self.repairs]

    def summary(self) -> str:
        """A few lines for the terminal."""
        return summary_text(self)


def _site_ids(chosen: pd.DataFrame, offset: int = 0) -> np.ndarray:
    """Ids of the proposed sites: the host's for upgrades, ``NEW-``/``COL-`` + operator + rank."""
    out = []
    for rank, (kind, op, host, new) in enumerate(zip(
            chosen["kind"], chosen["operator"], chosen["host_site_id"], chosen["new_tower"],
            strict=True), start=offset + 1):
        if kind == "upgrade_5g":
            out.append(str(host))
        else:
            code = "".join(c for c in str(op).upper() if c.isalnum())[:3] or "OP"
            out.append(f"{'NEW' if new else 'COL'}-{code}-{rank:04d}")
    return np.asarray(out, dtype=object)


def with_proposals(province: Province, candidates: Candidates, ranking: pd.DataFrame,
                   offset: int = 0) -> tuple[np.ndarray, gpd.GeoDataFrame, pd.DataFrame, Province]:
    """The proposals' ids, sites and sectors (status planned), and the province with them on
    air; ranks (and ids) start after ``offset``."""
    chosen = candidates.table.iloc[ranking["candidate"].to_numpy(int)]
    site_id = _site_ids(chosen, offset)
    new = (chosen["kind"] != "upgrade_5g").to_numpy()
    sites = gpd.GeoDataFrame({
        "site_id": site_id[new], "operator": chosen["operator"].to_numpy()[new],
        "height_agl_m": chosen["height_agl_m"].to_numpy(float)[new],
        "shared": ~chosen["new_tower"].to_numpy(bool)[new],
        "grid_power": chosen["grid_power"].to_numpy(bool)[new], "status": "planned"},
        geometry=chosen.geometry.to_numpy()[new], crs=candidates.table.crs)
    rename = dict(zip(chosen["candidate_id"], site_id, strict=True))
    sec = candidates.sectors.loc[candidates.sectors["candidate_id"].isin(rename)].copy()
    sec["site_id"] = sec["candidate_id"].map(rename)
    rank = dict(zip(chosen["candidate_id"], range(len(chosen)), strict=True))
    sec = sec.assign(_rank=sec["candidate_id"].map(rank)).sort_values("_rank", kind="stable")
    suffix = sec["sector_id"].str.split("-", n=1).str[1]
    sec["sector_id"] = sec["site_id"] + "-P" + suffix
    sectors = sec.drop(columns=["candidate_id", "_rank"]).reset_index(drop=True)
    # the province with the proposals on air
    base_sites = province.sites if province.sites is not None else sites.iloc[:0]
    add = sites.assign(status="on_air")[[c for c in sites.columns if c in base_sites.columns
                                          or c == "geometry"]]
    after_sites = pd.concat([base_sites, add.to_crs(base_sites.crs)], ignore_index=True)
    base_secs = province.sectors if province.sectors is not None else sectors.iloc[:0]
    after_secs = pd.concat([base_secs, sectors.assign(status="on_air")[
        [c for c in sectors.columns if c in base_secs.columns]]], ignore_index=True)
    after = dataclasses.replace(province, sites=gpd.GeoDataFrame(after_sites,
                                                                 geometry="geometry",
                                                                 crs=base_sites.crs),
                                sectors=after_secs)
    return site_id, sites, sectors, after


def after_grid(province_after: Province, grid_before: CoverageGrid, operators: list[str],
               progress: bool = False) -> CoverageGrid:
    """Coverage with the proposals: the engine's prediction for ``operators`` (whose sectors
    changed), today's layers for the others, and the union recomputed.

    Each operator's layers depend on its own sectors only (SINR is against the same operator's
    co-channel cells), so this is the full prediction, for a part of the work.
    """
    from phusong.coverage._composite import union_layers
    from phusong.coverage.engine import predict_coverage

    if not operators:
        return grid_before
    part = predict_coverage(province_after, resolution_m=float(grid_before.transform.a),
                            operators=operators, progress=progress)
    old = grid_before.sectors
    keep = ~old["operator"].isin(operators).to_numpy()
    remap = np.full(len(old) + 1, -1, dtype=np.int64)  # index -1 stays -1
    remap[:-1][keep] = np.arange(int(keep.sum()))
    sectors = pd.concat([old.loc[keep], part.sectors], ignore_index=True)
    layers = {}
    for (op, tech), layer in grid_before.layers.items():
        if op != ANY and op not in operators:
            server = remap[layer.server.astype(np.int64)].astype(np.int32)
            layers[(op, tech)] = dataclasses.replace(layer, server=server)
    for (op, tech), layer in part.layers.items():
        if op != ANY:
            server = np.where(layer.server >= 0, layer.server + int(keep.sum()), -1)
            layers[(op, tech)] = dataclasses.replace(layer, server=server.astype(np.int32))
    layers.update(union_layers(layers))
    settings = {**grid_before.settings, "after_proposals": True,
                "predicted_again": ", ".join(operators)}
    return CoverageGrid(grid_before.transform, grid_before.crs, grid_before.shape, layers,
                        grid_before.rsrp_threshold_dbm, grid_before.min_dl_mbps, settings,
                        sectors)


def plan_sites(province: Province, *, operator: str | None = None,
               budget_sites: int | None = None, budget_vnd: float | None = None,
               targets: tuple[str, ...] | None = None, grid: CoverageGrid | None = None,
               resolution_m: float | None = None, candidate_file: str | Path | None = None,
               verify: bool = True, lang: str = "vi", progress: bool = False) -> SitePlan:
    """Propose BTS sites: the most gain under a budget, or the least cost to reach targets.

    Parameters
    ----------
    province
        The province (sites, sectors, hamlets, roads, parks, DEM, population). Not modified.
    operator
        The operator that builds, counting its own network's gaps; ``None``: the province's
        indicators (union of operators), every operator may co-locate or upgrade.
    budget_sites, budget_vnd
        A budget in sites or in VND (at most one); neither: minimum cost for ``targets``.
    targets
        Targets to reach (``T3``, ``T6``, ``K1``; default all) or, with a budget, the gains
        that count (also ``D1``).
    grid
        Coverage today, when already predicted (its cell size is the plan's).
    resolution_m
        Cell size of the plan's grids (default ``planning.resolution_m``).
    candidate_file
        User candidates (default ``planning.candidate_file``).
    verify
        Predict coverage after the proposals and recompute the indicators.
    lang
        ``"vi"`` or ``"en"`` for the texts of the tables.
    progress
        Progress bars.

    Raises
    ------
    InputError
        On an unknown operator or language, a grid in another CRS, or no sites layer.
    ValueError
        Both budgets, a negative budget or an unknown target.
    """
    from phusong.coverage.engine import predict_coverage
    from phusong.metrics import compute_indicators
    from phusong.metrics._grids import check_same_crs

    if lang not in ("vi", "en"):
        msg = f"lang = {lang!r}: choose one of vi, en"
        raise InputError(msg)
    plan_mode(budget_sites, budget_vnd, targets)  # a bad request fails before any work
    if operator is not None and (province.sites is None or operator not in
                                 set(province.sites["operator"].astype(str))):
        known = sorted(set(province.sites["operator"].astype(str))) \
            if province.sites is not None else []
        msg = f"plan: unknown operator {operator!r}; the sites layer has {', '.join(known)}."
        raise InputError(msg)
    config = province.scenario.planning
    seconds: dict[str, float] = {}
    # 1. coverage today on the plan's grid
    t0 = time.perf_counter()
    if grid is None:
        grid = predict_coverage(province, resolution_m=resolution_m or config.resolution_m,
                                progress=progress)
    check_same_crs(province.crs, grid.crs, "the province", "the coverage grid")
    seconds["coverage_before"] = time.perf_counter() - t0
    # 2. – 5. demand, candidates, what each covers, the selection, the ranking
    t_plan = time.perf_counter()
    first = _round(province, grid, operator, budget_sites, budget_vnd, targets, candidate_file,
                   0, seconds)
    ids, sites, sectors, province_after = with_proposals(province, first.candidates,
                                                         first.ranking)
    seconds["plan"] = time.perf_counter() - t_plan
    plan = SitePlan(operator, first.demand, first.candidates, first.coverage, first.problem,
                    first.solution, first.ranking, ids, sites, sectors, province_after, grid,
                    seconds=seconds, lang=lang)
    if not verify:
        return dataclasses.replace(plan, tables=plan_tables(plan))
    # 6. coverage after the proposals; rounds of re-planning for what they left open
    t0 = time.perf_counter()
    builders = sorted(set(first.chosen["operator"]))
    grid_after = after_grid(province_after, grid, builders, progress)
    demand_after = build_demand(province_after, grid_after, operator, config)
    seconds["coverage_after"] = time.perf_counter() - t0
    repairs: list[PlanRound] = []
    spent_sites, spent_vnd = first.solution.best.sites, float(first.chosen["cost_vnd"].sum())
    for _ in range(config.repair_rounds):
        left_sites = None if budget_sites is None else budget_sites - spent_sites
        left_vnd = None if budget_vnd is None else budget_vnd - spent_vnd
        if not _open_units(demand_after, first.solution.kinds, first.solution.mode) or \
                (left_sites is not None and left_sites <= 0) or \
                (left_vnd is not None and left_vnd <= 0):
            break
        t0 = time.perf_counter()
        offset = len(sites)
        extra = _round(province_after, grid_after, operator, left_sites, left_vnd, targets,
                       candidate_file, len(ids) + sum(len(r.site_ids) for r in repairs),
                       {}, demand_after)
        if extra.solution.best.sites == 0:
            break
        more_ids, more_sites, more_sectors, province_after = with_proposals(
            province_after, extra.candidates, extra.ranking, extra.rank_offset)
        repairs.append(dataclasses.replace(extra, site_ids=more_ids))
        sites = pd.concat([sites, more_sites], ignore_index=True)
        sectors = pd.concat([sectors, more_sectors], ignore_index=True)
        spent_sites += extra.solution.best.sites
        spent_vnd += float(extra.chosen["cost_vnd"].sum())
        grid_after = after_grid(province_after, grid_after, sorted(set(extra.chosen["operator"])),
                                progress)
        demand_after = build_demand(province_after, grid_after, operator, config)
        seconds["repair"] = seconds.get("repair", 0.0) + time.perf_counter() - t0
        log.info("plan: round %d (re-planning %d) added %d sites (%d before it)", len(repairs) + 1,
                 len(repairs), extra.solution.best.sites, offset)
    # 7. the indicators after the proposals, beside today's
    t0 = time.perf_counter()
    plan = dataclasses.replace(
        plan, sites=gpd.GeoDataFrame(sites, geometry="geometry", crs=plan.sites.crs),
        sectors=sectors, province_after=province_after, grid_after=grid_after,
        before=compute_indicators(province, grid, lang),
        after=compute_indicators(province_after, grid_after, lang), demand_after=demand_after,
        repairs=tuple(repairs))
    seconds["indicators"] = time.perf_counter() - t0
    return dataclasses.replace(plan, tables=plan_tables(plan))


def _open_units(demand: Demand, kinds: tuple[str, ...], mode: str) -> bool:
    """Whether a demand still has units of the plan's targets (any unit with a budget)."""
    if mode == "budget":
        return bool(len(demand.cells_b) or len(demand.cells_f))
    return bool(("T3" in kinds and len(demand.hamlets)) or ("T6" in kinds and len(demand.gaps))
                or ("K1" in kinds and len(demand.parks) and demand.parks["k1"].any()))


def _round(province: Province, grid: CoverageGrid, operator: str | None,
           budget_sites: int | None, budget_vnd: float | None, targets: tuple[str, ...] | None,
           candidate_file: str | Path | None, offset: int, seconds: dict[str, float],
           demand: Demand | None = None) -> PlanRound:
    """One round: demand, candidates and their coverage, the selection, the ranking."""
    config = province.scenario.planning

    def clock(key: str, t0: float) -> None:
        seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - t0

    t0 = time.perf_counter()
    if demand is None:
        demand = build_demand(province, grid, operator, config)
    clock("demand", t0)
    t0 = time.perf_counter()
    terrain = plan_terrain(province, grid, config.max_radius_m)
    candidates = generate_candidates(province, demand, terrain, operator=operator,
                                     config=config, candidate_file=candidate_file)
    clock("candidates", t0)
    t0 = time.perf_counter()
    coverage = evaluate_candidates(candidates, demand, terrain, province)
    clock("evaluate", t0)
    t0 = time.perf_counter()
    problem = problem_from(demand, candidates, coverage)
    solution = solve_sites(problem, budget_sites=budget_sites, budget_vnd=budget_vnd,
                           targets=targets, time_limit_s=config.time_limit_s,
                           mip_gap=config.mip_gap)
    clock("select", t0)
    t0 = time.perf_counter()
    ranking = attribute(problem, solution.best.chosen)
    clock("rank", t0)
    return PlanRound(demand, candidates, coverage, problem, solution, ranking,
                     np.zeros(0, dtype=object), offset)


def run_plan(scenario: str | os.PathLike[str] | Province, out_dir: str | os.PathLike[str], *,
             operator: str | None = None, budget_sites: int | None = None,
             budget_vnd: float | None = None, targets: tuple[str, ...] | None = None,
             resolution_m: float | None = None, candidate_file: str | Path | None = None,
             lang: str = "vi", overwrite: bool = False, progress: bool = False) -> SitePlan:
    """Plan sites for a scenario and write the proposals, tables and the after-scenario.

    Parameters are those of :func:`plan_sites`; ``scenario`` is a scenario file (loaded and
    validated) or a loaded :class:`Province`, ``out_dir`` the output folder.

    Raises
    ------
    OutputExistsError
        If an output exists and ``overwrite`` is false (checked before any work).
    """
    from phusong._io import check_writable

    plan_mode(budget_sites, budget_vnd, targets)  # a bad request fails before any work
    for path in plan_output_paths(out_dir).values():
        check_writable(path, overwrite)
    t0 = time.perf_counter()
    from phusong.layers.validate import load_province

    province = load_province(scenario, progress=progress)
    load_s = time.perf_counter() - t0
    plan = plan_sites(province, operator=operator, budget_sites=budget_sites,
                      budget_vnd=budget_vnd, targets=targets, resolution_m=resolution_m,
                      candidate_file=candidate_file, lang=lang, progress=progress)
    plan.seconds["load"] = load_s
    t0 = time.perf_counter()
    write_plan_outputs(plan, out_dir, overwrite=overwrite)
    plan.seconds["write"] = time.perf_counter() - t0
    return plan
