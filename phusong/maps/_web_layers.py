"""The data of each web-map layer, as the compact specs ``phusong.js`` turns into Leaflet layers.

A spec is a JSON object: ``className`` (CSS class of every SVG path, which tests and users can
select), ``pane``, ``styles`` (Leaflet path options, referenced by index), ``labels`` (popup row
headers, once per layer) and either ``features`` (``[geometry, style, title, [values]]``, for
lines and areas) or ``points`` (``[lon, lat, style, title, [values]]``), plus ``radius`` and
``cluster`` for points. Values are text already formatted in the map's language (``12.345``,
``64,1 %`` in Vietnamese), so the browser only places them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from phusong.coverage.grid import ANY
from phusong.layers.province import Province
from phusong.maps import _style as st
from phusong.maps._base import BaseLayers, simplify_for_display
from phusong.metrics.results import IndicatorResults, fmt_number
from phusong.reports.labels import header

__all__ = ["Context", "Raw", "dumps_spec"]

log = logging.getLogger(__name__)

_TECH_ORDER = {"5G": 0, "4G": 1, "3G": 2, "2G": 3}


class Raw(str):
    """JSON text placed into a spec as it is (pre-serialised features)."""

    __slots__ = ()


def dumps_spec(obj: Mapping[str, Any]) -> str:
    """A spec as compact JSON, with :class:`Raw` values spliced in unquoted."""
    raws = {k: v for k, v in obj.items() if isinstance(v, Raw)}
    rest = {k: v for k, v in obj.items() if not isinstance(v, Raw)}
    text = json.dumps(rest, ensure_ascii=False, separators=(",", ":"))
    if raws:
        extra = "".join(f",{json.dumps(k)}:{v}" for k, v in raws.items())
        text = text[:-1] + (extra[1:] if text == "{}" else extra) + "}"
    return text


@dataclass(frozen=True)
class Context:
    """What every layer builder needs."""

    province: Province
    results: IndicatorResults
    base: BaseLayers
    lang: str
    decimals: int
    simplify_m: float


# --- formatting helpers ----------------------------------------------------------------------

def _num(values: pd.Series | np.ndarray, lang: str, decimals: int = 0, unit: str = "") -> list[str]:
    suffix = f" {unit}" if unit else ""
    out = []
    for v in pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=np.nan):
        out.append("" if np.isnan(v) else fmt_number(float(v), lang, decimals) + suffix)
    return out


def _txt(values: pd.Series | None, n: int) -> list[str]:
    if values is None:
        return [""] * n
    return ["" if pd.isna(v) else str(v) for v in values]


def _series(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column, or NaN of the frame's length when it is missing."""
    return frame[name] if name in frame else pd.Series(np.nan, index=frame.index)


def _col(frame: pd.DataFrame, name: str) -> pd.Series | None:
    return frame[name] if name in frame else None


def _yes_no(values: pd.Series | None, lang: str, n: int) -> list[str]:
    if values is None:
        return [""] * n
    return [st.yes_no(None if pd.isna(v) else bool(v), lang) for v in values]


def _words(values: pd.Series | None, lang: str, n: int) -> list[str]:
    return [st.word(v, lang) if v else "" for v in _txt(values, n)]


def _people(lang: str) -> str:
    return st.text("people", lang)


def _lonlat_geoms(geoms: gpd.GeoSeries, decimals: int) -> list[str]:
    """Geometries as GeoJSON text in WGS 84, coordinates rounded to ``decimals``."""
    wgs = np.asarray(geoms.to_crs("EPSG:4326").values)
    wgs = shapely.transform(wgs, lambda c: np.round(c, decimals))
    return list(shapely.to_geojson(wgs))


def _lonlat_points(geoms: gpd.GeoSeries, decimals: int) -> tuple[np.ndarray, np.ndarray]:
    pts = geoms.copy()
    not_point = pts.geom_type != "Point"
    if not_point.any():
        pts[not_point] = pts[not_point].representative_point()
    wgs = pts.to_crs("EPSG:4326")
    return np.round(wgs.x.to_numpy(), decimals), np.round(wgs.y.to_numpy(), decimals)


def _features(geoms: list[str], styles: np.ndarray | list[int], titles: list[str],
              values: list[list[str]] | None) -> Raw:
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    rows = []
    for i, g in enumerate(geoms):
        v = dump(values[i]) if values is not None else "0"
        rows.append(f"[{g},{int(styles[i])},{dump(titles[i])},{v}]")
    return Raw("[" + ",".join(rows) + "]")


