"""People covered: T1 and T1b (share of the population with 5G), per commune and province.

People come from the population raster resampled onto the coverage grid conserving totals (or
from hamlet, then commune populations when there is no raster; see
:mod:`phusong.metrics._grids`). A person is covered when the coverage-grid cell holding them is
covered; shares are people covered over people, per commune (cells whose centre lies in the
commune) and for the province (every cell inside a commune), for each operator and for the
union of operators.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd

from phusong.coverage.grid import ANY
from phusong.metrics.context import BROADBAND, FIVE_G, MetricContext
from phusong.metrics.results import IndicatorValue, fmt_number

__all__ = ["commune_table", "t1", "t1b", "people_short"]

log = logging.getLogger(__name__)


def _pct(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.divide(100.0 * part, whole, out=np.full(len(whole), np.nan), where=whole > 0)


def commune_table(ctx: MetricContext) -> pd.DataFrame:
    """One row per commune: people on the grid, with 5G and with mobile broadband.

    Columns: ``commune_code``, ``name``, ``kind``, ``former_district``, ``population`` (of
    the layer), ``people`` (on the coverage grid), ``pop_5g``, ``pop_5g_pct``,
    ``pop_broadband``, ``pop_broadband_pct``, ``t1_met`` (share above the T1 target) and, per
    operator, ``pop_5g_pct__<op>`` and ``pop_broadband_pct__<op>``.
    """
    from phusong.metrics.registry import indicator

    def build() -> pd.DataFrame:
        out = ctx.communes.copy()
        people = ctx.commune_people()
        out["people"] = people
        for op in ctx.operators:
            suffix = "" if op == ANY else f"__{op}"
            five = ctx.commune_people(FIVE_G, op)
            broad = ctx.commune_people(BROADBAND, op)
            if op == ANY:
                out["pop_5g"] = five
                out["pop_broadband"] = broad
            out[f"pop_5g_pct{suffix}"] = _pct(five, people)
            out[f"pop_broadband_pct{suffix}"] = _pct(broad, people)
        target = indicator("T1").targets[0]
        share = out["pop_5g_pct"].to_numpy()
        met = pd.array(target.met_many(share), dtype="boolean")
        met[~np.isfinite(share)] = pd.NA
        out["t1_met"] = met
        out["pop_without_5g"] = people - out["pop_5g"].to_numpy()
        return out

    return ctx.memo(("table", "communes"), build)


def people_short(covered: float, total: float, target_pct: float, strict: bool) -> float:
    """People still to cover for ``covered / total`` to reach (``strict``: exceed) the target."""
    gap = round(target_pct / 100.0 * total - covered, 2)  # float32 people: ignore dust
    short = math.floor(gap) + 1 if strict else math.ceil(gap)
    return float(max(0, short))


def _five_g_share(ctx: MetricContext, indicator_id: str) -> IndicatorValue:
    from phusong.metrics.registry import indicator

    entry = indicator(indicator_id)
    target = entry.targets[0]
    if ctx.population.source == "none":
        return IndicatorValue.not_computed(ctx.text("không có số liệu dân số",
                                                    "no population data"))
    table = commune_table(ctx)
    total = float(table["people"].sum())
    if total <= 0:
        return IndicatorValue.not_computed(ctx.text("không có người trong vùng tính",
                                                    "no people on the coverage grid"))
    covered = float(table["pop_5g"].sum())
    value = 100.0 * covered / total
    by_op = {}
    for op in ctx.operators:
        if op != ANY:
            by_op[op] = 100.0 * float(ctx.commune_people(FIVE_G, op).sum()) / total
    shares = table["pop_5g_pct"].to_numpy()
    ok = target.met_many(shares[np.isfinite(shares)])
    short = people_short(covered, total, target.value, strict=target.comparison == ">")
    detail = ctx.text(
        f"{fmt_number(covered, 'vi')}/{fmt_number(total, 'vi')} người; "
        f"{int(ok.sum())}/{len(ok)} xã, phường đạt {target.text_vi}",
        f"{fmt_number(covered, 'en')}/{fmt_number(total, 'en')} people; "
        f"{int(ok.sum())}/{len(ok)} communes at {target.text_en}")
    return IndicatorValue(value, shortfall=short, count=covered, total=total, detail=detail,
                          by_operator=by_op)


def t1(ctx: MetricContext) -> IndicatorValue:
    """T1: share of the province's people in cells with 5G (target > 95 %, Q4/2026)."""
    return _five_g_share(ctx, "T1")


def t1b(ctx: MetricContext) -> IndicatorValue:
    """T1b: the same share against 100 % (Q4/2030)."""
    return _five_g_share(ctx, "T1b")
