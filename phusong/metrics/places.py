"""Places with 5G or broadband: T7, T8, P1 (points of interest) and K1, K1a, K1b (parks).

Definitions
    * A point of interest is judged at the coverage-grid cell holding its point.
      T7 (hospitals, universities): 5G at the RSRP threshold with throughput ≥
      ``poi_min_dl_mbps``. P1 (commune offices, public offices, schools, health stations):
      mobile broadband (4G or 5G, ``min_dl_mbps``). T8 listed POIs (kind ``other``): 5G.
    * A park's cells are those whose centre lies in its polygon (a park given as a point, or
      too small to hold a cell centre, is its point's cell). 5G is *present* (K1) when at least
      one of its cells has 5G; the park's 5G share is the covered share of its cells (area).
      Full coverage (K1a) is a share ≥ ``park_full_share``; stable, high-quality coverage (K1b)
      the same share at ``poi_min_dl_mbps``. K1 and K1b count operating parks only.
    * T8 places: the wards (phường) of the former cities Thái Nguyên, Sông Công and Phổ Yên,
      the former district centres (``district_centres`` setting, else each commune named like
      its former district) and the POIs of kind ``other``; a ward or centre has 5G when the
      share of its people with 5G reaches ``residential_5g_share``.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from phusong.coverage.grid import ANY
from phusong.layers.schema import fold
from phusong.metrics._grids import is_polygonal, rasterize_index
from phusong.metrics.context import BROADBAND, FIVE_G, FIVE_G_FAST, MetricContext
from phusong.metrics.population import commune_table
from phusong.metrics.results import MET, NOT_MET, IndicatorValue, status_text

__all__ = [
    "T7_KINDS",
    "P1_KINDS",
    "T8_POI_KINDS",
    "FORMER_CITIES",
    "K1A_PARKS",
    "poi_table",
    "park_table",
    "district_centres",
    "t8_places",
    "t7",
    "t8",
    "p1",
    "k1",
    "k1a",
    "k1b",
]

log = logging.getLogger(__name__)

T7_KINDS: tuple[str, ...] = ("hospital", "university")
"""POI kinds of T7 (bệnh viện, trường đại học)."""
P1_KINDS: tuple[str, ...] = ("commune_office", "public_office", "school", "health_station")
"""POI kinds of P1 (UBND xã, cơ quan, trường học, trạm y tế)."""
T8_POI_KINDS: tuple[str, ...] = ("other",)
"""POI kinds counted as the operators' / listed POIs of T8."""
FORMER_CITIES: tuple[str, ...] = ("Thái Nguyên", "Sông Công", "Phổ Yên")
"""Former cities whose wards T8 requires to have 5G (plan 002 §1.1.2)."""
K1A_PARKS: tuple[str, ...] = ("Yên Bình", "Điềm Thụy – Khu A")
"""The two parks plan 003 names for full 5G coverage by Q4/2026 (K1a)."""
_PREFIXES = ("thanh_pho_", "tp_", "thi_xa_", "tx_", "huyen_", "quan_", "khu_cong_nghiep_",
             "kcn_", "cum_cong_nghiep_", "ccn_")


def base_name(name: object, prefixes: tuple[str, ...] = _PREFIXES) -> str:
    """Folded name without its administrative prefix (``Huyện Đại Từ`` → ``dai_tu``)."""
    key = fold(str(name)) if isinstance(name, str) else ""
    for p in prefixes:
        if key.startswith(p):
            return key[len(p):]
    return key



def _status(ok: np.ndarray, lang: str) -> np.ndarray:
    return np.where(ok, status_text(MET, lang), status_text(NOT_MET, lang))


# --- points of interest ---------------------------------------------------------------------

