"""The site plan as tables and files: proposals, what each closes, units, before / after.

Files (:func:`write_plan_outputs`, every one atomic, none replaced without ``overwrite``):

* ``sites_plan.gpkg``: ``sites`` (new towers and co-locations in the sites layer's columns,
  ``status = planned``, plus ``rank``, ``kind``, ``cost_vnd``), ``sectors`` (every proposed
  sector in the sectors layer's columns, a table), ``proposals`` (the map layer, upgrades
  included, :func:`proposals_layer`), ``plan_hamlets``, ``plan_road_gaps``, ``plan_parks``,
  ``plan_dark_spots`` (every demand unit with its status and reason);
* ``csv/``: ``sites_proposed.csv`` (lon/lat, WGS 84) and ``sectors_proposed.csv`` in the input
  formats (canonical column names, fed back as a scenario); ``plan_sites.csv`` (what each site
  closes and costs), ``plan_units.csv``, ``plan_unreachable.csv``, ``plan_before_after.csv``
  (the indicator summary today and after, side by side), ``plan_communes.csv`` (per commune),
  ``plan_settings.csv``, with headers in the plan's language, booleans as có/không (yes/no) and
  numbers rounded to their columns' decimals
  (:func:`phusong.metrics.labels.table_for_output`);
* ``after/sites.csv``, ``after/sectors.csv`` (today's network plus the proposals on air) and
  ``scenario_after.toml`` naming them with the scenario's other layers, so the proposals can be
  fed back as a scenario (``phusong metrics scenario_after.toml``).

The tables in memory (:func:`plan_tables`) and the GeoPackage layers keep canonical column
names (units in the names, ready for QGIS); texts (kinds, statuses, reasons) are in the plan's
language.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from phusong._io import check_writable, gpkg_ready, write_csv, write_text, write_vectors
from phusong.coverage.grid import ANY
from phusong.metrics.labels import table_for_output
from phusong.planning.sites import evaluate_selection

if TYPE_CHECKING:  # pragma: no cover
    from phusong.planning.site_plan import SitePlan

__all__ = ["GPKG_NAME", "CSV_TABLES", "INPUT_FORMAT_TABLES", "GPKG_LAYERS", "KIND_TEXT",
           "plan_tables", "plan_output_paths", "write_plan_outputs", "proposals_layer", "summary_text"]

log = logging.getLogger(__name__)

GPKG_NAME = "sites_plan.gpkg"
SCENARIO_AFTER = "scenario_after.toml"
CSV_TABLES: tuple[str, ...] = ("sites_proposed", "sectors_proposed", "plan_sites", "plan_units",
                               "plan_unreachable", "plan_before_after", "plan_communes",
                               "plan_settings")
INPUT_FORMAT_TABLES: tuple[str, ...] = ("sites_proposed", "sectors_proposed")
"""The CSV tables in the input layers' format (canonical names, raw values)."""
GPKG_LAYERS: tuple[str, ...] = ("sites", "sectors", "proposals", "plan_hamlets",
                                "plan_road_gaps", "plan_parks", "plan_dark_spots")
KIND_TEXT: dict[str, dict[str, str]] = {
    "colocation": {"vi": "dùng chung cột", "en": "co-location"},
    "upgrade_5g": {"vi": "nâng cấp 5G", "en": "5G upgrade"},
    "high_point": {"vi": "trạm mới trên điểm cao", "en": "new tower on a high point"},
    "road": {"vi": "trạm mới dọc đường", "en": "new tower along a road"},
    "park": {"vi": "trạm mới tại KCN", "en": "new tower at a park"},
    "user": {"vi": "vị trí do người dùng đề xuất", "en": "user candidate"},
}
"""Words for the candidate kinds."""
_UNIT_TEXT = {"hamlet": ("thôn", "hamlet"), "road_gap": ("đoạn mất sóng", "road gap"),
              "park": ("KCN", "park"), "dark_spot": ("vùng lõm sóng", "dark spot")}


