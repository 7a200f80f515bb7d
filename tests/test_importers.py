"""Tests of phusong.layers.importers: OpenCelliD, OpenStreetMap and MapInfo TAB."""

from __future__ import annotations

import contextlib
import gzip
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest
from geopandas.testing import assert_geodataframe_equal
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, Polygon

from phusong.crs import vn2000_tm3
from phusong.errors import CRSError, InputError, OutputError, OutputExistsError
from phusong.layers.importers import (
    MNC_OPERATORS,
    normalise_road_ref,
    parse_hstore,
    read_opencellid,
    read_osm,
    read_tab,
    write_tab,
)
from phusong.layers.importers.opencellid import OPENCELLID_COLUMNS

DATA = Path(__file__).parent / "data"
OCID = DATA / "opencellid" / "452_mini.csv"
OSM = DATA / "osm" / "mini.osm"
HEADER = ",".join(OPENCELLID_COLUMNS)


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


# --------------------------------------------------------------------------- OpenCelliD


@pytest.fixture(scope="module")
def ocid():
    return read_opencellid(OCID)


def test_opencellid_sites_and_operators(ocid):
    sites, sectors = ocid
    assert len(sites) == 8 and len(sectors) == 17
    assert set(sites["operator"]) == {"Viettel", "MobiFone", "VNPT", "Vietnamobile", "MNC 7"}
    assert set(MNC_OPERATORS.values()) == {"Viettel", "VNPT", "MobiFone", "Vietnamobile"}
    assert sites["site_id"].is_unique and sectors["sector_id"].is_unique
    assert set(sectors["site_id"]) == set(sites["site_id"])
    assert list(sites.columns) == ["site_id", "operator", "height_agl_m", "height_source",
                                   "status", "geometry"]
    assert (sites["status"] == "on_air").all() and (sites["height_source"] == "default").all()
    assert sites.crs.to_epsg() == 32648


def test_opencellid_keeps_mcc_452_only(ocid):
    _, sectors = ocid
    assert sectors["sector_id"].str.startswith("452-").all()


def test_opencellid_radio_to_tech(ocid):
    _, sectors = ocid
    tech = dict(zip(sectors["sector_id"], sectors["tech"], strict=True))
    assert tech["452-4-12001-1001-LTE"] == "4G"
    assert tech["452-4-12001-5001001-NR"] == "5G"
    assert tech["452-4-300-2001-GSM"] == "2G"
    assert tech["452-4-300-3001-UMTS"] == "3G"
    assert not sectors["sector_id"].str.endswith("CDMA").any()


def _site_of(sectors: pd.DataFrame, sector_id: str) -> str:
    return sectors.loc[sectors["sector_id"] == sector_id, "site_id"].item()


def test_opencellid_clustering(ocid):
    sites, sectors = ocid
    sizes = sectors.groupby("site_id").size()
    a = _site_of(sectors, "452-4-12001-1001-LTE")
    assert sizes[a] == 4  # LTE, LTE, NR, GSM within ~25 m
    # Same place, other operator: another site.
    assert _site_of(sectors, "452-1-20001-7001-LTE") != a
    # One kilometre east: another Viettel site.
    assert _site_of(sectors, "452-4-12001-1003-LTE") != a
    # Three cells 40 m apart in a row: chained into one site.
    chain = {_site_of(sectors, f"452-4-12002-{c}-LTE") for c in (1101, 1102, 1103)}
    assert len(chain) == 1
    # The site lies at the mean of its cells.
    cells = pd.read_csv(OCID)
    member = cells[(cells.net == 4) & cells.cell.isin([1001, 1002, 5001001, 2001])]
    x, y = pyproj.Transformer.from_crs(4326, 32648, always_xy=True).transform(member.lon,
                                                                             member.lat)
    site = sites.set_index("site_id").geometry[a]
    assert site.x == pytest.approx(np.mean(x), abs=1e-6)
    assert site.y == pytest.approx(np.mean(y), abs=1e-6)