def poi_table(ctx: MetricContext) -> gpd.GeoDataFrame:
    """One row per POI: signal at its cell, the indicator it counts for and whether it meets it.

    Columns: ``poi_id``, ``name``, ``kind``, ``commune_code``, ``commune_name``,
    ``indicator_id`` (``T7``, ``P1``, ``T8`` or ``""``), ``rsrp_4g_dbm``, ``rsrp_5g_dbm``,
    ``dl_5g_mbps``, ``broadband``, ``has_5g``, ``has_5g_fast``, ``meets``, ``status_text`` and
    per operator ``meets__<op>``; points.
    """

    def build() -> gpd.GeoDataFrame:
        pois = ctx.province.pois
        assert pois is not None
        cols = [c for c in ("poi_id", "name", "kind", "commune_code") if c in pois]
        out = pd.DataFrame(pois[cols]).reset_index(drop=True)
        pts = shapely.point_on_surface(pois.geometry.values)
        x, y = shapely.get_x(pts), shapely.get_y(pts)
        if "commune_code" not in out:
            idx = ctx.point_commune(x, y)
            codes = ctx.communes["commune_code"].to_numpy(dtype=object)
            out["commune_code"] = np.where(idx >= 0, codes[np.maximum(idx, 0)], "")
        out.insert(out.columns.get_loc("commune_code") + 1, "commune_name",
                   ctx.commune_name(out["commune_code"]))
        kind = out["kind"].astype(str).to_numpy()
        ind = np.select([np.isin(kind, T7_KINDS), np.isin(kind, P1_KINDS),
                         np.isin(kind, T8_POI_KINDS)], ["T7", "P1", "T8"], "")
        out["indicator_id"] = ind
        for tech in ("4G", "5G"):
            layer = ctx.grid.layer(ANY, tech)
            out[f"rsrp_{tech.lower()}_dbm"] = (ctx.grid.sample(layer.rsrp_dbm, x, y)
                                               if layer is not None else np.nan)
        layer5 = ctx.grid.layer(ANY, "5G")
        out["dl_5g_mbps"] = ctx.grid.sample(layer5.dl_mbps, x, y) if layer5 is not None else np.nan
        for op in ctx.operators:
            suffix = "" if op == ANY else f"__{op}"
            bb = ctx.grid.sample(ctx.mask(BROADBAND, op), x, y)
            five = ctx.grid.sample(ctx.mask(FIVE_G, op), x, y)
            fast = ctx.grid.sample(ctx.mask(FIVE_G_FAST, op), x, y)
            meets = np.select([ind == "T7", ind == "P1", ind == "T8"], [fast, bb, five], False)
            if op == ANY:
                out["broadband"] = bb
                out["has_5g"] = five
                out["has_5g_fast"] = fast
                out["meets"] = meets
                out["status_text"] = np.where(ind == "", "", _status(meets, ctx.lang))
            else:
                out[f"meets{suffix}"] = meets
        return gpd.GeoDataFrame(out, geometry=pois.geometry.to_numpy(), crs=pois.crs)

    return ctx.memo(("table", "pois"), build)


def _poi_share(ctx: MetricContext, indicator_id: str, what_vi: str, what_en: str
               ) -> IndicatorValue:
    table = poi_table(ctx)
    sel = table.loc[table["indicator_id"] == indicator_id]
    if sel.empty:
        return IndicatorValue.not_computed(ctx.text(f"không có {what_vi} trong lớp pois",
                                                    f"no {what_en} in the pois layer"))
    ok = int(sel["meets"].sum())
    n = len(sel)
    missing = sel.loc[~sel["meets"].astype(bool), "name"].astype(str).tolist()
    shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
    detail = ctx.text(f"{ok}/{n} {what_vi}" + (f"; chưa đạt: {shown}" if missing else ""),
                      f"{ok}/{n} {what_en}" + (f"; missing: {shown}" if missing else ""))
    by_op = {op: 100.0 * float(sel[f"meets__{op}"].mean()) for op in ctx.operators if op != ANY}
    return IndicatorValue(100.0 * ok / n, shortfall=float(n - ok), count=ok, total=n,
                          detail=detail, by_operator=by_op)