def _t(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


# --- what each site closes ------------------------------------------------------------------

def _site_table(plan: SitePlan) -> gpd.GeoDataFrame:
    """One row per proposed site of every round, in rank order: what it closes and costs."""
    frames = [_round_sites(plan, number, r) for number, r in enumerate(plan.rounds, start=1)]
    out = pd.concat(frames, ignore_index=True)
    out["cost_cumulative_vnd"] = np.cumsum(out["cost_vnd"].to_numpy())
    return gpd.GeoDataFrame(out, geometry="geometry", crs=plan.sites.crs)


def _round_sites(plan: SitePlan, number: int, rnd: Any) -> gpd.GeoDataFrame:
    """The proposals of one round (its units are the round's own demand)."""
    lang = plan.lang
    d = rnd.demand
    chosen = rnd.chosen
    r = rnd.ranking
    ids = rnd.site_ids
    names = d.ctx.communes.set_index(d.ctx.communes["commune_code"].astype(str))["name"]
    prio_codes = set(d.ctx.communes["commune_code"].astype(str)[d.commune_priority])
    h, g, k = d.hamlets, d.gaps, d.parks

    def pick(frame: pd.DataFrame, col: str, idx: Any) -> str:
        return "; ".join(frame[col].astype(str).to_numpy()[np.asarray(idx, int)]) if len(idx) \
            else ""

    lonlat = chosen.to_crs("EPSG:4326").geometry
    out = gpd.GeoDataFrame({
        "rank": r["rank"].to_numpy() + rnd.rank_offset, "round": number, "site_id": ids,
        "candidate_id": chosen["candidate_id"],
        "kind": chosen["kind"].to_numpy(),
        "kind_text": [KIND_TEXT[x][lang] for x in chosen["kind"]],
        "operator": chosen["operator"].to_numpy(), "host_site_id": chosen["host_site_id"],
        "commune_code": chosen["commune_code"].to_numpy(),
        "commune_name": chosen["commune_code"].astype(str).map(names).fillna("").to_numpy(),
        "priority_commune": chosen["commune_code"].astype(str).isin(prio_codes).to_numpy(),
        "lon": lonlat.x.to_numpy(), "lat": lonlat.y.to_numpy(),
        "height_agl_m": chosen["height_agl_m"].to_numpy(), "techs": chosen["techs"].to_numpy(),
        "new_tower": chosen["new_tower"].to_numpy(),
        "grid_power": chosen["grid_power"].to_numpy(),
        "cost_vnd": chosen["cost_vnd"].to_numpy(), "gain": r["gain"].to_numpy(),
        "hamlets_closed": [len(x) for x in r["hamlets"]],
        "hamlet_names": [pick(h, "name", x) for x in r["hamlets"]],
        "road_gaps_closed": [len(x) for x in r["gaps"]],
        "road_gap_km_closed": [float(g["gap_km"].to_numpy()[np.asarray(x, int)].sum())
                               if len(x) else 0.0 for x in r["gaps"]],
        "road_gaps": ["; ".join(f"{g['route'].iat[i]} km {g['start_km'].iat[i]:.1f}–"
                                f"{g['end_km'].iat[i]:.1f}" for i in x) for x in r["gaps"]],
        "parks_closed": [len(x) for x in r["parks"]],
        "park_names": [pick(k, "name", x) for x in r["parks"]],
        "people_covered": [float(d.people_b[np.asarray(x, int)].sum()) for x in r["cells_b"]],
        "road_km_covered": [float(d.road_m_b[np.asarray(x, int)].sum()) / 1000.0
                            for x in r["cells_b"]],
        "park_5g_ha": [len(x) * d.grid.cell_area_m2 / 1e4 for x in r["cells_f"]],
        "generated_for": chosen["reason"].to_numpy()},
        geometry=chosen.geometry.to_numpy(), crs=chosen.crs)
    return out.reset_index(drop=True)


# --- every demand unit ----------------------------------------------------------------------

def _reason(plan: SitePlan, pos: np.ndarray, five: bool) -> str:
    """Why demand cells (positions in cells_b, or cells_f when ``five``) stay uncovered."""
    lang = plan.lang
    cov = plan.coverage
    in_range = (cov.in_range_f if five else cov.in_range_b)[pos]
    if not in_range.any():
        return _t(lang, "không có vị trí ứng viên nào trong tầm phủ",
                  "no candidate in range")
    best = (cov.best_rsrp_f_dbm if five else cov.best_rsrp_b_dbm)[pos]
    th = plan.province_after.scenario.thresholds
    thr = th.rsrp_5g_dbm if five else min(th.rsrp_4g_dbm, th.rsrp_5g_dbm)
    top = float(np.nanmax(best)) if np.isfinite(best).any() else float("nan")
    margin = plan.province_after.scenario.planning.margin_db
    if np.isfinite(top) and thr <= top < thr + margin:
        return _t(lang, f"tín hiệu tốt nhất {top:.0f} dBm chưa vượt ngưỡng đủ biên dự phòng "
                  f"{margin:g} dB", f"best signal {top:.0f} dBm within the plan's {margin:g} dB "
                  "safety margin of the threshold")
    if np.isfinite(top) and top >= thr and not five:
        # candidates are predicted one at a time against today's network: with no signal of
        # today's within 10 dB of theirs, what holds the rate down is the candidate's own
        # co-channel sectors (under the beams, at the pattern floor, they are alike)
        grid = plan.grid_before
        flat = plan.demand.cells_b[pos]
        today = [layer.rsrp_dbm.reshape(-1)[flat] for tech in ("4G", "5G")
                 if (layer := grid.layer(ANY, tech)) is not None]
        now = np.concatenate(today) if today else np.zeros(0)
        now_top = float(np.nanmax(now)) if np.isfinite(now).any() else -np.inf
        if now_top < top - 10.0:
            return _t(lang, f"nhiễu giữa các sector của chính trạm đề xuất: tín hiệu tốt nhất "
                      f"{top:.0f} dBm đạt ngưỡng nhưng nơi này nằm dưới hoặc giữa các búp sóng, "
                      "các sector gần mạnh như nhau nên tốc độ dưới min_dl_mbps",
                      f"interference between a candidate's own sectors: best signal "
                      f"{top:.0f} dBm reaches the threshold, but the place lies under or "
                      "between the beams, where a site's sectors are nearly alike, and the rate "
                      "stays below min_dl_mbps")
        return _t(lang, f"nhiễu từ mạng hiện tại ({now_top:.0f} dBm): tín hiệu tốt nhất "
                  f"{top:.0f} dBm đạt ngưỡng nhưng tốc độ dưới min_dl_mbps",
                  f"interference from today's network ({now_top:.0f} dBm): best signal "
                  f"{top:.0f} dBm reaches the threshold but the rate stays below min_dl_mbps")
    shown = f"{top:.0f} dBm" if np.isfinite(top) else "—"
    return _t(lang, f"địa hình: tín hiệu dự báo tốt nhất {shown} < {thr:.0f} dBm",
              f"terrain: best predicted signal {shown} < {thr:.0f} dBm")


def _repair_credits(plan: SitePlan) -> dict[str, Any]:
    """Lookups from a first-round unit to the re-planning sites that closed it."""
    hamlets: dict[int, list[str]] = {}
    gaps: list[tuple[Any, int, float, float, str]] = []
    parks: dict[str, list[str]] = {}
    for rnd in plan.repairs:
        d = rnd.demand
        for rank, hs, gs, ks in zip(rnd.ranking["rank"], rnd.ranking["hamlets"],
                                    rnd.ranking["gaps"], rnd.ranking["parks"], strict=True):
            site = str(rnd.site_ids[int(rank) - 1])
            for i in hs:
                hamlets.setdefault(int(d.hamlets["hamlet_index"].iat[int(i)]), []).append(site)
            for i in gs:
                row = d.gaps.iloc[int(i)]
                gaps.append((row["route"], int(row["part"]), float(row["start_km"]),
                             float(row["end_km"]), site))
            for i in ks:
                parks.setdefault(str(d.parks["park_id"].iat[int(i)]), []).append(site)

    def gap(key: Any) -> str:
        route, part, a, b = key
        return ", ".join(s for r, q, lo, hi, s in gaps if r == route and q == part
                         and lo < b and hi > a)

    return {"hamlets": lambda k: ", ".join(hamlets.get(int(k), [])), "gaps": gap,
            "parks": lambda k: ", ".join(parks.get(str(k), []))}


def _units(plan: SitePlan) -> gpd.GeoDataFrame:
    """Every demand unit: today, reachable, closed by the plan (and after), by which site."""
    lang = plan.lang
    d, p, sol = plan.demand, plan.problem, plan.solution
    value = evaluate_selection(p, sol.best.chosen)
    every = evaluate_selection(p, np.ones(p.n, dtype=bool))
    site_of = dict(zip(plan.ranking["rank"], plan.site_ids, strict=True))
    names = dict(zip(d.ctx.communes["commune_code"].astype(str), d.ctx.communes["name"],
                     strict=False))
    coverable_b = p.cover_b.getnnz(axis=0) > 0
    coverable_f = p.cover_f.getnnz(axis=0) > 0
    after = plan.demand_after
    frames = []

    later = _repair_credits(plan)

    def credit(col: str, n: int, keys: list[Any] | None = None) -> list[str]:
        out = [""] * n
        for rank, units in zip(plan.ranking["rank"], plan.ranking[col], strict=True):
            for u in units:
                out[int(u)] = str(site_of.get(rank, rank))
        for i, key in enumerate(keys or []):
            extra = later[col](key)
            if extra:
                out[i] = f"{out[i]} + {extra}" if out[i] else extra
        return out

    if len(d.hamlets):
        h = d.hamlets
        hm = p.hamlet_matrix.tocsr()
        reasons = []
        for i in range(len(h)):  # one row per uncovered hamlet (hundreds)
            if sol.reach.hamlets[i]:
                reasons.append("")
                continue
            cells = hm.indices[hm.indptr[i]:hm.indptr[i + 1]]
            coefs = hm.data[hm.indptr[i]:hm.indptr[i + 1]]
            most = (h["covered_now"].iat[i] + coefs[coverable_b[cells]].sum()) / max(
                h["total"].iat[i], 1e-9)
            bad = cells[~coverable_b[cells]]
            reasons.append(_reason(plan, bad if len(bad) else cells, False) + _t(
                lang, f"; tối đa {100 * most:.0f} % được phủ", f"; at most {100 * most:.0f} % "
                "can be covered"))
        closed_after = (~h["hamlet_index"].isin(after.hamlets["hamlet_index"])).to_numpy() \
            if after is not None and len(after.hamlets) else np.full(len(h), after is not None)
        frames.append(gpd.GeoDataFrame({
            "unit_kind": "hamlet", "unit_id": h["hamlet_id"], "name": h["name"],
            "commune_code": h["commune_code"], "priority": h["priority"],
            "value_before": h["share_pct"], "value_unit": "%", "reachable": sol.reach.hamlets,
            "closed_planned": value.hamlets, "closed_after": closed_after,
            "closed_by": credit("hamlets", len(h), list(h["hamlet_index"])),
            "reason": reasons},
            geometry=shapely.points(h["x"].to_numpy(float), h["y"].to_numpy(float))))
    if len(d.gaps):
        g = d.gaps
        wm = p.window_matrix.tocsr()
        reasons = []
        for i in range(len(g)):
            if sol.reach.gaps[i]:
                reasons.append("")
                continue
            rows = np.flatnonzero(d.window_gap == i)
            cells = np.unique(np.concatenate([wm.indices[wm.indptr[w]:wm.indptr[w + 1]]
                                              for w in rows]))
            reasons.append(_reason(plan, cells[~coverable_b[cells]], False))
        closed_after = np.full(len(g), after is not None)
        if after is not None and len(after.gaps):
            for i in range(len(g)):
                a = after.gaps
                same = (a["route"] == g["route"].iat[i]) & (a["part"] == g["part"].iat[i])
                closed_after[i] = not ((a.loc[same, "start_km"] < g["end_km"].iat[i])
                                       & (a.loc[same, "end_km"] > g["start_km"].iat[i])).any()
        frames.append(gpd.GeoDataFrame({
            "unit_kind": "road_gap", "unit_id": [f"{r} km {a:.1f}–{b:.1f}" for r, a, b in zip(
                g["route"], g["start_km"], g["end_km"], strict=True)], "name": g["name"],
            "commune_code": "", "priority": False, "value_before": g["gap_km"],
            "value_unit": "km", "reachable": sol.reach.gaps, "closed_planned": value.gaps,
            "closed_after": closed_after,
            "closed_by": credit("gaps", len(g), list(zip(g["route"], g["part"], g["start_km"],
                                                         g["end_km"], strict=True))),
            "reason": reasons}, geometry=g["geometry"].to_numpy()))
    if len(d.parks):
        k = d.parks
        pm = p.park_matrix.tocsr()
        def share(v: Any) -> np.ndarray:
            new = np.array([v.covered_f[pm.indices[pm.indptr[i]:pm.indptr[i + 1]]].sum()
                            for i in range(len(k))])
            return k["share_5g_pct"].to_numpy() + 100.0 * new / np.maximum(k["cells"], 1)

        full = 100.0 * plan.province_after.scenario.thresholds.park_full_share - 1e-9
        planned = np.where(k["k1"], value.parks, share(value) >= full)
        reach = np.where(k["k1"], sol.reach.parks, share(every) >= full)
        reasons = [""] * len(k)
        for i in map(int, np.flatnonzero(~reach)):
            cells = pm.indices[pm.indptr[i]:pm.indptr[i + 1]]
            reasons[i] = _reason(plan, cells[~coverable_f[cells]] if (~coverable_f[cells]).any()
                                 else cells, True)
        closed_after = np.full(len(k), after is not None)
        if after is not None and len(after.parks):
            no_5g = set(after.parks.loc[after.parks["k1"], "park_id"])
            short = set(after.parks["park_id"])
            closed_after = np.where(k["k1"], ~k["park_id"].isin(no_5g),
                                    ~k["park_id"].isin(short))
        frames.append(gpd.GeoDataFrame({
            "unit_kind": "park", "unit_id": k["park_id"], "name": k["name"],
            "commune_code": "", "priority": False, "value_before": k["share_5g_pct"],
            "value_unit": "% 5G", "reachable": reach, "closed_planned": planned,
            "closed_after": closed_after,
            "closed_by": credit("parks", len(k), list(k["park_id"])),
            "reason": reasons}, geometry=shapely.points(k["x"].to_numpy(float),
                                                        k["y"].to_numpy(float))))
    if len(d.spots):
        s = d.spots
        sel = d.spot_b >= 0
        spot, pos = d.spot_b[sel], np.flatnonzero(sel)
        n = len(s)
        left = np.bincount(spot, weights=~value.covered_b[pos], minlength=n)
        unreachable = np.bincount(spot, weights=~coverable_b[pos], minlength=n)
        covered_people = np.bincount(spot, weights=d.people_b[pos] * value.covered_b[pos],
                                     minlength=n)
        reasons = [""] * n
        for i in map(int, np.flatnonzero(unreachable > 0)):
            cells = pos[(spot == i) & ~coverable_b[pos]]
            reasons[i] = _reason(plan, cells, False)
        closed_after = np.full(n, after is not None)
        if after is not None:
            dark = set(after.cells_b[after.spot_b >= 0].tolist())
            flat = d.cells_b[pos]
            still = np.bincount(spot, weights=np.isin(flat, list(dark)), minlength=n) > 0
            closed_after = ~still
        frames.append(gpd.GeoDataFrame({
            "unit_kind": "dark_spot", "unit_id": s["spot_id"], "name": "", "commune_code": "",
            "priority": False, "value_before": s["people"], "value_unit": "people",
            "reachable": unreachable == 0, "closed_planned": left == 0,
            "closed_after": closed_after, "closed_by": "", "reason": reasons,
            "people_covered_planned": covered_people},
            geometry=shapely.points(s["x"].to_numpy(float), s["y"].to_numpy(float))))
    if not frames:
        return gpd.GeoDataFrame({"unit_kind": []}, geometry=[], crs=d.grid.crs)
    out = pd.concat(frames, ignore_index=True)
    blank = out["reason"] == ""
    skipped = blank & out["reachable"].astype(bool) & ~out["closed_planned"].astype(bool) & (
        out["closed_by"] == "")
    out.loc[skipped, "reason"] = _t(lang, "không được chọn (ngoài ngân sách hoặc không thuộc mục "
                                    "tiêu)", "not chosen (beyond the budget or not a target)")
    if after is not None:
        missed = blank & ~skipped & ~out["closed_after"].astype(bool)
        out.loc[missed, "reason"] = _t(
            lang, "đã lập kế hoạch nhưng dự báo sau đề xuất vẫn chưa đạt (nhiễu giữa các trạm "
            "đề xuất hoặc sai khác mô hình)", "planned, but the after-prediction leaves it open "
            "(interference between proposals, or model differences)")
    out["unit_text"] = [_UNIT_TEXT[u][0 if lang == "vi" else 1] for u in out["unit_kind"]]
    out["commune_name"] = out["commune_code"].astype(str).map(names).fillna("")
    if after is None:
        out["closed_after"] = pd.array([pd.NA] * len(out), dtype="boolean")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=d.grid.crs)


