"""Orchestration: the whole flow on a scenario, and on the demo province.

Each function reads like the methods section of a report: one commented call per stage: the
layers and their validation (:mod:`phusong.layers`), radio coverage (:mod:`phusong.coverage`),
the plan indicators (:mod:`phusong.metrics`), fiber reach and extension and BTS site proposals
(:mod:`phusong.planning`), maps and report (:mod:`phusong.maps`, :mod:`phusong.reports`).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from phusong._io import check_writable, write_text
from phusong.config import LayerSource, Scenario, render_scenario
from phusong.layers.issues import ValidationReport
from phusong.layers.validate import check_scenario

__all__ = ["DemoResult", "RunResult", "run_all", "run_demo", "demo_scenario"]

log = logging.getLogger(__name__)

SCENARIO_FILE = "scenario.toml"
REPORT_FILES = ("validation.csv", "validation.json")
_GPKG_LAYERS = ("communes", "hamlets", "roads", "parks", "pois", "sites", "fiber_routes",
                "fiber_nodes")


@dataclass(frozen=True)
class RunResult:
    """What :func:`run_all` produced: the folders written and the time of each stage."""

    out_dir: Path
    folders: dict[str, Path]
    seconds: dict[str, float]
    summary_text: str = ""

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [f"  {stage}: {path}" for stage, path in self.folders.items()]
        lines += [f"  {stage}: {s:.1f} s" for stage, s in self.seconds.items()]
        return "\n".join(([self.summary_text] if self.summary_text else []) + lines)


STAGE_FOLDERS = {"coverage": "coverage", "indicators": "indicators", "fiber": "indicators",
                 "plan": "plan", "report": "report"}


def stage_folders(out_dir: Path, plan: bool = True, report: bool = True) -> dict[str, Path]:
    """The folder of each stage that runs (``plan`` and ``report`` are optional)."""
    wanted = {"plan": plan, "report": report}
    return {stage: out_dir / name for stage, name in STAGE_FOLDERS.items() if wanted.get(stage, True)}


def _refuse_existing(folder: Path, overwrite: bool) -> None:
    """Stop before any work when a stage folder holds files of an earlier run."""
    if overwrite or not folder.exists():
        return
    for path in folder.rglob("*"):
        if path.is_file():
            check_writable(path, overwrite)


def run_all(scenario: str | os.PathLike[str], out_dir: str | os.PathLike[str], *,
            lang: str = "vi", resolution_m: float | None = None, plan: bool = True,
            report: bool = True, overwrite: bool = False, progress: bool = False) -> RunResult:
    """Run every stage on a scenario: coverage, indicators, fiber, site proposals, maps and report.

    Parameters
    ----------
    scenario
        Path of the ``scenario.toml``.
    out_dir
        Output folder; the stages write into ``coverage/``, ``indicators/`` (indicator and
        fiber tables), ``plan/`` (proposed sites) and ``report/`` (map, print maps, report)
        below it.
    lang
        ``"vi"`` or ``"en"`` for tables, maps and report.
    resolution_m
        Coverage grid cell size (default: the scenario's ``radio.resolution_m``).
    plan
        Propose BTS sites against T3, T6 and K1 (:func:`phusong.planning.run_plan`).
    report
        Write the interactive map, print maps and the HTML/PDF report.
    overwrite
        Replace outputs of an earlier run; without it, existing outputs stop the run before
        any work is done.
    progress
        Show progress bars.

    Raises
    ------
    ValidationFailed
        If the inputs have errors (the report lists them all).
    OutputExistsError
        If outputs exist and ``overwrite`` is false.
    """
    from phusong.coverage.engine import predict_coverage
    from phusong.layers.validate import load_province
    from phusong.metrics import compute_indicators
    from phusong.planning.fiber_outputs import run_fiber
    from phusong.reports import write_indicator_tables

    out = Path(out_dir)
    folders = stage_folders(out, plan, report)
    seconds: dict[str, float] = {}
    # 0. refuse to touch an earlier run before any work is done
    for folder in set(folders.values()):
        _refuse_existing(folder, overwrite)
    # 1. the province's layers, checked
    t0 = time.perf_counter()
    province = load_province(scenario, progress=progress)
    seconds["load"] = time.perf_counter() - t0
    # 2. radio coverage per operator and technology, and its rasters
    t0 = time.perf_counter()
    grid = predict_coverage(province, resolution_m=resolution_m, progress=progress)
    grid.write(folders["coverage"], overwrite=overwrite)
    seconds["coverage"] = time.perf_counter() - t0
    # 3. the plan indicators from the coverage
    t0 = time.perf_counter()
    results = compute_indicators(province, grid, lang=lang)
    write_indicator_tables(results, folders["indicators"], lang=lang, overwrite=overwrite)
    seconds["indicators"] = time.perf_counter() - t0
    # 4. fiber reach, its indicators and the cheapest extension along roads
    t0 = time.perf_counter()
    fiber = run_fiber(province, folders["fiber"], lang=lang, overwrite=overwrite)
    seconds["fiber"] = time.perf_counter() - t0
    texts = [results.to_text(), fiber.summary()]
    # 5. BTS sites that close the hamlet, road and park gaps at least cost
    proposals = None
    if plan:
        from phusong.planning import proposals_layer, run_plan

        t0 = time.perf_counter()
        site_plan = run_plan(province, folders["plan"], lang=lang, overwrite=overwrite,
                             progress=progress)
        proposals = proposals_layer(site_plan)
        seconds["plan"] = time.perf_counter() - t0
        texts.append(site_plan.summary())
    # 6. what a planner opens: the interactive map, print maps, report.html and report.pdf
    if report:
        from phusong.reports import write_report

        t0 = time.perf_counter()
        write_report(province, results, folders["report"], grid, lang=lang, tables=False,
                     overwrite=overwrite, fiber=fiber.reach, fiber_plan=fiber.plan,
                     proposals=proposals, progress=progress)
        seconds["report"] = time.perf_counter() - t0
    log.info("all stages written to %s", out)
    return RunResult(out, folders, seconds, "\n".join(t for t in texts if t))


@dataclass(frozen=True)
class DemoResult:
    """What :func:`run_demo` wrote."""

    out_dir: Path
    scenario_path: Path
    files: dict[str, Path]
    report: ValidationReport
    seconds: dict[str, float] = field(default_factory=dict)
    run: RunResult | None = None

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [f"Demo province written to {self.out_dir}",
                 f"  scenario:   {self.scenario_path}",
                 f"  validation: {self.report.summary()} "
                 f"({', '.join(str(self.out_dir / f) for f in REPORT_FILES)})"]
        lines += [f"  {stage}: {s:.1f} s" for stage, s in self.seconds.items()]
        if self.run is not None:
            lines.append(self.run.summary())
        lines.append(f"Next: phusong check {self.scenario_path}")
        return "\n".join(lines)


def demo_scenario(files: dict[str, Path], out_dir: Path, seed: int, preset: str) -> Scenario:
    """The scenario that names the demo's files (paths relative to ``out_dir``)."""
    import pyogrio

    from phusong.config import ProvinceConfig

    layers = {}
    for name, path in files.items():
        rel = os.path.relpath(path, out_dir)
        layer = name if name in _GPKG_LAYERS and Path(rel).suffix == ".gpkg" else ""
        if layer and pyogrio.read_info(path, layer=layer)["features"] == 0:
            continue  # e.g. no industrial park in the one-commune preset
        layers[name] = LayerSource(path=rel, layer=layer)
    title = "Thái Nguyên (demo)" if preset == "province" else "xã Trần Phú (demo)"
    return Scenario(province=ProvinceConfig(name=title), layers=layers, base_dir=out_dir,
                    source=str(out_dir / SCENARIO_FILE))


def run_demo(out_dir: str | os.PathLike[str], seed: int = 2030, preset: str = "province",
             overwrite: bool = False, progress: bool = False, stages: bool = True,
             resolution_m: float | None = None, lang: str = "vi", plan: bool = True,
             report: bool = True) -> DemoResult:
    """Write the demo province into ``out_dir`` and run every stage on it.

    Parameters
    ----------
    out_dir
        Output folder (created if needed).
    seed
        Seed of the generator; the same seed gives byte-identical layers.
    preset
        ``"province"`` (the whole synthetic Thái Nguyên) or ``"commune"`` (one commune).
    overwrite
        Replace the files of an earlier run; without it an existing file stops the run before
        anything is written.
    progress
        Show progress bars.
    stages
        Run the stages after validation (coverage, indicators, fiber, sites, report);
        ``False`` writes the layers, the scenario and the validation report only.
    resolution_m
        Coverage cell size (default: the scenario's ``radio.resolution_m``).
    lang
        ``"vi"`` or ``"en"`` for tables, maps and report.
    plan, report
        Run the site proposals and the maps and report (as in :func:`run_all`).

    Raises
    ------
    OutputExistsError
        If an output exists and ``overwrite`` is false.
    """
    from phusong.layers.demo import DemoFiles, write_demo

    out = Path(out_dir)
    seconds: dict[str, float] = {}
    # 0. refuse to touch an earlier run before any work is done
    for name in (SCENARIO_FILE, *REPORT_FILES, *dataclasses.astuple(DemoFiles())):
        check_writable(out / name, overwrite)
    if stages:
        for folder in set(stage_folders(out, plan, report).values()):
            _refuse_existing(folder, overwrite)
    # 1. the province's layers as ordinary files
    t0 = time.perf_counter()
    files = write_demo(out, seed=seed, preset=preset, overwrite=overwrite, progress=progress)
    seconds["layers"] = time.perf_counter() - t0
    # 2. the scenario that names them, with every setting documented
    scenario = demo_scenario(files, out.resolve(), seed, preset)
    scenario_path = out / SCENARIO_FILE
    write_text(scenario_path, render_scenario(scenario, title=f"{scenario.province.name}, "
                                              f"seed {seed}"), overwrite=overwrite)
    # 3. validation, as any user's files would be checked
    t0 = time.perf_counter()
    report, _ = check_scenario(scenario_path, progress=progress)
    for name in REPORT_FILES:
        report.write(out / name, overwrite=overwrite)
    seconds["validation"] = time.perf_counter() - t0
    log.info("demo written to %s: %s", out, report.summary())
    # 4. every stage after it: coverage, indicators, fiber
    run = None
    if stages:
        run = run_all(scenario_path, out, lang=lang, resolution_m=resolution_m, plan=plan,
                      report=report, overwrite=overwrite, progress=progress)
    return DemoResult(out, scenario_path, files, report, seconds, run)
