"""One bad-input file per validation message: each must produce its report row.

Every case starts from the tiny valid province (conftest.py), breaks one thing, and checks the
report row it produces: severity, code, layer, column, rows and the message text.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from conftest import CRS, X0, Y0, tiny_layers
from shapely.geometry import LineString, Point, Polygon

from phusong.errors import ValidationFailed
from phusong.layers import check_scenario, load_province


def _report(scenario: Path, strict: bool = False):
    report, _ = check_scenario(scenario, strict=strict)
    return report


def _one(report, code: str, layer: str):
    found = report.find(code, layer)
    assert found, f"no {code} issue for {layer}; got:\n{report.to_text(include_info=True)}"
    return found[0]


def _edit_scenario(scenario: Path, old: str, new: str) -> Path:
    text = scenario.read_text(encoding="utf-8")
    assert old in text
    scenario.write_text(text.replace(old, new), encoding="utf-8")
    return scenario


def test_tiny_province_is_valid(tiny_province: Path) -> None:
    report = _report(tiny_province)
    assert report.ok, report.to_text()
    assert report.warnings == [], report.to_text()
    province = load_province(tiny_province)
    assert len(province.communes) == 3 and len(province.hamlets) == 6
    assert province.sites.crs == CRS
    assert list(province.hamlets.index) == [1, 2, 3, 4, 5, 6]
    assert province.sectors["tech"].tolist() == ["4G", "5G", "4G"]
    assert str(province.measurements.crs) == CRS  # lon/lat CSV reprojected
    assert province.area_km2 == pytest.approx(12.0)


def test_inputs_are_never_modified(tiny_province: Path) -> None:
    folder = tiny_province.parent
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    load_province(tiny_province)
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert before == after


# --- one case per message -------------------------------------------------------------------

def _layers_with(name: str, frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {name: frame}


def _hamlets(changes: dict) -> gpd.GeoDataFrame:
    h = tiny_layers()["hamlets"]
    for (col, row), value in changes.items():
        h.loc[row, col] = value
    return h


CASES = {
    # code, layer, column, rows, message regex, builder(tiny_writer) -> scenario
    "duplicate_id": ("error", "hamlets", "hamlet_id", (1, 2), r"more than once: 'H1'",
                     lambda w: w(layers={"hamlets": _hamlets({("hamlet_id", 1): "H1"})})),
    "unjoined_code": ("error", "hamlets", "commune_code", (3,), r"'09999'",
                      lambda w: w(layers={"hamlets": _hamlets({("commune_code", 2): "09999"})})),
    "commune_mismatch": ("warning", "hamlets", "commune_code", (1,), r"another commune",
                         lambda w: w(layers={"hamlets": _hamlets({("commune_code", 0): "05445"})})),
    "negative_value": ("error", "hamlets", "population", (4,), r"below 0 people",
                       lambda w: w(layers={"hamlets": _hamlets({("population", 3): -800})})),
    "implausible_value": ("warning", "sites", "height_agl_m", (2,), r"plausible range 3–150 m",
                          lambda w: w(layers={"sites": tiny_layers()["sites"].assign(
                              height_agl_m=[30.0, 300.0])})),
    "unknown_value": ("error", "parks", "status", (1,), r"'đang quy hoạch chi tiết'.*allowed",
                      lambda w: w(layers={"parks": tiny_layers()["parks"].assign(
                          status=["đang quy hoạch chi tiết"])})),
    "missing_value": ("error", "roads", "class", (2,), r"required value is empty",
                      lambda w: w(layers={"roads": tiny_layers()["roads"].assign(
                          **{"class": ["national", None]})})),
    "empty_geometry": ("error", "pois", "", (2,), r"without geometry",
                       lambda w: w(layers={"pois": tiny_layers()["pois"].set_geometry(
                           [Point(X0 + 700, Y0 + 700), None], crs=CRS)})),
    "invalid_geometry": ("error", "parks", "", (1,), r"Self-intersection",
                         lambda w: w(layers={"parks": tiny_layers()["parks"].set_geometry(
                             [Polygon([(X0 + 4200, Y0 + 1200), (X0 + 4800, Y0 + 1800),
                                       (X0 + 4800, Y0 + 1200), (X0 + 4200, Y0 + 1800)])],
                             crs=CRS)})),
    "wrong_geometry_type": ("error", "roads", "", (1, 2), r"Point geometries",
                            lambda w: w(layers={"roads": tiny_layers()["roads"].set_geometry(
                                [Point(X0, Y0 + 1000), Point(X0 + 10, Y0 + 1000)], crs=CRS)})),
    "outside_province": ("error", "pois", "geometry", (2,), r"outside the province",
                         lambda w: w(layers={"pois": tiny_layers()["pois"].set_geometry(
                             [Point(X0 + 700, Y0 + 700), Point(X0 + 90_000, Y0)], crs=CRS)})),
    "ports_exceed": ("error", "fiber_nodes", "ports_used", (2,), r"larger than ports_total",
                     lambda w: w(layers={"fiber_nodes": tiny_layers()["fiber_nodes"].assign(
                         ports_used=[10, 17])})),
    "site_without_sectors": ("warning", "sites", "site_id", (2,), r"1 sites have no sector",
                             lambda w: w(layers={"sectors": tiny_layers()["sectors"].iloc[:2]})),
    "dem_nodata": ("error", "sites", "geometry", (1,), r"DEM nodata",
                   lambda w: w(dem_hole_at=(X0 + 1000, Y0 + 1000))),
    "impossible_value": ("error", "sectors", "azimuth_deg", (3,), r"above 360",
                         lambda w: w(layers={"sectors": tiny_layers()["sectors"].assign(
                             azimuth_deg=[0, 120, 400])})),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_bad_input_reports_its_row(code: str, tiny_writer) -> None:
    severity, layer, column, rows, pattern, build = CASES[code]
    report = _report(build(tiny_writer))
    issue = _one(report, code, layer)
    assert issue.severity == severity
    assert issue.column == column
    assert issue.rows == rows
    assert re.search(pattern, issue.message), issue.message
    assert issue.file.endswith((".gpkg", ".csv", ".tif"))
    assert issue.layer in issue.to_text() and issue.file in issue.to_text()
    if severity == "error":
        with pytest.raises(ValidationFailed, match=code):
            load_province(build(tiny_writer))


def test_sector_site_id_must_join(tiny_writer) -> None:
    sectors = tiny_layers()["sectors"].assign(site_id=["VTL-1", "VTL-1", "VNP-9"])
    issue = _one(_report(tiny_writer(layers={"sectors": sectors})), "unjoined_code", "sectors")
    assert issue.rows == (3,) and "'VNP-9'" in issue.message and issue.severity == "error"


def test_missing_column_suggests_the_close_name(tiny_writer) -> None:
    roads = tiny_layers()["roads"].rename(columns={"class": "clas"})
    issue = _one(_report(tiny_writer(layers={"roads": roads})), "missing_column", "roads")
    assert issue.column == "class"
    assert "'clas' looks close" in issue.message


def test_aliases_are_mapped_and_reported(tiny_writer) -> None:
    hamlets = tiny_layers()["hamlets"].rename(
        columns={"commune_code": "Mã xã", "population": "dan_so", "name": "ten_thon"})
    report = _report(tiny_writer(layers={"hamlets": hamlets}))
    assert report.ok, report.to_text()
    notes = {i.message for i in report.find("alias_used", "hamlets")}
    assert "column 'dan_so' read as 'population'." in notes
    assert "column 'Mã xã' read as 'commune_code'." in notes


def test_ambiguous_columns(tiny_writer) -> None:
    hamlets = tiny_layers()["hamlets"].rename(columns={"population": "dan_so"})
    hamlets["so_dan"] = hamlets["dan_so"]
    issue = _one(_report(tiny_writer(layers={"hamlets": hamlets})), "ambiguous_column",
                 "hamlets")
    assert "'dan_so'" in issue.message and "'so_dan'" in issue.message


def test_wrong_type_names_rows(tiny_writer) -> None:
    hamlets = tiny_layers()["hamlets"].astype({"population": object})
    hamlets.loc[4, "population"] = "khoảng 2500"
    issue = _one(_report(tiny_writer(layers={"hamlets": hamlets})), "wrong_type", "hamlets")
    assert issue.rows == (5,) and "khoảng 2500" in issue.message


def test_vietnamese_choice_spellings_are_accepted(tiny_writer) -> None:
    parks = tiny_layers()["parks"].assign(status=["Đang hoạt động"])
    roads = tiny_layers()["roads"].assign(**{"class": ["Quốc lộ", "đường thôn"]})
    report = _report(tiny_writer(layers={"parks": parks, "roads": roads}))
    assert report.ok, report.to_text()
    province = load_province(tiny_writer(layers={"parks": parks, "roads": roads}))
    assert province.parks["status"].tolist() == ["operating"]
    assert province.roads["class"].tolist() == ["national", "local"]


def test_hamlet_commune_found_by_location(tiny_writer) -> None:
    hamlets = tiny_layers()["hamlets"].drop(columns="commune_code")
    scenario = tiny_writer(layers={"hamlets": hamlets})
    report = _report(scenario)
    assert report.find("filled_by_location", "hamlets")
    province = load_province(scenario)
    assert province.hamlets["commune_code"].tolist() == ["05443", "05443", "05444", "05444",
                                                         "05445", "05445"]


def test_numeric_commune_codes_keep_their_leading_zero(tiny_writer) -> None:
    hamlets = tiny_layers()["hamlets"].assign(commune_code=[5443, 5443, 5444, 5444, 5445, 5445])
    province = load_province(tiny_writer(layers={"hamlets": hamlets}))
    assert province.hamlets["commune_code"].iloc[0] == "05443"


def test_empty_layer(tiny_province: Path) -> None:
    (tiny_province.parent / "reported.csv").write_text("indicator,value,date\n", encoding="utf-8")
    issue = _one(_report(tiny_province), "empty_layer", "reported")
    assert issue.severity == "warning"  # optional layer: unused
    text = tiny_province.read_text(encoding="utf-8")
    tiny_province.write_text(text.replace('layer = "communes"', 'layer = "communes"\nwhere = "0"'),
                             encoding="utf-8")
    assert _one(_report(tiny_province), "empty_layer", "communes").severity == "error"


def test_file_not_found(tiny_province: Path) -> None:
    _edit_scenario(tiny_province, 'path = "sectors.csv"', 'path = "sector.csv"')
    issue = _one(_report(tiny_province), "file_not_found", "sectors")
    assert issue.file.endswith("sector.csv")


def test_unreadable_file(tiny_province: Path) -> None:
    (tiny_province.parent / "broken.gpkg").write_bytes(b"this is not a geopackage")
    _edit_scenario(tiny_province, 'path = "tiny.gpkg"\nlayer = "roads"',
                   'path = "broken.gpkg"\nlayer = "roads"')
    issue = _one(_report(tiny_province), "unreadable_file", "roads")
    assert "GDAL cannot open" in issue.message


def test_layer_not_found_suggests(tiny_province: Path) -> None:
    _edit_scenario(tiny_province, 'layer = "roads"', 'layer = "road"')
    issue = _one(_report(tiny_province), "layer_not_found", "roads")
    assert "Did you mean 'roads'?" in issue.message


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258: letters ơ, ư, â… precomposed, tone marks as combining marks."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = b""
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        letter = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out += (letter + "".join(c for c in decomposed if c in tones)).encode("cp1258")
    return out


def test_non_utf8_csv(tiny_province: Path) -> None:
    path = tiny_province.parent / "reported.csv"
    text = "indicator,value,date,source\nN1,95,2025-12-31,Sở KH&CN\nN2,3,2025-12-31,Bưu điện\n"
    path.write_bytes(_cp1258(text))
    issue = _one(_report(tiny_province), "non_utf8", "reported")
    assert issue.rows == (1,) and "cp1258" in issue.fix
    # and the fix works
    _edit_scenario(tiny_province, 'path = "reported.csv"', 'path = "reported.csv"\n'
                   'encoding = "cp1258"')
    report = _report(tiny_province)
    assert not report.find("non_utf8"), report.to_text()
    assert load_province(tiny_province).reported["source"].tolist() == ["Sở KH&CN", "Bưu điện"]


def test_unknown_encoding(tiny_province: Path) -> None:
    _edit_scenario(tiny_province, 'path = "reported.csv"', 'path = "reported.csv"\n'
                   'encoding = "tcvn3-abc"')
    assert _one(_report(tiny_province), "unknown_encoding", "reported").severity == "error"


def test_table_for_a_geometry_layer(tiny_province: Path) -> None:
    pd.DataFrame({"road_id": ["R1"], "class": ["local"]}).to_csv(
        tiny_province.parent / "roads.csv", index=False)
    _edit_scenario(tiny_province, 'path = "tiny.gpkg"\nlayer = "roads"', 'path = "roads.csv"')
    issue = _one(_report(tiny_province), "wrong_geometry_type", "roads")
    assert "without geometry" in issue.message


def test_point_csv_without_coordinates(tiny_province: Path) -> None:
    pd.read_csv(tiny_province.parent / "measurements.csv").drop(columns=["lon", "lat"]).to_csv(
        tiny_province.parent / "measurements.csv", index=False)
    issue = _one(_report(tiny_province), "missing_column", "measurements")
    assert issue.column == "lon/lat"


def test_measurements_need_rsrp_or_rate(tiny_province: Path) -> None:
    pd.read_csv(tiny_province.parent / "measurements.csv").drop(
        columns=["rsrp_dbm", "dl_mbps"]).to_csv(tiny_province.parent / "measurements.csv",
                                                 index=False)
    issue = _one(_report(tiny_province), "missing_column", "measurements")
    assert "rsrp_dbm or dl_mbps" in issue.message


def test_bad_bool_and_date(tiny_writer) -> None:
    sites = tiny_layers()["sites"].assign(shared=["có", "maybe"])
    measurements = tiny_layers()["measurements"].assign(time=["2025-10-01", "hôm qua"])
    report = _report(tiny_writer(layers={"sites": sites, "measurements": measurements}))
    wrong = {(i.layer, i.column): i.rows for i in report.find("wrong_type")}
    assert wrong == {("sites", "shared"): (2,), ("measurements", "time"): (2,)}


def test_missing_crs_and_unknown_crs(tiny_writer) -> None:
    xy = tiny_layers()["measurements"].rename(columns={"lon": "x", "lat": "y"})
    xy["x"], xy["y"] = [X0 + 1200, X0 + 3200], [Y0 + 1000, Y0 + 1000]
    scenario = tiny_writer(layers={"measurements": xy})
    assert _one(_report(scenario), "missing_crs", "measurements").severity == "error"
    _edit_scenario(scenario, 'path = "measurements.csv"',
                   'path = "measurements.csv"\ncrs = "EPSG:999999"')
    assert _one(_report(scenario), "unknown_crs", "measurements").severity == "error"
    _edit_scenario(scenario, 'crs = "EPSG:999999"', 'crs = "EPSG:32648"')
    assert _report(scenario).ok


def test_crs_mismatch(tiny_writer) -> None:
    sites = tiny_layers()["sites"].to_crs("EPSG:4326").set_crs(CRS, allow_override=True)
    issue = _one(_report(tiny_writer(layers={"sites": sites})), "crs_mismatch", "sites")
    assert "look like degrees" in issue.message


def test_missing_required_layer(tiny_province: Path) -> None:
    _edit_scenario(tiny_province, '[layers.communes]\npath = "tiny.gpkg"\nlayer = "communes"\n',
                   "")
    assert _one(_report(tiny_province), "missing_layer", "communes").severity == "error"
    with pytest.raises(ValidationFailed, match="missing_layer"):
        load_province(tiny_province)


def test_pois_and_reported_codes_that_do_not_join(tiny_writer) -> None:
    pois = tiny_layers()["pois"].assign(commune_code=["05443", "01234"])
    reported = tiny_layers()["reported"].assign(indicator=["N1", "T99"],
                                                commune_code=["05443", None])
    report = _report(tiny_writer(layers={"pois": pois, "reported": reported}))
    assert _one(report, "unjoined_code", "pois").rows == (2,)
    assert _one(report, "unknown_value", "reported").rows == (2,)
    assert report.ok  # warnings only
    assert not _report(tiny_writer(layers={"pois": pois}), strict=True).ok


# --- rasters --------------------------------------------------------------------------------

def test_raster_problems(tiny_province: Path) -> None:
    folder = tiny_province.parent
    (folder / "population.tif").write_bytes(b"not a tiff")
    with rasterio.open(folder / "dem.tif", "r+") as ds:
        ds.nodata = None
        dem = ds.read(1)
        ds.write(dem * 100, 1)  # centimetres
    report = _report(tiny_province)
    assert _one(report, "unreadable_file", "population").severity == "error"
    assert _one(report, "no_nodata", "dem").severity == "info"
    assert "check the unit" in _one(report, "implausible_value", "dem").fix


def test_raster_without_crs_and_extra_bands(tiny_province: Path) -> None:
    folder = tiny_province.parent
    with rasterio.open(folder / "population.tif", "w", driver="GTiff", width=4, height=4,
                       count=2, dtype="float32") as ds:
        ds.write(np.full((2, 4, 4), -5, dtype="float32"))
    report = _report(tiny_province)
    assert _one(report, "missing_crs", "population").severity == "error"
    assert _one(report, "extra_bands", "population").severity == "warning"
    assert _one(report, "negative_value", "population").severity == "error"


def test_raster_not_found(tiny_province: Path) -> None:
    (tiny_province.parent / "dem.tif").unlink()
    assert _one(_report(tiny_province), "file_not_found", "dem").severity == "error"


def test_strict_promotes_warnings(tiny_writer) -> None:
    sites = tiny_layers()["sites"].assign(height_agl_m=[30.0, 300.0])
    scenario = tiny_writer(layers={"sites": sites})
    assert _report(scenario).ok
    strict = _report(scenario, strict=True)
    assert not strict.ok and strict.errors[0].code == "implausible_value"


def test_report_files(tiny_writer, tmp_path: Path) -> None:
    sites = tiny_layers()["sites"].assign(height_agl_m=[30.0, 300.0])
    report = _report(tiny_writer(layers={"sites": sites}))
    report.write(tmp_path / "r.csv")
    report.write(tmp_path / "r.json")
    table = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig")
    row = table[table["code"] == "implausible_value"].iloc[0]
    assert row["layer"] == "sites" and row["column"] == "height_agl_m" and str(row["rows"]) == "2"
    assert '"summary": "0 errors, 1 warning"' in (tmp_path / "r.json").read_text(encoding="utf-8")


def test_a_line_layer_is_read(tiny_writer) -> None:
    """Multi-part lines are accepted for roads."""
    from shapely.geometry import MultiLineString

    roads = tiny_layers()["roads"].set_geometry(
        [MultiLineString([[(X0, Y0 + 1000), (X0 + 100, Y0 + 1000)]]),
         LineString([(X0 + 500, Y0 + 500), (X0 + 500, Y0 + 1000)])], crs=CRS)
    assert _report(tiny_writer(layers={"roads": roads})).ok


def test_where_and_columns_settings(tiny_province: Path) -> None:
    text = tiny_province.read_text(encoding="utf-8")
    tiny_province.write_text(text.replace('layer = "roads"', 'layer = "roads"\nwhere = "clas = 1"'),
                             encoding="utf-8")
    assert "no such column: clas" in _one(_report(tiny_province), "bad_filter", "roads").message
    tiny_province.write_text(text.replace(
        'layer = "roads"', 'layer = "roads"\ncolumns = { klass = "class", name = "ten" }'),
        encoding="utf-8")
    report = _report(tiny_province)
    assert "Did you mean 'class'?" in _one(report, "unknown_column_setting", "roads").message
    assert "no column 'ten'" in _one(report, "missing_column", "roads").message
    tiny_province.write_text(text.replace('path = "sectors.csv"', 'path = "sectors.csv"\n'
                                          'where = "tech = \'4G\'"'), encoding="utf-8")
    assert "only for GDAL formats" in _one(_report(tiny_province), "bad_filter", "sectors").message


def test_where_keeps_file_row_numbers(tiny_writer) -> None:
    hamlets = tiny_layers()["hamlets"]
    hamlets.loc[4, "population"] = -1
    scenario = tiny_writer(layers={"hamlets": hamlets})
    text = scenario.read_text(encoding="utf-8")
    scenario.write_text(text.replace('layer = "hamlets"',
                                     'layer = "hamlets"\nwhere = "hamlet_id <> \'H2\'"'),
                        encoding="utf-8")
    report = _report(scenario)
    assert _one(report, "negative_value", "hamlets").rows == (5,)