# --- before and after ------------------------------------------------------------------------

def _before_after(plan: SitePlan, sites: pd.DataFrame) -> pd.DataFrame:
    from phusong.metrics.results import NOT_COMPUTED

    if plan.before is None or plan.after is None:
        return pd.DataFrame(columns=["indicator_id"])
    cols = ["indicator_id", "indicator_name", "target_text", "deadline_text", "result_text",
            "status_text", "shortfall_text", "value", "status_code", "shortfall"]
    b = plan.before.summary[cols]
    a = plan.after.summary[cols[:1] + cols[4:]]
    out = b.merge(a, on="indicator_id", suffixes=("_before", "_after"))
    keep = (out["status_code_before"] != NOT_COMPUTED) | (out["status_code_after"] != NOT_COMPUTED)
    out = out.loc[keep].reset_index(drop=True)
    out["change"] = out["value_after"].astype(float) - out["value_before"].astype(float)
    if plan.operator is not None:
        op = plan.operator
        out[f"value_before__{op}"] = [plan.before.values[i].by_operator.get(op, np.nan)
                                      for i in out["indicator_id"]]
        out[f"value_after__{op}"] = [plan.after.values[i].by_operator.get(op, np.nan)
                                     for i in out["indicator_id"]]
    new5 = int(sites["techs"].str.contains("5G").sum()) if len(sites) else 0
    lang = plan.lang
    row = {"indicator_id": "T5+", "indicator_name": _t(
        lang, "Trạm 5G mới trong đề xuất (theo dõi so với mục tiêu 7.000 trạm)",
        "New 5G sites proposed (tracked against the 7,000-station target)"),
        "target_text": "7.000" if lang == "vi" else "7,000", "value_before": 0.0,
        "value_after": float(new5), "change": float(new5)}
    return pd.concat([out, pd.DataFrame([row])], ignore_index=True)


