"""Hamlets with mobile broadband: T3, per hamlet, commune and province.

A hamlet (thôn, xóm, bản, tổ dân phố) is covered when the covered share of its people reaches
``thresholds.hamlet_covered_share``. Its people are the people on the coverage grid in:

* the cells whose centre lies inside its polygon, for polygon hamlets (a polygon too small to
  hold a cell centre uses the cell of its representative point);
* the cells whose centre lies within ``thresholds.hamlet_radius_m`` of its point (always
  including the point's own cell), for point hamlets; ``hamlet_radius_m = 0`` is the point's
  cell alone.

When those cells hold no people (no population raster reaches them) the covered share of the
cells (area) is used instead, and the table says so (``share_basis``). The share itself is
reported per hamlet, for the union of operators and for each operator.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from phusong.coverage.grid import ANY
from phusong.metrics._grids import is_polygonal, per_point_stencil, rasterize_index
from phusong.metrics.context import BROADBAND, FIVE_G, MetricContext
from phusong.metrics.results import MET, NOT_MET, IndicatorValue, status_text

__all__ = ["HamletCells", "hamlet_cells", "hamlet_shares", "hamlet_table", "commune_columns",
           "t3"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class HamletCells:
    """Which coverage-grid cells stand for each hamlet.

    Polygon hamlets are a label raster restricted to its labelled cells (``poly_flat`` with
    ``poly_label``, the 0-based hamlet index); point hamlets (and polygons without a cell
    centre) are stencils (``point_flat``/``point_valid``, rows of ``point_index``).
    """

    n: int
    poly_flat: NDArray[np.int64]
    poly_label: NDArray[np.int64]
    point_index: NDArray[np.int64]
    point_flat: NDArray[np.int64]
    point_valid: NDArray[np.bool_]
    method: NDArray[np.object_]


def hamlet_cells(ctx: MetricContext) -> HamletCells:
    """The cells of every hamlet (cached on the context)."""

    def build() -> HamletCells:
        hamlets = ctx.province.hamlets
        assert hamlets is not None
        n = len(hamlets)
        geoms = hamlets.geometry.reset_index(drop=True)
        poly = is_polygonal(geoms)
        poly_idx = np.flatnonzero(poly)
        label = rasterize_index(geoms[poly], ctx.grid).reshape(-1)
        flat = np.flatnonzero(label)
        lab = poly_idx[label[flat] - 1]
        has_cell = np.zeros(n, dtype=bool)
        has_cell[np.unique(lab)] = True
        point_like = ~has_cell
        point_index = np.flatnonzero(point_like)
        radius_m = ctx.thresholds.hamlet_radius_m
        radius = np.where(poly[point_like], 0.0, radius_m)
        pts = shapely.point_on_surface(geoms.values[point_like])
        pflat, pvalid = per_point_stencil(ctx.grid, pts, radius)
        method = np.full(n, "polygon", dtype=object)
        point_text = (f"point +{radius_m:g} m" if radius_m > 0 else "point cell")
        method[point_like] = np.where(poly[point_like], "polygon point cell", point_text)
        return HamletCells(n, flat, lab, point_index, pflat, pvalid, method)

    return ctx.memo(("hamlet_cells",), build)


def hamlet_shares(ctx: MetricContext, kind: str, operator: str = ANY
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Covered share (0–1) of each hamlet's people, its people, and whether the share is by area.

    Returns
    -------
    share, people, by_area
        One value per hamlet, in layer order. ``by_area`` marks hamlets whose cells hold no
        people, whose share is the covered share of their cells.
    """
    cells = hamlet_cells(ctx)
    people_grid = ctx.population.people.reshape(-1)
    mask = ctx.flat_mask(kind, operator)
    n = cells.n
    w = people_grid[cells.poly_flat].astype(np.float64)
    cov = mask[cells.poly_flat]
    # (bincount of an empty array is integer: cast, the point hamlets are written in below)
    people = np.bincount(cells.poly_label, weights=w, minlength=n).astype(np.float64)
    covered_people = np.bincount(cells.poly_label, weights=w * cov, minlength=n).astype(np.float64)
    n_cells = np.bincount(cells.poly_label, minlength=n).astype(np.float64)
    covered_cells = np.bincount(cells.poly_label, weights=cov.astype(np.float64),
                                minlength=n).astype(np.float64)
    if len(cells.point_index):
        pw = np.where(cells.point_valid, people_grid[cells.point_flat], 0.0).astype(np.float64)
        pc = mask[cells.point_flat] & cells.point_valid
        idx = cells.point_index
        people[idx] = pw.sum(axis=1)
        covered_people[idx] = (pw * pc).sum(axis=1)
        n_cells[idx] = cells.point_valid.sum(axis=1)
        covered_cells[idx] = pc.sum(axis=1)
    by_area = people <= 0
    share = np.divide(covered_people, people, out=np.zeros(n), where=~by_area)
    area_share = np.divide(covered_cells, n_cells, out=np.zeros(n), where=n_cells > 0)
    share = np.clip(np.where(by_area, area_share, share), 0.0, 1.0)
    return share, people, by_area