def _points(lon: np.ndarray, lat: np.ndarray, styles: np.ndarray | list[int], titles: list[str],
            values: list[list[str]]) -> Raw:
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    rows = [f"[{float(x)!r},{float(y)!r},{int(s)},{dump(t)},{dump(v)}]"
            for x, y, s, t, v in zip(lon, lat, styles, titles, values, strict=True)]
    return Raw("[" + ",".join(rows) + "]")


def _rows(*columns: list[str]) -> list[list[str]]:
    return [list(r) for r in zip(*columns, strict=True)]


def _spec(class_name: str, pane: str, styles: list[dict[str, Any]], labels: list[str],
          **rest: Any) -> dict[str, Any]:
    return {"className": class_name, "pane": pane, "styles": styles, "labels": labels, **rest}


# --- communes --------------------------------------------------------------------------------

def communes_spec(ctx: Context, shading: st.Choropleth | None) -> dict[str, Any]:
    """Communes shaded by one indicator column (``shading``), or outlines only (``None``)."""
    lang = ctx.lang
    table = ctx.results.communes
    keep = [c for c in table.columns if c not in ("name", "kind", "geometry")]
    frame = ctx.base.communes.merge(table[keep], on="commune_code", how="left")
    n = len(frame)
    edge = {"color": st.COMMUNE_EDGE, "weight": 0.8, "opacity": 0.9}
    if shading is None:
        styles = [{**edge, "weight": 1.2, "fillColor": "#ffffff", "fillOpacity": 0.05}]
        index = np.zeros(n, dtype=int)
    else:
        colours = [*shading.colours, st.NO_DATA_COLOUR]
        styles = [{**edge, "fillColor": c, "fillOpacity": 0.6} for c in colours]
        values = pd.to_numeric(frame.get(shading.column), errors="coerce")
        index = np.array([colours.index(shading.colour(None if pd.isna(v) else float(v)))
                          for v in values])
    people = _people(lang)
    hamlets = [f"{a}/{b}" if a and b else "" for a, b in
               zip(_num(_series(frame, "hamlets_covered"), lang), _num(_series(frame, "hamlets"), lang),
                   strict=True)]
    spots = [f"{a} ({b} {people})" if a else "" for a, b in
             zip(_num(_series(frame, "dark_spots"), lang), _num(_series(frame, "dark_spot_people"), lang),
                 strict=True)]
    gaps = [f"{a} ({b} km)" if a else "" for a, b in
            zip(_num(_series(frame, "road_gaps_over_limit"), lang),
                _num(_series(frame, "road_gap_over_km"), lang, 1), strict=True)]
    labels = [header("kind", lang), header("former_district", lang), header("population", lang),
              header("pop_5g_pct", lang), header("pop_broadband_pct", lang),
              header("hamlets_covered", lang), header("dark_spots", lang),
              header("road_gaps_over_limit", lang), header("t1_met", lang)]
    values = _rows(_words(_col(frame, "kind"), lang, n), _txt(_col(frame, "former_district"), n),
                   _num(_series(frame, "population"), lang), _num(_series(frame, "pop_5g_pct"), lang, 1, "%"),
                   _num(_series(frame, "pop_broadband_pct"), lang, 1, "%"), hamlets, spots, gaps,
                   _yes_no(_col(frame, "t1_met"), lang, n))
    geoms = _lonlat_geoms(frame.geometry, ctx.decimals)
    return _spec("phusong-communes", "phusong-communes", styles, labels, tooltip=True,
                 features=_features(geoms, index, _txt(frame["name"], n), values))


# --- what misses the targets -----------------------------------------------------------------