_COMMUNE_COLUMNS = ("people", "pop_broadband_pct", "pop_5g_pct", "hamlets", "hamlets_covered",
                    "hamlets_covered_pct", "dark_spots", "dark_spot_people",
                    "road_gaps_over_limit", "road_gap_over_km")


def _communes(plan: SitePlan, sites: pd.DataFrame) -> pd.DataFrame:
    c = plan.demand.ctx.communes
    out = pd.DataFrame({"commune_code": c["commune_code"].astype(str),
                        "name": c["name"].astype(str),
                        "priority_commune": plan.demand.commune_priority})
    if "former_district" in c:
        out["former_district"] = c["former_district"].astype(str).to_numpy()
    per = sites.groupby("commune_code").agg(sites_proposed=("site_id", "size"),
                                            cost_vnd=("cost_vnd", "sum"))
    out = out.merge(per, left_on="commune_code", right_index=True, how="left")
    out[["sites_proposed", "cost_vnd"]] = out[["sites_proposed", "cost_vnd"]].fillna(0)
    for name, res in (("before", plan.before), ("after", plan.after)):
        if res is None:
            continue
        t = res.communes.copy()
        t["commune_code"] = t["commune_code"].astype(str)
        cols = [x for x in _COMMUNE_COLUMNS if x in t]
        out = out.merge(t[["commune_code", *cols]].rename(
            columns={x: f"{x}_{name}" for x in cols}), on="commune_code", how="left")
    return out


