"""Fixed-broadband indicators from fiber reach: T4, T2, T2b, T9 and K2, per commune and province.

Reach comes from :func:`phusong.coverage.fiber.fiber_reach` (drop distance along roads to a node
with free ports, ``thresholds.fiber_reach_m``), computed once per
:class:`~phusong.metrics.context.MetricContext`. The indicator functions have the registry's
shape, ``f(ctx) -> IndicatorValue``; they read no coverage grid.

Definitions
    * **T4**: share of hamlets served (a node of any operator with free ports within reach).
    * **T2, T2b**: share of the people of the hamlets (``population``; ``households`` when no
      hamlet has a population; hamlets when neither) served by a gigabit node. T2's target is
      96 % (province; plan 004 wants 100 % in each commune, reported in the detail), T2b's
      100 % by 2030.
    * **T9**: share of households (of served hamlets) with fiber, province-wide, target 85 %;
      the other parts of the target (90 % in the wards of the former cities and the former
      district centres; 100 % gigabit in the wards of former Thái Nguyên city, in operating
      parks and at administrative centres; offices and schools and park firms at 85 %) are
      rows of :func:`t9_table` and are named in the detail when missed.
    * **K2**: share of operating parks with a gigabit node with free ports within reach of
      their fence (0 m for a node inside the park).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import TYPE_CHECKING, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from phusong.config import FiberConfig, Thresholds
from phusong.coverage.fiber import PRIORITY_KINDS, FiberReach, fiber_reach
from phusong.metrics.context import MetricContext
from phusong.metrics.labels import value_word
from phusong.metrics.places import base_name
from phusong.metrics.results import MET, NOT_MET, IndicatorValue, fmt_number, status_text

if TYPE_CHECKING:  # pragma: no cover
    from phusong.coverage.grid import CoverageGrid
    from phusong.layers.province import Province

__all__ = [
    "ADMIN_KINDS",
    "fiber_context",
    "reach",
    "place_table",
    "node_table",
    "commune_columns",
    "commune_table",
    "t9_table",
    "summary_values",
    "settings_table",
    "methodology_rows",
    "t2",
    "t2b",
    "t4",
    "t9",
    "k2",
]

log = logging.getLogger(__name__)

ADMIN_KINDS: tuple[str, ...] = ("commune_office", "public_office")
"""POI kinds that are administrative centres (T9: ready for gigabit FTTH)."""
_FORMER_CITIES = ("Thái Nguyên", "Sông Công", "Phổ Yên")
_CITY_PREFIXES = ("thanh_pho_", "tp_", "thi_xa_", "tx_")


def fiber_context(province: Province, lang: str = "vi") -> MetricContext:
    """A context for the fiber indicators alone (they read no coverage grid)."""
    return MetricContext(province, cast("CoverageGrid", None), lang)


def reach(ctx: MetricContext) -> FiberReach:
    """Fiber reach of the context's province (computed once per context)."""
    return ctx.memo(("fiber", "reach"), lambda: fiber_reach(ctx.province))


def _status(ok: NDArray[np.bool_], lang: str) -> NDArray[np.object_]:
    return np.where(ok, status_text(MET, lang), status_text(NOT_MET, lang)).astype(object)


def place_table(ctx: MetricContext) -> gpd.GeoDataFrame:
    """Every hamlet, park and POI with its fiber status (any operator and per operator).

    Columns of :attr:`FiberReach.places` plus ``commune_name`` and ``fiber_status_text``.
    """

    def build() -> gpd.GeoDataFrame:
        out = reach(ctx).places.copy()
        out.insert(out.columns.get_loc("commune_code") + 1, "commune_name",
                   ctx.commune_name(out["commune_code"].astype(str)))
        out["fiber_status_text"] = [value_word(s, ctx.lang) for s in out["fiber_status"]]
        return out

    return ctx.memo(("fiber", "places"), build)


def node_table(ctx: MetricContext) -> gpd.GeoDataFrame:
    """Every fiber node: free ports, full, gigabit, places served and places waiting for ports."""
    return reach(ctx).nodes


def _layer(ctx: MetricContext, layer: str) -> pd.DataFrame:
    table = place_table(ctx)
    return table.loc[table["place_layer"] == layer]


