"""The interactive map as a file: self-contained, layers and popups present, rasters coloured.

What the browser makes of it is tested in ``test_maps_browser.py``.
"""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _coverage_fixtures import grid_from_masks
from _report_case import tiny_case
from affine import Affine

from phusong.coverage.grid import CoverageGrid, CoverageLayer
from phusong.errors import CRSError, InputError, OutputExistsError
from phusong.maps import (
    COMMUNE_INDICATORS,
    RSRP_CLASSES_DBM,
    base_layers,
    drainage_lines,
    external_urls,
    raster_overlay,
    rsrp_classes,
    web_map,
    write_web_map,
)
from phusong.maps._style import text
from phusong.maps._web_layers import Raw, dumps_spec
from phusong.maps.web import offline_head_html


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    return tiny_case(tmp_path_factory.mktemp("tiny"), "en")


def _specs(html: str) -> dict[str, dict]:
    """Every data layer's spec in the page, by CSS class (the first of each class)."""
    out: dict[str, dict] = {}
    for m in re.finditer(r"= phusong\.(?:geo|points)\((\{.*?\})\);\n", html):
        spec = json.loads(m.group(1).replace("<\\/", "</"))
        out.setdefault(spec["className"], spec)
    return out


def _control_names(html: str) -> list[str]:
    """Layer names listed in the layer control (folium escapes them as JSON)."""
    block = html[html.index("L.control.layers") - 4000:html.index("L.control.layers")]
    block = block[block.index("base_layers"):]
    return [json.loads(k) for k in re.findall(r'^\s*("(?:[^"\\]|\\.)*")\s*:\s*\w+,\s*$', block, re.M)]


def test_assets_are_inlined_without_network_references() -> None:
    head = offline_head_html()
    assert "Leaflet 1.9.3" in head and "Leaflet.markercluster" in head
    assert "sourceMappingURL" not in head
    assert "url(images/" not in head and "data:image/png;base64," in head
    assert external_urls(head) == []


def test_external_urls_finds_cdn_links_and_css_files() -> None:
    page = ('<script src="https://cdn.jsdelivr.net/npm/leaflet.js"></script>'
            '<link rel="stylesheet" href="leaflet.css"><style>a{background:url(images/x.png)}</style>'
            '<img src="data:image/png;base64,AAAA"><a href="https://leafletjs.com">Leaflet</a>')
    assert external_urls(page) == ["https://cdn.jsdelivr.net/npm/leaflet.js", "leaflet.css",
                                   "images/x.png"]


def test_map_file_is_self_contained(tiny, tmp_path: Path) -> None:
    path = write_web_map(tmp_path / "map.html", tiny.province, tiny.results, tiny.grid, lang="en")
    html = path.read_text(encoding="utf-8")
    assert external_urls(html) == []
    assert "cdn.jsdelivr" not in html and "code.jquery" not in html and "bootstrap" not in html
    assert html.count("<script") == html.count("</script>")
    names = _control_names(html)
    # every layer of the issue is there, by name (English) and by CSS class
    for name in (text("dark_spots", "en"), text("hamlets", "en"), text("parks", "en"),
                 text("pois", "en"), text("roads", "en"), text("gaps_over", "en", limit="1"),
                 "Communes: People with 5G (T1)", "Communes: Hamlets with mobile broadband (T3)",
                 "4G coverage any operator (RSRP)", "4G coverage Viettel (RSRP)",
                 "5G coverage Viettel (RSRP)", "BTS Viettel 5G", "BTS VNPT 4G", "Measurements (Q1)"):
        assert name in names, name
    specs = _specs(html)
    for cls in ("phusong-communes", "phusong-road-gaps", "phusong-dark-spots", "phusong-hamlets",
                "phusong-parks", "phusong-pois", "phusong-roads", "phusong-sites",
                "phusong-measurements"):
        assert cls in specs, cls
    assert len(specs["phusong-communes"]["features"]) == 3
    gaps = tiny.results.road_gaps
    over = gaps.loc[(gaps["operator"] == "ANY") & gaps["over_limit"]]
    assert len(specs["phusong-road-gaps"]["features"]) == len(over) == 1
    assert len(specs["phusong-hamlets"]["points"]) == 6
    assert specs["phusong-sites"]["cluster"], "sites are clustered"