def _settings(plan: SitePlan) -> pd.DataFrame:
    cfg = plan.province_after.scenario.planning
    rows = [{"topic": "planning", "item": f.name, "value": str(getattr(cfg, f.name)),
             "unit": f.metadata.get("unit", ""), "note": f.metadata.get("doc", "")}
            for f in dataclasses.fields(cfg)]
    sol = plan.solution

    def add(topic: str, item: str, value: Any, note: str = "") -> None:
        rows.append({"topic": topic, "item": item, "value": str(value), "unit": "",
                     "note": note})

    add("plan", "scope", plan.demand.scope)
    add("plan", "mode", sol.mode, "budget: most gain under the budget; target: least cost")
    add("plan", "kinds", ", ".join(sol.kinds))
    add("plan", "budget_sites", sol.budget_sites)
    add("plan", "budget_vnd", sol.budget_vnd)
    add("plan", "resolution_m", plan.grid_before.transform.a)
    for sel in (sol.milp, sol.greedy):
        if sel is None:
            continue
        for item in ("sites", "objective", "bound", "gap_pct", "status", "seconds"):
            add(f"solver_{sel.method}", item, getattr(sel, item))
    add("solver", "selected", sol.best.method)
    for k, v in sol.stats.items():
        add("solver", k, v)
    for number, rnd in enumerate(plan.repairs, start=2):
        best = rnd.solution.best
        add(f"round_{number}", "sites", best.sites, "re-planning after the after-prediction")
        add(f"round_{number}", "objective", best.objective)
        add(f"round_{number}", "gap_pct", best.gap_pct)
        add(f"round_{number}", "method", best.method)
    for k, v in plan.candidates.counts().items():
        add("candidates", k, v)
    add("candidates", "pairs_predicted", plan.coverage.pairs)
    add("candidates", "interference", "the operator's best server today per technology, "
        "assumed co-channel, times the load (the proposals' interference on each other and "
        "on today's cells is in the after-prediction)")
    for k, v in plan.demand.summary().items():
        add("demand", k, v)
    for k, v in plan.seconds.items():
        add("seconds", k, round(v, 2))
    return pd.DataFrame(rows)