def road_gaps_spec(ctx: Context, over: bool) -> dict[str, Any] | None:
    """Road gaps of the union of operators: longer than the limit (``over``) or not."""
    gaps = ctx.results.road_gaps
    if gaps is None:
        return None
    lang = ctx.lang
    if "operator" in gaps:
        gaps = gaps.loc[gaps["operator"].astype(str) == ANY]
    gaps = gaps.loc[gaps["over_limit"].astype(bool) == over]
    n = len(gaps)
    colour = st.GAP_COLOURS["over" if over else "under"]
    styles = [{"color": colour, "weight": 5 if over else 3, "opacity": 0.95, "lineCap": "butt"}]
    km = _num(_series(gaps, "gap_km"), lang, 2, "km")
    route = _txt(_col(gaps, "route"), n)
    titles = [f"{r}: {k}" for r, k in zip(route, km, strict=True)]
    labels = [header("name", lang), header("class", lang), header("start_km", lang),
              header("end_km", lang), header("gap_km", lang), header("communes", lang)]
    values = _rows(_txt(_col(gaps, "name"), n), _txt(_col(gaps, "class"), n),
                   _num(_series(gaps, "start_km"), lang, 2), _num(_series(gaps, "end_km"), lang, 2), km,
                   _txt(_col(gaps, "communes"), n))
    geoms = _lonlat_geoms(simplify_for_display(gaps.geometry, ctx.simplify_m / 2), ctx.decimals)
    name = "phusong-road-gaps" if over else "phusong-road-gaps-short"
    return _spec(name, "phusong-gaps", styles, labels, tooltip=True,
                 features=_features(geoms, np.zeros(n, int), titles, values))


def dark_spots_spec(ctx: Context) -> dict[str, Any] | None:
    """Dark spots ranked by people; trắng sóng and lõm sóng in two colours."""
    spots = ctx.results.dark_spots
    if spots is None:
        return None
    lang = ctx.lang
    n = len(spots)
    kinds = list(st.DARK_SPOT_COLOURS)
    styles = [{"color": st.DARK_SPOT_COLOURS[k], "weight": 1.2, "fillColor": st.DARK_SPOT_COLOURS[k],
               "fillOpacity": 0.45} for k in kinds]
    index = [kinds.index(k) if k in kinds else 1 for k in _txt(_col(spots, "kind"), n)]
    people = _num(_series(spots, "people"), lang)
    titles = [f"#{r} {k}: {p} {_people(lang)}" for r, k, p in
              zip(_txt(_col(spots, "rank"), n), _txt(_col(spots, "kind_text"), n), people,
                  strict=True)]
    hamlets = [st.join_limited(h.split("; ")) for h in _txt(_col(spots, "hamlet_names"), n)]
    labels = [header("communes", lang), header("people", lang), header("people_no_signal", lang),
              header("area_km2", lang), header("best_rsrp_dbm", lang), header("hamlet_names", lang)]
    values = _rows(_txt(_col(spots, "communes"), n), people,
                   _num(_series(spots, "people_no_signal"), lang),
                   _num(_series(spots, "area_km2"), lang, 2), _num(_series(spots, "best_rsrp_dbm"), lang, 1),
                   hamlets)
    geoms = _lonlat_geoms(simplify_for_display(spots.geometry, ctx.simplify_m), ctx.decimals)
    return _spec("phusong-dark-spots", "phusong-areas", styles, labels, tooltip=True,
                 features=_features(geoms, index, titles, values))


def _status_index(flags: pd.Series | None, n: int) -> np.ndarray:
    """0 met, 1 not met, 2 unknown."""
    if flags is None:
        return np.full(n, 2)
    return np.array([2 if pd.isna(v) else (0 if bool(v) else 1) for v in flags])


def hamlets_spec(ctx: Context) -> dict[str, Any] | None:
    """Hamlets coloured by T3 status (covered share of people ≥ the threshold)."""
    hamlets = ctx.results.hamlets
    if hamlets is None:
        return None
    lang = ctx.lang
    n = len(hamlets)
    dot = {"color": "#252525", "weight": 1, "fillOpacity": 0.9}
    styles = [{**dot, "fillColor": st.STATUS_COLOURS[k], "radius": r}
              for k, r in (("met", 3.5), ("not_met", 5.5), ("none", 3.5))]
    lon, lat = _lonlat_points(hamlets.geometry, ctx.decimals)
    labels = [header("commune_name", lang), header("kind", lang), header("population", lang),
              header("broadband_share_pct", lang), header("pop_5g_share_pct", lang),
              header("status", lang)]
    values = _rows(_txt(_col(hamlets, "commune_name"), n), _words(_col(hamlets, "kind"), lang, n),
                   _num(_series(hamlets, "population"), lang),
                   _num(_series(hamlets, "broadband_share_pct"), lang, 1, "%"),
                   _num(_series(hamlets, "pop_5g_share_pct"), lang, 1, "%"),
                   _txt(_col(hamlets, "status_text"), n))
    return _spec("phusong-hamlets", "phusong-points", styles, labels, radius=5, tooltip=True,
                 points=_points(lon, lat, _status_index(_col(hamlets, "covered"), n),
                                _txt(hamlets["name"], n), values))