def test_popups_carry_the_figures_in_the_chosen_language(tmp_path: Path) -> None:
    case = tiny_case(tmp_path, "vi")
    html = web_map(case.province, case.results, case.grid).get_root().render()
    hamlets = _specs(html)["phusong-hamlets"]
    assert "Tỷ lệ dân có băng rộng (%)" in hamlets["labels"]
    by_name = {p[3]: p[4] for p in hamlets["points"]}
    row = case.results.hamlets.set_index("name").loc["Bản Khuổi"]
    values = by_name["Bản Khuổi"]
    assert values[0] == "Phú Xuyên"  # commune
    assert row["status_text"] in values  # "chưa đạt" / "đạt"
    assert "Xã: Tỷ lệ dân có 5G (T1)" in html
    # numbers are written the Vietnamese way: 1.200 people, decimal comma
    assert "1.200" in values


def test_coordinates_are_rounded_and_in_wgs84(tiny) -> None:
    html = web_map(tiny.province, tiny.results, tiny.grid, decimals=5).get_root().render()
    spec = _specs(html)["phusong-hamlets"]
    lon = np.array([p[0] for p in spec["points"]])
    lat = np.array([p[1] for p in spec["points"]])
    assert np.all((lon > 105.5) & (lon < 106.5)) and np.all((lat > 21.0) & (lat < 22.0))
    assert np.allclose(lon, np.round(lon, 5)) and np.allclose(lat, np.round(lat, 5))
    expected = tiny.results.hamlets.geometry.to_crs("EPSG:4326")
    assert np.allclose(np.sort(lon), np.sort(expected.x), atol=1e-5)


def test_chosen_shading_opens_first_and_legend_follows(tiny) -> None:
    html = web_map(tiny.province, tiny.results, tiny.grid, lang="en",
                   indicator="road_gap_over_km").get_root().render()
    shading = "Communes: Road gaps over the limit, km (T6)"
    assert f'show({json.dumps(shading)})' in html
    assert f'data-phusong-shading=\\"{shading}\\"' in html  # inside the legend's JSON string
    # the chosen shading is the only base layer added to the map at opening
    names = re.findall(r"var (phusong_layer_\w+) = phusong\.geo", html)
    assert names, "data layers are named by folium"


def test_unknown_shading_and_language_are_input_errors(tiny) -> None:
    with pytest.raises(InputError, match="cannot shade communes by 'nope'.*pop_5g_pct"):
        web_map(tiny.province, tiny.results, tiny.grid, indicator="nope")
    with pytest.raises(InputError, match="lang must be 'vi' or 'en'"):
        web_map(tiny.province, tiny.results, tiny.grid, lang="fr")


def test_existing_map_is_not_overwritten(tiny, tmp_path: Path) -> None:
    path = tmp_path / "map.html"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="--overwrite"):
        write_web_map(path, tiny.province, tiny.results, tiny.grid)
    assert path.read_text(encoding="utf-8") == "old"
    write_web_map(path, tiny.province, tiny.results, tiny.grid, overwrite=True)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_inputs_are_not_modified(tiny) -> None:
    before = {name: getattr(tiny.province, name).copy() for name in ("communes", "hamlets", "roads")}
    results_before = tiny.results.hamlets.copy()
    rsrp_before = tiny.grid.layers[("Viettel", "4G")].rsrp_dbm.copy()
    web_map(tiny.province, tiny.results, tiny.grid)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(tiny.province, name), frame)
    pd.testing.assert_frame_equal(tiny.results.hamlets, results_before)
    np.testing.assert_array_equal(tiny.grid.layers[("Viettel", "4G")].rsrp_dbm, rsrp_before)


