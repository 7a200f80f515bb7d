"""OpenStreetMap extract (``.osm`` XML or ``.osm.pbf``) → roads, hamlets, POIs and parks.

GDAL's OSM driver sorts OSM objects into the layers ``points`` (tagged nodes), ``lines``
(non-area ways), ``multipolygons`` (area ways and multipolygon relations) and two relation
layers. Only the tags of GDAL's ``osmconf.ini`` become columns; every other tag lands in the
``other_tags`` text in PostgreSQL hstore syntax (``"k"=>"v","k2"=>"v2"``, ``"`` and ``\\``
escaped with a backslash), which :func:`parse_hstore` and the vectorised ``_tag`` read. The
driver parses the whole file for each layer read; pyogrio opens the file once per layer, which
the driver handles without interleaved reading (checked on a 300 000-node file), so no
``OGR_INTERLEAVED_READING`` is set. Each of the three layers costs one pass over the file.

Mapping (Vietnam's OSM conventions; the ref decides where it is known):

roads (``highway=*`` lines)
    ``ref`` ``CT…`` → expressway, ``QL…`` → national, ``ĐT…`` (also ``DT``, ``TL``) →
    provincial, ``ĐH…`` (``DH``, ``HL``) → district; without such a ref: motorway → expressway,
    trunk → national, primary and secondary → provincial, tertiary → district, every other
    road (unclassified, residential, service, track, living_street, road, ``*_link`` of lower
    classes) → local. Paths, footways, cycleways, steps, bridleways, corridors, platforms and
    roads under construction or proposed are not roads here and are dropped. ``ref`` is
    normalised (:func:`normalise_road_ref`), ``road_id`` = ``"osm-w<way id>"``.
hamlets (``place=hamlet|village|isolated_dwelling`` nodes, and such areas as their
    representative point)
    ``kind`` from the Vietnamese name prefix when there is one (Thôn/Làng/Ấp → thon, Xóm →
    xom, Bản/Buôn/Plei/Bon → ban, Tổ dân phố/Tổ/Khu phố → to_dan_pho), else village → thon,
    hamlet → xom, isolated_dwelling → other. ``commune_code`` is left empty (found later by
    location); ``population`` is kept when OSM has it.
pois (nodes, and areas as their representative point)
    ``amenity=hospital`` or ``healthcare=hospital`` → hospital; ``amenity=clinic|doctors`` or
    ``healthcare=clinic|centre|doctor|health_post`` → health_station (pharmacies, dentists and
    laboratories are not); ``amenity=school`` → school; ``amenity=university|college`` →
    university; ``amenity=townhall`` → commune_office when the name is an UBND/Ủy ban nhân dân
    of a xã, phường or thị trấn, else public_office. A node lying inside an area of the same
    kind is the same place mapped twice and is dropped.
parks (``landuse=industrial`` areas)
    ``status`` = "planned" when tagged ``proposed=*`` or ``planned=*``, "building" when tagged
    ``construction=*``, else "operating" (OSM maps what exists; it cannot tell a park whose
    land is cleared but empty). ``area_ha`` is computed in a metric CRS. Unnamed areas (single
    factories, often) are kept with an empty name.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from phusong.crs import WORKING_CRS, parse_crs, to_working
from phusong.errors import InputError

__all__ = ["read_osm", "normalise_road_ref", "parse_hstore", "ROAD_CLASSES"]

log = logging.getLogger(__name__)

#: Canonical road classes, most important first.
ROAD_CLASSES: tuple[str, ...] = ("expressway", "national", "provincial", "district", "local")

_NOT_ROADS = frozenset({
    "footway", "path", "cycleway", "steps", "pedestrian", "bridleway", "corridor", "elevator",
    "platform", "proposed", "construction", "abandoned", "disused", "razed", "raceway",
    "bus_stop", "via_ferrata", "escape", "emergency_bay", "rest_area", "services",
})
_HIGHWAY_CLASS = {
    "motorway": "expressway", "motorway_link": "expressway",
    "trunk": "national", "trunk_link": "national",
    "primary": "provincial", "primary_link": "provincial",
    "secondary": "provincial", "secondary_link": "provincial",
    "tertiary": "district", "tertiary_link": "district",
}
# Road number prefixes (after folding Đ/Ð/đ/ð to Đ and upper-casing) → canonical prefix.
_REF_PREFIX = {"CT": "CT", "QL": "QL", "ĐT": "ĐT", "DT": "ĐT", "TL": "ĐT", "ĐH": "ĐH",
               "DH": "ĐH", "HL": "ĐH", "AH": "AH", "ĐX": "ĐX", "DX": "ĐX"}
_REF_CLASS = {"CT": "expressway", "QL": "national", "ĐT": "provincial", "ĐH": "district"}
_REF_RE = re.compile(r"^(?P<p>CT|QL|ĐT|DT|TL|ĐH|DH|HL|AH|ĐX|DX)\s*[.\-_ ]?\s*(?P<n>\d+)\s*"
                     r"(?P<s>[A-Z]?)$")

_HSTORE_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*(?:"((?:[^"\\]|\\.)*)"|NULL)')
_UNESCAPE = re.compile(r"\\(.)")

_PLACES = ("hamlet", "village", "isolated_dwelling")
_PLACE_KIND = {"village": "thon", "hamlet": "xom", "isolated_dwelling": "other"}
_NAME_KIND = (
    (re.compile(r"^(?:thôn|làng|ấp)\b", re.IGNORECASE), "thon"),
    (re.compile(r"^xóm\b", re.IGNORECASE), "xom"),
    (re.compile(r"^(?:bản|buôn|plei|bon)\b", re.IGNORECASE), "ban"),
    (re.compile(r"^(?:tổ dân phố|tdp|tổ|khu phố)\b", re.IGNORECASE), "to_dan_pho"),
)
_COMMUNE_OFFICE = re.compile(
    r"(?:ubnd|ủy ban nhân dân|uỷ ban nhân dân|trụ sở)\s+(?:xã|phường|thị trấn)", re.IGNORECASE)
_HEALTH_STATION_HC = ("clinic", "centre", "doctor", "health_post")

_ROAD_COLUMNS = ["road_id", "class", "ref", "name", "highway"]
_HAMLET_COLUMNS = ["hamlet_id", "name", "kind", "commune_code"]
_POI_COLUMNS = ["poi_id", "name", "kind"]
_PARK_COLUMNS = ["park_id", "name", "status", "area_ha"]


# --------------------------------------------------------------------------- text helpers


def parse_hstore(text: str | None) -> dict[str, str]:
    """Parse GDAL's ``other_tags`` (PostgreSQL hstore text) into a dict.

    ``'"ref"=>"QL3","name:en"=>"Say \\"hi\\""'`` → ``{"ref": "QL3", "name:en": 'Say "hi"'}``.
    Keys and values may hold commas, ``=>`` and backslash-escaped quotes; ``NULL`` values are
    skipped. Empty or missing text gives ``{}``.
    """
    if not isinstance(text, str) or not text:
        return {}
    out: dict[str, str] = {}
    for m in _HSTORE_PAIR.finditer(text):
        if m.group(2) is None:
            continue
        out[_UNESCAPE.sub(r"\1", m.group(1))] = _UNESCAPE.sub(r"\1", m.group(2))
    return out


def _tag(frame: pd.DataFrame, key: str) -> pd.Series:
    """Tag ``key`` for every row: its own column if GDAL made one, else from ``other_tags``."""
    values = pd.Series(np.nan, index=frame.index, dtype="str")
    if key in frame.columns:
        values = frame[key].astype("str")
    if "other_tags" in frame.columns:
        pattern = r'(?:^|,)"' + re.escape(key) + r'"=>"((?:[^"\\]|\\.)*)"'
        found = frame["other_tags"].astype("str").str.extract(pattern, expand=False)
        found = found.str.replace(r"\\(.)", r"\1", regex=True)
        values = values.where(values.notna(), found)
    return values


def _fold_d(text: str) -> str:
    """NFC, and the look-alikes of Đ (Ð U+00D0, ð, đ) to Đ U+0110."""
    text = unicodedata.normalize("NFC", text)
    return text.replace("Ð", "Đ").replace("ð", "đ").replace("đ", "Đ")


def normalise_road_ref(ref: str | None) -> str | None:
    """Canonical form of a Vietnamese road number.

    ``"DT 261"``, ``"ĐT.261"``, ``"DT261"``, ``"TL 261"`` → ``"ĐT261"``; ``"QL.3"``, ``"QL 3"``
    → ``"QL3"``; ``"ql 3b"`` → ``"QL3B"``; ``"CT.07"`` → ``"CT07"``; ``"DH 12"`` → ``"ĐH12"``.
    Several refs (``"QL.37;AH14"``) are normalised one by one and joined with ``";"``; a part
    that is not a Vietnamese road number is kept as written (spaces collapsed). Empty → ``None``.
    """
    if not isinstance(ref, str) or not ref.strip():
        return None
    parts = []
    for part in re.split(r"[;,/]", _fold_d(ref)):
        part = " ".join(part.split())
        if not part:
            continue
        m = _REF_RE.match(part.upper())
        if m is None:
            parts.append(part)
            continue
        parts.append(f"{_REF_PREFIX[m['p']]}{m['n']}{m['s']}")
    return ";".join(parts) if parts else None


def _ref_class(ref: str | None) -> str | None:
    """The most important class any of the (normalised) refs implies."""
    if not isinstance(ref, str):
        return None
    ranks = [ROAD_CLASSES.index(_REF_CLASS[p[:2]]) for p in ref.split(";")
             if p[:2] in _REF_CLASS and _REF_RE.match(p)]
    return ROAD_CLASSES[min(ranks)] if ranks else None


def _osm_ids(frame: pd.DataFrame) -> pd.Series:
    """``osm-n<id>`` for points, ``osm-w<id>`` / ``osm-r<id>`` for multipolygons."""
    if "osm_way_id" in frame.columns:  # multipolygons: closed ways carry osm_way_id
        way = frame["osm_way_id"].astype("str")
        rel = frame["osm_id"].astype("str") if "osm_id" in frame.columns else way
        return ("osm-w" + way).where(way.notna(), "osm-r" + rel)
    return "osm-n" + frame["osm_id"].astype("str")


# --------------------------------------------------------------------------- reading


def _read_layer(path: Path, layer: str, where: str) -> gpd.GeoDataFrame:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        return pyogrio.read_dataframe(path, layer=layer, where=where)
    except (DataSourceError, DataLayerError, OSError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        msg = (f"{path}, layer {layer!r}: GDAL's OSM driver cannot read it ({first}); check that "
               f"the file is a complete .osm (XML) or .osm.pbf extract, e.g. from Geofabrik")
        raise InputError(msg) from e


def read_osm(
    path: str | os.PathLike[str], *, crs: str = WORKING_CRS
) -> dict[str, gpd.GeoDataFrame]:
    """Read an OpenStreetMap extract into phusong's ``roads``, ``hamlets``, ``pois``, ``parks``.

    Parameters
    ----------
    path
        ``.osm`` (XML) or ``.osm.pbf`` file (GDAL picks the format from the extension).
    crs
        CRS of the returned layers (anything :func:`phusong.crs.parse_crs` accepts).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``roads`` (``road_id``, ``class``, ``ref``, ``name``, ``highway``; lines),
        ``hamlets`` (``hamlet_id``, ``name``, ``kind``, ``commune_code`` empty, and
        ``population`` where OSM has it; points), ``pois`` (``poi_id``, ``name``, ``kind``;
        points), ``parks`` (``park_id``, ``name``, ``status``, ``area_ha``; polygons). The
        mapping rules are in the module docstring. Empty layers keep their columns.

    Raises
    ------
    InputError
        If the file is missing, has another extension, or GDAL cannot read it.
    """
    path = Path(path)
    if not path.exists():
        msg = f"{path}: OSM file not found; check the path"
        raise InputError(msg)
    name = path.name.lower()
    if not (name.endswith(".osm") or name.endswith(".pbf")):
        hint = (" Decompress it first (bunzip2 / gunzip)." if name.endswith((".bz2", ".gz"))
                else "")
        msg = (f"{path}: GDAL's OSM driver reads only files ending in .osm (XML) or .osm.pbf; "
               f"rename or convert the file.{hint}")
        raise InputError(msg)
    target = parse_crs(crs)
    points = _read_layer(
        path, "points",
        "place IS NOT NULL OR other_tags LIKE '%\"amenity\"=>%' "
        "OR other_tags LIKE '%\"healthcare\"=>%'",
    )
    lines = _read_layer(path, "lines", "highway IS NOT NULL")
    areas = _read_layer(
        path, "multipolygons",
        "place IS NOT NULL OR amenity IS NOT NULL OR landuse = 'industrial' "
        "OR other_tags LIKE '%\"healthcare\"=>%'",
    )
    source = str(path)
    layers = {
        "roads": _roads(lines, target, source),
        "hamlets": _hamlets(points, areas, target, source),
        "pois": _pois(points, areas, target, source),
        "parks": _parks(areas, target, source),
    }
    log.info("%s: %s", path, ", ".join(f"{len(v)} {k}" for k, v in layers.items()))
    return layers


def _finish(gdf: gpd.GeoDataFrame, columns: list[str], target, source: str) -> gpd.GeoDataFrame:
    """Keep ``columns`` (+ geometry), reproject, and give an empty layer its columns."""
    if gdf.empty:
        empty = gpd.GeoDataFrame({c: pd.Series(dtype="str") for c in columns},
                                 geometry=gpd.GeoSeries([], crs=target), crs=target)
        return empty
    out = gpd.GeoDataFrame(gdf[columns], geometry=gdf.geometry.values, crs=gdf.crs)
    return to_working(out, target, source=source).reset_index(drop=True)


def _roads(lines: gpd.GeoDataFrame, target, source: str) -> gpd.GeoDataFrame:
    lines = lines[lines["highway"].notna() & ~lines["highway"].isin(_NOT_ROADS)].copy()
    if lines.empty:
        return _finish(lines, _ROAD_COLUMNS, target, source)
    lines["ref"] = _tag(lines, "ref").map(normalise_road_ref).astype("str")
    by_ref = lines["ref"].map(_ref_class)
    by_highway = lines["highway"].map(_HIGHWAY_CLASS).fillna("local")
    lines["class"] = by_ref.where(by_ref.notna(), by_highway).astype("str")
    lines["road_id"] = "osm-w" + lines["osm_id"].astype("str")
    lines["name"] = _tag(lines, "name")
    return _finish(lines, _ROAD_COLUMNS, target, source)


def _as_points(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Areas → their representative point (always inside, unlike a centroid)."""
    out = areas.copy()
    out.geometry = areas.geometry.representative_point()
    return out


