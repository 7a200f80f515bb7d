"""Reported figures: N1–N7, K3, K4 and T5 (new 5G stations).

These indicators are not computed from maps. Their values come from the ``reported`` layer
(``indicator``, ``value``, ``date``, ``source``, ``commune_code``): the latest province-level
row of each indicator (no ``commune_code``) is compared with the target of its year (N2: 70 %
by 2026, > 80 % by 2030), with its date and source.

T5 uses a reported figure when there is one; otherwise it counts the sites that have at least
one 5G sector on air in the inventory (``sectors``, with the sector's or else the site's
``status``). The sectors layer has no commissioning date, so that count includes 5G sites built
before the plan; the report says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import pandas as pd

from phusong.metrics.context import MetricContext
from phusong.metrics.results import MET, NOT_MET, IndicatorValue, fmt_number, status_text

__all__ = ["latest", "from_reported", "reported_table", "t5"]

log = logging.getLogger(__name__)


def _province_rows(ctx: MetricContext, indicator_id: str) -> pd.DataFrame:
    rep = ctx.province.reported
    if rep is None or len(rep) == 0:
        return pd.DataFrame(columns=["indicator", "value", "date", "source"])
    key = rep["indicator"].astype(str).str.strip().str.upper()
    sel = key == indicator_id.upper()
    if "commune_code" in rep:
        code = rep["commune_code"].astype("string").fillna("").str.strip()
        sel &= code == ""
    rows = rep.loc[sel & rep["value"].notna()]
    return rows.sort_values("date", kind="stable") if "date" in rows else rows


def latest(ctx: MetricContext, indicator_id: str) -> IndicatorValue | None:
    """The latest province-level reported value of an indicator, or ``None`` if none."""
    rows = _province_rows(ctx, indicator_id)
    if rows.empty:
        return None
    last = rows.iloc[-1]
    date = pd.Timestamp(last["date"]) if "date" in rows and pd.notna(last["date"]) else None
    source = str(last["source"]) if "source" in rows and pd.notna(last["source"]) else ""
    as_of = date.strftime("%Y-%m-%d") if date is not None else ""
    detail = ctx.text(f"báo cáo ngày {as_of}" + (f", {source}" if source else ""),
                      f"reported {as_of}" + (f" by {source}" if source else ""))
    return IndicatorValue(float(last["value"]), detail=detail, as_of=as_of, source=source)


def from_reported(indicator_id: str) -> Callable[[MetricContext], IndicatorValue]:
    """An indicator function that reads the latest reported value of ``indicator_id``."""

    def compute(ctx: MetricContext) -> IndicatorValue:
        value = latest(ctx, indicator_id)
        if value is None:
            return IndicatorValue.not_computed(ctx.text(
                f"không có số liệu báo cáo {indicator_id}", f"no reported figure for {indicator_id}"))
        return value

    compute.__name__ = f"reported_{indicator_id}"
    compute.__doc__ = f"{indicator_id}: latest province-level figure of the reported layer."
    return compute


def t5(ctx: MetricContext) -> IndicatorValue:
    """T5: new 5G stations: the reported figure, else 5G sites on air in the inventory."""
    value = latest(ctx, "T5")
    if value is not None:
        return value
    sectors = ctx.province.sectors
    if sectors is None:
        return IndicatorValue.not_computed(ctx.text(
            "không có số liệu báo cáo T5 và không có lớp sectors",
            "no reported T5 figure and no sectors layer"))
    five = sectors.loc[sectors["tech"].astype(str) == "5G"]
    status = five["status"].astype("string") if "status" in five else pd.Series(
        pd.NA, index=five.index, dtype="string")
    sites = ctx.province.sites
    if sites is not None and "status" in sites:
        site_status = dict(zip(sites["site_id"].astype(str), sites["status"].astype("string"),
                               strict=True))
        status = status.fillna(five["site_id"].astype(str).map(site_status))
    on_air = status.fillna("on_air") == "on_air"
    count = float(five.loc[on_air.to_numpy(), "site_id"].astype(str).nunique())
    detail = ctx.text(
        f"{fmt_number(count, 'vi')} trạm có cell 5G đang phát sóng (đếm từ danh mục trạm; "
        "không có ngày đưa vào khai thác nên gồm cả trạm xây trước kế hoạch)",
        f"{fmt_number(count, 'en')} sites with a 5G sector on air (counted from the inventory; "
        "no commissioning date, so sites built before the plan are included)")
    return IndicatorValue(count, detail=detail, source="sectors")


def reported_table(ctx: MetricContext) -> pd.DataFrame | None:
    """Every reported row with the target of its year and its status (``None`` without layer).

    Columns: ``indicator_id``, ``indicator_name``, ``commune_code``, ``date``, ``value``,
    ``target_text``, ``deadline_text``, ``status_code``, ``status_text``, ``source``.
    """
    from phusong.metrics.registry import REGISTRY, deadline_text

    rep = ctx.province.reported
    if rep is None:
        return None
    out = pd.DataFrame(rep).reset_index(drop=True).copy()
    ids = out["indicator"].astype(str).str.strip()
    known = ids.str.upper().map({k.upper(): k for k in REGISTRY})
    out["indicator_id"] = known.fillna(ids)
    out = out.drop(columns="indicator")
    years = pd.to_datetime(out["date"], errors="coerce").dt.year if "date" in out else None
    rows = []
    for i, ind in enumerate(out["indicator_id"]):
        entry = REGISTRY.get(ind)
        if entry is None:
            rows.append(("", "", "", "", ""))
            continue
        year = None if years is None or pd.isna(years.iloc[i]) else int(years.iloc[i])
        target = entry.target_for(year)
        value = out["value"].iloc[i]
        status = "" if pd.isna(value) else (MET if target.met(float(value)) else NOT_MET)
        rows.append((entry.name(ctx.lang), target.text(ctx.lang),
                     deadline_text(target.deadline, ctx.lang), status,
                     status_text(status, ctx.lang) if status else ""))
    extra = pd.DataFrame(rows, columns=["indicator_name", "target_text", "deadline_text",
                                        "status_code", "status_text"])
    out = pd.concat([out, extra], axis=1)
    order = ["indicator_id", "indicator_name", "commune_code", "date", "value", "target_text",
             "deadline_text", "status_code", "status_text", "source"]
    out = out[[c for c in order if c in out]]
    if "date" in out:
        out["date"] = pd.to_datetime(out["date"], errors="coerce").dt.strftime("%Y-%m-%d")
    out = out.sort_values(["indicator_id", "date"] if "date" in out else ["indicator_id"],
                          kind="stable").reset_index(drop=True)
    log.debug("reported: %d rows, %d indicators", len(out), out["indicator_id"].nunique())
    return out.replace({np.nan: None}).infer_objects()