def test_geographic_province_is_refused(tiny) -> None:
    from dataclasses import replace

    wgs = replace(tiny.province, crs="EPSG:4326", communes=tiny.province.communes.to_crs("EPSG:4326"))
    with pytest.raises(CRSError, match="EPSG:4326"):
        web_map(wgs, tiny.results, tiny.grid)


# --- the fixed RSRP colour scale and the raster overlays ----------------------------------------

def test_rsrp_classes_follow_the_documented_limits() -> None:
    values = np.array([-60, -80, -80.01, -90, -99.9, -110, -110.5, -120, -129.9, -130, -131, np.nan])
    assert rsrp_classes(values).tolist() == [1, 1, 2, 2, 3, 4, 5, 5, 6, 6, 0, 0]
    lows = [c.low_dbm for c in RSRP_CLASSES_DBM]
    assert lows == sorted(lows, reverse=True) and lows[0] == -80 and lows[-1] == -130


def _decode(url: str) -> np.ndarray:
    from PIL import Image

    img = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert img.mode == "P" and img.info.get("transparency") == 0
    return np.asarray(img)


def test_raster_overlay_reprojects_and_colours(tiny) -> None:
    # a 6 km × 2 km grid: west half −85 dBm (class 2), east half −125 dBm (class 6)
    shape = (67, 200)
    rsrp = np.where(np.arange(shape[1])[None, :] < 100, -85.0, -125.0) * np.ones(shape)
    grid = grid_from_masks(shape, rsrp={("Viettel", "4G"): rsrp}, y0=2_384_000.0 + 2010.0)
    url, bounds, png_shape = raster_overlay(rsrp, grid, None, cell_m=100.0)
    (south, west), (north, east) = bounds
    assert 105.5 < west < east < 106.5 and 21.0 < south < north < 22.0
    classes = _decode(url)
    assert classes.shape == png_shape
    # about 100 m cells on the ground: 6 km → 60 ± 3 columns
    assert 57 <= png_shape[1] <= 63 and 18 <= png_shape[0] <= 23
    assert set(np.unique(classes)) <= {0, 2, 6}
    mid = png_shape[0] // 2
    assert classes[mid, 5] == 2 and classes[mid, -5] == 6


def test_raster_overlay_is_cut_to_the_province(tiny) -> None:
    layer = tiny.grid.layers[("Viettel", "4G")]
    clip = tiny.province.communes.geometry.iloc[0]  # the western commune only
    url, _, _ = raster_overlay(layer.rsrp_dbm, tiny.grid, clip, cell_m=100.0)
    classes = _decode(url)
    coloured_cols = np.nonzero((classes > 0).any(axis=0))[0]
    assert coloured_cols.max() < classes.shape[1] / 3 + 2


def test_nan_and_weak_cells_are_transparent() -> None:
    rsrp = np.full((10, 10), np.nan)
    rsrp[:5] = -140.0
    layer = CoverageLayer("X", "4G", rsrp.astype(np.float32), rsrp.astype(np.float32),
                          np.zeros((10, 10), np.float32), np.full((10, 10), -1, np.int32))
    grid = CoverageGrid(Affine(30, 0, 590_000, 0, -30, 2_384_300), "EPSG:32648", (10, 10),
                        {("X", "4G"): layer}, {"4G": -110.0})
    url, _, _ = raster_overlay(layer.rsrp_dbm, grid, None, cell_m=30.0)
    assert not _decode(url).any()


# --- commune shadings ------------------------------------------------------------------------

def test_shadings_have_fixed_classes() -> None:
    t1 = COMMUNE_INDICATORS["pop_5g_pct"]
    assert [t1.colour(v) for v in (0, 49.9, 50, 94.9, 95, 99.96, 100)] == [
        "#d7191c", "#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641", "#1a9641"]
    assert t1.colour(None) == t1.colour(float("nan")) == "#bdbdbd"
    assert t1.class_labels("vi")[0] == "< 50 %" and t1.class_labels("vi")[-1] == "≥ 99,95 %"
    d1 = COMMUNE_INDICATORS["dark_spot_people"]
    assert d1.colour(0) == "#1a9641" and d1.colour(20_000) == "#d7191c"
    assert d1.class_labels("en")[1] == "1 – < 500 people"
    for shading in COMMUNE_INDICATORS.values():
        assert len(shading.colours) == len(shading.limits) + 1
        assert list(shading.limits) == sorted(shading.limits)