def plan_tables(plan: SitePlan) -> dict[str, pd.DataFrame]:
    """Every table of a plan, by name (:data:`CSV_TABLES`, the units with geometry)."""
    sites = _site_table(plan)
    units = _units(plan)
    lonlat = plan.sites.to_crs("EPSG:4326").geometry
    site_rows = pd.DataFrame(plan.sites.drop(columns="geometry")).assign(
        lon=lonlat.x.to_numpy(), lat=lonlat.y.to_numpy())
    return {
        "sites_proposed": site_rows, "sectors_proposed": plan.sectors, "plan_sites": sites,
        "plan_units": units,
        "plan_unreachable": units.loc[~units["reachable"].astype(bool)]
        if len(units) else units,
        "plan_before_after": _before_after(plan, sites), "plan_communes": _communes(plan, sites),
        "plan_settings": _settings(plan)}


def proposals_layer(plan: SitePlan) -> gpd.GeoDataFrame:
    """The proposals as points for the web map (working CRS), one per site in rank order.

    Columns: ``rank``, ``site_id``, ``kind``, ``kind_text``, ``operator``, ``techs``,
    ``cost_vnd``, ``grid_power``, ``hamlets_closed``, ``road_gaps_closed``, ``parks_closed``,
    ``people_covered``, ``closes_text`` (one line in the plan's language), ``generated_for``.
    """
    t = plan.tables.get("plan_sites") if plan.tables else None
    t = _site_table(plan) if t is None else t
    lang = plan.lang
    closes = [_t(lang, f"{h} thôn, {g} đoạn mất sóng, {k} KCN, {p:,.0f} người",
                 f"{h} hamlets, {g} road gaps, {k} parks, {p:,.0f} people")
              for h, g, k, p in zip(t["hamlets_closed"], t["road_gaps_closed"],
                                    t["parks_closed"], t["people_covered"], strict=True)]
    cols = ["rank", "site_id", "kind", "kind_text", "operator", "techs", "cost_vnd",
            "grid_power", "hamlets_closed", "road_gaps_closed", "parks_closed",
            "people_covered", "generated_for"]
    return gpd.GeoDataFrame(t[cols].assign(closes_text=closes), geometry=t.geometry.to_numpy(),
                            crs=t.crs)