def test_opencellid_defaults_are_recorded(ocid, caplog):
    sites, sectors = ocid
    assert sectors["band_mhz"].notna().all() and sectors["azimuth_deg"].isna().all()
    assert (sectors["band_source"] == "default").all()
    lte_viettel = sectors[(sectors["tech"] == "4G") & sectors["site_id"].str.startswith("ocid-452-4-")]
    assert (lte_viettel["band_mhz"] == 1800.0).all()
    assert (sectors["tx_power_dbm"] == 43.0).all() and (sectors["antenna_gain_dbi"] == 15.0).all()
    assert (sites["height_agl_m"] == 30.0).all()
    for frame in (sites, sectors):
        d = frame.attrs["defaults"]
        assert d["height_agl_m"] == 30.0 and d["tx_power_dbm"] == 43.0
        assert d["antenna_gain_dbi"] == 15.0 and "PCI" in d["band_mhz"] and "Viettel 5G 2600 MHz" in d["band_mhz"]
    assert sectors["range_m"].notna().all() and sectors["samples"].dtype == "Int64"
    with captured(caplog, "phusong.layers.importers.opencellid", logging.INFO):
        read_opencellid(OCID, default_height_agl_m=25, default_tx_power_dbm=46,
                        default_antenna_gain_dbi=17.5)
    assert "height 25 m AGL" in caplog.text and "46 dBm" in caplog.text


def test_opencellid_warns_about_unknown_mnc_and_radio(caplog):
    with captured(caplog, "phusong.layers.importers.opencellid", logging.WARNING):
        read_opencellid(OCID)
    assert "MNC 07" in caplog.text and "CDMA" in caplog.text


def test_opencellid_custom_defaults_and_crs():
    sites, sectors = read_opencellid(OCID, default_height_agl_m=25.0, default_tx_power_dbm=46.0,
                                     default_antenna_gain_dbi=17.5, crs="EPSG:4326")
    assert (sites["height_agl_m"] == 25.0).all() and (sectors["tx_power_dbm"] == 46.0).all()
    assert (sectors["antenna_gain_dbi"] == 17.5).all()
    assert sites.crs.to_epsg() == 4326
    assert sites.geometry.x.between(105.7, 106.0).all()


def test_opencellid_bbox():
    sites, sectors = read_opencellid(OCID, bbox=(105.82, 21.57, 105.855, 21.595))
    assert set(sites["operator"]) == {"Viettel", "MobiFone", "VNPT"}
    assert len(sectors) == 10


def test_opencellid_headerless_and_gzip(tmp_path, ocid):
    body = OCID.read_text(encoding="utf-8").splitlines()[1:]
    plain = tmp_path / "452.csv"
    plain.write_text("\n".join(body) + "\n", encoding="utf-8")
    packed = tmp_path / "452.csv.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as f:
        f.write(OCID.read_text(encoding="utf-8"))
    for path in (plain, packed):
        sites, sectors = read_opencellid(path)
        assert_geodataframe_equal(sites, ocid[0])
        pd.testing.assert_frame_equal(sectors, ocid[1])


def test_opencellid_duplicate_cell_keeps_most_samples(tmp_path, caplog):
    path = tmp_path / "dup.csv"
    path.write_text(f"{HEADER}\n"
                    "LTE,452,4,1,1,1,105.84,21.59,1000,3,1,0,0,0\n"
                    "LTE,452,4,1,1,1,105.84,21.59,1500,9,1,0,0,0\n", encoding="utf-8")
    with captured(caplog, "phusong.layers.importers.opencellid", logging.WARNING):
        _, sectors = read_opencellid(path)
    assert len(sectors) == 1 and sectors["samples"].item() == 9
    assert "more than once" in caplog.text


