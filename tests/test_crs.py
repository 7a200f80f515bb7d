"""Tests of phusong.crs: VN-2000 TM-3, its datum shift and round trips, parse_crs, to_working."""

from __future__ import annotations

import contextlib
import logging

import geopandas as gpd
import numpy as np
import pyproj
import pytest
from geopandas.testing import assert_geodataframe_equal
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import Point, points

from phusong._io import write_vectors
from phusong.crs import VN2000_TOWGS84, WORKING_CRS, parse_crs, to_working, vn2000_tm3
from phusong.errors import CRSError, InputError
from phusong.layers.importers import read_tab, write_tab

# Thái Nguyên and former Bắc Kạn, lon/lat WGS 84.
LON = np.array([105.84, 105.50, 106.20, 105.90, 106.40, 105.70])
LAT = np.array([21.59, 22.10, 21.40, 21.80, 22.70, 21.35])

_TEMPLATE = ("+proj=tmerc +lat_0=0 +lon_0={lon0} +k={k} +x_0=500000 +y_0=0 +ellps=WGS84 "
             "+towgs84={tw} +units=m +no_defs +type=crs")
# proj4 +towgs84 is always the position-vector convention (EPSG 9606).
_PV_ROTATIONS = VN2000_TOWGS84[3:6]
_CF_AS_PV_ROTATIONS = tuple(-r for r in VN2000_TOWGS84[3:6])


def _proj4(rotations: tuple[float, ...], lon0: float = 106.5, k: float = 0.9999) -> pyproj.CRS:
    tw = ",".join(repr(v) for v in (*VN2000_TOWGS84[:3], *rotations, VN2000_TOWGS84[6]))
    return pyproj.CRS.from_proj4(_TEMPLATE.format(lon0=lon0, k=k, tw=tw))


#: Reference definitions: the published numbers read as coordinate-frame rotations (EPSG:6960),
#: written as proj4 with the rotation signs flipped, and the common position-vector proj4 string.
REF_CF = _proj4(_CF_AS_PV_ROTATIONS)
REF_PV = _proj4(_PV_ROTATIONS)
PV_STRING = _TEMPLATE.format(lon0=106.5, k=0.9999, tw=",".join(
    repr(v) for v in (*VN2000_TOWGS84[:3], *_PV_ROTATIONS, VN2000_TOWGS84[6])))
CF_STRING = _TEMPLATE.format(lon0=106.5, k=0.9999, tw=",".join(
    repr(v) for v in (*VN2000_TOWGS84[:3], *_CF_AS_PV_ROTATIONS, VN2000_TOWGS84[6])))


def _project(crs: pyproj.CRS, lon: np.ndarray = LON, lat: np.ndarray = LAT) -> np.ndarray:
    x, y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    return np.column_stack([x, y])


def _max_diff_m(a: pyproj.CRS, b: pyproj.CRS) -> float:
    return float(np.hypot(*(_project(a) - _project(b)).T).max())


@contextlib.contextmanager
def captured(caplog, logger: str, level: int):
    """caplog for one logger even when ``phusong`` does not propagate (the CLI's setup)."""
    log = logging.getLogger(logger)
    old = log.level
    log.addHandler(caplog.handler)
    log.setLevel(level)
    try:
        yield
    finally:
        log.removeHandler(caplog.handler)
        log.setLevel(old)


# --------------------------------------------------------------------------- definition


def test_working_crs_is_utm_48n():
    crs = pyproj.CRS(WORKING_CRS)
    assert crs.to_epsg() == 32648
    assert crs.is_projected


def test_vn2000_tm3_projection_parameters():
    crs = vn2000_tm3()
    assert crs.is_bound and crs.is_projected
    assert crs.name == "VN-2000 / TM-3 106-30"
    params = {p.name: p.value for p in crs.source_crs.coordinate_operation.params}
    assert params["Longitude of natural origin"] == pytest.approx(106.5)
    assert params["Scale factor at natural origin"] == pytest.approx(0.9999)
    assert params["False easting"] == pytest.approx(500_000.0)
    assert params["False northing"] == pytest.approx(0.0)
    assert crs.source_crs.ellipsoid.semi_major_metre == pytest.approx(6_378_137.0)
    assert crs.source_crs.ellipsoid.inverse_flattening == pytest.approx(298.257223563)


@pytest.mark.parametrize(
    ("convention", "method"),
    [("coordinate_frame", "Coordinate Frame"), ("position_vector", "Position Vector")],
)
def test_vn2000_tm3_carries_the_published_shift(convention, method):
    op = vn2000_tm3(convention=convention).coordinate_operation
    assert method in op.method_name
    values = [p.value for p in op.params]
    np.testing.assert_allclose(values[:6], VN2000_TOWGS84[:6], rtol=0, atol=1e-12)
    # Stored as the factor 1 + ds: the ppm value comes back to 1e-9 ppm (6e-9 m at 6400 km).
    assert values[6] == pytest.approx(VN2000_TOWGS84[6], abs=1e-9)


