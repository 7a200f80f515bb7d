"""Fiber reach, indicators and the extension plan as files: a GeoPackage and CSV tables.

:func:`run_fiber` is what ``phusong plan-fiber`` (and the demo) call: load the province, measure
fiber reach along roads, compute T2, T2b, T4, T9 and K2, plan the extension, and write

* ``fiber.gpkg``: ``fiber_hamlets``, ``fiber_parks``, ``fiber_pois`` (every place with its fiber
  status, served or not), ``fiber_nodes`` (free ports, full, places waiting), ``fiber_routes``
  (the new routes, ranked), ``fiber_plan_places`` (each target place and the plan's action, as
  points) and ``fiber_capacity`` (full nodes to extend), in the working CRS with canonical
  column names (ready for QGIS);
* ``csv/fiber_*.csv``: the same tables plus the indicators, the T9 parts, the tables per commune
  and the settings, with headers in Vietnamese or English, booleans as có/không (yes/no) and
  numbers rounded to their columns' decimals (:func:`phusong.metrics.labels.table_for_output`;
  UTF-8 with BOM).

Every file is written atomically and none is replaced unless ``overwrite=True``; every target
is checked before anything is computed.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from phusong._io import check_writable, gpkg_ready, write_csv, write_vectors
from phusong.coverage.fiber import ANY, FiberReach, build_fiber_network, fiber_reach
from phusong.errors import InputError
from phusong.layers.province import Province
from phusong.metrics import fiber as fiber_metrics
from phusong.metrics.labels import table_for_output, value_word
from phusong.planning.fiber import FiberPlan, plan_fiber_extension

__all__ = ["GPKG_NAME", "CSV_DIR", "CSV_TABLES", "GPKG_LAYERS", "FiberRun", "fiber_output_paths",
           "write_fiber_outputs", "run_fiber"]

log = logging.getLogger(__name__)

GPKG_NAME = "fiber.gpkg"
CSV_DIR = "csv"
GPKG_LAYERS: tuple[str, ...] = ("fiber_hamlets", "fiber_parks", "fiber_pois", "fiber_nodes",
                                "fiber_routes", "fiber_plan_places", "fiber_capacity")
"""Layers of ``fiber.gpkg`` (``fiber_places`` is split by layer: one geometry type per layer)."""
CSV_TABLES: tuple[str, ...] = ("fiber_summary", "fiber_t9", "fiber_communes", "fiber_places",
                               "fiber_nodes", "fiber_routes", "fiber_route_communes",
                               "fiber_plan_places", "fiber_capacity", "fiber_plan_communes",
                               "fiber_settings")
"""Tables written as ``csv/<name>.csv``."""


@dataclass(frozen=True, eq=False)
class FiberRun:
    """What :func:`run_fiber` computed and wrote."""

    reach: FiberReach
    plan: FiberPlan
    tables: dict[str, pd.DataFrame]
    files: dict[str, Path]
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """A few lines for the terminal."""
        lines = []
        for row in self.tables["fiber_summary"].itertuples(index=False):
            lines.append(f"{row.indicator_id:<4} {row.status_text:<16} {row.result_text}"
                         f"  [{row.target_text}; {row.deadline_text}]")
        t = self.plan.totals
        lines.append(f"Extension ({self.plan.operator}): {t['routes']} routes, "
                     f"{t['cable_km']:,.1f} km of new cable, {t['splitters']} splitters, "
                     f"{t['cost_vnd'] / 1e9:,.2f} billion VND; places: {t['places_route']} by "
                     f"route, {t['places_splitter_on_cable']} on existing cable, "
                     f"{t['places_add_ports']} at full nodes, {t['places_unreachable']} "
                     f"unreachable, {t['places_off_road']} off road.")
        lines.append(f"GeoPackage: {self.files.get('gpkg', '')}")
        return "\n".join(lines)


def fiber_output_paths(out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Paths of every file :func:`write_fiber_outputs` writes."""
    out = Path(out_dir)
    paths = {"gpkg": out / GPKG_NAME}
    for name in CSV_TABLES:
        paths[f"csv:{name}"] = out / CSV_DIR / f"{name}.csv"
    return paths