def hamlet_table(ctx: MetricContext) -> gpd.GeoDataFrame:
    """One row per hamlet: covered share of its people and whether it counts as covered (T3).

    Columns: ``hamlet_id``, ``name``, ``commune_code``, ``commune_name``, ``kind``,
    ``population``, ``households``, ``people_grid`` (people in its cells), ``method``,
    ``share_basis``, ``broadband_share_pct``, ``covered``, ``status_text``, ``pop_5g_share_pct``
    and per operator ``broadband_share_pct__<op>``, ``covered__<op>``; geometry.
    """

    def build() -> gpd.GeoDataFrame:
        hamlets = ctx.province.hamlets
        assert hamlets is not None
        limit = ctx.thresholds.hamlet_covered_share
        cols = [c for c in ("hamlet_id", "name", "commune_code", "kind", "population",
                            "households") if c in hamlets]
        out = pd.DataFrame(hamlets[cols]).reset_index(drop=True)
        if "commune_code" in out:
            out.insert(out.columns.get_loc("commune_code") + 1, "commune_name",
                       ctx.commune_name(out["commune_code"]))
        cells = hamlet_cells(ctx)
        for op in ctx.operators:
            suffix = "" if op == ANY else f"__{op}"
            share, people, by_area = hamlet_shares(ctx, BROADBAND, op)
            if op == ANY:
                out["people_grid"] = people
                out["method"] = cells.method
                out["share_basis"] = np.where(by_area, "area", "people")
            out[f"broadband_share_pct{suffix}"] = 100.0 * share
            out[f"covered{suffix}"] = share >= limit
            if op == ANY:
                out["status_text"] = np.where(out["covered"], status_text(MET, ctx.lang),
                                              status_text(NOT_MET, ctx.lang))
                out["pop_5g_share_pct"] = 100.0 * hamlet_shares(ctx, FIVE_G, op)[0]
        return gpd.GeoDataFrame(out, geometry=hamlets.geometry.to_numpy(), crs=hamlets.crs)

    return ctx.memo(("table", "hamlets"), build)


def commune_columns(ctx: MetricContext) -> pd.DataFrame:
    """Per commune: ``hamlets``, ``hamlets_covered``, ``hamlets_covered_pct`` (T3)."""
    table = hamlet_table(ctx)
    if "commune_code" not in table:
        return pd.DataFrame(columns=["commune_code"])
    grouped = table.groupby("commune_code", sort=False)["covered"].agg(["size", "sum"])
    out = pd.DataFrame({"commune_code": grouped.index.astype(str),
                        "hamlets": grouped["size"].to_numpy(),
                        "hamlets_covered": grouped["sum"].to_numpy()})
    out["hamlets_covered_pct"] = 100.0 * out["hamlets_covered"] / out["hamlets"]
    return out


def t3(ctx: MetricContext) -> IndicatorValue:
    """T3: share of hamlets covered by mobile broadband (target 100 %, Q3/2026)."""
    table = hamlet_table(ctx)
    n = len(table)
    if n == 0:
        return IndicatorValue.not_computed(ctx.text("lớp hamlets trống", "the hamlets layer is empty"))
    covered = int(table["covered"].sum())
    by_op = {op: 100.0 * float(table[f"covered__{op}"].mean()) for op in ctx.operators
             if op != ANY}
    n_communes = table.loc[~table["covered"], "commune_code"].nunique() \
        if "commune_code" in table else 0
    detail = ctx.text(f"{covered}/{n} thôn; {n - covered} thôn chưa phủ ở {n_communes} xã",
                      f"{covered}/{n} hamlets; {n - covered} uncovered in {n_communes} communes")
    return IndicatorValue(100.0 * covered / n, shortfall=float(n - covered), count=covered,
                          total=n, detail=detail, by_operator=by_op)