def test_default_equals_epsg_6960_and_its_proj4_form():
    crs = vn2000_tm3()
    assert _max_diff_m(crs, REF_CF) < 1e-3
    # EPSG:9213 "VN-2000 / TM-3 106-30", through PROJ's database (EPSG:6960).
    assert _max_diff_m(crs, pyproj.CRS("EPSG:9213")) < 1e-3


def test_position_vector_variant_equals_the_common_proj4_string():
    assert _max_diff_m(vn2000_tm3(convention="position_vector"), REF_PV) < 1e-3


def test_the_two_conventions_are_the_known_sub_metre_trap_apart():
    gap = _max_diff_m(vn2000_tm3(), vn2000_tm3(convention="position_vector"))
    assert 0.5 < gap < 1.0


def test_other_zones_match_their_epsg_codes():
    # EPSG:9210 VN-2000 / TM-3 105-45, EPSG:9214 … 107-00, EPSG:3405 VN-2000 / UTM 48N.
    for crs, code in ((vn2000_tm3(105.75), 9210), (vn2000_tm3(107.0), 9214),
                      (vn2000_tm3(105.0, 0.9996), 3405)):
        assert _max_diff_m(crs, pyproj.CRS.from_epsg(code)) < 1e-3


@pytest.mark.parametrize("bad", [dict(central_meridian_deg=50.0), dict(scale=2.0),
                                 dict(convention="helmert")])
def test_vn2000_tm3_rejects_bad_arguments(bad):
    with pytest.raises(CRSError):
        vn2000_tm3(**bad)


# --------------------------------------------------------------------------- Helmert twin


def _geodetic_to_ecef(lon_deg, lat_deg, a=6378137.0, f=1 / 298.257223563):
    e2 = f * (2 - f)
    lon, lat = np.radians(lon_deg), np.radians(lat_deg)
    n = a / np.sqrt(1 - e2 * np.sin(lat) ** 2)
    return np.stack([n * np.cos(lat) * np.cos(lon), n * np.cos(lat) * np.sin(lon),
                     n * (1 - e2) * np.sin(lat)])


def _ecef_to_geodetic(xyz, a=6378137.0, f=1 / 298.257223563):
    e2 = f * (2 - f)
    x, y, z = xyz
    p = np.hypot(x, y)
    lat = np.arctan2(z, p * (1 - e2))
    for _ in range(10):
        n = a / np.sqrt(1 - e2 * np.sin(lat) ** 2)
        h = p / np.cos(lat) - n
        lat = np.arctan2(z, p * (1 - e2 * n / (n + h)))
    return np.degrees(np.arctan2(y, x)), np.degrees(lat)


def _helmert_twin(lon, lat, convention):
    """VN-2000 → WGS 84 by hand: small-angle 7-parameter Helmert on ECEF (EPSG Guidance 7-2,
    §4.4.3): X_t = T + (1 + ds) R X_s with R of the position-vector or coordinate-frame form."""
    tx, ty, tz, rx, ry, rz, ds = VN2000_TOWGS84
    rx, ry, rz = np.radians(np.array([rx, ry, rz]) / 3600.0)
    pv = np.array([[1.0, -rz, ry], [rz, 1.0, -rx], [-ry, rx, 1.0]])
    rot = pv if convention == "position_vector" else pv.T  # coordinate frame = transpose
    xyz = _geodetic_to_ecef(lon, lat)
    out = np.array([[tx], [ty], [tz]]) + (1 + ds * 1e-6) * rot @ xyz
    return _ecef_to_geodetic(out)


@pytest.mark.parametrize("convention", ["coordinate_frame", "position_vector"])
def test_rotation_convention_against_hand_computed_helmert(convention):
    crs = vn2000_tm3(convention=convention)
    east, north = np.meshgrid(np.linspace(420_000, 470_000, 4), np.linspace(2_370_000, 2_520_000, 4))
    east, north = east.ravel(), north.ravel()
    # VN-2000 lon/lat by the pure projection inverse (no datum shift), then the twin.
    vlon, vlat = pyproj.Transformer.from_crs(
        crs.source_crs, crs.source_crs.geodetic_crs, always_xy=True).transform(east, north)
    twin_lon, twin_lat = _helmert_twin(vlon, vlat, convention)
    lon, lat = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(east, north)
    geod = pyproj.Geod(ellps="WGS84")
    assert geod.inv(lon, lat, twin_lon, twin_lat)[2].max() < 1e-3
    # The twin can fail: the other convention is tens of centimetres away.
    other = "position_vector" if convention == "coordinate_frame" else "coordinate_frame"
    wrong_lon, wrong_lat = _helmert_twin(vlon, vlat, other)
    assert geod.inv(lon, lat, wrong_lon, wrong_lat)[2].min() > 0.3


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("convention", ["coordinate_frame", "position_vector"])
def test_wkt2_and_projjson_round_trip(convention):
    crs = vn2000_tm3(convention=convention)
    for again in (pyproj.CRS.from_wkt(crs.to_wkt(version="WKT2_2019")),
                  pyproj.CRS.from_wkt(crs.to_wkt(version="WKT2_2015")),
                  pyproj.CRS.from_json(crs.to_json())):
        assert _max_diff_m(crs, again) < 1e-3