def test_specs_splice_raw_json() -> None:
    text_ = dumps_spec({"className": "x", "features": Raw('[[{"type":"Point"},0,"a",0]]')})
    assert json.loads(text_) == {"className": "x", "features": [[{"type": "Point"}, 0, "a", 0]]}


# --- base layers -----------------------------------------------------------------------------

def test_base_layers_keep_shared_commune_edges(tiny) -> None:
    base = base_layers(tiny.province, simplify_m=50.0)
    assert base.rivers is None and base.rivers_source == ""  # no DEM in the in-memory province
    a, b = base.communes.geometry.iloc[0], base.communes.geometry.iloc[1]
    assert a.intersection(b).length == pytest.approx(2000.0, rel=1e-6)
    assert base.roads["rank"].is_monotonic_increasing


def test_drainage_lines_follow_a_valley(tmp_path: Path) -> None:
    """A V-shaped valley draining south: the traced river runs down its axis."""
    import rasterio
    from rasterio.transform import from_origin

    n, cell = 120, 100.0
    x = np.arange(n) * cell
    dem = (np.abs(x - 6000.0)[None, :] * 0.05 + (np.arange(n)[::-1, None] * cell) * 0.01 + 50.0)
    path = tmp_path / "dem.tif"
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=1, dtype="float32",
                       crs="EPSG:32648", transform=from_origin(590_000, 2_400_000, cell, cell)) as ds:
        ds.write(dem.astype("float32"), 1)
    rivers = drainage_lines(path, "EPSG:32648", cell_m=200.0, min_area_km2=5.0)
    assert rivers is not None and not rivers.empty
    main = rivers.loc[rivers.geometry.length.idxmax()].geometry
    xs = np.asarray(main.coords)[:, 0] - 590_000
    assert np.all(np.abs(xs - 6000.0) < 400.0)
    assert main.length > 8_000
    assert isinstance(rivers, gpd.GeoDataFrame) and rivers.crs == "EPSG:32648"


def test_proposed_sites_are_a_layer_with_what_they_close(tiny) -> None:
    centre = tiny.province.communes.geometry.iloc[0].representative_point()
    proposals = gpd.GeoDataFrame(
        {"rank": [1, 2], "site_id": ["NEW-Viettel-001", "UPG-VNPT-002"], "kind": ["high_point", "upgrade_5g"],
         "kind_text": ["new tower", "5G upgrade"], "operator": ["Viettel", "VNPT"], "techs": ["4G, 5G", "5G"],
         "cost_vnd": [2.5e9, 0.8e9], "closes_text": ["2 hamlets, 1 road gaps, 0 parks, 640 people", "1 parks"]},
        geometry=[centre, centre], crs=tiny.province.crs)
    html = web_map(tiny.province, tiny.results, None, lang="en", proposals=proposals).get_root().render()
    assert text("proposals", "en") in _control_names(html)
    spec = _specs(html)["phusong-proposals"]
    titles = [p[3] for p in spec["points"]]
    assert titles == ["#1 NEW-Viettel-001", "#2 UPG-VNPT-002"]
    # a new tower and an upgrade are drawn differently; the popup says what the site closes
    assert spec["points"][0][2] != spec["points"][1][2]
    assert "2 hamlets, 1 road gaps, 0 parks, 640 people" in spec["points"][0][4]
    lon, lat = spec["points"][0][0], spec["points"][0][1]
    assert 100 < lon < 110 and 8 < lat < 24  # WGS84
    # without proposals there is no such layer
    html = web_map(tiny.province, tiny.results, None, lang="en").get_root().render()
    assert "phusong-proposals" not in _specs(html)