def _hamlets(points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, target,
             source: str) -> gpd.GeoDataFrame:
    parts = []
    for frame, is_area in ((points, False), (areas, True)):
        if frame.empty or "place" not in frame.columns:
            continue
        sel = frame[frame["place"].isin(_PLACES)].copy()
        if sel.empty:
            continue
        sel["hamlet_id"] = _osm_ids(sel)
        sel["population"] = pd.to_numeric(_tag(sel, "population").str.replace(r"[.,\s]", "",
                                                                             regex=True),
                                          errors="coerce")
        parts.append(_as_points(sel) if is_area else sel)
    if not parts:
        return _finish(points.iloc[0:0], _HAMLET_COLUMNS, target, source)
    hamlets = pd.concat(parts, ignore_index=True)
    hamlets = gpd.GeoDataFrame(hamlets, geometry="geometry", crs=parts[0].crs)
    hamlets["name"] = _tag(hamlets, "name")
    kind = hamlets["place"].map(_PLACE_KIND).astype("str")
    names = hamlets["name"].fillna("").map(_fold_hamlet_prefix)
    for pattern, value in _NAME_KIND:
        kind = kind.mask(names.str.contains(pattern), value)
    hamlets["kind"] = kind
    hamlets["commune_code"] = pd.Series(np.nan, index=hamlets.index, dtype="str")
    columns = list(_HAMLET_COLUMNS)
    if hamlets["population"].notna().any():
        columns.append("population")
    return _finish(hamlets, columns, target, source)