def test_wkt1_round_trip_keeps_the_default():
    crs = vn2000_tm3()
    assert _max_diff_m(crs, pyproj.CRS.from_wkt(crs.to_wkt(version="WKT1_GDAL"))) < 1e-3


@pytest.mark.skipif(pyproj.proj_version_str < "9.5", reason="autocorrection came in PROJ 9.5")
def test_proj_flips_the_position_vector_variant_through_wkt1():
    # The documented trap: PROJ ≥ 9.5 reads these exact numbers in TOWGS84 as coordinate-frame
    # values written into a position-vector slot, and flips them (toWGS84AutocorrectWrongValues).
    pv = vn2000_tm3(convention="position_vector")
    again = pyproj.CRS.from_wkt(pv.to_wkt(version="WKT1_GDAL"))
    assert _max_diff_m(again, REF_CF) < 1e-3


def _sample_layer(crs: pyproj.CRS) -> gpd.GeoDataFrame:
    xy = _project(crs)
    names = ["Xóm Na Mao", "Thôn Đồng Kem", "Bản Quyên", "Tổ dân phố 5", "Phường Đức Xuân",
             "Xã Phúc Xuân"]
    return gpd.GeoDataFrame({"name": names}, geometry=points(xy[:, 0], xy[:, 1]), crs=crs)


def test_geopackage_round_trip(tmp_path):
    crs = vn2000_tm3()
    layer = _sample_layer(crs)
    path = write_vectors(tmp_path / "vn2000.gpkg", {"hamlets": layer})
    back = gpd.read_file(path, layer="hamlets")
    assert _max_diff_m(crs, back.crs) < 1e-3
    np.testing.assert_allclose(back.geometry.x, layer.geometry.x, rtol=0, atol=1e-6)
    assert list(back["name"]) == list(layer["name"])


def test_mapinfo_tab_round_trip(tmp_path):
    crs = vn2000_tm3()
    layer = _sample_layer(crs)
    back = read_tab(write_tab(tmp_path / "hamlets.tab", layer))
    assert _max_diff_m(crs, back.crs) < 1e-3  # the datum shift survives MapInfo's datum 9999
    # A .map stores integers scaled to the table bounds: write_tab sets them from the data, so
    # the storage error stays far below a millimetre (measured 0.06 mm over 150 km).
    xy_err = np.hypot(back.geometry.x - layer.geometry.x, back.geometry.y - layer.geometry.y)
    assert xy_err.max() < 1e-4
    assert list(back["name"]) == list(layer["name"])


def test_shapefile_round_trip(tmp_path):
    # ESRI .prj has no TOWGS84; the datum name brings back EPSG:6960, the default reading.
    crs = vn2000_tm3()
    layer = _sample_layer(crs)
    layer.to_file(tmp_path / "hamlets.shp", engine="pyogrio")
    back = gpd.read_file(tmp_path / "hamlets.shp")
    assert _max_diff_m(crs, back.crs) < 1e-3
    assert list(back["name"]) == list(layer["name"])


@settings(max_examples=25, deadline=None)
@given(meridian=st.integers(min_value=102 * 4, max_value=110 * 4).map(lambda q: q / 4),
       dlon=st.floats(min_value=-1.4, max_value=1.4), lat=st.floats(min_value=8.5, max_value=23.3))
def test_any_zone_survives_wkt1_and_wkt2(meridian, dlon, lat):
    crs = vn2000_tm3(meridian)
    lon = np.array([meridian + dlon])
    ref = _project(crs, lon, np.array([lat]))
    for text in (crs.to_wkt(version="WKT1_GDAL"), crs.to_wkt(version="WKT2_2019")):
        again = _project(pyproj.CRS.from_wkt(text), lon, np.array([lat]))
        assert np.hypot(*(again - ref).T).max() < 1e-3


# --------------------------------------------------------------------------- parse_crs


