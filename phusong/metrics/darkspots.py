"""Dark spots (vùng lõm sóng, trắng sóng): D1.

Method
    1. A cell is *inhabited* when it holds at least ``populated_min_per_km2`` people per km²
       (people on the coverage grid, see :mod:`phusong.metrics._grids`), and *uncovered* when it
       has no mobile broadband of any operator (4G or 5G at the RSRP threshold and
       ``min_dl_mbps``).
    2. A dark spot is a connected area (8-neighbour) of uncovered, inhabited cells inside the
       province; spots with fewer than ``dark_spot_min_people`` people are not listed.
    3. A spot is *trắng sóng* when most of its people have no usable signal at all (best RSRP of
       any operator and technology below ``usable_rsrp_dbm``), else *lõm sóng* (signal, but
       below the broadband threshold).
    4. Spots are ranked by people affected and drawn as the outline of their cells, with the
       commune holding most of their people, every commune they reach and the hamlets they
       touch (a hamlet polygon that intersects the spot, or a hamlet point within
       ``hamlet_radius_m`` of it).
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import ndimage

from phusong.coverage.grid import ANY, TECHS
from phusong.metrics._grids import is_polygonal
from phusong.metrics.context import BROADBAND, MetricContext
from phusong.metrics.results import IndicatorValue, fmt_number

__all__ = ["WHITE", "WEAK", "KIND_TEXT", "best_rsrp_dbm", "dark_spot_labels", "dark_spot_table",
           "commune_columns", "d1"]

log = logging.getLogger(__name__)

WHITE = "trang_song"
"""Kind of a spot where most people have no usable signal at all."""
WEAK = "lom_song"
"""Kind of a spot with signal below the broadband threshold."""
KIND_TEXT = {WHITE: {"vi": "trắng sóng", "en": "no signal"},
             WEAK: {"vi": "lõm sóng", "en": "weak signal"}}


def best_rsrp_dbm(ctx: MetricContext) -> NDArray[np.float32]:
    """Best RSRP of any operator and technology per cell (−inf where nothing reaches)."""

    def build() -> NDArray[np.float32]:
        best = np.full(ctx.grid.shape, -np.inf, dtype=np.float32)
        for tech in TECHS:
            layer = ctx.grid.layer(ANY, tech)
            if layer is not None:
                np.fmax(best, layer.rsrp_dbm, out=best)
        return best

    return ctx.memo(("best_rsrp",), build)


def dark_spot_labels(ctx: MetricContext) -> tuple[NDArray[np.int32], pd.DataFrame]:
    """Label raster of the listed dark spots (rank 1 = most people; 0 elsewhere) and their stats.

    The stats frame has one row per listed spot: ``people``, ``people_no_signal``, ``cells``,
    ``best_rsrp_dbm``.
    """

    def build() -> tuple[NDArray[np.int32], pd.DataFrame]:
        th = ctx.thresholds
        people = ctx.population.people
        cell_km2 = ctx.grid.cell_area_m2 / 1e6
        inhabited = people >= th.populated_min_per_km2 * cell_km2 if th.populated_min_per_km2 > 0 \
            else people > 0
        candidate = ~ctx.mask(BROADBAND, ANY) & (ctx.commune_label > 0) & inhabited
        labels, n = ndimage.label(candidate, structure=np.ones((3, 3), dtype=bool))
        flat = labels.reshape(-1)
        cells = np.flatnonzero(flat)
        comp = flat[cells] - 1
        w = people.reshape(-1)[cells].astype(np.float64)
        best = best_rsrp_dbm(ctx).reshape(-1)[cells]
        white = best < th.usable_rsrp_dbm
        stats = pd.DataFrame({
            "people": np.bincount(comp, weights=w, minlength=n),
            "people_no_signal": np.bincount(comp, weights=w * white, minlength=n),
            "cells": np.bincount(comp, minlength=n),
        })
        best_comp = np.full(n, -np.inf)
        np.maximum.at(best_comp, comp, best.astype(np.float64))
        stats["best_rsrp_dbm"] = np.where(np.isfinite(best_comp), best_comp, np.nan)
        keep = (stats["people"] >= max(th.dark_spot_min_people, 1e-9)).to_numpy()
        order = np.flatnonzero(keep)[np.argsort(-stats["people"].to_numpy()[keep], kind="stable")]
        lut = np.zeros(n + 1, dtype=np.int32)
        lut[order + 1] = np.arange(1, len(order) + 1, dtype=np.int32)
        kept = lut[labels]
        return kept, stats.iloc[order].reset_index(drop=True)

    return ctx.memo(("dark_spot_labels",), build)


def _polygons(kept: NDArray[np.int32], ctx: MetricContext, n: int) -> NDArray[np.object_]:
    """One (Multi)Polygon per spot: the outline of its cells."""
    from rasterio.features import shapes
    from shapely.geometry import shape

    polys = []
    values = []
    for geom, value in shapes(kept, mask=kept > 0, connectivity=4, transform=ctx.grid.transform):
        polys.append(shape(geom))
        values.append(int(value) - 1)
    out = np.full(n, None, dtype=object)
    if polys:
        order = np.argsort(values, kind="stable")
        shapely.multipolygons(np.asarray(polys, dtype=object)[order],
                              indices=np.asarray(values)[order], out=out)
    return out


def dark_spot_table(ctx: MetricContext) -> gpd.GeoDataFrame:
    """One row per dark spot, ranked by people affected.

    Columns: ``rank``, ``spot_id``, ``kind`` (``trang_song`` / ``lom_song``), ``kind_text``,
    ``people``, ``people_no_signal``, ``area_km2``, ``best_rsrp_dbm``, ``commune_code`` and
    ``commune_name`` (most people), ``communes`` (all reached), ``hamlets`` (count),
    ``hamlet_names``, ``hamlet_ids``; (Multi)Polygons.
    """

    def build() -> gpd.GeoDataFrame:
        kept, stats = dark_spot_labels(ctx)
        n = len(stats)
        out = pd.DataFrame({"rank": np.arange(1, n + 1),
                            "spot_id": [f"D{i:04d}" for i in range(1, n + 1)]})
        kind = np.where(stats["people_no_signal"] >= 0.5 * stats["people"], WHITE, WEAK)
        out["kind"] = kind
        out["kind_text"] = np.where(kind == WHITE, KIND_TEXT[WHITE][ctx.lang],
                                    KIND_TEXT[WEAK][ctx.lang])
        out["people"] = stats["people"].to_numpy()
        out["people_no_signal"] = stats["people_no_signal"].to_numpy()
        out["area_km2"] = stats["cells"].to_numpy() * ctx.grid.cell_area_m2 / 1e6
        out["best_rsrp_dbm"] = stats["best_rsrp_dbm"].to_numpy()
        # communes: people of each (spot, commune)
        flat = kept.reshape(-1)
        cells = np.flatnonzero(flat)
        pairs = pd.DataFrame({"spot": flat[cells] - 1,
                              "commune": ctx.commune_label.reshape(-1)[cells] - 1,
                              "people": ctx.population.people.reshape(-1)[cells]})
        sums = pairs.groupby(["spot", "commune"], sort=True)["people"].sum().reset_index()
        main = sums.loc[sums.groupby("spot")["people"].idxmax()]
        codes = ctx.communes["commune_code"].to_numpy(dtype=object)
        names = ctx.communes["name"].to_numpy(dtype=object)
        out["commune_code"] = pd.Series(codes[main["commune"].to_numpy()],
                                        index=main["spot"].to_numpy()).reindex(range(n)).to_numpy()
        out["commune_name"] = pd.Series(names[main["commune"].to_numpy()],
                                        index=main["spot"].to_numpy()).reindex(range(n)).to_numpy()
        sums["name"] = names[sums["commune"].to_numpy()]
        out["communes"] = sums.groupby("spot")["name"].agg("; ".join).reindex(range(n)).fillna(
            "").to_numpy()
        geoms = _polygons(kept, ctx, n)
        spots = gpd.GeoDataFrame(out, geometry=geoms, crs=ctx.province.crs)
        _add_hamlets(ctx, spots)
        return spots[[c for c in spots.columns if c != "geometry"] + ["geometry"]]

    return ctx.memo(("table", "dark_spots"), build)


def _add_hamlets(ctx: MetricContext, spots: gpd.GeoDataFrame) -> None:
    """Add ``hamlets`` (count), ``hamlet_names`` and ``hamlet_ids`` of the hamlets each touches."""
    hamlets = ctx.province.hamlets
    spots["hamlets"] = 0
    spots["hamlet_names"] = ""
    spots["hamlet_ids"] = ""
    if hamlets is None or len(spots) == 0 or len(hamlets) == 0:
        return
    geoms = hamlets.geometry.values
    reach = np.where(is_polygonal(hamlets.geometry), geoms,
                     shapely.buffer(geoms, max(ctx.thresholds.hamlet_radius_m, 0.01)))
    left = gpd.GeoDataFrame({"name": hamlets["name"].astype(str).to_numpy(),
                             "hamlet_id": hamlets["hamlet_id"].astype(str).to_numpy()},
                            geometry=reach, crs=hamlets.crs)
    right = gpd.GeoDataFrame({"spot": np.arange(len(spots))}, geometry=spots.geometry.values,
                             crs=spots.crs)
    pairs = gpd.sjoin(left, right, predicate="intersects", how="inner")
    grouped = pairs.sort_index(kind="stable").groupby("spot")
    every = range(len(spots))
    spots["hamlets"] = grouped.size().reindex(every).fillna(0).astype(int).to_numpy()
    for col, name in (("hamlet_names", "name"), ("hamlet_ids", "hamlet_id")):
        spots[col] = grouped[name].agg("; ".join).reindex(every).fillna("").to_numpy()


def commune_columns(ctx: MetricContext) -> pd.DataFrame:
    """Per commune: ``dark_spots`` (holding most of the spot's people) and ``dark_spot_people``."""
    kept, _ = dark_spot_labels(ctx)
    table = dark_spot_table(ctx)
    n = len(ctx.communes)
    flat = kept.reshape(-1)[ctx.populated]
    people = np.bincount(ctx.populated_commune[flat > 0], weights=ctx.populated_people[flat > 0],
                         minlength=n)[:n]
    counts = table["commune_code"].value_counts()
    codes = ctx.communes["commune_code"]
    return pd.DataFrame({"commune_code": codes.to_numpy(),
                         "dark_spots": codes.map(counts).fillna(0).astype(int).to_numpy(),
                         "dark_spot_people": people})


def d1(ctx: MetricContext) -> IndicatorValue:
    """D1: people living in dark spots (target: none left)."""
    if ctx.population.source == "none":
        return IndicatorValue.not_computed(ctx.text("không có số liệu dân số",
                                                    "no population data"))
    table = dark_spot_table(ctx)
    people = float(table["people"].sum())
    n = len(table)
    white = int((table["kind"] == WHITE).sum())
    if n:
        top = table.iloc[0]
        biggest = ctx.text(f"; lớn nhất: {top['commune_name']}, {fmt_number(top['people'], 'vi')} người",
                           f"; largest: {top['commune_name']}, {fmt_number(top['people'], 'en')} people")
    else:
        biggest = ""
    detail = ctx.text(f"{n} vùng ({white} trắng sóng, {n - white} lõm sóng){biggest}",
                      f"{n} spots ({white} no signal, {n - white} weak signal){biggest}")
    log.debug("D1: %d spots, %.0f people", n, people)
    return IndicatorValue(people, shortfall=people, count=float(n), total=None, detail=detail)
