"""The interactive map: one HTML file that opens offline (folium, with Leaflet inlined).

:func:`web_map` builds a :class:`folium.Map` of the province and its indicators;
:func:`write_web_map` writes it as ``map.html``. What it shows, bottom to top:

* the base, drawn from the province's own layers (no tile server): communes shaded by an
  indicator the user picks (radio buttons: T1 share of people with 5G, T3 hamlets covered …, or
  outlines only), rivers and roads;
* the coverage rasters, one toggleable overlay per operator and technology (and the union of
  operators), reprojected to web Mercator at about ``raster_cell_m`` and coloured with the fixed
  dBm scale :data:`~phusong.maps._style.RSRP_CLASSES_DBM`;
* fiber routes and nodes per operator (and, when given, places by fiber status and the
  proposed routes of an extension plan); dark spots (trắng sóng / lõm sóng) ranked by people;
  industrial parks by 5G status; road gaps (longer than the limit in red);
* hamlets by status, priority places (POIs), BTS sites per operator and technology and
  measurements, clustered where they are dense;
* a layer control, a legend (the active shading, the symbols, the dBm scale), a scale bar and a
  title. Popups give each feature's figures in Vietnamese (``lang="vi"``) or English.

Offline by construction: folium's CDN links are dropped; Leaflet 1.9.3, Leaflet.markercluster
1.5.3 and their CSS (images as ``data:`` URIs) are inlined from ``phusong/maps/assets`` (see its
README for provenance and licences), the rasters are PNG ``data:`` URIs.

Size: geometries are simplified in metres before reprojection, coordinates rounded to
``decimals`` (5 ≈ 1 m), points sent as compact arrays with one label list per layer, dense
point layers clustered; the full demo province gives a file of a few MB.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import logging
import math
import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from phusong._io import write_text
from phusong.errors import InputError
from phusong.maps import _style as st
from phusong.maps import _web_layers as wl
from phusong.maps._base import BaseLayers, base_layers, check_metric

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd
    import shapely

    from phusong.coverage.fiber import FiberReach
    from phusong.coverage.grid import CoverageGrid
    from phusong.layers.province import Province
    from phusong.metrics.results import IndicatorResults
    from phusong.planning.fiber import FiberPlan

__all__ = ["web_map", "write_web_map", "offline_head_html", "external_urls", "PANES", "MAP_FILE"]

log = logging.getLogger(__name__)

MAP_FILE = "map.html"
"""File name :func:`write_web_map` uses in a report folder."""

PANES: dict[str, tuple[int, bool]] = {
    "phusong-communes": (380, True),
    "phusong-rasters": (390, False),
    "phusong-lines": (410, True),
    "phusong-areas": (420, True),
    "phusong-gaps": (430, True),
    "phusong-points": (450, True),
}
"""Leaflet panes (z-index, takes clicks): drawing order independent of the layer order."""

_ASSET_CSS = ("leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css", "phusong.css")
_ASSET_JS = ("leaflet.js", "leaflet.markercluster.min.js", "phusong.js")


def _asset(name: str) -> str:
    return resources.files("phusong.maps").joinpath("assets", name).read_text(encoding="utf-8")


def _asset_bytes(name: str) -> bytes:
    return resources.files("phusong.maps").joinpath("assets", name).read_bytes()


def _inline_css(css: str) -> str:
    """Replace ``url(images/x.png)`` by ``data:`` URIs so that the CSS needs no file."""
    import re

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        data = base64.b64encode(_asset_bytes(f"images/{name}")).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(\s*['\"]?images/([\w.@-]+\.png)['\"]?\s*\)", repl, css)


def offline_head_html() -> str:
    """The ``<style>`` and ``<script>`` blocks of every asset the map needs, inlined."""
    parts = [f"<style>/* {name} */\n{_inline_css(_asset(name))}\n</style>" for name in _ASSET_CSS]
    for name in _ASSET_JS:
        code = _asset(name).replace("</script", "<\\/script")
        parts.append(f"<script>/* {name} */\n{code}\n</script>")
    return "\n".join(parts)


def external_urls(html: str) -> list[str]:
    """References of an HTML page that would need the network or another file.

    Looks at ``src``/``href`` of ``script``, ``img``, ``link``, ``iframe`` and ``source`` tags
    and at ``url(…)`` in ``<style>`` blocks; ``data:`` URIs and in-page anchors (``#…``) are
    not counted (nor ``<a href>`` links, which are never fetched).
    """
    import re

    found = []
    for m in re.finditer(r"""<(?:script|img|link|iframe|source)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)""",
                         html, flags=re.IGNORECASE):
        found.append(m.group(1))
    for block in re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.IGNORECASE | re.DOTALL):
        found += re.findall(r"""url\(\s*['"]?([^'")]+)""", block)
    return [u for u in found if not u.startswith(("data:", "#"))]


@functools.cache
def _data_layer_class() -> type:
    """A folium Layer drawn by ``phusong.geo``/``phusong.points`` (built lazily: folium is heavy)."""
    from folium.map import Layer
    from folium.template import Template

    class DataLayer(Layer):
        _template = Template(
            "{% macro script(this, kwargs) %}\n"
            "var {{ this.get_name() }} = phusong.{{ this.kind }}({{ this.spec }});\n"
            "{% endmacro %}")

        def __init__(self, kind: str, spec: dict[str, Any], name: str, overlay: bool = True,
                     show: bool = True) -> None:
            super().__init__(name=name, overlay=overlay, control=True, show=show)
            self._name = "PhusongLayer"
            self.kind = kind
            self.spec = wl.dumps_spec(spec).replace("</", "<\\/")
            self.size = len(self.spec)

    return DataLayer


@functools.cache
def _control_class() -> type:
    """A folium element adding a fixed HTML control (title, legend) to the map."""
    from folium.elements import MacroElement
    from folium.template import Template

    class Control(MacroElement):
        _template = Template(
            "{% macro script(this, kwargs) %}\n"
            "(function () {\n"
            "  var c = L.control({position: {{ this.position|tojson }}});\n"
            "  c.onAdd = function () {\n"
            "    var d = L.DomUtil.create('div', 'phusong-panel ' + {{ this.css|tojson }});\n"
            "    d.innerHTML = {{ this.html|tojson }};\n"
            "    L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);\n"
            "    return d;\n"
            "  };\n"
            "  c.addTo({{ this._parent.get_name() }});\n"
            "  {{ this.script }}\n"
            "})();\n"
            "{% endmacro %}")

        def __init__(self, html: str, position: str, css: str, script: str) -> None:
            super().__init__()
            self._name = "PhusongControl"
            self.html, self.position, self.css, self.script = html, position, css, script

    return Control


def _bounds_latlon(geom: shapely.Geometry, crs: str) -> list[list[float]]:
    import pyproj

    xmin, ymin, xmax, ymax = geom.bounds
    to_wgs = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform([xmin, xmax, xmin, xmax], [ymin, ymin, ymax, ymax])
    return [[min(lat), min(lon)], [max(lat), max(lon)]]


# --- coverage rasters ------------------------------------------------------------------------

def _png_palette(classes: np.ndarray) -> bytes:
    """A palette PNG of classes (0 transparent), compressed."""
    from PIL import Image

    img = Image.fromarray(np.ascontiguousarray(classes, dtype=np.uint8))  # mode "L"
    palette = [255, 255, 255]
    for c in st.RSRP_CLASSES_DBM:
        palette += [int(c.colour[i:i + 2], 16) for i in (1, 3, 5)]
    img.putpalette(palette + [0, 0, 0] * (256 - len(palette) // 3))  # now mode "P"
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=9, transparency=0)
    return buf.getvalue()


def raster_overlay(rsrp_dbm: np.ndarray, grid: CoverageGrid, clip: shapely.Geometry | None,
                   cell_m: float = 150.0) -> tuple[str, list[list[float]], tuple[int, int]]:
    """One coverage layer as a PNG ``data:`` URI in web Mercator, with its lat/lon bounds.

    The RSRP array (working CRS) is averaged onto a web-Mercator grid whose cells are about
    ``cell_m`` on the ground (Mercator metres × cos(latitude)), cut to ``clip`` and classed on
    the fixed dBm scale.

    Returns
    -------
    url, bounds, shape
        ``data:image/png;base64,…``, ``[[south, west], [north, east]]`` and the PNG's shape.
    """
    import pyproj
    from rasterio.features import geometry_mask
    from rasterio.transform import array_bounds
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    rows, cols = grid.shape
    left, bottom, right, top = array_bounds(rows, cols, grid.transform)
    to_wgs = pyproj.Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
    _, lat_c = to_wgs.transform((left + right) / 2, (bottom + top) / 2)
    res = cell_m / math.cos(math.radians(lat_c))
    dst_transform, width, height = calculate_default_transform(
        grid.crs, "EPSG:3857", cols, rows, left, bottom, right, top, resolution=res)
    dst = np.full((height, width), np.nan, dtype=np.float32)
    reproject(np.asarray(rsrp_dbm, dtype=np.float32), dst, src_transform=grid.transform,
              src_crs=grid.crs, src_nodata=np.nan, dst_transform=dst_transform,
              dst_crs="EPSG:3857", dst_nodata=np.nan, resampling=Resampling.average)
    classes = st.rsrp_classes(dst)
    if clip is not None:
        import geopandas as gpd

        clip_merc = gpd.GeoSeries([clip], crs=grid.crs).to_crs("EPSG:3857").iloc[0]
        outside = geometry_mask([clip_merc], (height, width), dst_transform)
        classes[outside] = 0
    url = "data:image/png;base64," + base64.b64encode(_png_palette(classes)).decode("ascii")
    l3, b3, r3, t3 = array_bounds(height, width, dst_transform)
    merc = pyproj.Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    west, south = merc.transform(l3, b3)
    east, north = merc.transform(r3, t3)
    return url, [[south, west], [north, east]], (height, width)


# --- the map ---------------------------------------------------------------------------------

def web_map(
    province: Province,
    results: IndicatorResults,
    grid: CoverageGrid | None = None,
    *,
    lang: str | None = None,
    indicator: str = "pop_5g_pct",
    base: BaseLayers | None = None,
    raster_cell_m: float = 150.0,
    simplify_m: float = 25.0,
    decimals: int = 5,
    title: str | None = None,
    fiber: FiberReach | None = None,
    fiber_plan: FiberPlan | None = None,
    proposals: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The interactive map of a province and its indicators, as a folium map.

    Parameters
    ----------
    province
        The province (working CRS).
    results
        What :func:`phusong.metrics.compute_indicators` returned for it.
    grid
        The coverage grid the results came from; its layers become the raster overlays
        (none when ``None``).
    lang
        ``"vi"`` or ``"en"`` for layer names, legend and popups; default: the results' language.
    indicator
        Commune column shown first (see :data:`~phusong.maps._style.COMMUNE_INDICATORS`:
        ``pop_5g_pct`` T1, ``hamlets_covered_pct`` T3, ``pop_broadband_pct``,
        ``dark_spot_people`` D1, ``road_gap_over_km`` T6); the others are a click away.
    base
        Base layers from :func:`phusong.maps._base.base_layers` (computed when ``None``).
    raster_cell_m
        Ground size of a raster cell on the map (m); 100–200 m keeps the file small.
    simplify_m
        Simplification tolerance (m) for geometries, applied before reprojection.
    decimals
        Decimals of the longitudes and latitudes (5 ≈ 1 m).
    title
        Title shown on the map; default: the province name and the map's subject.
    fiber
        Fiber reach (:func:`phusong.coverage.fiber.fiber_reach`): adds the places by fiber
        status (gigabit, served, node full, none within reach).
    fiber_plan
        Fiber extension plan (:func:`phusong.planning.fiber.plan_fiber_extension`): adds its
        proposed routes.
    proposals
        Proposed BTS sites (:func:`phusong.planning.proposals_layer`): one point per site in
        rank order, with what it closes and costs.

    Returns
    -------
    folium.Map
        Display it in a notebook, or write it with :func:`write_web_map`.

    Raises
    ------
    InputError
        If ``indicator`` is not a commune column of the results, or ``lang`` is unknown.
    CRSError
        If the province is not in a metric CRS.
    """
    import folium

    lang = lang or results.lang
    if lang not in ("vi", "en"):
        msg = f"lang must be 'vi' or 'en', not {lang!r}"
        raise InputError(msg)
    check_metric(province.crs, "web map")
    shadings = {k: v for k, v in st.COMMUNE_INDICATORS.items() if k in results.communes}
    if indicator not in shadings:
        msg = (f"cannot shade communes by {indicator!r}: choose one of {sorted(shadings)} "
               "(columns of the indicators' commune table)")
        raise InputError(msg)
    base = base if base is not None else base_layers(province, simplify_m)
    ctx = wl.Context(province, results, base, lang, decimals, simplify_m)
    bounds = _bounds_latlon(province.boundary, province.crs)
    name = province.scenario.province.name

    # 1. an empty Leaflet map without tiles; folium's CDN links dropped, our assets inlined
    figure = folium.Figure(title=f"{name} – {st.text('map_title', lang)}")
    m = folium.Map(location=[(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
                   zoom_start=9, tiles=None, control_scale=False, zoom_snap=0.5)
    m.default_js, m.default_css = [], []
    figure.add_child(m)
    figure.header.add_child(folium.Element(offline_head_html()), name="phusong_assets")
    for pane, (z_index, clicks) in PANES.items():
        folium.map.CustomPane(pane, z_index=z_index, pointer_events=clicks).add_to(m)
    data_layer = _data_layer_class()
    added: list[tuple[str, str, int]] = []

    def add(kind: str, spec: dict[str, Any] | None, layer_name: str, show: bool,
            overlay: bool = True) -> None:
        if spec is None:
            return
        layer = data_layer(kind, spec, layer_name, overlay=overlay, show=show)
        layer.add_to(m)
        added.append((layer_name, spec["className"], layer.size))

    # 2. communes shaded by each indicator (radio buttons), the chosen one first; outlines only
    for column in [indicator, *[c for c in shadings if c != indicator]]:
        add("geo", wl.communes_spec(ctx, shadings[column]), _shading_name(shadings[column], lang),
            show=column == indicator, overlay=False)
    add("geo", wl.communes_spec(ctx, None), st.text("communes_outline", lang), show=False,
        overlay=False)
    # 3. what misses the targets: road gaps, dark spots, hamlets, parks, priority places
    limit = _limit_text(province, lang)
    add("geo", wl.road_gaps_spec(ctx, over=True), st.text("gaps_over", lang, limit=limit), True)
    add("geo", wl.road_gaps_spec(ctx, over=False), st.text("gaps_under", lang, limit=limit), False)
    add("geo", wl.dark_spots_spec(ctx), st.text("dark_spots", lang), True)
    add("points", wl.hamlets_spec(ctx), st.text("hamlets", lang), True)
    add("geo", wl.parks_spec(ctx), st.text("parks", lang), True)
    add("points", wl.pois_spec(ctx), st.text("pois", lang), True)
    # 4. the base drawing: roads and rivers
    add("geo", wl.roads_spec(ctx), st.text("roads", lang), True)
    rivers_key = "rivers_dem" if base.rivers_source == "dem" else "rivers"
    add("geo", wl.rivers_spec(ctx), st.text(rivers_key, lang), True)
    # 5. coverage rasters per operator and technology, fixed dBm colours
    rasters = _add_rasters(m, grid, province, lang, raster_cell_m) if grid is not None else []
    # 6. the networks: sites per operator and technology, fiber, measurements
    for spec, layer_name in wl.sites_specs(ctx):
        add("points", spec, layer_name, False)
    for kind, spec, layer_name in wl.fiber_specs(ctx):
        add(kind, spec, layer_name, False)
    add("points", wl.fiber_places_spec(ctx, fiber), st.text("fiber_places", lang), False)
    add("geo", wl.fiber_plan_spec(ctx, fiber_plan), st.text("fiber_plan", lang), False)
    add("points", wl.proposals_spec(ctx, proposals), st.text("proposals", lang), False)
    add("points", wl.measurements_spec(ctx), st.text("measurements", lang), False)
    # 7. title, legend, layer control, view
    control = _control_class()
    subtitle = title or st.text("map_title", lang)
    scale = f"L.control.scale({{imperial: false, maxWidth: 160}}).addTo({m.get_name()});"
    figures = "".join(f"<p>{_esc(line)}</p>" for line in _key_figures(results, ("T1", "T3", "T6", "D1")))
    control(f"<h1>{_esc(name)}</h1><p>{_esc(subtitle)}</p>{figures}", "topleft", "phusong-title",
            scale).add_to(m)
    legend_html = wl.legend_html(ctx, shadings, grid, rivers_key)
    script = (f"var show = phusong.legend({m.get_name()}); "
              f"show({json.dumps(_shading_name(shadings[indicator], lang), ensure_ascii=False)});")
    control(legend_html, "bottomleft", "phusong-legend", script).add_to(m)
    folium.LayerControl(position="topright", collapsed=False).add_to(m)
    m.fit_bounds(bounds)
    sizes = {n: s for n, _, s in added} | {n: s for n, s in rasters}
    log.debug("web map layers (bytes): %s", sizes)
    return m


def _key_figures(results: IndicatorResults, ids: tuple[str, ...]) -> list[str]:
    """``"T1: 64,1 % – chưa đạt (> 95 %)"`` for the indicators computed."""
    summary = results.summary.set_index("indicator_id")
    out = []
    for key in ids:
        if key in summary.index and summary.at[key, "result_text"]:
            row = summary.loc[key]
            out.append(f"{key}: {row['result_text']} – {row['status_text']} ({row['target_text']})")
    return out


def _limit_text(province: Province, lang: str) -> str:
    """The road-gap limit (km) as written in layer names."""
    from phusong.metrics.results import fmt_number

    km = province.scenario.thresholds.road_gap_km
    return fmt_number(km, lang, 0 if float(km).is_integer() else 1)


def _shading_name(shading: st.Choropleth, lang: str) -> str:
    return f"{st.text('commune_prefix', lang)}: {shading.label(lang)}"


def _esc(text: str) -> str:
    import html

    return html.escape(str(text))


def _add_rasters(m: folium.Map, grid: CoverageGrid, province: Province, lang: str,
                 cell_m: float) -> list[tuple[str, int]]:
    """One image overlay per coverage layer (union of operators first), hidden at opening."""
    import folium

    from phusong.coverage.grid import ANY

    out = []
    clip = province.boundary
    keys = sorted(grid.layers, key=lambda k: (k[0] != ANY, k[0], k[1]))
    for operator, tech in keys:
        layer = grid.layers[(operator, tech)]
        url, bounds, shape = raster_overlay(layer.rsrp_dbm, grid, clip, cell_m)
        who = st.text("any_operator", lang) if operator == ANY else operator
        name = st.text("coverage", lang, tech=tech, operator=who)
        folium.raster_layers.ImageOverlay(
            url, bounds, name=name, show=False, opacity=0.75, pane="phusong-rasters",
            className="phusong-raster", pixelated=False, interactive=False).add_to(m)
        out.append((name, len(url)))
        log.debug("raster %s: %d × %d cells, %d bytes", name, *shape, len(url))
    return out


def write_web_map(
    path: str | os.PathLike[str],
    province: Province,
    results: IndicatorResults,
    grid: CoverageGrid | None = None,
    *,
    overwrite: bool = False,
    **options: Any,
) -> Path:
    """Write the interactive map as one self-contained HTML file.

    Parameters
    ----------
    path
        Output file (``map.html``).
    province, results, grid
        As for :func:`web_map`.
    overwrite
        Replace an existing file.
    **options
        Passed to :func:`web_map` (``lang``, ``indicator``, ``base``, ``raster_cell_m`` …).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    OutputExistsError
        If the file exists and ``overwrite`` is false.
    """
    from phusong._io import check_writable

    check_writable(path, overwrite)
    m = web_map(province, results, grid, **options)
    html = m.get_root().render()
    leaks = external_urls(html)
    if leaks:  # pragma: no cover - a guard against a folium upgrade adding CDN links
        log.warning("map.html refers to files or URLs it does not embed: %s", leaks[:5])
    out = write_text(path, html, overwrite=overwrite)
    log.info("wrote %s (%.1f MB)", out, len(html.encode("utf-8")) / 1e6)
    return out