def park_status(parks: pd.DataFrame) -> np.ndarray:
    """0 full 5G, 1 5G present, 2 no 5G, 3 not operating (index into the park styles)."""
    n = len(parks)
    operating = (_txt(_col(parks, "status"), n))
    full = _col(parks, "full_5g")
    has = _col(parks, "has_5g")
    out = np.full(n, 3)
    for i in range(n):
        if operating[i] != "operating":
            continue
        f = full is not None and not pd.isna(full.iloc[i]) and bool(full.iloc[i])
        h = has is not None and not pd.isna(has.iloc[i]) and bool(has.iloc[i])
        out[i] = 0 if f else (1 if h else 2)
    return out


PARK_KEYS = ("park_full", "park_partial", "park_none", "park_not_operating")
PARK_COLOURS = (st.STATUS_COLOURS["met"], st.STATUS_COLOURS["partial"], st.STATUS_COLOURS["not_met"],
                st.STATUS_COLOURS["none"])


def parks_spec(ctx: Context) -> dict[str, Any] | None:
    """Industrial parks by 5G status (full coverage, present, absent; not operating in grey)."""
    parks = ctx.results.parks
    if parks is None:
        return None
    lang = ctx.lang
    n = len(parks)
    styles = [{"color": c, "weight": 2, "fillColor": c, "fillOpacity": 0.35, "radius": 7}
              for c in PARK_COLOURS]
    labels = [header("status", lang), header("area_ha", lang), header("enterprises", lang),
              header("has_5g", lang), header("share_5g_pct", lang), header("share_5g_fast_pct", lang),
              header("full_5g", lang), header("meets", lang)]
    values = _rows(_words(_col(parks, "status"), lang, n), _num(_series(parks, "area_ha"), lang, 1),
                   _num(_series(parks, "enterprises"), lang), _yes_no(_col(parks, "has_5g"), lang, n),
                   _num(_series(parks, "share_5g_pct"), lang, 1, "%"),
                   _num(_series(parks, "share_5g_fast_pct"), lang, 1, "%"),
                   _yes_no(_col(parks, "full_5g"), lang, n), _txt(_col(parks, "status_text"), n))
    geoms = _lonlat_geoms(simplify_for_display(parks.geometry, ctx.simplify_m / 2), ctx.decimals)
    return _spec("phusong-parks", "phusong-areas", styles, labels, tooltip=True,
                 features=_features(geoms, park_status(parks), _txt(parks["name"], n), values))


def pois_spec(ctx: Context) -> dict[str, Any] | None:
    """Priority places (hospitals, universities: T7; commune offices, schools …: P1)."""
    pois = ctx.results.pois
    if pois is None:
        return None
    lang = ctx.lang
    n = len(pois)
    ring = {"color": "#000000", "weight": 1.5, "fillOpacity": 0.95}
    styles = [{**ring, "fillColor": st.STATUS_COLOURS[k]} for k in ("met", "not_met", "none")]
    lon, lat = _lonlat_points(pois.geometry, ctx.decimals)
    labels = [header("kind", lang), header("commune_name", lang), header("indicator_id", lang),
              header("rsrp_4g_dbm", lang), header("rsrp_5g_dbm", lang), header("dl_5g_mbps", lang),
              header("meets", lang)]
    values = _rows(_words(_col(pois, "kind"), lang, n), _txt(_col(pois, "commune_name"), n),
                   _txt(_col(pois, "indicator_id"), n), _num(_series(pois, "rsrp_4g_dbm"), lang, 1),
                   _num(_series(pois, "rsrp_5g_dbm"), lang, 1), _num(_series(pois, "dl_5g_mbps"), lang, 1),
                   _txt(_col(pois, "status_text"), n))
    return _spec("phusong-pois", "phusong-points", styles, labels, radius=4, tooltip=True,
                 points=_points(lon, lat, _status_index(_col(pois, "meets"), n),
                                _txt(pois["name"], n), values))


# --- base drawing ----------------------------------------------------------------------------

