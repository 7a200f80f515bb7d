"""Planning: where new BTS sites and new fiber close the most gaps per unit of cost.

:func:`plan_sites` chooses new towers, co-locations and 5G upgrades that reach T3, T6 and K1 at
least cost (or gain the most under a budget): a MILP solved by HiGHS with a greedy fallback;
:func:`run_plan` writes the proposals in the sites/sectors input format with the before/after
indicators.

:func:`plan_fiber_extension` connects every hamlet, operating park and priority place without
fiber to the existing network along roads (an approximate Steiner tree, Mehlhorn 1988);
:func:`run_fiber` measures reach, computes the fixed-broadband indicators, plans the extension
and writes ``fiber.gpkg`` and ``csv/fiber_*.csv``.

Example
-------
>>> from phusong.layers import load_province
>>> from phusong.planning import plan_fiber_extension
>>> plan = plan_fiber_extension(load_province("scenario.toml"))  # doctest: +SKIP
>>> plan.routes[["route_id", "cable_km", "places", "communes"]].head()  # doctest: +SKIP
"""

from phusong.planning._site_outputs import proposals_layer
from phusong.planning.fiber import ACTIONS, FiberPlan, plan_fiber_extension
from phusong.planning.fiber_outputs import (
    CSV_TABLES,
    GPKG_LAYERS,
    FiberRun,
    fiber_output_paths,
    run_fiber,
    write_fiber_outputs,
)
from phusong.planning.site_plan import PlanRound, SitePlan, plan_sites, run_plan
from phusong.planning.sites import SiteProblem, solve_sites

__all__ = [
    "ACTIONS",
    "CSV_TABLES",
    "FiberPlan",
    "FiberRun",
    "GPKG_LAYERS",
    "PlanRound",
    "SitePlan",
    "SiteProblem",
    "fiber_output_paths",
    "plan_fiber_extension",
    "plan_sites",
    "proposals_layer",
    "run_fiber",
    "run_plan",
    "solve_sites",
    "write_fiber_outputs",
]