def summary_text(plan: SitePlan) -> str:
    """A few lines for the terminal."""
    sol = plan.solution
    t = plan.tables.get("plan_sites", pd.DataFrame()) if plan.tables else pd.DataFrame()
    cost = float(t["cost_vnd"].sum()) if len(t) else 0.0
    kinds = t["kind"].value_counts().to_dict() if len(t) else {}
    lines = [f"Site plan ({plan.demand.scope}, {sol.mode}: {', '.join(sol.kinds)}): "
             f"{len(t)} sites, {cost / 1e9:,.2f} billion VND "
             f"({', '.join(f'{k} {v}' for k, v in kinds.items())})",
             f"  selection: {sol.best.method}, gap {sol.best.gap_pct:.2f} % "
             f"(greedy: {sol.greedy.sites} sites, gap {sol.greedy.gap_pct:.2f} %); "
             f"{len(plan.candidates)} candidates evaluated"]
    if plan.repairs:
        lines.append("  re-planning after the after-prediction: " + ", ".join(
            f"round {n}: {r.solution.best.sites} sites" for n, r in
            enumerate(plan.repairs, start=2)))
    units = plan.tables.get("plan_units") if plan.tables else None
    if units is not None and len(units):
        for kind in ("hamlet", "road_gap", "park", "dark_spot"):
            u = units.loc[units["unit_kind"] == kind]
            if len(u):
                after = (f", after-prediction {int(u['closed_after'].fillna(False).sum())}"
                         if u["closed_after"].notna().any() else "")
                lines.append(f"  {kind}: {len(u)} open, {int(u['closed_planned'].sum())} closed "
                             f"by the plan{after}, {int((~u['reachable']).sum())} unreachable")
    ba = plan.tables.get("plan_before_after") if plan.tables else None
    if ba is not None and len(ba):
        rows = ba.loc[ba["indicator_id"].isin(["T3", "T6", "K1", "D1", "T1", "T5", "T5+"])]
        lines += _before_after_lines(rows["indicator_id"].astype(str).tolist(),
                                     rows["value_before"].tolist(), rows["value_after"].tolist())
    return "\n".join(lines)