def test_opencellid_no_cells_gives_empty_layers():
    sites, sectors = read_opencellid(OCID, mcc=999)
    assert sites.empty and sectors.empty
    assert "site_id" in sites.columns and "band_mhz" in sectors.columns
    assert "defaults" in sectors.attrs


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("radio,mcc,net,area,cell,unit,x,y\nLTE,452,4,1,1,1,105.8,21.5\n",
         r"bad\.csv: column\(s\) lon, lat missing"),
        (f"{HEADER}\nLTE,452,4,1,1,1,105.84,21.59,1000,3,1,0,0,0\n"
         "LTE,45x,4,1,2,1,105.84,21.59,1000,3,1,0,0,0\n",
         r"bad\.csv: column 'mcc' is not an integer on line\(s\) 3 \(found '45x'\)"),
        (f"{HEADER}\nLTE,452,4,1,1,1,185.84,21.59,1000,3,1,0,0,0\n",
         r"bad\.csv: column 'lon' is out of range on line\(s\) 2 \(found 185\.84\)"),
        (f"{HEADER}\nLTE,452,4,1,1,1,21.59,105.84,1000,3,1,0,0,0\n",
         r"column 'lat' is out of range on line\(s\) 2.*swapped"),
        (f"{HEADER}\nLTE,452,4,1,1,1,,21.59,1000,3,1,0,0,0\n",
         r"column 'lon' is not a number in decimal degrees on line\(s\) 2"),
        ("LTE,452,4,1,1,1,105.8,21.5,1,1,1,1,1,1,1,1\n", "no header and 16 columns"),
    ],
)
def test_opencellid_bad_files(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        read_opencellid(path)


def test_opencellid_missing_file_and_bad_bbox(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_opencellid(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="bbox"):
        read_opencellid(OCID, bbox=(106.0, 21.0, 105.0, 22.0))


def _twin_clusters(xy: np.ndarray, ops: np.ndarray, radius: float) -> list[tuple[int, ...]]:
    """Slow, obvious single-linkage clustering: the reference twin of the cKDTree version."""
    parent = list(range(len(xy)))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(xy)):
        for j in range(i + 1, len(xy)):
            if ops[i] == ops[j] and np.hypot(*(xy[i] - xy[j])) <= radius:
                parent[find(i)] = find(j)
    groups: dict[int, set[int]] = {}
    for i in range(len(xy)):
        groups.setdefault(find(i), set()).add(i)
    return sorted(tuple(sorted(g)) for g in groups.values())


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 40))
def test_opencellid_clustering_matches_the_slow_twin(tmp_path_factory, seed, n):
    rng = np.random.default_rng(seed)
    lon = 105.84 + rng.uniform(0, 0.004, n)  # ~400 m square: plenty of near pairs
    lat = 21.59 + rng.uniform(0, 0.004, n)
    net = rng.choice([1, 4], n)
    rows = [f"LTE,452,{net[i]},1,{i},1,{float(lon[i])!r},{float(lat[i])!r},1000,1,1,0,0,0"
            for i in range(n)]
    path = tmp_path_factory.mktemp("ocid") / "r.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    _, sectors = read_opencellid(path)
    x, y = pyproj.Transformer.from_crs(4326, 32648, always_xy=True).transform(lon, lat)
    expected = _twin_clusters(np.column_stack([x, y]), net, 50.0)
    cell = sectors["sector_id"].str.split("-").str[3].astype(int)
    got = sorted(tuple(sorted(g)) for g in cell.groupby(sectors["site_id"]).agg(set))
    assert got == expected


# --------------------------------------------------------------------------- OpenStreetMap


@pytest.fixture(scope="module")
def osm():
    return read_osm(OSM)


def test_osm_driver_reads_xml_here():
    assert "OSM" in pyogrio.list_drivers()
    names = [name for name, _ in pyogrio.list_layers(OSM)]
    assert {"points", "lines", "multipolygons"} <= set(names)


