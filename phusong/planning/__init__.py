"""Planning: where new fiber closes the most gaps per km.

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

from phusong.planning.fiber import ACTIONS, FiberPlan, plan_fiber_extension
from phusong.planning.fiber_outputs import (
    CSV_TABLES,
    GPKG_LAYERS,
    FiberRun,
    fiber_output_paths,
    run_fiber,
    write_fiber_outputs,
)

__all__ = [
    "ACTIONS",
    "CSV_TABLES",
    "FiberPlan",
    "FiberRun",
    "GPKG_LAYERS",
    "fiber_output_paths",
    "plan_fiber_extension",
    "run_fiber",
    "write_fiber_outputs",
]
