"""Benchmark: BTS site proposals on the demo province, every candidate kind.

Usage::

    python benchmarks/plan_bench.py [--out DIR] [--resolution 200] [--operator Viettel]
                                    [--budget N] [--no-verify]

Steps: build the demo province (``phusong.pipeline.run_demo``) and load it, predict today's
coverage on the plan's grid (``coverage_before_s``, the engine's time, not the plan's), then time
:func:`phusong.planning.site_plan.plan_sites`:

* ``plan_s``: the plan itself: demand units (hamlets, road gaps, parks, dark-spot people),
  candidate generation, the coverage of every candidate on the demand cells, the MILP and the
  greedy, the ranking (``demand_s``, ``candidates_s``, ``evaluate_s``, ``select_s``, ``rank_s``);
* ``after_s``: coverage predicted again with the proposals (the builders' layers) and the
  re-planning rounds, ``indicators_s``: the indicators today and after.

Choices that make ≥ 10,000 candidates fit in the time (documented in
:mod:`phusong.planning.candidates` and :mod:`phusong.planning.sites`): the plan works on a
coarser grid than the coverage (``--resolution``, default the scenario's 100 m; 200 m is faster);
dominated candidates are fixed to zero and the MILP carries cover rows per hamlet, road-gap window
and park; each candidate is predicted only on the *demand cells*
(cells of uncovered hamlets, road gaps over the limit, dark spots and parks short of 5G), only
within its exact link-budget reach (the distance beyond which no cell could reach the threshold
even without terrain), capped at ``planning.max_radius_m`` (15 km); point-to-point profiles
with the engine's models in a numba kernel over both cores. The candidate density is raised for
the benchmark (``high_points_per_unit = 12``, ``candidate_spacing_m = 400``,
``search_radius_m = 6000``) and a user candidate file is written: 1,500 survey points drawn
(seeded) within 3 km of the uncovered hamlets and dark spots, standing in for the list of plots
an operator would supply, so that every kind is exercised.

The last line printed is a JSON object: ``candidates``, ``plan_s``, ``sites_proposed``,
``gap_pct`` (the MILP's optimality gap, round 1), ``greedy_sites``, ``peak_rss_mb`` (whole
process, demo generation and coverage included), and details. Target (2 cores): ≥ 10,000
candidates evaluated and solved in ``plan_s`` ≤ 120 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

from _common import demo_province, peak_rss_mb


def _survey_file(province, grid, path: Path, n: int = 1500, seed: int = 7) -> Path:
    """A user candidate file: survey points near the uncovered hamlets and dark spots."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd

    from phusong.planning._demand import build_demand

    demand = build_demand(province, grid)
    centres = pd.concat([demand.hamlets[["x", "y"]], demand.spots[["x", "y"]]],
                        ignore_index=True).to_numpy(float)
    rng = np.random.default_rng(seed)
    pick = centres[rng.integers(0, len(centres), n)]
    angle = rng.uniform(0, 2 * np.pi, n)
    dist = 3000.0 * np.sqrt(rng.uniform(0, 1, n))
    pts = gpd.GeoSeries(gpd.points_from_xy(pick[:, 0] + dist * np.sin(angle),
                                           pick[:, 1] + dist * np.cos(angle)),
                        crs=province.crs).to_crs("EPSG:4326")
    operators = ("Viettel", "VNPT", "MobiFone")
    pd.DataFrame({"site_id": [f"KS-{i:04d}" for i in range(1, n + 1)],
                  "operator": [operators[i % 3] for i in range(n)],
                  "lon": pts.x.to_numpy(), "lat": pts.y.to_numpy(),
                  "height_agl_m": 30.0}).to_csv(path, index=False)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="demo folder (default: a temp dir)")
    parser.add_argument("--resolution", type=float, default=None,
                        help="plan grid (m; default: the scenario's [planning] resolution_m, 100)")
    parser.add_argument("--operator", default=None, help="the operator that builds (default: "
                        "the province's plan)")
    parser.add_argument("--budget", type=int, default=None, help="budget in sites (default: "
                        "least cost to reach T3, T6, K1)")
    parser.add_argument("--no-verify", action="store_true", help="skip the after-prediction")
    args = parser.parse_args()

    from phusong.coverage.engine import predict_coverage
    from phusong.planning.site_plan import plan_sites

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or Path(tmp) / "demo"
        t0 = time.perf_counter()
        province = demo_province(folder)
        demo_s = time.perf_counter() - t0
        planning = dataclasses.replace(province.scenario.planning, high_points_per_unit=12,
                                       candidate_spacing_m=400.0, search_radius_m=6000.0)
        province = dataclasses.replace(province, scenario=dataclasses.replace(
            province.scenario, planning=planning))

        t0 = time.perf_counter()
        resolution_m = args.resolution or planning.resolution_m
        grid = predict_coverage(province, resolution_m=resolution_m)
        coverage_before_s = time.perf_counter() - t0
        survey = _survey_file(province, grid, Path(folder) / "survey.csv")

        t0 = time.perf_counter()
        plan = plan_sites(province, operator=args.operator, budget_sites=args.budget, grid=grid,
                          candidate_file=survey, verify=not args.no_verify, lang="en")
        total_s = time.perf_counter() - t0

    sec = plan.seconds
    sol = plan.solution
    print(plan.summary())
    units = plan.tables["plan_units"]

    def left(kind: str) -> int:
        u = units.loc[units["unit_kind"] == kind]
        col = "closed_after" if u["closed_after"].notna().any() else "closed_planned"
        return int((~u[col].fillna(False).astype(bool)).sum())

    ba = plan.tables["plan_before_after"].set_index("indicator_id")

    def value(ind: str, when: str) -> float | None:
        if ind not in ba.index or f"value_{when}" not in ba:
            return None
        v = ba.loc[ind, f"value_{when}"]
        return None if v != v else round(float(v), 2)

    record = {
        "candidates": len(plan.candidates),
        "plan_s": round(sec["plan"], 2),
        "sites_proposed": int(len(plan.tables["plan_sites"])),
        "gap_pct": round(sol.best.gap_pct, 4),
        "greedy_sites": sol.greedy.sites,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "candidate_kinds": plan.candidates.counts(),
        "pairs_predicted": plan.coverage.pairs,
        "demand_s": round(sec["demand"], 2), "candidates_s": round(sec["candidates"], 2),
        "evaluate_s": round(sec["evaluate"], 2), "select_s": round(sec["select"], 2),
        "rank_s": round(sec["rank"], 2),
        "sites_round1": sol.best.sites, "method": sol.best.method,
        "greedy_gap_pct": round(sol.greedy.gap_pct, 4),
        "cost_billion_vnd": round(float(plan.tables["plan_sites"]["cost_vnd"].sum()) / 1e9, 2),
        "repair_sites": int(sum(r.solution.best.sites for r in plan.repairs)),
        "coverage_before_s": round(coverage_before_s, 2),
        "after_s": round(sec.get("coverage_after", 0.0) + sec.get("repair", 0.0), 2),
        "indicators_s": round(sec.get("indicators", 0.0), 2),
        "total_s": round(total_s, 2), "demo_s": round(demo_s, 2),
        "resolution_m": resolution_m, "operator": args.operator or "ANY",
        "hamlets_left": left("hamlet"), "road_gaps_left": left("road_gap"),
        "unreachable": int((~units["reachable"].astype(bool)).sum()) if len(units) else 0,
        "T3_before": value("T3", "before"), "T3_after": value("T3", "after"),
        "T6_before": value("T6", "before"), "T6_after": value("T6", "after"),
        "K1_after": value("K1", "after"), "D1_before": value("D1", "before"),
        "D1_after": value("D1", "after"),
    }
    print(json.dumps(record, ensure_ascii=False))


if __name__ == "__main__":
    main()