def roads_spec(ctx: Context) -> dict[str, Any] | None:
    """Roads by class (the base layers' simplified roads)."""
    roads = ctx.base.roads
    if roads is None:
        return None
    n = len(roads)
    classes = list(st.ROAD_STYLE)
    styles = [{"color": st.ROAD_STYLE[c][0], "weight": st.ROAD_STYLE[c][1], "opacity": 0.9}
              for c in classes]
    index = [classes.index(c) if c in classes else classes.index("local")
             for c in _txt(_col(roads, "class"), n)]
    names = _txt(_col(roads, "name"), n)
    refs = _txt(_col(roads, "ref"), n)
    titles = [nm or rf or "" for nm, rf in zip(names, refs, strict=True)]
    geoms = _lonlat_geoms(roads.geometry, ctx.decimals)
    return _spec("phusong-roads", "phusong-lines", styles, [], popup=False, tooltip=True,
                 features=_features(geoms, index, titles, None))


def rivers_spec(ctx: Context) -> dict[str, Any] | None:
    """Rivers (from the layer, or traced from the DEM)."""
    rivers = ctx.base.rivers
    if rivers is None or rivers.empty:
        return None
    n = len(rivers)
    styles = [{"color": st.RIVER_COLOUR, "weight": 1.2, "opacity": 0.9},
              {"color": st.RIVER_COLOUR, "weight": 2.6, "opacity": 0.9}]
    index = [1 if m else 0 for m in rivers["major"].astype(bool)]
    geoms = _lonlat_geoms(rivers.geometry, ctx.decimals)
    return _spec("phusong-rivers", "phusong-lines", styles, [], popup=False, interactive=False,
                 features=_features(geoms, index, _txt(_col(rivers, "name"), n), None))


# --- networks --------------------------------------------------------------------------------

def site_table(province: Province) -> pd.DataFrame | None:
    """Sites with the technologies and bands of their sectors (``techs``, ``bands``)."""
    sites = province.sites
    if sites is None:
        return None
    out = sites.copy()
    sectors = province.sectors
    if sectors is not None and not sectors.empty:
        sec = pd.DataFrame({"site_id": sectors["site_id"].astype(str),
                            "tech": sectors["tech"].astype(str),
                            "band": pd.to_numeric(sectors.get("band_mhz"), errors="coerce")})
        techs = sec.groupby("site_id")["tech"].agg(
            lambda s: ", ".join(sorted(set(s), key=lambda t: _TECH_ORDER.get(t, 9))))
        bands = sec.dropna(subset=["band"]).groupby("site_id")["band"].agg(
            lambda s: ", ".join(f"{b:g}" for b in sorted(set(s))))
        ids = out["site_id"].astype(str)
        out["techs"] = ids.map(techs).fillna("")
        out["bands"] = ids.map(bands).fillna("")
    else:
        out["techs"] = ""
        out["bands"] = ""
    return out


def sites_specs(ctx: Context) -> Iterator[tuple[dict[str, Any], str]]:
    """One clustered layer per operator and technology (a site is in each of its technologies)."""
    sites = site_table(ctx.province)
    if sites is None or sites.empty:
        return
    lang = ctx.lang
    lon, lat = _lonlat_points(sites.geometry, ctx.decimals)
    sites = sites.assign(_lon=lon, _lat=lat)
    labels = [header("operator", lang), st.text("techs", lang), st.text("bands", lang),
              header("height_agl_m", lang), header("shared", lang), header("status", lang)]
    techs_per_site = sites["techs"].str.split(", ")
    all_techs = sorted({t for ts in techs_per_site for t in ts if t},
                       key=lambda t: _TECH_ORDER.get(t, 9))
    for operator in sorted(sites["operator"].astype(str).unique()):
        colour = st.operator_colour(operator)
        styles = [{"color": "#ffffff", "weight": 1.5, "fillColor": colour, "fillOpacity": 0.95},
                  {"color": colour, "weight": 1.5, "fillColor": colour, "fillOpacity": 0.3,
                   "dashArray": "2 2"}]
        for tech in [*all_techs, ""]:
            has = techs_per_site.map(lambda ts, t=tech: t in ts if t else ts == [""])
            pick = sites.loc[(sites["operator"].astype(str) == operator) & has]
            if pick.empty:
                continue
            n = len(pick)
            index = [1 if s == "planned" else 0 for s in _txt(_col(pick, "status"), n)]
            values = _rows(_txt(pick["operator"], n), _txt(pick["techs"], n), _txt(pick["bands"], n),
                           _num(_series(pick, "height_agl_m"), lang, 1, "m"),
                           _yes_no(_col(pick, "shared"), lang, n), _words(_col(pick, "status"), lang, n))
            spec = _spec("phusong-sites", "phusong-points", styles, labels,
                         radius=6 if tech == "5G" else 5, tooltip=False,
                         cluster={"colour": colour, "disableAt": 13, "radius": 45},
                         points=_points(pick["_lon"].to_numpy(), pick["_lat"].to_numpy(), index,
                                        _txt(pick["site_id"], n), values))
            yield spec, st.text("sites", lang, operator=operator, tech=tech or "?").strip()