def test_osm_roads(osm):
    roads = osm["roads"].set_index("road_id")
    expected = {
        "osm-w200": ("national", "QL3"),       # trunk, ref QL3
        "osm-w201": ("provincial", "ĐT261"),   # secondary, ref "ĐT 261"
        "osm-w202": ("local", None),           # residential
        "osm-w203": ("expressway", "CT07"),    # motorway, ref "CT.07"
        "osm-w204": ("national", "QL37;AH14"),  # primary, ref "QL.37;AH14"
        "osm-w205": ("district", None),        # tertiary
        "osm-w206": ("provincial", "ĐT273"),   # primary with a ĐT ref
        "osm-w207": ("national", None),        # trunk_link
    }
    assert set(roads.index) == set(expected)  # the river is not a road
    for road_id, (cls, ref) in expected.items():
        got = roads.loc[road_id, "ref"]
        assert (roads.loc[road_id, "class"], None if pd.isna(got) else got) == (cls, ref), road_id
    assert roads.loc["osm-w200", "name"] == "Quốc lộ 3"
    assert roads.loc["osm-w203", "name"] == "Cao tốc Hà Nội – Thái Nguyên"
    assert set(roads["class"]) <= {"expressway", "national", "provincial", "district", "local"}
    assert roads.crs.to_epsg() == 32648
    assert roads.geom_type.eq("LineString").all()


@pytest.mark.parametrize(
    ("raw", "norm"),
    [("DT 261", "ĐT261"), ("ĐT.261", "ĐT261"), ("DT261", "ĐT261"), ("đt 261", "ĐT261"),
     ("ÐT 261", "ĐT261"), ("TL261", "ĐT261"), ("QL.3", "QL3"), ("QL 3", "QL3"), ("ql3", "QL3"),
     ("QL-3", "QL3"), ("QL 3B", "QL3B"), ("QL.37;AH14", "QL37;AH14"), ("QL3, QL37", "QL3;QL37"),
     ("CT.07", "CT07"), ("DH 12", "ĐH12"), ("Đường Bắc Sơn", "Đường Bắc Sơn"), ("", None),
     ("  ", None), (None, None)],
)
def test_normalise_road_ref(raw, norm):
    assert normalise_road_ref(raw) == norm


def test_osm_hamlets(osm):
    hamlets = osm["hamlets"].set_index("hamlet_id")
    assert set(hamlets.index) == {"osm-n100", "osm-n101", "osm-n102", "osm-w303"}  # no town
    assert hamlets.loc["osm-n100", "name"] == "Xóm Na Mao"
    assert hamlets.loc["osm-n100", "kind"] == "xom"        # place=hamlet, name Xóm
    assert hamlets.loc["osm-n101", "kind"] == "thon"       # place=village
    assert hamlets.loc["osm-n102", "kind"] == "ban"        # isolated_dwelling named Bản …
    assert hamlets.loc["osm-w303", "kind"] == "thon"       # village area named Thôn …
    assert hamlets["commune_code"].isna().all()
    assert hamlets.geom_type.eq("Point").all()
    # The village area became a point inside it.
    area = Polygon([(105.79, 21.62), (105.80, 21.62), (105.80, 21.63), (105.79, 21.63)])
    area = gpd.GeoSeries([area], crs=4326).to_crs(32648).iloc[0]
    assert area.contains(hamlets.loc["osm-w303", "geometry"])


def test_osm_pois(osm):
    pois = osm["pois"].set_index("poi_id")
    kinds = pois["kind"].to_dict()
    assert kinds == {
        "osm-w304": "hospital",          # the hospital area; its node inside is dropped
        "osm-n111": "health_station",    # amenity=clinic, Trạm Y tế xã
        "osm-n112": "commune_office",    # townhall named UBND xã …
        "osm-n113": "public_office",     # townhall of a provincial department
        "osm-n114": "university",
        "osm-n115": "health_station",    # healthcare=centre
        "osm-n117": "university",        # amenity=college
        "osm-w302": "school",            # school campus area → point
    }
    assert pois.loc["osm-n115", "name"] == 'Trung tâm Y tế "Đồng Hỷ"'
    assert pois.geom_type.eq("Point").all()


def test_osm_parks(osm):
    parks = osm["parks"].set_index("park_id")
    assert parks.loc["osm-w300", "name"] == "Khu công nghiệp Sông Công I"
    assert parks.loc["osm-w300", "status"] == "operating"
    assert parks.loc["osm-w301", "status"] == "building"   # construction=yes
    geod = pyproj.Geod(ellps="WGS84")
    ring = [(105.85, 21.55), (105.86, 21.55), (105.86, 21.56), (105.85, 21.56)]
    true_ha = abs(geod.polygon_area_perimeter(*zip(*ring, strict=True))[0]) / 1e4
    assert parks.loc["osm-w300", "area_ha"] == pytest.approx(true_ha, rel=2e-3)