def _summary_value(value: Any, unit: str) -> str:
    """A value as a planner reads it: percentages with one decimal, counts whole with
    thousands separators; ``—`` when missing."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if not np.isfinite(v):
        return "—"
    return f"{v:,.1f}" if unit == "%" else f"{round(v):,.0f}"


def _before_after_lines(ids: list[str], before: list[Any], after: list[Any]) -> list[str]:
    """``  T3     85.6 % → 100.0 %`` lines, columns aligned, in the indicators' units."""
    from phusong.metrics.registry import REGISTRY

    units = [REGISTRY[i].unit if i in REGISTRY else "stations" if i == "T5+" else ""
             for i in ids]
    b = [_summary_value(v, u) for v, u in zip(before, units, strict=True)]
    a = [_summary_value(v, u) for v, u in zip(after, units, strict=True)]
    if not ids:
        return []
    wi, wb, wa, wu = (max(len(x) for x in col) for col in (ids, b, a, units))
    return [f"  {i:<{wi}}  {vb:>{wb}} {u:<{wu}} → {va:>{wa}} {u}".rstrip()
            for i, vb, va, u in zip(ids, b, a, units, strict=True)]


# --- files -------------------------------------------------------------------------------------

def plan_output_paths(out_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """Every file :func:`write_plan_outputs` writes."""
    out = Path(out_dir)
    paths = {"gpkg": out / GPKG_NAME, "scenario_after": out / SCENARIO_AFTER,
             "after_sites": out / "after" / "sites.csv",
             "after_sectors": out / "after" / "sectors.csv"}
    for name in CSV_TABLES:
        paths[f"csv:{name}"] = out / "csv" / f"{name}.csv"
    return paths


def _with_lonlat(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    ll = frame.to_crs("EPSG:4326").geometry
    return pd.DataFrame(frame.drop(columns="geometry")).assign(lon=ll.x.to_numpy(),
                                                               lat=ll.y.to_numpy())


def write_plan_outputs(plan: SitePlan, out_dir: str | os.PathLike[str],
                       overwrite: bool = False) -> dict[str, Path]:
    """Write the plan's GeoPackage, CSV tables and the after-scenario.

    Raises
    ------
    OutputExistsError
        If an output exists and ``overwrite`` is false (checked before anything is written).
    """
    from phusong.config import LayerSource, render_scenario

    paths = plan_output_paths(out_dir)
    for path in paths.values():
        check_writable(path, overwrite)
    tables = plan.tables
    sites_t = tables["plan_sites"]
    extra = sites_t.set_index("site_id")[["rank", "kind", "cost_vnd"]]
    sites = plan.sites.join(extra, on="site_id")
    units = tables["plan_units"]
    layers = {"sites": sites, "sectors": plan.sectors, "proposals": proposals_layer(plan)}
    for kind, name in (("hamlet", "plan_hamlets"), ("road_gap", "plan_road_gaps"),
                       ("park", "plan_parks"), ("dark_spot", "plan_dark_spots")):
        layers[name] = units.loc[units["unit_kind"] == kind] if len(units) else units
    write_vectors(paths["gpkg"], {k: gpkg_ready(v) for k, v in layers.items()},
                  overwrite=overwrite)
    for name in CSV_TABLES:
        table = tables[name]
        if name in INPUT_FORMAT_TABLES:  # fed back as a scenario: canonical names, as they are
            table = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
        else:
            table = table_for_output(table, plan.lang, name)
        write_csv(paths[f"csv:{name}"], table, overwrite=overwrite)
    # today's network with the proposals on air, and a scenario naming it
    after = plan.province_after
    write_csv(paths["after_sites"], _with_lonlat(after.sites), overwrite=overwrite)
    write_csv(paths["after_sectors"], after.sectors, overwrite=overwrite)
    scenario = after.scenario
    layers_after = {}
    for name, src in scenario.layers.items():
        full = scenario.layer_path(name)
        layers_after[name] = dataclasses.replace(src, path=str(full.resolve()) if full else "")
    out = Path(out_dir).resolve()
    layers_after["sites"] = LayerSource(path=str(paths["after_sites"].resolve()))
    layers_after["sectors"] = LayerSource(path=str(paths["after_sectors"].resolve()))
    text = render_scenario(dataclasses.replace(scenario, layers=layers_after, base_dir=out),
                           title=f"{scenario.province.name} with the proposed sites")
    write_text(paths["scenario_after"], text, overwrite=overwrite)
    log.info("site plan written to %s", out)
    return paths
