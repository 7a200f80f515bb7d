"""Provinces, coverage and indicators for the map and report tests.

* :func:`tiny_case`: the conftest tiny province (three communes, six hamlets, QL3 with a 1.5 km
  gap) with its hand-made coverage grid; fast and fixed, used for golden images.
* :func:`commune_case`: the demo's commune preset (one commune, 20 hamlets, 27 sites), written
  once per test process into a temporary folder. Coverage comes from
  ``phusong.coverage.engine.predict_coverage`` when the engine is importable, otherwise from
  the labelled stand-in ``_coverage_fixtures.site_distance_grid``.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from _metrics_province import tiny_grid, tiny_province

from phusong.coverage.grid import CoverageGrid
from phusong.layers.province import Province
from phusong.metrics import IndicatorResults, compute_indicators


@dataclass(frozen=True)
class Case:
    """A province, its coverage grid and its indicators."""

    province: Province
    grid: CoverageGrid
    results: IndicatorResults
    coverage: str
    """``"engine"`` or ``"stand-in"``."""


def coverage(province: Province) -> tuple[CoverageGrid, str]:
    """The engine's prediction, or the labelled stand-in grid when the engine is missing."""
    try:
        from phusong.coverage.engine import predict_coverage
    except ImportError:
        from _coverage_fixtures import site_distance_grid

        return site_distance_grid(province), "stand-in"
    return predict_coverage(province), "engine"


def tiny_case(folder: Path, lang: str = "vi") -> Case:
    """The tiny province with its hand-made grid (population raster written into ``folder``)."""
    folder.mkdir(parents=True, exist_ok=True)
    province = tiny_province(folder)
    grid = tiny_grid()
    return Case(province, grid, compute_indicators(province, grid, lang=lang), "hand-made")


@functools.cache
def _commune_folder() -> Path:
    from phusong.pipeline import run_demo

    folder = Path(tempfile.mkdtemp(prefix="phusong-commune-"))
    atexit.register(shutil.rmtree, folder, True)
    run_demo(folder / "demo", preset="commune", stages=False)
    return folder / "demo"


@functools.cache
def _commune_grid(stand_in: bool) -> tuple[Province, CoverageGrid, str]:
    from phusong.layers import load_province

    province = load_province(_commune_folder() / "scenario.toml")
    if stand_in:
        from _coverage_fixtures import site_distance_grid

        return province, site_distance_grid(province), "stand-in"
    grid, kind = coverage(province)
    return province, grid, kind


@functools.cache
def commune_case(lang: str = "vi", stand_in: bool = False) -> Case:
    """The demo commune preset, its coverage and indicators (computed once per process).

    ``stand_in=True`` uses the stand-in grid whatever engine there is: its content is fixed (one
    road gap over 1 km on QL3B, one dark spot), which tests of what is drawn need.
    """
    province, grid, kind = _commune_grid(stand_in)
    return Case(province, grid, compute_indicators(province, grid, lang=lang), kind)


def commune_scenario() -> Path:
    """``scenario.toml`` of the demo commune preset."""
    return _commune_folder() / "scenario.toml"