def fiber_specs(ctx: Context) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Fiber routes (lines) and nodes (clustered points) per operator."""
    lang = ctx.lang
    routes, nodes = ctx.province.fiber_routes, ctx.province.fiber_nodes
    operators = sorted({*([] if routes is None else routes["operator"].astype(str)),
                        *([] if nodes is None else nodes["operator"].astype(str))})
    for operator in operators:
        colour = st.operator_colour(operator)
        if routes is not None:
            pick = routes.loc[routes["operator"].astype(str) == operator]
            n = len(pick)
            styles = [{"color": colour, "weight": 1.6, "opacity": 0.85, "dashArray": "4 3"}]
            values = _rows(_words(_col(pick, "kind"), lang, n), _words(_col(pick, "status"), lang, n))
            geoms = _lonlat_geoms(simplify_for_display(pick.geometry, ctx.simplify_m), ctx.decimals)
            yield "geo", _spec("phusong-fiber", "phusong-lines", styles,
                               [header("kind", lang), header("status", lang)],
                               features=_features(geoms, np.zeros(n, int),
                                                  _txt(pick["route_id"], n), values)), \
                st.text("fiber_routes", lang, operator=operator)
        if nodes is not None:
            pick = nodes.loc[nodes["operator"].astype(str) == operator]
            n = len(pick)
            lon, lat = _lonlat_points(pick.geometry, ctx.decimals)
            ports = [f"{u}/{t}" if t else "" for u, t in
                     zip(_num(_series(pick, "ports_used"), lang), _num(_series(pick, "ports_total"), lang),
                         strict=True)]
            values = _rows(_txt(_col(pick, "technology"), n), ports,
                           _num(_series(pick, "max_rate_mbps"), lang, 0, "Mbit/s"))
            styles = [{"color": "#ffffff", "weight": 1, "fillColor": colour, "fillOpacity": 0.9}]
            yield "points", _spec(
                "phusong-fiber-nodes", "phusong-points", styles,
                [header("technology", lang), st.text("ports", lang), header("max_rate_mbps", lang)],
                radius=4, cluster={"colour": colour, "disableAt": 14, "radius": 40},
                points=_points(lon, lat, np.zeros(n, int), _txt(pick["node_id"], n), values)), \
                st.text("fiber_nodes", lang, operator=operator)


def fiber_places_spec(ctx: Context, fiber: Any) -> dict[str, Any] | None:
    """Places (hamlets, parks, POIs) by fiber status, from a ``FiberReach``."""
    if fiber is None or fiber.places is None or fiber.places.empty:
        return None
    lang = ctx.lang
    places = fiber.places
    n = len(places)
    statuses = list(st.FIBER_STATUS_COLOURS)
    styles = [{"color": "#252525", "weight": 1, "fillColor": st.FIBER_STATUS_COLOURS[k],
               "fillOpacity": 0.9} for k in statuses]
    status = _txt(_col(places, "fiber_status"), n)
    index = [statuses.index(s) if s in statuses else len(statuses) - 1 for s in status]
    lon, lat = _lonlat_points(places.geometry, ctx.decimals)
    labels = [header("kind", lang), header("status", lang), st.text("distance_m", lang),
              st.text("node", lang), header("households", lang)]
    values = _rows(_words(_col(places, "place_layer"), lang, n), [st.word(s, lang) for s in status],
                   _num(_series(places, "distance_m"), lang, 0, "m"), _txt(_col(places, "node_id"), n),
                   _num(_series(places, "households"), lang))
    return _spec("phusong-fiber-places", "phusong-points", styles, labels, radius=4, tooltip=True,
                 cluster={"colour": "#2c7fb8", "disableAt": 13, "radius": 40},
                 points=_points(lon, lat, index, _txt(_col(places, "name"), n), values))


def fiber_plan_spec(ctx: Context, plan: Any) -> dict[str, Any] | None:
    """Proposed fiber routes of a ``FiberPlan``, best first."""
    if plan is None or plan.routes is None or plan.routes.empty:
        return None
    lang = ctx.lang
    routes = plan.routes
    n = len(routes)
    styles = [{"color": st.PLAN_ROUTE_COLOUR, "weight": 3, "opacity": 0.9, "dashArray": "6 4"}]
    titles = [f"#{r} {i}" for r, i in zip(_txt(_col(routes, "rank"), n), _txt(_col(routes, "route_id"), n),
                                          strict=True)]
    labels = ["km", header("households", lang), header("communes", lang), header("ref", lang), "VND"]
    values = _rows(_num(_series(routes, "cable_km"), lang, 2), _num(_series(routes, "households"), lang),
                   _txt(_col(routes, "communes"), n), _txt(_col(routes, "roads"), n),
                   _num(_series(routes, "cost_vnd"), lang))
    geoms = _lonlat_geoms(simplify_for_display(routes.geometry, ctx.simplify_m / 2), ctx.decimals)
    return _spec("phusong-fiber-plan", "phusong-gaps", styles, labels, tooltip=True,
                 features=_features(geoms, np.zeros(n, int), titles, values))


def proposals_spec(ctx: Context, proposals: gpd.GeoDataFrame | None) -> dict[str, Any] | None:
    """Proposed BTS sites (:func:`phusong.planning.proposals_layer`), by kind, in rank order."""
    if proposals is None or proposals.empty:
        return None
    lang = ctx.lang
    n = len(proposals)
    kinds = list(st.PROPOSAL_COLOURS)
    styles = [{"color": "#000000", "weight": 2, "fillColor": st.PROPOSAL_COLOURS[k], "fillOpacity": 0.95}
              for k in kinds]
    kind = _txt(_col(proposals, "kind"), n)
    index = [kinds.index(k) if k in kinds else 0 for k in kind]
    lon, lat = _lonlat_points(proposals.geometry, ctx.decimals)
    titles = [f"#{r} {i}" for r, i in zip(_txt(_col(proposals, "rank"), n),
                                          _txt(_col(proposals, "site_id"), n), strict=True)]
    labels = [header("operator", lang), st.text("proposal_kind", lang), st.text("techs", lang),
              st.text("proposal_closes", lang), "VND"]
    values = _rows(_txt(_col(proposals, "operator"), n), _txt(_col(proposals, "kind_text"), n),
                   _txt(_col(proposals, "techs"), n), _txt(_col(proposals, "closes_text"), n),
                   _num(_series(proposals, "cost_vnd"), lang))
    return _spec("phusong-proposals", "phusong-points", styles, labels, radius=7, tooltip=True,
                 points=_points(lon, lat, index, titles, values))


def measurements_spec(ctx: Context) -> dict[str, Any] | None:
    """Measured points coloured by measured RSRP on the fixed dBm scale (clustered)."""
    meas = ctx.results.measurements
    if meas is None:
        meas = ctx.province.measurements
    if meas is None or meas.empty:
        return None
    lang = ctx.lang
    n = len(meas)
    rsrp = pd.to_numeric(meas.get("rsrp_dbm"), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    classes = st.rsrp_classes(rsrp)  # 0 = below the scale or unknown
    styles = [{"color": "#333333", "weight": 1, "fillColor": st.NO_DATA_COLOUR, "fillOpacity": 0.9}]
    styles += [{"color": "#333333", "weight": 1, "fillColor": c.colour, "fillOpacity": 0.9}
               for c in st.RSRP_CLASSES_DBM]
    lon, lat = _lonlat_points(meas.geometry, ctx.decimals)
    times = meas["time"] if "time" in meas else None
    when = ["" if times is None or pd.isna(t) else pd.Timestamp(t).strftime("%Y-%m-%d %H:%M")
            for t in (times if times is not None else [None] * n)]
    rsrp_text = _num(rsrp, lang, 1, "dBm")
    titles = [f"{o} {t}: {r}" for o, t, r in zip(_txt(meas["operator"], n), _txt(_col(meas, "tech"), n),
                                                  rsrp_text, strict=True)]
    labels = [header("time", lang), header("source", lang), header("dl_mbps", lang),
              header("ul_mbps", lang), header("predicted_rsrp_dbm", lang), header("direction", lang),
              header("weak", lang)]
    values = _rows(when, _txt(_col(meas, "source"), n), _num(_series(meas, "dl_mbps"), lang, 1),
                   _num(_series(meas, "ul_mbps"), lang, 1),
                   _num(_series(meas, "predicted_rsrp_dbm"), lang, 1),
                   _words(_col(meas, "direction"), lang, n), _yes_no(_col(meas, "weak"), lang, n))
    return _spec("phusong-measurements", "phusong-points", styles, labels, radius=4,
                 cluster={"colour": "#4d4d4d", "disableAt": 15, "radius": 40},
                 points=_points(lon, lat, classes, titles, values))


# --- legend ----------------------------------------------------------------------------------

def _sw(colour: str, label: str, kind: str = "sw", extra: str = "") -> str:
    import html

    style = (f"border-top: 3px solid {colour};{extra}" if kind == "ln" else
             f"background: {colour};{extra}")
    return f'<div class="row"><span class="{kind}" style="{style}"></span>{html.escape(label)}</div>'


def legend_html(ctx: Context, shadings: Mapping[str, st.Choropleth], grid: Any,
                rivers_key: str) -> str:
    """The legend: active commune shading, symbols, the dBm scale, operators."""
    import html

    lang = ctx.lang
    t = st.text
    parts = [f"<details open><summary>{t('legend', lang)}</summary>"]
    prefix = t("commune_prefix", lang)
    for shading in shadings.values():
        name = f"{prefix}: {shading.label(lang)}"
        rows = "".join(_sw(c, label) for c, label in
                       zip(shading.colours, shading.class_labels(lang), strict=True))
        rows += _sw(st.NO_DATA_COLOUR, t("no_data", lang))
        parts.append(f'<div data-phusong-shading="{html.escape(name)}"><h4>{html.escape(name)}</h4>'
                     f"{rows}</div>")
    limit = ctx.province.scenario.thresholds.road_gap_km
    limit_text = fmt_number(limit, lang, 0 if float(limit).is_integer() else 1)
    parts.append(f"<h4>{html.escape(t('hamlets', lang))}</h4>"
                 + _sw(st.STATUS_COLOURS["met"], t("hamlet_covered", lang), "pt")
                 + _sw(st.STATUS_COLOURS["not_met"], t("hamlet_not_covered", lang), "pt"))
    parts.append(f"<h4>{html.escape(t('dark_spots', lang))}</h4>"
                 + _sw(st.DARK_SPOT_COLOURS["trang_song"], t("trang_song", lang))
                 + _sw(st.DARK_SPOT_COLOURS["lom_song"], t("lom_song", lang))
                 + _sw(st.GAP_COLOURS["over"], t("gaps_over", lang, limit=limit_text), "ln")
                 + _sw(st.GAP_COLOURS["under"], t("gaps_under", lang, limit=limit_text), "ln"))
    if ctx.results.parks is not None:
        parts.append(f"<h4>{html.escape(t('parks', lang))}</h4>" + "".join(
            _sw(c, t(k, lang)) for c, k in zip(PARK_COLOURS, PARK_KEYS, strict=True)))
    if ctx.results.pois is not None:
        parts.append(f"<h4>{html.escape(t('pois', lang))}</h4>"
                     + _sw(st.STATUS_COLOURS["met"], t("poi_met", lang), "pt", "border: 2px solid #000;")
                     + _sw(st.STATUS_COLOURS["not_met"], t("poi_not_met", lang), "pt",
                           "border: 2px solid #000;"))
    parts.append(f"<h4>{html.escape(t('roads', lang))}, {html.escape(t(rivers_key, lang))}</h4>"
                 + "".join(_sw(st.ROAD_STYLE[c][0], header("class", lang) + ": " + c, "ln")
                           for c in ("expressway", "national", "provincial"))
                 + _sw(st.RIVER_COLOUR, t(rivers_key, lang), "ln"))
    if grid is not None:
        th = ", ".join(f"{tech} {v:.0f} dBm".replace("-", "−")
                       for tech, v in sorted(grid.rsrp_threshold_dbm.items()))
        parts.append(f"<h4>{html.escape(t('rsrp_legend', lang))}</h4>" + "".join(
            _sw(c.colour, label) for c, label in
            zip(st.RSRP_CLASSES_DBM, st.rsrp_class_labels(lang), strict=True))
            + f'<div class="note">{html.escape(t("threshold", lang, value=th))}</div>')
    sites = ctx.province.sites
    operators = sorted(set(sites["operator"].astype(str))) if sites is not None else []
    if operators:
        parts.append(f"<h4>{html.escape(t('operator', lang))}</h4>" + "".join(
            _sw(st.operator_colour(o), o, "pt") for o in operators))
    parts.append("</details>")
    return "".join(parts)