def t7(ctx: MetricContext) -> IndicatorValue:
    """T7: hospitals and universities with 5G at ≥ ``poi_min_dl_mbps`` at their point."""
    return _poi_share(ctx, "T7", "bệnh viện, trường đại học", "hospitals and universities")


def p1(ctx: MetricContext) -> IndicatorValue:
    """P1: commune offices, public offices, schools and health stations with broadband."""
    return _poi_share(ctx, "P1", "điểm ưu tiên", "priority places")


# --- parks -------------------------------------------------------------------------------------

def park_table(ctx: MetricContext) -> gpd.GeoDataFrame:
    """One row per park: 5G presence and covered share, full and high-quality coverage.

    Columns: ``park_id``, ``name``, ``status``, ``area_ha``, ``enterprises``,
    ``commune_code``, ``commune_name``, ``cells``, ``has_5g``, ``share_5g_pct``,
    ``share_5g_fast_pct``, ``full_5g``, ``stable_5g``, ``k1a_named``, ``status_text`` (K1, for
    operating parks) and per operator ``has_5g__<op>``, ``share_5g_pct__<op>``; geometry.
    """

    def build() -> gpd.GeoDataFrame:
        parks = ctx.province.parks
        assert parks is not None
        cols = [c for c in ("park_id", "name", "status", "area_ha", "enterprises") if c in parks]
        out = pd.DataFrame(parks[cols]).reset_index(drop=True)
        geoms = parks.geometry.reset_index(drop=True)
        n = len(out)
        pts = shapely.point_on_surface(geoms.values)
        x, y = shapely.get_x(pts), shapely.get_y(pts)
        idx = ctx.point_commune(x, y)
        codes = ctx.communes["commune_code"].to_numpy(dtype=object)
        out["commune_code"] = np.where(idx >= 0, codes[np.maximum(idx, 0)], "")
        out["commune_name"] = ctx.commune_name(out["commune_code"])
        poly = is_polygonal(geoms)
        poly_idx = np.flatnonzero(poly)
        label = rasterize_index(geoms[poly], ctx.grid).reshape(-1)
        flat = np.flatnonzero(label)
        lab = poly_idx[label[flat] - 1]
        cells = np.bincount(lab, minlength=n)
        point_like = cells == 0
        row, col, inside = ctx.grid.xy_to_rowcol(x, y)
        point_flat = row * ctx.grid.shape[1] + col
        out["cells"] = np.where(point_like, inside.astype(int), cells)
        full_share = ctx.thresholds.park_full_share
        for op in ctx.operators:
            suffix = "" if op == ANY else f"__{op}"
            shares = {}
            for kind in (FIVE_G, FIVE_G_FAST):
                m = ctx.flat_mask(kind, op)
                covered = np.bincount(lab, weights=m[flat].astype(float), minlength=n)
                share = np.divide(covered, cells, out=np.zeros(n), where=cells > 0)
                at_point = (m[point_flat] & inside).astype(float)
                shares[kind] = np.where(point_like, at_point, share)
            out[f"has_5g{suffix}"] = shares[FIVE_G] > 0
            out[f"share_5g_pct{suffix}"] = 100.0 * shares[FIVE_G]
            if op == ANY:
                out["share_5g_fast_pct"] = 100.0 * shares[FIVE_G_FAST]
                out["full_5g"] = shares[FIVE_G] >= full_share
                out["stable_5g"] = shares[FIVE_G_FAST] >= full_share
            else:
                out[f"stable_5g{suffix}"] = shares[FIVE_G_FAST] >= full_share
        named = {base_name(p) for p in K1A_PARKS}
        out["k1a_named"] = out["name"].map(base_name).isin(named).to_numpy()
        operating = (out["status"].astype(str) == "operating").to_numpy()
        out["status_text"] = np.where(operating, _status(out["has_5g"].to_numpy(), ctx.lang), "")
        return gpd.GeoDataFrame(out, geometry=geoms.to_numpy(), crs=parks.crs)

    return ctx.memo(("table", "parks"), build)


