"""Benchmark: the report of the full demo province (map, print maps, HTML, PDF, tables).

Usage::

    python benchmarks/report_bench.py [--out DIR] [--lang vi|en] [--stand-in]

Steps: build the demo province (``phusong.pipeline.run_demo``, layers only) and load it; predict
coverage with ``phusong.coverage.engine.predict_coverage`` (or, when the engine is missing or
``--stand-in`` is given, with the labelled stand-in ``tests/_coverage_fixtures.site_distance_grid``:
RSRP falling with the distance to each operator's nearest site, not a radio prediction, but
arrays of the engine's shape, so the report's cost is representative); compute the indicators
and the fiber reach and extension plan (drawn on the map, as ``phusong report`` does); then time
:func:`phusong.reports.write_report` (``report_s``: base layers, ``map.html``, the A3 overview
and the 92 A4 commune pages, the indicator tables, ``report.pdf`` and ``report.html``).
``map_html_mb`` is the size of ``map.html`` (10⁶ bytes); ``map_load_ms`` is the time from
navigation start to the end of the page's load event in headless Chromium with the network cut
off (Debian ``chromium`` + ``chromium-driver``, driven by Selenium; median of three loads;
``null`` when they are missing, with the reason in ``map_load_note``).

Targets (issue 7): ``report_s`` ≤ 60 s, ``map_html_mb`` ≤ 25, ``map_load_ms`` ≤ 3,000.

The last line printed is a JSON object with ``report_s``, ``map_html_mb`` and ``map_load_ms``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, demo_province

sys.path.insert(0, str(ROOT / "tests"))

TARGETS = {"report_s": 60.0, "map_html_mb": 25.0, "map_load_ms": 3000.0}


def coverage(province, stand_in: bool):
    """The engine's prediction, or the labelled stand-in grid."""
    if not stand_in:
        try:
            from phusong.coverage.engine import predict_coverage
        except ImportError:
            pass
        else:
            return predict_coverage(province), "engine"
    from _coverage_fixtures import site_distance_grid

    return site_distance_grid(province), "stand-in"


def map_load(path: Path, screenshot: Path | None) -> tuple[float | None, str, dict]:
    """Load time of the map in headless Chromium (median of 3 loads), or why there is none."""
    from _browser import find_browser, missing_reason, open_page

    if find_browser() is None:
        return None, missing_reason(), {}
    loads, last = [], None
    for i in range(3):
        last = open_page(path, screenshot=screenshot if i == 0 else None, settle_s=0.5)
        if last.load_ms is not None:
            loads.append(float(last.load_ms))
    problems = {"failed_requests": len(last.failed), "external_requests": len(last.external_requests),
                "console_errors": len(last.console_errors), "dom": last.counts}
    loads.sort()
    return (loads[len(loads) // 2] if loads else None), "", problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: temporary)")
    parser.add_argument("--lang", choices=["vi", "en"], default="vi")
    parser.add_argument("--stand-in", action="store_true", help="use the stand-in coverage grid")
    parser.add_argument("--screenshot", type=Path, default=None, help="save a screenshot of the map")
    args = parser.parse_args(argv)
    from phusong.metrics import compute_indicators
    from phusong.reports import write_report
    from phusong.reports.report import fiber_for_map

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or Path(tmp)
        t0 = time.perf_counter()
        province = demo_province(folder / "demo")
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        grid, coverage_kind = coverage(province, args.stand_in)
        coverage_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        results = compute_indicators(province, grid, lang=args.lang)
        metrics_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        fiber, plan = fiber_for_map(province)
        fiber_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        files = write_report(province, results, folder / "report", grid, lang=args.lang, overwrite=True,
                             fiber=fiber, fiber_plan=plan)
        report_s = time.perf_counter() - t0
        map_mb = files.map_html.stat().st_size / 1e6
        load_ms, note, browser = map_load(files.map_html, args.screenshot)
        out = {
            "report_s": round(report_s, 2), "map_html_mb": round(map_mb, 2),
            "map_load_ms": None if load_ms is None else round(load_ms, 0),
        }
        if note:
            out["map_load_note"] = note
        out.update({
            "targets": TARGETS,
            "within_targets": bool(report_s <= TARGETS["report_s"] and map_mb <= TARGETS["map_html_mb"]
                                   and (load_ms is None or load_ms <= TARGETS["map_load_ms"])),
            "report_stages_s": {k: round(v, 2) for k, v in files.seconds.items()},
            "report_html_mb": round(files.report_html.stat().st_size / 1e6, 2),
            "report_pdf_pages": len(files.pdf_pages),
            "communes_pdf_mb": round(files.maps.communes_pdf.stat().st_size / 1e6, 2)
            if files.maps.communes_pdf else None,
            "browser": browser, "province": "demo", "coverage": coverage_kind,
            "grid_shape": list(grid.shape), "communes": len(province.communes),
            "hamlets": 0 if province.hamlets is None else len(province.hamlets),
            "build_s": round(build_s, 1), "coverage_s": round(coverage_s, 1),
            "metrics_s": round(metrics_s, 1), "fiber_s": round(fiber_s, 1),
            "python": platform.python_version(),
        })
        print(files.summary())
        print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
