"""Benchmark: fiber reach and the extension plan on the demo province.

Usage::

    python benchmarks/fiber_bench.py [--out DIR] [--operator ANY]

Steps: build the demo province (``phusong.pipeline.run_demo``, which writes the layers and
``scenario.toml``) and load it (not timed); then time

* ``graph_build_s``: :func:`phusong.coverage.fiber.build_fiber_network` (road graph noded at
  intersections, places and fiber nodes attached, existing cable matched to roads);
* ``reach_s``: :func:`phusong.coverage.fiber.fiber_reach` on that network (every place, every
  operator and ANY; free, gigabit and any-fill nodes);
* ``extension_s``: :func:`phusong.planning.plan_fiber_extension` (Steiner tree, routes, km per
  commune).

Targets (2 cores): ``reach_s`` ≤ 5 s, ``extension_s`` ≤ 60 s. ``peak_rss_mb`` is the whole
process (the demo generation included). The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from _common import demo_province, peak_rss_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="demo folder (default: a temp dir)")
    parser.add_argument("--operator", default="ANY", help="plan for this operator (default ANY)")
    args = parser.parse_args()

    from phusong.coverage.fiber import build_fiber_network, fiber_reach
    from phusong.planning import plan_fiber_extension

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or Path(tmp) / "demo"
        t0 = time.perf_counter()
        province = demo_province(folder)
        demo_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        network = build_fiber_network(province)
        graph_build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        reach = fiber_reach(province, network)
        reach_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        plan = plan_fiber_extension(province, reach, args.operator)
        extension_s = time.perf_counter() - t0

    places = reach.places
    status = places["fiber_status"].value_counts().to_dict()
    print(f"road graph: {network.graph.n_vertices} vertices, {network.graph.n_edges} edges, "
          f"{network.graph.length_km:,.0f} km of road")
    print(f"places: {len(places)} ({status}); nodes: {len(reach.nodes)}, "
          f"{int(reach.nodes['full'].sum())} full")
    print(f"plan ({args.operator}): {plan.totals}")
    record = {
        "graph_build_s": round(graph_build_s, 3),
        "reach_s": round(reach_s, 3),
        "extension_s": round(extension_s, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "demo_s": round(demo_s, 2),
        "vertices": network.graph.n_vertices,
        "edges": network.graph.n_edges,
        "places": len(places),
        "hamlets_unserved": int(((places["place_layer"] == "hamlets") & ~places["served"]).sum()),
        "routes": int(plan.totals["routes"]),
        "cable_km": round(float(plan.totals["cable_km"]), 1),
        "targets": {"reach_s": 5.0, "extension_s": 60.0},
    }
    print(json.dumps(record))


if __name__ == "__main__":
    main()