def _weights(hamlets: pd.DataFrame) -> tuple[NDArray[np.float64], str]:
    """People of each hamlet, or households, or 1 per hamlet; and which."""
    for col, basis in (("population", "population"), ("households", "households")):
        w = hamlets[col].to_numpy(dtype=float)
        if np.isfinite(w).any():
            return np.nan_to_num(w), basis
    return np.ones(len(hamlets)), "hamlets"


def _households(hamlets: pd.DataFrame) -> tuple[NDArray[np.float64], str]:
    w = hamlets["households"].to_numpy(dtype=float)
    if np.isfinite(w).any():
        return np.nan_to_num(w), "households"
    return _weights(hamlets)


def commune_table(ctx: MetricContext) -> pd.DataFrame:
    """Per commune (every commune, layer order): hamlets, households and people with fiber.

    Columns: ``commune_code``, ``commune_name``, ``hamlets_total``, ``hamlets_fiber``,
    ``hamlets_fiber_pct``, ``hamlets_full_node``, ``households_total``, ``households_fiber``,
    ``households_fiber_pct``, ``pop_fiber_total``, ``pop_gigabit``, ``pop_gigabit_pct``, and
    per operator ``hamlets_fiber_pct__<op>``. Shares are NaN where a commune has no hamlet.
    """

    def build() -> pd.DataFrame:
        ham = _layer(ctx, "hamlets")
        out = pd.DataFrame({"commune_code": ctx.communes["commune_code"].astype(str).to_numpy(),
                            "commune_name": ctx.communes["name"].astype(str).to_numpy()})
        code = ham["commune_code"].astype(str)
        people, _ = _weights(ham)
        hh, _ = _households(ham)
        served = ham["served"].to_numpy(dtype=bool)
        giga = ham["gigabit"].to_numpy(dtype=bool)

        def per(values: NDArray[np.float64]) -> NDArray[np.float64]:
            sums = pd.Series(values, index=code.to_numpy()).groupby(level=0).sum()
            return out["commune_code"].map(sums).fillna(0.0).to_numpy(dtype=float)

        def pct(part: NDArray[np.float64], whole: NDArray[np.float64]) -> NDArray[np.float64]:
            return np.divide(100.0 * part, whole, out=np.full(len(part), np.nan), where=whole > 0)

        ones = np.ones(len(ham))
        out["hamlets_total"] = per(ones).astype(int)
        out["hamlets_fiber"] = per(served.astype(float)).astype(int)
        out["hamlets_fiber_pct"] = pct(out["hamlets_fiber"].to_numpy(float),
                                       out["hamlets_total"].to_numpy(float))
        out["hamlets_full_node"] = per((ham["fiber_status"] == "full_node").to_numpy(float)
                                       ).astype(int)
        out["households_total"] = per(hh)
        out["households_fiber"] = per(hh * served)
        out["households_fiber_pct"] = pct(out["households_fiber"].to_numpy(),
                                          out["households_total"].to_numpy())
        out["pop_fiber_total"] = per(people)
        out["pop_gigabit"] = per(people * giga)
        out["pop_gigabit_pct"] = pct(out["pop_gigabit"].to_numpy(), out["pop_fiber_total"].to_numpy())
        for op in reach(ctx).operators:
            ok = ham[f"served__{op}"].to_numpy(dtype=float)
            out[f"hamlets_fiber_pct__{op}"] = pct(per(ok), out["hamlets_total"].to_numpy(float))
        return out

    return ctx.memo(("fiber", "communes"), build)


def commune_columns(ctx: MetricContext) -> pd.DataFrame:
    """The per-commune fiber columns to merge into the communes table (on ``commune_code``)."""
    cols = ["commune_code", "hamlets_fiber", "hamlets_fiber_pct", "hamlets_full_node",
            "households_fiber", "households_fiber_pct", "pop_gigabit", "pop_gigabit_pct"]
    return commune_table(ctx)[cols]


# --- T9 -----------------------------------------------------------------------------------------

def _city_key(text: object) -> str:
    """Folded city name without ``Thành phố`` / ``Thị xã`` (``TP Thái Nguyên`` → ``thai_nguyen``)."""
    return base_name(text, _CITY_PREFIXES)