def test_osm_other_tags_escapes_as_gdal_writes_them():
    areas = pyogrio.read_dataframe(OSM, layer="multipolygons")
    tags = parse_hstore(areas.loc[areas["osm_way_id"] == "300", "other_tags"].item())
    assert tags == {"operator": 'Công ty "Sông Công", CN => Thái Nguyên'}


@pytest.mark.parametrize(
    ("text", "parsed"),
    [('"ref"=>"QL3"', {"ref": "QL3"}),
     ('"ref"=>"ĐT 261","name:en"=>"Road \\"261\\"","x"=>NULL', {"ref": "ĐT 261",
                                                                 "name:en": 'Road "261"'}),
     ('"a"=>"b\\\\c"', {"a": "b\\c"}), ("", {}), (None, {})],
)
def test_parse_hstore_examples(text, parsed):
    assert parse_hstore(text) == parsed


def _hstore(tags: dict[str, str]) -> str:
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace('"', '\\"')

    return ",".join(f'"{esc(k)}"=>"{esc(v)}"' for k, v in tags.items())


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=20), max_size=6))
def test_parse_hstore_round_trip(tags):
    assert parse_hstore(_hstore(tags)) == tags


def test_osm_pbf_reads_like_the_xml(osm):
    from_pbf = read_osm(OSM.with_suffix(".osm.pbf"))
    for name, layer in osm.items():
        assert_geodataframe_equal(from_pbf[name], layer, check_less_precise=True)


def test_osm_output_crs_and_vietnamese_text_intact():
    layers = read_osm(OSM, crs="EPSG:4326")
    assert all(g.crs.to_epsg() == 4326 for g in layers.values())
    assert "Xóm Na Mao" in set(layers["hamlets"]["name"])


def test_osm_empty_extract_keeps_columns(tmp_path):
    path = tmp_path / "empty.osm"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n'
                    '<node id="1" lat="21.6" lon="105.8"><tag k="shop" v="bakery"/></node>\n'
                    "</osm>\n", encoding="utf-8")
    layers = read_osm(path)
    assert all(g.empty for g in layers.values())
    assert {"road_id", "class", "ref"} <= set(layers["roads"].columns)
    assert {"park_id", "status", "area_ha"} <= set(layers["parks"].columns)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [("missing.osm", None, "not found"),
     ("extract.osm.bz2", "x", r"only files ending in \.osm.*Decompress"),
     ("broken.osm", "<osm><node id='1' lat='1'", "cannot read"),
     ],
)
def test_osm_bad_files(tmp_path, name, content, match):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        read_osm(path)


# --------------------------------------------------------------------------- MapInfo TAB


def _layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Xóm Na Mao", "Thôn Đồng Kem", "Đường tỉnh 261"], "n": [1, 2, 3],
         "x": [1.5, 2.5, 3.5]},
        geometry=[Point(105.84, 21.59), Point(105.90, 21.80),
                  LineString([(105.80, 21.55), (105.86, 21.60), (105.87, 21.62)])],
        crs="EPSG:4326",
    )


def test_tab_round_trip_vn2000(tmp_path):
    layer = _layer()
    before = layer.copy()
    path = write_tab(tmp_path / "lop.tab", layer)
    assert_geodataframe_equal(layer, before)  # input untouched
    assert {p.suffix for p in tmp_path.iterdir()} == {".tab", ".dat", ".map", ".id"}
    assert "!charset UTF-8" in path.read_text(encoding="utf-8")
    back = read_tab(path)
    assert list(back["name"]) == list(layer["name"])
    assert list(back["n"]) == [1, 2, 3]
    # Stored in VN-2000 TM-3 106°30′ (the .map holds projected coordinates) …
    x, y = pyproj.Transformer.from_crs(4326, vn2000_tm3(), always_xy=True).transform(105.84,
                                                                                   21.59)
    assert back.geometry.iloc[0].x == pytest.approx(x, abs=1e-4)
    assert back.geometry.iloc[0].y == pytest.approx(y, abs=1e-4)
    # … and back to WGS 84 within 2 mm: ~0.06 mm from the .map integer grid plus ~0.9 mm that
    # any WGS 84 → VN-2000 → WGS 84 round trip in PROJ loses (its 2D Helmert drops the height).
    geod = pyproj.Geod(ellps="WGS84")
    wgs = back.to_crs(4326)
    for a, b in zip(layer.geometry, wgs.geometry, strict=True):
        ca, cb = np.asarray(a.coords), np.asarray(b.coords)
        dist = geod.inv(ca[:, 0], ca[:, 1], cb[:, 0], cb[:, 1])[2]
        assert dist.max() < 2e-3