def _fold_hamlet_prefix(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip()


def _poi_kind(frame: pd.DataFrame) -> pd.Series:
    amenity = _tag(frame, "amenity")
    healthcare = _tag(frame, "healthcare")
    name = _tag(frame, "name").fillna("").map(lambda s: unicodedata.normalize("NFC", s))
    office = np.where(name.str.contains(_COMMUNE_OFFICE), "commune_office", "public_office")
    choices = [
        (amenity == "hospital") | (healthcare == "hospital"),
        amenity.isin(["clinic", "doctors"]) | healthcare.isin(_HEALTH_STATION_HC),
        amenity == "school",
        amenity.isin(["university", "college"]),
        amenity == "townhall",
    ]
    n = len(frame)
    values = [np.full(n, "hospital", dtype=object), np.full(n, "health_station", dtype=object),
              np.full(n, "school", dtype=object), np.full(n, "university", dtype=object),
              office.astype(object)]
    kind = np.select([c.to_numpy(dtype=bool) for c in choices], values, default="")
    return pd.Series(kind, index=frame.index, dtype="str").replace("", np.nan)


def _pois(points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, target,
          source: str) -> gpd.GeoDataFrame:
    pts = points.copy()
    pts["kind"] = _poi_kind(pts) if not pts.empty else pd.Series(dtype="str")
    pts = pts[pts["kind"].notna()]
    polys = areas.copy()
    polys["kind"] = _poi_kind(polys) if not polys.empty else pd.Series(dtype="str")
    polys = polys[polys["kind"].notna()]
    if not pts.empty and not polys.empty:
        # A node inside an area of the same kind is one place mapped twice: keep the area.
        hits = gpd.sjoin(pts[["kind", "geometry"]], polys[["kind", "geometry"]],
                         predicate="within", how="inner")
        twice = hits.index[hits["kind_left"] == hits["kind_right"]].unique()
        if len(twice):
            log.debug("%s: %d POI nodes lie inside POI areas of the same kind; dropped",
                      source, len(twice))
        pts = pts.drop(index=twice)
    parts = []
    for frame, is_area in ((pts, False), (polys, True)):
        if frame.empty:
            continue
        frame = frame.copy()
        frame["poi_id"] = _osm_ids(frame)
        frame["name"] = _tag(frame, "name")
        parts.append(_as_points(frame) if is_area else frame)
    if not parts:
        return _finish(points.iloc[0:0], _POI_COLUMNS, target, source)
    pois = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                            crs=parts[0].crs)
    return _finish(pois, _POI_COLUMNS, target, source)


def _parks(areas: gpd.GeoDataFrame, target, source: str) -> gpd.GeoDataFrame:
    if areas.empty or "landuse" not in areas.columns:
        return _finish(areas.iloc[0:0], _PARK_COLUMNS, target, source)
    parks = areas[areas["landuse"] == "industrial"].copy()
    if parks.empty:
        return _finish(parks, _PARK_COLUMNS, target, source)
    parks["park_id"] = _osm_ids(parks)
    parks["name"] = _tag(parks, "name")
    building = _tag(parks, "construction").notna() & (_tag(parks, "construction") != "no")
    planned = _tag(parks, "proposed").notna() | _tag(parks, "planned").notna()
    parks["status"] = np.select([planned.to_numpy(), building.to_numpy()],
                                ["planned", "building"], default="operating")
    metric = target if target.is_projected else parks.estimate_utm_crs()
    parks["area_ha"] = parks.geometry.to_crs(metric).area.to_numpy() / 10_000.0
    unnamed = int(parks["name"].isna().sum())
    if unnamed:
        log.info("%s: %d landuse=industrial areas have no name (kept)", source, unnamed)
    return _finish(parks, _PARK_COLUMNS, target, source)