def _urban_communes(ctx: MetricContext) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(wards of the former cities or former district centres, wards of former Thái Nguyên city)."""
    from phusong.metrics.places import district_centres

    communes = ctx.communes
    n = len(communes)
    ward = (communes["kind"].astype(str) == "phuong").to_numpy() if "kind" in communes else \
        np.zeros(n, dtype=bool)
    if "former_district" in communes:
        city = communes["former_district"].map(_city_key).to_numpy(dtype=object)
    else:
        city = np.full(n, "", dtype=object)
    cities = [_city_key(c) for c in _FORMER_CITIES]
    city_ward = ward & np.isin(city, cities)
    tn_ward = ward & (city == cities[0])
    centre = np.zeros(n, dtype=bool)
    centre[district_centres(ctx)[0]] = True
    return city_ward | centre, tn_ward


def t9_table(ctx: MetricContext) -> pd.DataFrame:
    """The parts of T9, each with its own target, value and status.

    Columns: ``part``, ``part_text``, ``basis``, ``count``, ``total``, ``value_pct``,
    ``target_pct``, ``needs_gigabit``, ``meets``, ``status_text``. Parts without any place
    (no park, no ward of the former city) are left out.
    """

    def build() -> pd.DataFrame:
        ham = _layer(ctx, "hamlets")
        hh, hh_basis = _households(ham)
        served = ham["served"].to_numpy(dtype=bool)
        giga = ham["gigabit"].to_numpy(dtype=bool)
        urban, tn = _urban_communes(ctx)
        codes = ctx.communes["commune_code"].astype(str).to_numpy()
        h_code = ham["commune_code"].astype(str).to_numpy()
        in_urban = np.isin(h_code, codes[urban])
        in_tn = np.isin(h_code, codes[tn])
        pois = _layer(ctx, "pois")
        parks = _layer(ctx, "parks")
        kind = pois["kind"].astype(str).to_numpy()
        office = np.isin(kind, PRIORITY_KINDS)
        admin = np.isin(kind, ADMIN_KINDS)
        operating = (parks["kind"].astype(str) == "operating").to_numpy()
        firms = np.nan_to_num(parks["enterprises"].to_numpy(dtype=float))
        firm_basis = "enterprises" if firms.sum() > 0 else "parks"
        if firm_basis == "parks":
            firms = np.ones(len(parks))
        active = (parks["kind"].astype(str) != "planned").to_numpy()
        p_served = pois["served"].to_numpy(dtype=bool)
        p_giga = pois["gigabit"].to_numpy(dtype=bool)
        k_served = parks["served"].to_numpy(dtype=bool)
        k_giga = parks["gigabit"].to_numpy(dtype=bool)
        parts = [
            ("province", "Hộ gia đình toàn tỉnh", "Households, province", hh_basis,
             hh * served, hh, 85.0, False),
            ("urban", "Hộ ở phường TP cũ và trung tâm huyện cũ",
             "Households in former-city wards and district towns", hh_basis,
             (hh * served)[in_urban], hh[in_urban], 90.0, False),
            ("tn_wards", "Hộ ở phường thuộc TP Thái Nguyên cũ (≥ 1 Gb/s)",
             "Households in wards of former Thái Nguyên city (≥ 1 Gbit/s)", hh_basis,
             (hh * giga)[in_tn], hh[in_tn], 100.0, True),
            ("offices_schools", "Cơ quan, trường học, cơ sở y tế", "Offices, schools, health",
             "pois", p_served[office].astype(float), np.ones(int(office.sum())), 85.0, False),
            ("firms", "Doanh nghiệp trong KCN", "Firms in industrial parks", firm_basis,
             (firms * k_served)[active], firms[active], 85.0, False),
            ("parks", "KCN đang hoạt động (≥ 1 Gb/s)", "Operating parks (≥ 1 Gbit/s)", "parks",
             k_giga[operating].astype(float), np.ones(int(operating.sum())), 100.0, True),
            ("admin_centres", "Trung tâm hành chính (≥ 1 Gb/s)",
             "Administrative centres (≥ 1 Gbit/s)", "pois", p_giga[admin].astype(float),
             np.ones(int(admin.sum())), 100.0, True),
        ]
        rows = []
        for part, vi, en, basis, ok, whole, target, needs_giga in parts:
            total = float(np.sum(whole))
            if total <= 0:
                continue
            count = float(np.sum(ok))
            value = 100.0 * count / total
            rows.append({"part": part, "part_text": vi if ctx.lang == "vi" else en,
                         "basis": basis, "count": count, "total": total, "value_pct": value,
                         "target_pct": target, "needs_gigabit": needs_giga,
                         "meets": value >= target - 1e-9})
        cols = ["part", "part_text", "basis", "count", "total", "value_pct", "target_pct",
                "needs_gigabit", "meets"]
        out = pd.DataFrame(rows, columns=cols)
        out["meets"] = out["meets"].astype(bool)
        out["status_text"] = _status(out["meets"].to_numpy(), ctx.lang)
        return out

    return ctx.memo(("fiber", "t9"), build)


# --- the indicators -------------------------------------------------------------------------

def _no_hamlets(ctx: MetricContext) -> IndicatorValue | None:
    if len(_layer(ctx, "hamlets")) == 0:
        return IndicatorValue.not_computed(ctx.text("lớp hamlets trống hoặc không có",
                                                    "no hamlets (layer missing or empty)"))
    return None


def _by_operator(ctx: MetricContext, table: pd.DataFrame, column: str,
                 weights: NDArray[np.float64] | None = None) -> dict[str, float]:
    out = {}
    w = np.ones(len(table)) if weights is None else weights
    total = float(w.sum())
    for op in reach(ctx).operators:
        ok = table[f"{column}__{op}"].to_numpy(dtype=bool)
        out[op] = 100.0 * float((w * ok).sum()) / total if total > 0 else math.nan
    return out


def t4(ctx: MetricContext) -> IndicatorValue:
    """T4: share of hamlets with fiber (a node with free ports within reach along roads)."""
    missing = _no_hamlets(ctx)
    if missing is not None:
        return missing
    ham = _layer(ctx, "hamlets")
    n = len(ham)
    served = ham["served"].to_numpy(dtype=bool)
    ok = int(served.sum())
    waiting = int((ham["fiber_status"] == "full_node").sum())
    n_communes = ham.loc[~served, "commune_code"].nunique()
    detail = ctx.text(
        f"{ok}/{n} thôn; {n - ok} thôn chưa có cáp quang ở {n_communes} xã ({waiting} thôn chờ "
        f"cổng ở thiết bị đã đầy); cự ly thuê bao {reach(ctx).reach_m:g} m theo đường",
        f"{ok}/{n} hamlets; {n - ok} without fiber in {n_communes} communes ({waiting} waiting "
        f"for ports at full nodes); drop distance {reach(ctx).reach_m:g} m along roads")
    return IndicatorValue(100.0 * ok / n, shortfall=float(n - ok), count=ok, total=n,
                          detail=detail, by_operator=_by_operator(ctx, ham, "served"))


def _gigabit_people(ctx: MetricContext, indicator_id: str) -> IndicatorValue:
    from phusong.metrics.registry import REGISTRY

    missing = _no_hamlets(ctx)
    if missing is not None:
        return missing
    ham = _layer(ctx, "hamlets")
    people, basis = _weights(ham)
    total = float(people.sum())
    if total <= 0:
        return IndicatorValue.not_computed(ctx.text("thôn không có dân số, số hộ",
                                                    "hamlets have no population or households"))
    giga = ham["gigabit"].to_numpy(dtype=bool)
    count = float((people * giga).sum())
    value = 100.0 * count / total
    target = REGISTRY[indicator_id].targets[0].value
    shortfall = max(0.0, math.ceil(target / 100.0 * total - count - 1e-9))
    communes = commune_table(ctx)
    has = communes["pop_fiber_total"].to_numpy() > 0
    full = int((communes["pop_gigabit_pct"].to_numpy()[has] >= 100.0 - 1e-9).sum())
    unit_vi = {"population": "người", "households": "hộ", "hamlets": "thôn"}[basis]
    unit_en = {"population": "people", "households": "households", "hamlets": "hamlets"}[basis]
    lang = ctx.lang
    detail = ctx.text(
        f"{fmt_number(count, lang)}/{fmt_number(total, lang)} {unit_vi} ở thôn có thiết bị "
        f"≥ 1 Gb/s còn cổng; {full}/{int(has.sum())} xã đạt 100 %",
        f"{fmt_number(count, lang)}/{fmt_number(total, lang)} {unit_en} in hamlets with a "
        f"≥ 1 Gbit/s node with free ports; {full}/{int(has.sum())} communes at 100 %")
    return IndicatorValue(value, shortfall=float(shortfall), count=count, total=total,
                          detail=detail, by_operator=_by_operator(ctx, ham, "gigabit", people))


def t2(ctx: MetricContext) -> IndicatorValue:
    """T2: share of people able to get fixed broadband at ≥ 1 Gbit/s (target ≥ 96 %, Q4/2026)."""
    return _gigabit_people(ctx, "T2")


def t2b(ctx: MetricContext) -> IndicatorValue:
    """T2b: share of people with fiber access at ≥ 1 Gbit/s (target 100 %, Q4/2030)."""
    return _gigabit_people(ctx, "T2b")


def t9(ctx: MetricContext) -> IndicatorValue:
    """T9: households with fiber, province-wide (85 %), met only when every part is met.

    The value is the province-wide share; the status is that of all the parts together (the
    plan's target is "as stated": 90 % urban, 85 % province, 100 % of the former city's wards,
    parks, administrative centres); the shortfall is the households still needed by the
    household part that misses most (the parts overlap, so they are not added up); the detail
    lists every part.
    """
    missing = _no_hamlets(ctx)
    if missing is not None:
        return missing
    table = t9_table(ctx)
    row = table.loc[table["part"] == "province"]
    if row.empty:
        return IndicatorValue.not_computed(ctx.text("thôn không có số hộ, dân số",
                                                    "hamlets have no households or population"))
    count, total = float(row["count"].iloc[0]), float(row["total"].iloc[0])
    need = np.ceil(table["target_pct"].to_numpy(float) / 100.0 * table["total"].to_numpy(float)
                   - table["count"].to_numpy(float) - 1e-9)
    households = (table["basis"] == "households").to_numpy() & ~table["meets"].to_numpy(bool)
    shortfall = float(max(0.0, need[households].max())) if households.any() else 0.0
    lang = ctx.lang
    parts = [f"{r.part_text} {fmt_number(r.value_pct, lang, 1)} % "
             f"({'≥' if r.target_pct < 100 else '='} {r.target_pct:g} %) {r.status_text}"
             for r in table.itertuples(index=False)]
    missed = int((~table["meets"]).sum())
    head = ctx.text(f"{missed}/{len(table)} hạng mục chưa đạt", f"{missed}/{len(table)} parts "
                    "not met")
    ham = _layer(ctx, "hamlets")
    hh, _ = _households(ham)
    by_op = _by_operator(ctx, ham, "served", hh)
    return IndicatorValue(100.0 * count / total, shortfall=shortfall, count=count,
                          total=total, detail=f"{head}: " + "; ".join(parts), by_operator=by_op,
                          met=bool(table["meets"].all()))


def k2(ctx: MetricContext) -> IndicatorValue:
    """K2: operating parks with fiber at ≥ 1 Gbit/s to the fence (target 100 %, Q4/2026)."""
    parks = _layer(ctx, "parks")
    sel = parks.loc[parks["kind"].astype(str) == "operating"]
    if sel.empty:
        return IndicatorValue.not_computed(ctx.text("không có KCN đang hoạt động",
                                                    "no operating park"))
    ok = sel["gigabit"].to_numpy(dtype=bool)
    n = len(sel)
    names = sel.loc[~ok, "name"].astype(str).tolist()
    detail = ctx.text(f"{int(ok.sum())}/{n} KCN đang hoạt động"
                      + (f"; chưa có cáp quang ≥ 1 Gb/s: {', '.join(names)}" if names else ""),
                      f"{int(ok.sum())}/{n} operating parks"
                      + (f"; without ≥ 1 Gbit/s fiber: {', '.join(names)}" if names else ""))
    return IndicatorValue(100.0 * ok.sum() / n, shortfall=float(n - ok.sum()),
                          count=float(ok.sum()), total=n, detail=detail,
                          by_operator=_by_operator(ctx, sel, "gigabit"))


def summary_values(ctx: MetricContext) -> pd.DataFrame:
    """The fiber indicators as a small table in the plans' layout (for ``plan-fiber``).

    Columns: ``indicator_id``, ``indicator_name``, ``value``, ``result_text``,
    ``target_text``, ``deadline_text``, ``status_text``, ``status_code``, ``shortfall``,
    ``detail``, and per operator ``value__<op>``.
    """
    from phusong.metrics.registry import REGISTRY, deadline_text

    funcs = {"T2": t2, "T2b": t2b, "T4": t4, "T9": t9, "K2": k2}
    rows = []
    lang = ctx.lang
    for key, func in funcs.items():
        entry = REGISTRY[key]
        target = entry.targets[0]
        value = func(ctx)
        met = value.value is not None and (target.met(value.value) if value.met is None
                                           else value.met)
        code = "not_computed" if value.value is None else (MET if met else NOT_MET)
        unit = " %" if entry.unit == "%" else f" {entry.unit}"
        row = {"indicator_id": key, "indicator_name": entry.name(lang), "value": value.value,
               "result_text": "" if value.value is None else fmt_number(value.value, lang, 1) + unit,
               "target_text": target.text(lang), "deadline_text": deadline_text(target.deadline, lang),
               "status_text": status_text(code, lang), "status_code": code,
               "shortfall": value.shortfall if not met else 0.0,
               "detail": value.detail if value.value is not None else value.reason}
        for op, v in value.by_operator.items():
            row[f"value__{op}"] = v
        rows.append(row)
    return pd.DataFrame(rows)


def settings_table(reach: FiberReach, lang: str = "vi") -> pd.DataFrame:
    """Every setting behind the fiber results, with unit and description, and the definitions."""
    rows = []
    th = {f.name: f for f in dataclasses.fields(Thresholds)}
    f = th["fiber_reach_m"]
    rows.append({"setting": "thresholds.fiber_reach_m", "value": reach.reach_m,
                 "unit": f.metadata.get("unit", ""), "note": f.metadata.get("doc", "")})
    for f in dataclasses.fields(FiberConfig):
        rows.append({"setting": f"fiber.{f.name}", "value": getattr(reach.config, f.name),
                     "unit": f.metadata.get("unit", ""), "note": f.metadata.get("doc", "")})
    vi = lang == "vi"
    g = reach.network.graph
    rows.append({"setting": "road_graph", "value": f"{g.n_vertices} / {g.n_edges}",
                 "unit": "", "note": ("số đỉnh / số cạnh của đồ thị đường" if vi else
                                      "vertices / edges of the road graph")})
    rows.append({"setting": "definition", "value": "", "unit": "", "note": (
        "Điểm có cáp quang khi có thiết bị quang còn cổng trong cự ly thuê bao, đo theo đường "
        "giao thông (từ thiết bị ra đường + dọc đường + từ đường vào điểm; thiết bị nằm trong "
        "KCN/thôn: 0 m); ≥ 1 Gb/s khi tốc độ tối đa của thiết bị (hoặc công nghệ) ≥ "
        "gigabit_rate_mbps; điểm chỉ trong cự ly của thiết bị hết cổng là chờ cổng." if vi else
        "A place has fiber when a node with free ports is within the drop distance measured "
        "along roads (node to road + along roads + road to place; a node inside a park or "
        "hamlet: 0 m); ≥ 1 Gbit/s when the node's max rate (or technology) reaches "
        "gigabit_rate_mbps; a place within reach of full nodes only waits for ports.")})
    rows.append({"setting": "plan", "value": "Mehlhorn 1988", "unit": "", "note": (
        "Quy hoạch: cây Steiner gần đúng (Mehlhorn, ≤ 2 lần tối ưu) trên đồ thị đường, mạng cáp "
        "hiện có gộp thành một nguồn; cáp mới tới điểm trên đường gần mỗi điểm, một bộ chia "
        "mới ở mỗi điểm đó; tuyến xếp theo số điểm được kết nối trên 1 km." if vi else
        "Plan: approximate Steiner tree (Mehlhorn, ≤ 2 × optimum) on the road graph with the "
        "existing cable contracted into one source; new cable to each place's road point, a "
        "new splitter at each; routes ranked by places connected per km.")})
    out = pd.DataFrame(rows, columns=["setting", "value", "unit", "note"])
    out["value"] = out["value"].astype(str)
    return out


def methodology_rows(ctx: MetricContext) -> pd.DataFrame:
    """The fiber settings and definitions as methodology rows (``topic``, ``item``, ``value``,
    ``unit``, ``note``), to append to the indicators' methodology sheet."""
    table = settings_table(reach(ctx), ctx.lang)
    return pd.DataFrame({"topic": ctx.text("cáp quang", "fiber"), "item": table["setting"],
                         "value": table["value"], "unit": table["unit"], "note": table["note"]})
