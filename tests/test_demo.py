"""Tests of the synthetic demo province (``phusong.layers.demo``).

Most tests use the commune preset (about a second); the ``slow`` ones build the full province
once per module (about 6 s) and write it twice (about 15 s).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from phusong.errors import OutputExistsError
from phusong.layers import _demo_radio as radio
from phusong.layers.demo import PRESETS, DemoFiles, DemoProvince, generate_demo, write_demo

SEED = 2030
POP_2025 = 1_799_489
GPKG_LAYERS = ["communes", "hamlets", "roads", "parks", "pois", "sites", "fiber_routes",
               "fiber_nodes"]
ALL_LAYERS = set(GPKG_LAYERS) | {"sectors", "dem", "population", "measurements", "reported"}
COLUMNS = {
    "communes": ["commune_code", "name", "kind", "population", "former_district"],
    "hamlets": ["hamlet_id", "name", "commune_code", "population", "households", "kind"],
    "roads": ["road_id", "class", "ref", "name"],
    "parks": ["park_id", "name", "status", "area_ha", "enterprises"],
    "pois": ["poi_id", "name", "kind", "commune_code"],
    "sites": ["site_id", "operator", "height_agl_m", "shared", "grid_power", "status"],
    "fiber_routes": ["route_id", "operator", "kind", "status"],
    "fiber_nodes": ["node_id", "operator", "technology", "ports_total", "ports_used",
                    "max_rate_mbps"],
    "measurements": ["lon", "lat", "operator", "tech", "rsrp_dbm", "dl_mbps", "ul_mbps", "time",
                     "source"],
    "sectors": ["site_id", "sector_id", "tech", "band_mhz", "bandwidth_mhz", "azimuth_deg",
                "mech_tilt_deg", "elec_tilt_deg", "beamwidth_h_deg", "beamwidth_v_deg",
                "tx_power_dbm", "antenna_gain_dbi", "feeder_loss_db", "height_agl_m", "status"],
    "reported": ["indicator", "value", "date", "source", "commune_code"],
}
ID_COLUMNS = {"communes": "commune_code", "hamlets": "hamlet_id", "roads": "road_id",
              "parks": "park_id", "pois": "poi_id", "sites": "site_id",
              "fiber_routes": "route_id", "fiber_nodes": "node_id", "sectors": "sector_id"}
OPERATORS = {"Viettel", "VNPT", "MobiFone"}


@pytest.fixture(scope="module")
def commune() -> DemoProvince:
    return generate_demo(SEED, "commune")


@pytest.fixture(scope="module")
def province() -> DemoProvince:
    return generate_demo(SEED, "province")


def _v(gdf: gpd.GeoDataFrame, box: np.ndarray) -> np.ndarray:
    """South-north position (0..1) of point geometries inside a bounding box."""
    return (gdf.geometry.y.to_numpy() - box[1]) / (box[3] - box[1])


# --------------------------------------------------------------------------- commune preset


def test_presets_and_unknown_preset() -> None:
    assert PRESETS == ("province", "commune")
    with pytest.raises(ValueError, match="unknown demo preset 'district'"):
        generate_demo(SEED, "district")


def test_column_contract(commune: DemoProvince) -> None:
    for layer, cols in COLUMNS.items():
        df = getattr(commune, layer)
        assert [c for c in df.columns if c != "geometry"] == cols, layer
    for layer, col in ID_COLUMNS.items():
        assert getattr(commune, layer)[col].is_unique, layer
    for layer in GPKG_LAYERS + ["measurements"]:
        assert getattr(commune, layer).crs.to_epsg() == 32648, layer
    assert commune.crs == "EPSG:32648"
    assert commune.communes["population"].dtype == np.int64
    assert commune.hamlets["population"].dtype == np.int64
    assert commune.hamlets["households"].dtype == np.int64
    assert commune.communes["commune_code"].str.fullmatch(r"\d{5}").all()


def test_commune_preset_is_one_commune(commune: DemoProvince) -> None:
    c = commune.communes
    assert len(c) == 1 and c["name"].iloc[0] == "Trần Phú" and c["kind"].iloc[0] == "xa"
    assert 40.0 <= c.area.iloc[0] / 1e6 <= 80.0
    h = commune.hamlets
    assert 10 <= len(h) <= 25
    assert (h["commune_code"] == c["commune_code"].iloc[0]).all()
    assert h.within(c.geometry.iloc[0]).all()
    assert c["population"].iloc[0] == h["population"].sum()
    assert set(h["kind"]) <= {"thon", "xom", "ban", "to_dan_pho"}
    ratio = h["population"] / h["households"]
    assert ratio.between(3.0, 4.6).all()
    # a few sites of each operator, a QL stretch, fiber, measurements, reported figures
    assert set(commune.sites["operator"]) == OPERATORS
    assert 5 <= len(commune.sites) <= 80
    roads = commune.roads
    assert roads["ref"].str.startswith("QL").any()
    assert roads.loc[roads["class"] == "local", "ref"].eq("").all()
    assert len(commune.fiber_routes) > 0 and len(commune.fiber_nodes) > 0
    assert len(commune.measurements) >= 20
    assert commune.measurements.within(c.geometry.iloc[0]).all()
    assert {f"N{k}" for k in range(1, 8)} <= set(commune.reported["indicator"])
    assert set(commune.reported["commune_code"]) == {"", c["commune_code"].iloc[0]}
    pois = commune.pois
    assert (pois["kind"] == "commune_office").sum() == 1
    assert (pois["kind"] == "health_station").sum() == 1
    assert (pois["kind"] == "school").sum() >= 2


def test_commune_rasters_cover_commune(commune: DemoProvince) -> None:
    c = commune.communes.geometry.iloc[0]
    for arr, tr, cell in ((commune.dem, commune.dem_transform, 30.0),
                          (commune.population, commune.population_transform, 100.0)):
        assert arr.dtype == np.float32
        assert tr.a == cell and tr.e == -cell
        x0, y0 = tr.c, tr.f
        x1, y1 = x0 + arr.shape[1] * cell, y0 - arr.shape[0] * cell
        frame = shapely.box(x0, y1, x1, y0)
        assert frame.contains(c)
        assert commune.sites.within(frame.buffer(-1_000.0)).all()  # heights for every site
    assert np.isclose(commune.population.sum(), commune.hamlets["population"].sum(), rtol=1e-5)
    assert (commune.dem != -9999).all() and np.all(commune.dem == np.round(commune.dem))
    assert 50.0 < float(commune.dem.min()) < float(commune.dem.max()) < 1_700.0


def test_sectors(commune: DemoProvince) -> None:
    sec, sites = commune.sectors, commune.sites
    assert sec["site_id"].isin(sites["site_id"]).all()
    assert sites["site_id"].isin(sec["site_id"]).all()
    assert set(sec["tech"]) <= {"4G", "5G"}
    four, five = sec[sec["tech"] == "4G"], sec[sec["tech"] == "5G"]
    assert set(four["band_mhz"]) <= {900, 1800, 2100, 2600}
    assert set(five["band_mhz"]) <= {2600, 3500, 3700}
    assert four["bandwidth_mhz"].between(5, 20).all()
    assert five["bandwidth_mhz"].between(60, 100).all()
    assert sec["azimuth_deg"].between(0.0, 360.0, inclusive="left").all()
    assert sec["mech_tilt_deg"].between(0.0, 10.0).all()
    assert sec["elec_tilt_deg"].between(0.0, 10.0).all()
    assert sec["tx_power_dbm"].between(43.0, 49.0).all()
    assert sec["antenna_gain_dbi"].between(15.0, 18.0).all()
    assert sec["feeder_loss_db"].between(0.5, 3.0).all()
    assert (sec["beamwidth_h_deg"] == 65.0).all()
    assert sec["beamwidth_v_deg"].between(7.0, 10.0).all()
    assert sites["height_agl_m"].between(15.0, 45.0).all()
    per_site = sec.groupby("site_id")["azimuth_deg"].nunique()
    assert (per_site == 3).all()
    merged = sec.merge(sites[["site_id", "height_agl_m", "status"]], on="site_id")
    assert (merged["height_agl_m_x"] == merged["height_agl_m_y"]).all()
    assert (merged["status_x"] == merged["status_y"]).all()


def test_fiber_nodes(commune: DemoProvince) -> None:
    n = commune.fiber_nodes
    assert (n["ports_used"] <= n["ports_total"]).all() and (n["ports_used"] >= 0).all()
    assert set(n["ports_total"]) <= {16, 32, 64, 128}
    assert set(n["technology"]) <= {"GPON", "XGS-PON"}
    rate = n["technology"].map({"GPON": 2488, "XGS-PON": 9953})
    assert (n["max_rate_mbps"] == rate).all()
    r = commune.fiber_routes
    assert set(r["kind"]) <= {"backbone", "distribution", "access"}
    assert set(r["status"]) <= {"on_air", "planned"}


def test_measurements_values(commune: DemoProvince) -> None:
    m = commune.measurements
    assert set(m["source"]) <= {"i-SPEED", "drive_test"}
    assert set(m["operator"]) <= OPERATORS and set(m["tech"]) <= {"4G", "5G"}
    assert m["rsrp_dbm"].between(-140.0, -44.0).all()
    assert (m["dl_mbps"] >= 0).all() and (m["ul_mbps"] <= m["dl_mbps"] + 1e-9).all()
    assert pd.to_datetime(m["time"], format="ISO8601").notna().all()
    tr = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(m.geometry.x.to_numpy(), m.geometry.y.to_numpy())
    assert np.allclose(lon, m["lon"], atol=1e-5) and np.allclose(lat, m["lat"], atol=1e-5)


def test_generation_is_deterministic_in_memory(commune: DemoProvince) -> None:
    again = generate_demo(SEED, "commune")
    pd.testing.assert_frame_equal(again.hamlets, commune.hamlets)
    pd.testing.assert_frame_equal(again.sectors, commune.sectors)
    assert np.array_equal(again.dem, commune.dem)
    other = generate_demo(SEED + 1, "commune")
    assert not np.array_equal(other.dem.shape, commune.dem.shape) or not np.array_equal(
        other.dem, commune.dem)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_write_demo_files_and_bytes(tmp_path: Path) -> None:
    a = write_demo(tmp_path / "a", seed=SEED, preset="commune")
    write_demo(tmp_path / "b", seed=SEED, preset="commune")
    write_demo(tmp_path / "c", seed=SEED + 5, preset="commune")
    assert set(a) == ALL_LAYERS
    files = DemoFiles()
    names = {files.gpkg, files.sectors, files.measurements, files.dem, files.population,
             files.reported}
    fa, fb, fc = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert set(fa) == names  # no temporary files left behind
    assert fa == fb
    assert fa[files.gpkg] != fc[files.gpkg] and fa[files.dem] != fc[files.dem]
    assert a["hamlets"] == tmp_path / "a" / files.gpkg
    assert list(pyogrio.list_layers(a["hamlets"])[:, 0]) == GPKG_LAYERS
    with rasterio.open(a["dem"]) as ds:
        assert ds.crs.to_epsg() == 32648 and ds.res == (30.0, 30.0) and ds.nodata == -9999
        assert ds.profile["compress"] == "deflate" and ds.profile["tiled"]
    with rasterio.open(a["population"]) as ds:
        assert ds.res == (100.0, 100.0) and ds.dtypes[0] == "float32"
    m = pd.read_csv(a["measurements"], encoding="utf-8-sig")
    assert list(m.columns) == COLUMNS["measurements"]
    hamlets = gpd.read_file(a["hamlets"], layer="hamlets")
    assert hamlets["name"].str.contains("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệ]", regex=True).any()


def test_write_demo_refuses_to_overwrite(tmp_path: Path) -> None:
    write_demo(tmp_path, seed=SEED, preset="commune")
    before = _files(tmp_path)
    with pytest.raises(OutputExistsError, match="province.gpkg"):
        write_demo(tmp_path, seed=SEED + 1, preset="commune")
    assert _files(tmp_path) == before
    write_demo(tmp_path, seed=SEED + 1, preset="commune", overwrite=True)
    assert _files(tmp_path) != before


def test_write_demo_checks_every_file_before_writing(tmp_path: Path) -> None:
    (tmp_path / DemoFiles().reported).write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="reported.csv"):
        write_demo(tmp_path, seed=SEED, preset="commune")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reported.csv"]


# --------------------------------------------------------------------------- truth model


def test_hata_reference_values() -> None:
    # COST-231-Hata, 1800 MHz, hb 30 m, hm 1.5 m, 1 km, medium city: 46.3 + 33.9 log f
    # - 13.82 log hb - a(hm) = 136.2 dB (a(1.5 m) at 1800 MHz ≈ 0.04 dB)
    loss = radio._hata_db(np.array([1800.0]), np.array([1.0]), np.array([30.0]), np.array([1]))
    lf = np.log10(1800.0)
    a_hm = (1.1 * lf - 0.7) * 1.5 - (1.56 * lf - 0.8)
    urban = 46.3 + 33.9 * lf - 13.82 * np.log10(30.0) - a_hm
    assert urban == pytest.approx(136.2, abs=0.2)
    assert loss[0] == pytest.approx(urban - 2 * np.log10(1800 / 28) ** 2 - 5.4, abs=1e-9)
    # Okumura-Hata 900 MHz, hb 30 m, hm 1.5 m, 10 km: urban 161.6 dB; quasi-open area is
    # 4.78 (log f)² - 18.33 log f + 35.94 = 23.5 dB less (Hata 1980, eq. 4-6; open + 5 dB)
    f, d, hb = np.array([900.0, 900.0]), np.array([10.0, 10.0]), np.array([30.0, 30.0])
    urban_900, quasi_open = radio._hata_db(f, d, hb, np.array([0, 2]))
    assert urban_900 == pytest.approx(161.6, abs=0.1)
    assert urban_900 - quasi_open == pytest.approx(23.5, abs=0.1)


def test_knife_edge_reference_values() -> None:
    # ITU-R P.526-15 Fig. 9: J(0) ≈ 6 dB, J(-0.78) = 0, J(2.4) ≈ 20.8 dB
    j = radio._knife_edge_db(np.array([0.0, -1.0, 2.4]))
    assert j[0] == pytest.approx(6.0, abs=0.1)
    assert j[1] == 0.0
    assert j[2] == pytest.approx(20.8, abs=0.3)


# --------------------------------------------------------------------------- full province


@pytest.mark.slow
def test_province_counts(province: DemoProvince) -> None:
    c, h = province.communes, province.hamlets
    assert len(c) == 92 and c["commune_code"].is_unique
    assert 12 <= (c["kind"] == "phuong").sum() <= 18
    assert (c["name"] == "Trần Phú").sum() == 1
    assert {"Phan Đình Phùng", "Trần Phú"} <= set(c["name"])
    assert 2_700 <= len(h) <= 3_300
    assert abs(h["population"].sum() / POP_2025 - 1.0) <= 0.03
    per = h.groupby("commune_code")["population"].sum()
    assert (c.set_index("commune_code")["population"] == per).all()
    assert 2_700 <= len(province.sites) <= 3_300
    ops = province.sites["operator"].value_counts()
    assert set(ops.index) == OPERATORS and ops.idxmax() == "Viettel"
    assert (province.sites["status"] == "on_air").mean() > 0.9
    roads = province.roads
    main_km = roads.loc[roads["class"].isin(["expressway", "national", "provincial"])].length
    assert 2_125.0 <= main_km.sum() / 1e3 <= 2_875.0
    assert {"CT07", "QL3", "QL37", "QL1B"} <= set(roads["ref"])
    assert set(roads["class"]) == {"expressway", "national", "provincial", "district", "local"}
    parks = province.parks
    assert len(parks) == 14
    assert {"Yên Bình", "Điềm Thụy – Khu A", "Sông Công II"} <= set(parks["name"])
    assert 5 <= (parks["status"] == "operating").sum() <= 7
    pois = province.pois
    assert (pois["kind"] == "commune_office").sum() == 92
    assert (pois["kind"] == "health_station").sum() == 92
    assert (pois["kind"] == "hospital").sum() >= 5 and (pois["kind"] == "university").sum() >= 5


@pytest.mark.slow
def test_province_geometry(province: DemoProvince) -> None:
    c = province.communes
    assert c.is_valid.all()
    area_km2 = c.area.sum() / 1e6
    assert abs(area_km2 / 8_400.0 - 1.0) <= 0.05
    union = shapely.union_all(c.geometry.to_numpy())
    assert union.area == pytest.approx(c.area.sum(), rel=1e-6)  # no overlaps
    assert union.geom_type == "Polygon" and len(union.interiors) == 0  # no gaps
    x0, y0, x1, y1 = c.total_bounds
    assert 115e3 <= y1 - y0 <= 145e3 and 60e3 <= x1 - x0 <= 85e3
    tr = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True)
    lon0, lat0 = tr.transform(x0, y0)
    lon1, lat1 = tr.transform(x1, y1)
    assert 105.3 <= lon0 and lon1 <= 106.4 and 21.2 <= lat0 and lat1 <= 22.85
    h = province.hamlets
    joined = gpd.sjoin(h, c[["commune_code", "geometry"]], predicate="within", how="left")
    assert len(joined) == len(h)
    assert (joined["commune_code_left"] == joined["commune_code_right"]).all()
    for layer in ("pois", "sites", "fiber_nodes"):
        pts = getattr(province, layer)
        assert pts.within(union.buffer(1.0)).all(), layer
    j = gpd.sjoin(province.pois, c[["commune_code", "geometry"]], predicate="within")
    assert (j["commune_code_left"] == j["commune_code_right"]).all()


@pytest.mark.slow
def test_province_terrain_and_population(province: DemoProvince) -> None:
    dem, tr = province.dem, province.dem_transform
    assert dem.dtype == np.float32 and tr.a == 30.0
    assert 10e6 <= dem.size <= 16e6
    ys = tr.f + (np.arange(dem.shape[0]) + 0.5) * tr.e
    y0, y1 = province.communes.total_bounds[[1, 3]]
    v = (ys - y0) / (y1 - y0)
    north, south = dem[v > 0.5], dem[(v > 0.0) & (v < 0.15)]
    assert 1_300.0 <= north.max() <= 1_700.0 and dem.max() <= 1_700.0
    assert np.median(south) < 60.0 and np.percentile(south, 10) >= 0.0
    assert np.median(dem[v > 0.6]) > 2 * np.median(south)
    assert province.population.sum() == pytest.approx(POP_2025, rel=0.03)
    assert province.population.sum() == pytest.approx(province.hamlets["population"].sum(),
                                                      rel=1e-5)
    # denser in the south: more than half the people live in the southern 40 %
    hv = _v(province.hamlets, province.communes.total_bounds)
    assert province.hamlets["population"][hv < 0.4].sum() > 0.5 * POP_2025


@pytest.mark.slow
def test_province_5g_south_versus_north(province: DemoProvince) -> None:
    sites, sec = province.sites, province.sectors
    has5 = sites["site_id"].isin(sec.loc[sec["tech"] == "5G", "site_id"]).to_numpy()
    v = _v(sites, province.communes.total_bounds)
    south, north = has5[v < 0.35].mean(), has5[v > 0.6].mean()
    assert south > 0.3 and north < 0.1 and south > 3 * north


@pytest.mark.slow
def test_province_contains_the_planted_problems(province: DemoProvince) -> None:
    sites = province.sites[province.sites["status"] == "on_air"]
    sxy = np.column_stack([sites.geometry.x, sites.geometry.y])
    tree = cKDTree(sxy)
    # dark valleys: populated hamlets with no site within 5 km
    h = province.hamlets
    d_site = tree.query(np.column_stack([h.geometry.x, h.geometry.y]))[0]
    assert (d_site > 5_000.0).sum() >= 10
    # road gaps: national/provincial stretches with no site within 4 km for over 1 km
    main = province.roads[province.roads["class"].isin(["national", "provincial"])]
    gaps = 0
    for geom in main.geometry:
        pts = shapely.get_coordinates(
            shapely.line_interpolate_point(geom, np.arange(0.0, geom.length, 100.0)))
        far = tree.query(pts)[0] > 4_000.0
        run = max((len(s) for s in "".join("1" if f else "0" for f in far).split("0")),
                  default=0)
        gaps += run * 100.0 > 1_000.0
    assert gaps >= 3
    # operating parks without any 5G site within 2.5 km
    sec = province.sectors
    s5 = sites[sites["site_id"].isin(sec.loc[sec["tech"] == "5G", "site_id"])]
    parks = province.parks[province.parks["status"] == "operating"]
    dark5 = [name for name, g in zip(parks["name"], parks.geometry, strict=True)
             if s5.distance(g).min() > 2_500.0]
    assert len(dark5) >= 2
    named = parks[parks["name"].isin(["Yên Bình", "Điềm Thụy – Khu A", "Sông Công II"])]
    assert all(s5.distance(g).min() < 200.0 for g in named.geometry)
    # hamlets without fiber: no node within 2 km
    n = province.fiber_nodes
    d_node = cKDTree(np.column_stack([n.geometry.x, n.geometry.y])).query(
        np.column_stack([h.geometry.x, h.geometry.y]))[0]
    assert 30 <= (d_node > 2_000.0).sum() <= 0.25 * len(h)
    # full fiber nodes
    full = (n["ports_used"] == n["ports_total"]).mean()
    assert 0.02 <= full <= 0.2 and (n["ports_used"] <= n["ports_total"]).all()


@pytest.mark.slow
def test_commune_preset_is_the_province_restricted(province: DemoProvince,
                                                   commune: DemoProvince) -> None:
    code = commune.communes["commune_code"].iloc[0]
    h = province.hamlets[province.hamlets["commune_code"] == code].reset_index(drop=True)
    pd.testing.assert_frame_equal(h, commune.hamlets)
    ps = province.sites.set_index("site_id").loc[commune.sites["site_id"]].reset_index()
    pd.testing.assert_frame_equal(ps, commune.sites)
    psec = province.sectors[province.sectors["site_id"].isin(commune.sites["site_id"])]
    pd.testing.assert_frame_equal(psec.reset_index(drop=True), commune.sectors)
    assert commune.roads["road_id"].str.startswith("R").sum() > 0
    main_ids = commune.roads.loc[commune.roads["road_id"].str.startswith("R"), "road_id"]
    assert main_ids.isin(province.roads["road_id"]).all()
    # the commune DEM is a window of the province DEM
    tp, tc = province.dem_transform, commune.dem_transform
    r0 = round((tp.f - tc.f) / 30.0)
    c0 = round((tc.c - tp.c) / 30.0)
    win = province.dem[r0:r0 + commune.dem.shape[0], c0:c0 + commune.dem.shape[1]]
    assert np.array_equal(win, commune.dem)


@pytest.mark.slow
def test_province_files_are_byte_identical(tmp_path: Path) -> None:
    paths = write_demo(tmp_path / "a", seed=SEED)  # timing: benchmarks/demo_bench.py
    write_demo(tmp_path / "b", seed=SEED)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert set(paths) == ALL_LAYERS
