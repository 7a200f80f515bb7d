"""Benchmark: every plan indicator on the demo province, coverage already computed.

Usage::

    python benchmarks/metrics_bench.py [--out DIR] [--write]

Steps (not timed unless said): build the demo province (``phusong.pipeline.run_demo`` with
``stages=False``, which writes the layers and ``scenario.toml``) and load it; predict coverage
with :func:`phusong.coverage.predict_coverage` at the scenario's 30 m (``coverage_s``); then time
:func:`phusong.metrics.compute_indicators` (``metrics_s``) and, with ``--write``,
:func:`phusong.reports.write_indicator_tables` (``write_s``).

``peak_rss_mb`` is the whole process (the demo generation included);
``peak_rss_before_metrics_mb`` is the peak before the timed call.

The last line printed is a JSON object with ``metrics_s`` and ``peak_rss_mb``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from _common import demo_province, peak_rss_mb


def warm_up_grid(grid):
    """An 8 × 8 corner of the grid, to load modules and compile numba kernels before timing."""
    from phusong.coverage.grid import CoverageGrid, CoverageLayer

    layers = {k: CoverageLayer(v.operator, v.tech, v.rsrp_dbm[:8, :8], v.sinr_db[:8, :8],
                               v.dl_mbps[:8, :8], v.server[:8, :8]) for k, v in grid.layers.items()}
    return CoverageGrid(grid.transform, grid.crs, (8, 8), layers, grid.rsrp_threshold_dbm,
                        grid.min_dl_mbps, grid.settings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: temporary)")
    parser.add_argument("--write", action="store_true", help="also time the table writing")
    args = parser.parse_args(argv)
    from phusong.coverage import predict_coverage
    from phusong.metrics import compute_indicators

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or Path(tmp)
        t0 = time.perf_counter()
        province = demo_province(folder / "demo")
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        grid = predict_coverage(province)
        coverage_s = time.perf_counter() - t0
        compute_indicators(province, warm_up_grid(grid))  # imports, numba compilation
        rss_before_mb = peak_rss_mb()
        t0 = time.perf_counter()
        results = compute_indicators(province, grid)
        metrics_s = time.perf_counter() - t0
        out = {"metrics_s": round(metrics_s, 3)}
        if args.write:
            from phusong.reports import write_indicator_tables

            t0 = time.perf_counter()
            write_indicator_tables(results, folder / "metrics", overwrite=True)
            out["write_s"] = round(time.perf_counter() - t0, 3)
        info = results.info()
        out.update({
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "peak_rss_before_metrics_mb": round(rss_before_mb, 1), "province": "demo",
            "coverage": "engine", "grid_shape": list(grid.shape),
            "resolution_m": abs(grid.transform.a),
            "hamlets": 0 if province.hamlets is None else len(province.hamlets),
            "roads": 0 if province.roads is None else len(province.roads),
            "build_s": round(build_s, 1),
            "coverage_s": round(coverage_s, 1), "stages_s": {k: round(v, 3) for k, v in
                                                             results.seconds.items()},
            "met": info["met"], "not_met": info["not_met"], "not_computed": info["not_computed"],
        })
        print(results.to_text())
        print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