def _operating(ctx: MetricContext) -> pd.DataFrame:
    table = park_table(ctx)
    return table.loc[table["status"].astype(str) == "operating"]


def _park_share(ctx: MetricContext, column: str, missing_vi: str, missing_en: str
                ) -> IndicatorValue:
    sel = _operating(ctx)
    if sel.empty:
        return IndicatorValue.not_computed(ctx.text("không có KCN đang hoạt động",
                                                    "no operating park"))
    ok = sel[column].astype(bool).to_numpy()
    names = sel.loc[~ok, "name"].astype(str).tolist()
    n = len(sel)
    detail = ctx.text(f"{int(ok.sum())}/{n} KCN đang hoạt động"
                      + (f"; {missing_vi}: {', '.join(names)}" if names else ""),
                      f"{int(ok.sum())}/{n} operating parks"
                      + (f"; {missing_en}: {', '.join(names)}" if names else ""))
    by_op = {op: 100.0 * float(sel[f"{column}__{op}"].mean()) for op in ctx.operators
             if op != ANY and f"{column}__{op}" in sel}
    return IndicatorValue(100.0 * ok.sum() / n, shortfall=float(n - ok.sum()),
                          count=float(ok.sum()), total=n, detail=detail, by_operator=by_op)


def k1(ctx: MetricContext) -> IndicatorValue:
    """K1: operating parks with 5G present (some 5G cell inside)."""
    return _park_share(ctx, "has_5g", "chưa có 5G", "without 5G")


def k1b(ctx: MetricContext) -> IndicatorValue:
    """K1b: operating parks with 5G at ``poi_min_dl_mbps`` over ``park_full_share`` of the area."""
    return _park_share(ctx, "stable_5g", "chưa ổn định", "not yet stable")


def k1a(ctx: MetricContext) -> IndicatorValue:
    """K1a: how many of the two named parks have full 5G coverage."""
    table = park_table(ctx)
    detail = []
    count = 0
    for name in K1A_PARKS:
        row = table.loc[table["name"].map(base_name) == base_name(name)]
        if row.empty:
            detail.append(ctx.text(f"{name}: không có trong lớp parks", f"{name}: not in parks"))
            continue
        share = float(row["share_5g_pct"].iloc[0])
        full = bool(row["full_5g"].iloc[0])
        count += int(full)
        detail.append(f"{name}: {share:.0f} %")
    return IndicatorValue(float(count), shortfall=float(len(K1A_PARKS) - count), count=count,
                          total=len(K1A_PARKS), detail="; ".join(detail))


# --- T8: residential areas --------------------------------------------------------------------

def district_centres(ctx: MetricContext) -> tuple[np.ndarray, str]:
    """Row numbers (in ``ctx.communes``) of the former district centres, and how they were found.

    From ``thresholds.district_centres`` (names or codes, comma-separated) when set; else every
    commune whose name is the name of a former district (``Huyện Đại Từ`` → xã Đại Từ), which
    is how the 2025 merger named most district towns' communes.
    """
    communes = ctx.communes
    names = communes["name"].map(base_name)
    setting = ctx.thresholds.district_centres.strip()
    if setting:
        tokens = [t.strip() for t in setting.split(",") if t.strip()]
        keys = {base_name(t) for t in tokens}
        hit = names.isin(keys) | communes["commune_code"].astype(str).isin(tokens)
        found = set(names[hit]) | set(communes.loc[hit, "commune_code"].astype(str))
        unknown = [t for t in tokens if base_name(t) not in found and t not in found]
        if unknown:
            log.warning("district_centres: no commune named or coded %s", ", ".join(unknown))
        return np.flatnonzero(hit.to_numpy()), "setting"
    if "former_district" not in communes:
        return np.zeros(0, dtype=np.int64), "none"
    fd = communes["former_district"].astype("string").fillna("")
    rural = fd.map(lambda v: fold(v).startswith(("huyen", "thi_xa", "tx_")))
    district_names = set(fd[rural].map(base_name))
    return np.flatnonzero(names.isin(district_names).to_numpy()), "name"