def _tables(reach: FiberReach, plan: FiberPlan, province: Province, lang: str
            ) -> dict[str, pd.DataFrame]:
    ctx = fiber_metrics.fiber_context(province, lang)
    ctx.memo(("fiber", "reach"), lambda: reach)
    places = fiber_metrics.place_table(ctx).copy()
    places["served_after"] = plan.served_after
    plan_places = plan.places.copy()
    plan_places.insert(plan_places.columns.get_loc("action") + 1, "action_text",
                       [value_word(a, lang) for a in plan_places["action"]])
    plan_communes = plan.communes
    return {
        "fiber_summary": fiber_metrics.summary_values(ctx),
        "fiber_t9": fiber_metrics.t9_table(ctx),
        "fiber_communes": fiber_metrics.commune_table(ctx),
        "fiber_places": places,
        "fiber_nodes": reach.nodes,
        "fiber_routes": plan.routes,
        "fiber_route_communes": plan.route_communes,
        "fiber_plan_places": plan_places,
        "fiber_capacity": plan.capacity,
        "fiber_plan_communes": plan_communes,
        "fiber_settings": fiber_metrics.settings_table(reach, lang),
    }


def write_fiber_outputs(tables: dict[str, pd.DataFrame], out_dir: str | os.PathLike[str],
                        lang: str = "vi", overwrite: bool = False) -> dict[str, Path]:
    """Write the fiber tables: ``fiber.gpkg`` and ``csv/fiber_*.csv``.

    Raises
    ------
    OutputExistsError
        If an output exists and ``overwrite`` is false (checked before anything is written).
    """
    paths = fiber_output_paths(out_dir)
    for path in paths.values():
        check_writable(path, overwrite)
    places = tables["fiber_places"]
    frames = {f"fiber_{layer}": places.loc[places["place_layer"] == layer]
              for layer in ("hamlets", "parks", "pois")}
    plan_places = tables["fiber_plan_places"].copy()
    plan_places["geometry"] = shapely.point_on_surface(plan_places.geometry.values)
    frames["fiber_plan_places"] = plan_places
    layers = {}
    for name in GPKG_LAYERS:
        table = frames[name] if name in frames else tables[name]
        layers[name] = gpkg_ready(gpd.GeoDataFrame(table, geometry="geometry", crs=table.crs))
    write_vectors(paths["gpkg"], layers, overwrite=overwrite)
    for name in CSV_TABLES:
        write_csv(paths[f"csv:{name}"], table_for_output(tables[name], lang, name),
                  overwrite=overwrite)
    log.info("fiber tables written to %s", Path(out_dir))
    return paths


def run_fiber(scenario: str | os.PathLike[str] | Province, out_dir: str | os.PathLike[str],
              lang: str = "vi", operator: str = ANY, overwrite: bool = False,
              progress: bool = False) -> FiberRun:
    """Fiber reach, the fixed-broadband indicators and the extension plan, written to ``out_dir``.

    Parameters
    ----------
    scenario
        A scenario file (loaded and validated) or a loaded :class:`Province`.
    out_dir
        Folder for ``fiber.gpkg`` and ``csv/``.
    lang
        ``"vi"`` or ``"en"``: headers and texts of the tables.
    operator
        Plan the extension for this operator, or ``ANY`` (every operator's fiber).
    overwrite
        Replace the files of an earlier run.
    progress
        Show progress bars while loading.

    Raises
    ------
    OutputExistsError
        If an output exists and ``overwrite`` is false (before any work).
    InputError
        On an unknown language or operator, or without roads or fiber nodes.
    """
    if lang not in ("vi", "en"):
        msg = f"lang = {lang!r}: choose one of vi, en"
        raise InputError(msg)
    seconds: dict[str, float] = {}
    # 0. refuse to touch an earlier run before any work is done
    for path in fiber_output_paths(out_dir).values():
        check_writable(path, overwrite)
    # 1. the province's layers
    t0 = time.perf_counter()
    from phusong.layers.validate import load_province

    province = load_province(scenario, progress=progress)
    seconds["load"] = time.perf_counter() - t0
    # 2. the road graph with places and nodes attached, then reach along it
    t0 = time.perf_counter()
    network = build_fiber_network(province)
    seconds["graph"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    reach = fiber_reach(province, network)
    seconds["reach"] = time.perf_counter() - t0
    # 3. the extension plan
    t0 = time.perf_counter()
    plan = plan_fiber_extension(province, reach, operator)
    seconds["extension"] = time.perf_counter() - t0
    # 4. indicators and tables, then the files
    t0 = time.perf_counter()
    tables = _tables(reach, plan, province, lang)
    files = write_fiber_outputs(tables, out_dir, lang=lang, overwrite=overwrite)
    seconds["write"] = time.perf_counter() - t0
    return FiberRun(reach, plan, tables, files, seconds)

