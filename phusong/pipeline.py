"""Orchestration: the whole flow on a scenario, and on the demo province.

Each function reads like the methods section of a report: one commented call per stage. Stages
that exist so far: the demo province (:mod:`phusong.layers.demo`) and validation
(:mod:`phusong.layers.validate`); coverage, indicators, proposals, maps and reports are added
here as they are built.
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

__all__ = ["DemoResult", "run_demo", "demo_scenario"]

log = logging.getLogger(__name__)

SCENARIO_FILE = "scenario.toml"
REPORT_FILES = ("validation.csv", "validation.json")
_GPKG_LAYERS = ("communes", "hamlets", "roads", "parks", "pois", "sites", "fiber_routes",
                "fiber_nodes")


@dataclass(frozen=True)
class DemoResult:
    """What :func:`run_demo` wrote."""

    out_dir: Path
    scenario_path: Path
    files: dict[str, Path]
    report: ValidationReport
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = [f"Demo province written to {self.out_dir}",
                 f"  scenario:   {self.scenario_path}",
                 f"  validation: {self.report.summary()} "
                 f"({', '.join(str(self.out_dir / f) for f in REPORT_FILES)})"]
        lines += [f"  {stage}: {s:.1f} s" for stage, s in self.seconds.items()]
        lines.append(f"Next: phusong check {self.scenario_path}")
        return "\n".join(lines)


def demo_scenario(files: dict[str, Path], out_dir: Path, seed: int, preset: str) -> Scenario:
    """The scenario that names the demo's files (paths relative to ``out_dir``)."""
    from phusong.config import ProvinceConfig

    import pyogrio

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
             overwrite: bool = False, progress: bool = False) -> DemoResult:
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
    return DemoResult(out, scenario_path, files, report, seconds)