def t8_places(ctx: MetricContext) -> pd.DataFrame:
    """The places of T8 and whether each has 5G.

    Columns: ``place_type`` (``ward``, ``district_centre``, ``poi``), ``name``,
    ``commune_code``, ``commune_name``, ``pop_5g_pct`` (wards and centres), ``meets``,
    ``status_text``.
    """

    def build() -> pd.DataFrame:
        communes = commune_table(ctx)
        cities = {base_name(c) for c in FORMER_CITIES}
        is_ward = (communes["kind"].astype(str) == "phuong").to_numpy() if "kind" in communes \
            else np.zeros(len(communes), dtype=bool)
        if "former_district" in communes:
            is_ward = is_ward & communes["former_district"].map(base_name).isin(cities).to_numpy()
        centre_rows, _ = district_centres(ctx)
        is_centre = np.zeros(len(communes), dtype=bool)
        is_centre[centre_rows] = True
        is_centre &= ~is_ward
        limit = 100.0 * ctx.thresholds.residential_5g_share
        frames = []
        for kind, sel in (("ward", is_ward), ("district_centre", is_centre)):
            part = communes.loc[sel, ["commune_code", "name", "pop_5g_pct"]]
            frames.append(pd.DataFrame({
                "place_type": kind, "name": part["name"].to_numpy(),
                "commune_code": part["commune_code"].to_numpy(),
                "commune_name": part["name"].to_numpy(),
                "pop_5g_pct": part["pop_5g_pct"].to_numpy(),
                "meets": (part["pop_5g_pct"].to_numpy() >= limit)}))
        if ctx.province.pois is not None:
            pois = poi_table(ctx)
            sel = pois.loc[pois["indicator_id"] == "T8"]
            frames.append(pd.DataFrame({
                "place_type": "poi", "name": sel["name"].to_numpy(),
                "commune_code": sel["commune_code"].to_numpy(),
                "commune_name": sel["commune_name"].to_numpy(), "pop_5g_pct": np.nan,
                "meets": sel["has_5g"].to_numpy(dtype=bool)}))
        out = pd.concat(frames, ignore_index=True)
        out["meets"] = out["meets"].astype(bool)
        out["status_text"] = _status(out["meets"].to_numpy(), ctx.lang)
        return out

    return ctx.memo(("table", "places"), build)


def t8(ctx: MetricContext) -> IndicatorValue:
    """T8: share of T8 places (former-city wards, former district centres, POIs) with 5G."""
    if ctx.population.source == "none" and ctx.province.pois is None:
        return IndicatorValue.not_computed(ctx.text("không có số liệu dân số",
                                                    "no population data"))
    places = t8_places(ctx)
    if places.empty:
        return IndicatorValue.not_computed(ctx.text(
            "không xác định được phường, trung tâm huyện cũ hay điểm POI",
            "no ward, former district centre or POI found"))
    ok = places["meets"].to_numpy()
    n = len(places)
    counts = []
    for kind, vi, en in (("ward", "phường", "wards"), ("district_centre", "trung tâm huyện",
                                                       "district centres"), ("poi", "POI", "POIs")):
        sel = places["place_type"].to_numpy() == kind
        if sel.any():
            counts.append(ctx.text(f"{int(ok[sel].sum())}/{int(sel.sum())} {vi}",
                                   f"{int(ok[sel].sum())}/{int(sel.sum())} {en}"))
    return IndicatorValue(100.0 * ok.sum() / n, shortfall=float(n - ok.sum()),
                          count=float(ok.sum()), total=n, detail="; ".join(counts))