def test_tab_refuses_to_overwrite(tmp_path):
    path = write_tab(tmp_path / "lop.tab", _layer())
    stamp = path.stat().st_mtime_ns
    with pytest.raises(OutputExistsError, match=r"lop\.tab: output exists"):
        write_tab(path, _layer())
    assert path.stat().st_mtime_ns == stamp
    (tmp_path / "lop.ind").write_bytes(b"stale index")
    write_tab(path, _layer().iloc[:1], overwrite=True)
    assert not (tmp_path / "lop.ind").exists()  # stale sibling removed with the old table
    assert len(read_tab(path)) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


def test_tab_other_crs_and_errors(tmp_path, caplog):
    layer = _layer()
    layer.loc[1, "x"] = np.nan
    with captured(caplog, "phusong.layers.importers.mapinfo", logging.WARNING):
        back = read_tab(write_tab(tmp_path / "utm.tab", layer, crs="EPSG:32648"))
    assert "missing values in x" in caplog.text
    assert back.crs.to_epsg() == 32648 or back.crs.equals(pyproj.CRS(32648))
    with pytest.raises(OutputError, match=r"must end in \.tab"):
        write_tab(tmp_path / "lop.shp", layer)
    with pytest.raises(CRSError, match="no coordinate reference system"):
        write_tab(tmp_path / "nocrs.tab", gpd.GeoDataFrame(geometry=[Point(1, 1)]))
    with pytest.raises(InputError, match="not found"):
        read_tab(tmp_path / "nope.tab")
    (tmp_path / "junk.tab").write_text("not a table", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read"):
        read_tab(tmp_path / "junk.tab")


def test_scenario_can_name_public_formats_directly(tmp_path: Path) -> None:
    """An OSM extract and an OpenCelliD export go straight into a scenario."""
    import shutil

    from phusong.layers import check_scenario

    data = Path(__file__).parent / "data"
    shutil.copy(data / "osm" / "mini.osm", tmp_path / "mini.osm")
    shutil.copy(data / "opencellid" / "452_mini.csv", tmp_path / "cells.csv")
    osm_roads = read_osm(tmp_path / "mini.osm")["roads"]
    outline = gpd.GeoDataFrame({"commune_code": ["1"], "name": ["Vùng thử"]},
                               geometry=[osm_roads.union_all().envelope.buffer(20_000)],
                               crs=osm_roads.crs)
    outline.to_file(tmp_path / "outline.gpkg")
    (tmp_path / "scenario.toml").write_text(
        '[layers]\ncommunes = "outline.gpkg"\nroads = "mini.osm"\npois = "mini.osm"\n'
        'sites = "cells.csv"\nsectors = "cells.csv"\n', encoding="utf-8")
    report, province = check_scenario(tmp_path / "scenario.toml")
    assert {i.layer for i in report.find("imported")} == {"roads", "pois", "sites", "sectors"}
    assert not report.find("unjoined_code", "sectors")
    assert report.ok, report.to_text()
    assert "QL3" in set(province.roads["ref"].dropna())
    assert set(province.sites["operator"]) == {"Viettel", "VNPT", "MobiFone", "Vietnamobile",
                                               "MNC 7"}
    # a network beyond the four national ones is kept, with a warning
    assert report.find("unknown_value", "sites")[0].severity == "warning"
