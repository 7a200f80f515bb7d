"""Benchmark on the real public extracts of Thái Nguyên (../shared/data/real, PROVENANCE.md).

Usage::

    python benchmarks/real_bench.py [--cell 30] [--shared ../shared]

Reads the real layers through a scenario that points at the files where they are (never
copied): the 17 districts of 2019 as the commune layer, the 92 communes of 2025 at their
centroids with their population as places, the national and provincial roads (railways left out
by the scenario's ``where``). Times the reader and validation (``load_s``), then every indicator
(``metrics_s``) on a coverage grid over the whole province at ``--cell`` metres: a known grid,
everything covered but a dark disc of 4 km on the middle of QL3's longest piece (the extracts
have no BTS inventory nor DEM, so no radio prediction is possible on them). The first
:func:`~phusong.metrics.compute_indicators` call (imports, numba compilation) is not timed.

The last line printed is one JSON object: ``load_s``, ``metrics_s``, ``peak_rss_mb``, the grid's
shape and the road gaps found.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, peak_rss_mb

sys.path.insert(0, str(ROOT / "tests"))

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", type=float, default=30.0, help="grid cell size (m)")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                        help="the shared folder holding data/real")
    args = parser.parse_args()
    from _real_case import dark_disc_grid, scenario_text

    from phusong.layers import load_province
    from phusong.metrics import compute_indicators

    real = args.shared / "data" / "real"
    if not real.exists():
        print(json.dumps({"error": f"{real} not found"}))
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "scenario.toml"
        scenario.write_text(scenario_text(real), encoding="utf-8")
        t0 = time.perf_counter()
        province = load_province(scenario)
        load_s = time.perf_counter() - t0
    grid = dark_disc_grid(province, args.cell)
    compute_indicators(province, dark_disc_grid(province, 1000.0))  # imports, numba compilation
    t0 = time.perf_counter()
    results = compute_indicators(province, grid)
    metrics_s = time.perf_counter() - t0
    gaps = results.road_gaps[results.road_gaps["operator"] == "ANY"]
    out = {
        "load_s": round(load_s, 3), "metrics_s": round(metrics_s, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "grid_shape": list(grid.shape), "cell_m": args.cell,
        "communes": len(province.communes), "places": len(province.hamlets),
        "roads": len(province.roads), "road_km": round(float(province.roads.length.sum()) / 1000, 1),
        "road_gaps": len(gaps), "road_gap_km": round(float(gaps["gap_km"].sum()), 2),
        "routes_failing_t6": sorted(set(gaps.loc[gaps["over_limit"], "ref"])),
        "stages_s": {k: round(v, 3) for k, v in results.seconds.items()},
    }
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