@pytest.mark.parametrize(
    ("text", "meridian"),
    [("vn2000_tm3", 106.5), ("vn2000_tm3:106.5", 106.5), ("VN-2000 TM-3 106.5", 106.5),
     ("VN-2000 / TM-3 106-30", 106.5), ("VN2000 TM3 106°30′", 106.5), ("vn2000_tm3:105.75", 105.75),
     ("vn2000-tm3 107-45", 107.75)],
)
def test_parse_crs_vn2000_shorthands(text, meridian):
    assert parse_crs(text) == vn2000_tm3(meridian)


def test_parse_crs_vn2000_utm():
    assert parse_crs("vn2000_utm:48") == vn2000_tm3(105.0, 0.9996)
    assert parse_crs("VN-2000 UTM zone 49").name == "VN-2000 / UTM zone 49N"


@pytest.mark.parametrize("text", ["EPSG:4326", "epsg:32648", "+proj=utm +zone=48 +datum=WGS84"])
def test_parse_crs_standard_forms(text):
    assert parse_crs(text) == pyproj.CRS(text)


def test_parse_crs_wkt_and_crs_objects():
    crs = vn2000_tm3()
    assert _max_diff_m(parse_crs(crs.to_wkt()), crs) < 1e-3
    assert parse_crs(crs) is crs


@pytest.mark.parametrize(
    ("text", "match"),
    [("", "no coordinate reference system"), ("UTM 48", "not a coordinate reference system"),
     ("vn2000_tm3:abc", "central meridian"), ("vn2000_tm3:50", "outside Vietnam"),
     ("vn2000_utm:47", "zones are 48")],
)
def test_parse_crs_errors(text, match):
    with pytest.raises(CRSError, match=match) as info:
        parse_crs(text)
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)


def test_parse_crs_warns_about_the_position_vector_string(caplog):
    with captured(caplog, "phusong.crs", logging.WARNING):
        parse_crs(PV_STRING)
    assert "position-vector" in caplog.text
    caplog.clear()
    with captured(caplog, "phusong.crs", logging.WARNING):
        parse_crs(CF_STRING)
    assert caplog.text == ""


# --------------------------------------------------------------------------- to_working


def test_to_working_reprojects_a_copy():
    gdf = gpd.GeoDataFrame({"name": ["Thái Nguyên"]}, geometry=[Point(105.84, 21.59)],
                           crs="EPSG:4326")
    before = gdf.copy()
    out = to_working(gdf)
    assert out.crs.to_epsg() == 32648
    x, y = pyproj.Transformer.from_crs(4326, 32648, always_xy=True).transform(105.84, 21.59)
    assert out.geometry.x[0] == pytest.approx(x, abs=1e-6)
    assert out.geometry.y[0] == pytest.approx(y, abs=1e-6)
    assert_geodataframe_equal(gdf, before)
    same = to_working(out)
    assert same is not out and same.equals(out)


def test_to_working_accepts_vn2000_shorthand():
    gdf = gpd.GeoDataFrame(geometry=[Point(105.84, 21.59)], crs="EPSG:4326")
    out = to_working(gdf, "vn2000_tm3")
    np.testing.assert_allclose(shapely_xy(out), _project(REF_CF, LON[:1], LAT[:1]), atol=1e-3)


def shapely_xy(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return np.column_stack([gdf.geometry.x, gdf.geometry.y])


def test_to_working_without_crs_names_the_file():
    gdf = gpd.GeoDataFrame(geometry=[Point(431_000, 2_388_000)])
    with pytest.raises(CRSError, match=r"tram_bts\.csv.*crs = .*EPSG:4326.*vn2000_tm3"):
        to_working(gdf, source="tram_bts.csv")


def test_to_working_rejects_degrees_declared_metric():
    gdf = gpd.GeoDataFrame(geometry=[Point(105.84, 21.59), Point(105.9, 21.6)], crs="EPSG:32648")
    with pytest.raises(CRSError, match=r"look like lon/lat degrees.*EPSG:4326"):
        to_working(gdf, source="x.gpkg")


def test_to_working_rejects_metres_declared_degrees():
    gdf = gpd.GeoDataFrame(geometry=[Point(105.84, 21.59), Point(431_000, 2_388_000)],
                           index=[7, 8], crs="EPSG:4326")
    with pytest.raises(CRSError, match=r"rows 8 .*outside ±180°/±90°.*metres"):
        to_working(gdf, source="x.gpkg")


def test_to_working_hints_swapped_lat_lon():
    gdf = gpd.GeoDataFrame(geometry=[Point(21.59, 105.84)], crs="EPSG:4326")
    with pytest.raises(CRSError, match="swapped"):
        to_working(gdf)


def test_to_working_keeps_empty_and_missing_geometries():
    gdf = gpd.GeoDataFrame(geometry=[None, Point(105.84, 21.59)], crs="EPSG:4326")
    out = to_working(gdf)
    assert out.geometry.isna().iloc[0] and not out.geometry.isna().iloc[1]
