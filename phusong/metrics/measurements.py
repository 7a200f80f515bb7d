"""Measurements against the prediction: Q1.

Each measured point (i-SPEED test, drive test) gets a *measured* status and a *predicted*
status for its operator and technology:

* measured broadband: for a 4G or 5G test, its RSRP reaches the technology's threshold (when
  measured) and its download rate reaches ``min_dl_mbps`` (when measured); a 2G or 3G test is
  not broadband; a test with neither RSRP nor rate has no measured status.
* predicted broadband: the grid cell holding the point, for that operator and technology (any
  technology for a 2G/3G test), reaches the same thresholds (the rate only when the test
  measured one); a test of an operator the grid does not predict has no predicted status.

A test *contradicts* the prediction when both statuses exist and differ; it is a *weak place*
(flagged for the operator to fix, plan 000 §V.7) when its measured status is not broadband.
Tests are attributed to the commune holding them and to the T6 route within
:data:`ROUTE_SNAP_M` of them.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from phusong.coverage.grid import TECHS
from phusong.metrics.context import BROADBAND, MetricContext
from phusong.metrics.results import IndicatorValue, fmt_number

__all__ = ["ROUTE_SNAP_M", "measurement_table", "commune_columns", "route_columns", "q1"]

log = logging.getLogger(__name__)

ROUTE_SNAP_M = 50.0
"""A test within this distance of a T6 route counts for that route (m)."""


def measurement_table(ctx: MetricContext) -> gpd.GeoDataFrame:
    """One row per test: measured and predicted status, contradiction, weak place, commune, route.

    Columns: the layer's ``operator``, ``tech``, ``rsrp_dbm``, ``dl_mbps``, ``time``,
    ``source``; ``commune_code``, ``commune_name``, ``route``, ``predicted_rsrp_dbm``,
    ``predicted_dl_mbps``, ``measured_ok``, ``predicted_ok``, ``contradicts``, ``direction``
    (``over``: predicted covered, measured not; ``under``: the reverse), ``weak``; points.
    """

    def build() -> gpd.GeoDataFrame:
        meas = ctx.province.measurements
        assert meas is not None
        cols = [c for c in ("operator", "tech", "rsrp_dbm", "dl_mbps", "ul_mbps", "time", "source")
                if c in meas]
        out = pd.DataFrame(meas[cols]).reset_index(drop=True)
        n = len(out)
        pts = shapely.point_on_surface(meas.geometry.values)
        x, y = shapely.get_x(pts), shapely.get_y(pts)
        tech = out["tech"].astype(str).to_numpy()
        op = out["operator"].astype(str).to_numpy()
        rsrp = out["rsrp_dbm"].to_numpy(dtype=float, na_value=np.nan) if "rsrp_dbm" in out \
            else np.full(n, np.nan)
        dl = out["dl_mbps"].to_numpy(dtype=float, na_value=np.nan) if "dl_mbps" in out \
            else np.full(n, np.nan)
        has_rsrp, has_dl = np.isfinite(rsrp), np.isfinite(dl)
        thr = np.array([ctx.grid.rsrp_threshold_dbm.get(t, np.nan) for t in TECHS])
        tech_thr = np.select([tech == t for t in TECHS], thr, np.nan)
        broadband_tech = np.isin(tech, TECHS)
        with np.errstate(invalid="ignore"):
            measured = (~has_rsrp | (rsrp >= tech_thr)) & (~has_dl | (dl >= ctx.grid.min_dl_mbps))
        measured &= broadband_tech
        measured_known = has_rsrp | has_dl
        pred_rsrp = np.full(n, np.nan)
        pred_dl = np.full(n, np.nan)
        predicted = np.zeros(n, dtype=bool)
        predicted_known = np.zeros(n, dtype=bool)
        for name in ctx.grid.operators:
            sel = op == name
            if not sel.any():
                continue
            predicted_known |= sel
            for t in TECHS:
                layer = ctx.grid.layer(name, t)
                rows = sel & (tech == t)
                if layer is None or not rows.any():
                    continue
                pred_rsrp[rows] = ctx.grid.sample(layer.rsrp_dbm, x[rows], y[rows])
                pred_dl[rows] = ctx.grid.sample(layer.dl_mbps, x[rows], y[rows], fill=0.0)
            with np.errstate(invalid="ignore"):
                ok = (pred_rsrp >= tech_thr) & (~has_dl | (pred_dl >= ctx.grid.min_dl_mbps))
            other = sel & ~broadband_tech
            any_bb = ctx.grid.sample(ctx.mask(BROADBAND, name), x, y)
            predicted[sel] = np.where(other[sel], any_bb[sel], ok[sel])
        idx = ctx.point_commune(x, y)
        codes = ctx.communes["commune_code"].to_numpy(dtype=object)
        out["commune_code"] = np.where(idx >= 0, codes[np.maximum(idx, 0)], "")
        out["commune_name"] = ctx.commune_name(out["commune_code"])
        out["route"] = _nearest_route(ctx, meas.geometry.values)
        out["predicted_rsrp_dbm"] = pred_rsrp
        out["predicted_dl_mbps"] = pred_dl
        out["measured_ok"] = pd.array(np.where(measured_known, measured, False), dtype="boolean")
        out.loc[~measured_known, "measured_ok"] = pd.NA
        out["predicted_ok"] = pd.array(predicted, dtype="boolean")
        out.loc[~predicted_known, "predicted_ok"] = pd.NA
        both = measured_known & predicted_known
        contradicts = both & (measured != predicted)
        out["contradicts"] = contradicts
        out["direction"] = np.where(contradicts, np.where(predicted, "over", "under"), "")
        out["weak"] = measured_known & ~measured
        return gpd.GeoDataFrame(out, geometry=meas.geometry.to_numpy(), crs=meas.crs)

    return ctx.memo(("table", "measurements"), build)


def _nearest_route(ctx: MetricContext, points: np.ndarray) -> np.ndarray:
    """The T6 route within :data:`ROUTE_SNAP_M` of each point (``""`` when none)."""
    if ctx.province.roads is None or len(points) == 0:
        return np.full(len(points), "", dtype=object)
    from phusong.metrics.roads import route_tables

    routes, _, geo = route_tables(ctx)
    lines = geo.route_lines()
    ok = ~shapely.is_missing(lines)
    if not ok.any():
        return np.full(len(points), "", dtype=object)
    left = gpd.GeoDataFrame({"i": np.arange(len(points))}, geometry=points, crs=ctx.province.crs)
    right = gpd.GeoDataFrame({"route": routes["route"].to_numpy()[ok]}, geometry=lines[ok],
                             crs=ctx.province.crs)
    near = gpd.sjoin_nearest(left, right, how="left", max_distance=ROUTE_SNAP_M)
    near = near.loc[~near.index.duplicated(keep="first")]
    return near["route"].reindex(range(len(points))).fillna("").to_numpy(dtype=object)


def _summary(table: pd.DataFrame, key: str) -> pd.DataFrame:
    judged = table["measured_ok"].notna() & table["predicted_ok"].notna()
    frame = pd.DataFrame({key: table[key].to_numpy(), "judged": judged.to_numpy(),
                          "contradicts": table["contradicts"].to_numpy(),
                          "weak": table["weak"].to_numpy()})
    grouped = frame.groupby(key, sort=True).agg(q1_tests=("judged", "size"),
                                                q1_judged=("judged", "sum"),
                                                q1_contradicts=("contradicts", "sum"),
                                                q1_weak=("weak", "sum")).reset_index()
    grouped["q1_contradict_pct"] = np.divide(
        100.0 * grouped["q1_contradicts"], grouped["q1_judged"],
        out=np.full(len(grouped), np.nan), where=grouped["q1_judged"].to_numpy() > 0)
    return grouped.drop(columns=["q1_judged"])


def commune_columns(ctx: MetricContext) -> pd.DataFrame:
    """Per commune: ``q1_tests``, ``q1_contradicts``, ``q1_weak``, ``q1_contradict_pct``."""
    table = measurement_table(ctx)
    return _summary(table.loc[table["commune_code"] != ""], "commune_code")


def route_columns(ctx: MetricContext) -> pd.DataFrame:
    """Per T6 route: the same as :func:`commune_columns`."""
    table = measurement_table(ctx)
    return _summary(table.loc[table["route"] != ""], "route")


def q1(ctx: MetricContext) -> IndicatorValue:
    """Q1: weak measured places to fix, and how often the tests contradict the prediction."""
    table = measurement_table(ctx)
    n = len(table)
    if n == 0:
        return IndicatorValue.not_computed(ctx.text("lớp measurements trống",
                                                    "the measurements layer is empty"))
    weak = int(table["weak"].sum())
    judged = int((table["measured_ok"].notna() & table["predicted_ok"].notna()).sum())
    contra = int(table["contradicts"].sum())
    pct = 100.0 * contra / judged if judged else float("nan")
    detail = ctx.text(
        f"{weak}/{n} điểm đo dưới ngưỡng băng rộng; {fmt_number(pct, 'vi', 1)} % điểm đo trái "
        f"với dự báo ({contra}/{judged})",
        f"{weak}/{n} tests below the broadband threshold; {fmt_number(pct, 'en', 1)} % "
        f"contradict the prediction ({contra}/{judged})")
    return IndicatorValue(float(weak), shortfall=float(weak), count=float(weak), total=n,
                          detail=detail)
