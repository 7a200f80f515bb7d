"""Readers on the real public extracts of Thái Nguyên in ../shared/data/real (PROVENANCE.md).

Each test writes a scenario that points at the files where they are (never copied), maps their
own column names with the scenario's ``columns`` table, and checks the counts and figures the
provenance notes give.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REAL, requires_real

from phusong.layers import check_scenario, load_province

pytestmark = requires_real()

ADMIN = REAL / "admin_boundaries_gischinhphu.gpkg"
ROADS = REAL / "roads_rail_national_coarse.gpkg"
COMMUNES_CSV = REAL / "communes_2025_attributes_thai_nguyen.csv"
PARKS_CSV = REAL / "industrial_parks_thai_nguyen.csv"

DISTRICTS = f"""
[layers.communes]
path = "{ADMIN}"
layer = "districts_2019"
columns = {{ commune_code = "dist_code_2019", name = "dist_name_2019" }}
"""


def _scenario(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_province_outline(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, f"""
[layers.communes]
path = "{ADMIN}"
layer = "province_2025"
columns = {{ commune_code = "prov_code_2025", name = "prov_name_2025" }}
""")
    province = load_province(scenario)
    assert len(province.communes) == 1
    assert province.communes["commune_code"].iloc[0] == "00019"
    # PROVENANCE: 8,384 km² in UTM 48N (official 8,375.2 km²)
    assert province.area_km2 == pytest.approx(8384.0, rel=0.002)


def test_districts_and_communes_2025(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, DISTRICTS + f"""
[layers.hamlets]
path = "{COMMUNES_CSV}"
x = "centroid_lon"
y = "centroid_lat"
columns = {{ hamlet_id = "commune_code_2025", name = "commune_name_2025", population = "population_2025" }}
""")
    report, province = check_scenario(scenario)
    assert report.ok, report.to_text()
    assert len(province.communes) == 17
    assert province.area_km2 == pytest.approx(8384.0, rel=0.002)
    hamlets = province.hamlets
    assert len(hamlets) == 92
    assert int(hamlets["population"].sum()) == 1_799_489
    # no commune code in the file: each 2025 commune is placed in the district holding it
    filled = report.find("filled_by_location", "hamlets")
    assert filled and len(filled[0].rows) == 92
    assert hamlets["commune_code"].notna().all()
    assert hamlets["name"].str.startswith(("Xã ", "Phường ")).all()
    assert (hamlets["name"].str.startswith("Phường ")).sum() == 15


def test_national_roads_with_a_filter(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, DISTRICTS + f"""
[layers.roads]
path = "{ROADS}"
where = "is_rail = 0"
columns = {{ road_id = "src_gid", class = "admin_class_vi" }}
""")
    report, province = check_scenario(scenario)
    assert report.ok, report.to_text()
    # pieces of one source road share its id: a warning, not an error
    assert report.find("duplicate_id", "roads")[0].severity == "warning"
    roads = province.roads
    assert len(roads) == 43  # 51 features minus 8 railway lines
    assert set(roads["class"]) == {"national", "provincial"}
    assert {"QL3", "QL37", "QL1B", "ĐT203"} <= set(roads["ref"].dropna())
    # row numbers are those of the file, railways skipped
    assert roads.index.max() <= 51 and roads.index.is_unique
    # lengths measured in the working CRS agree with the provenance's clipped lengths
    import pyogrio

    raw = pyogrio.read_dataframe(ROADS, where="is_rail = 0")
    assert roads.length.sum() == pytest.approx(raw["length_m_clipped"].sum(), rel=0.005)


def test_roads_without_the_filter_report_railways(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, DISTRICTS + f"""
[layers.roads]
path = "{ROADS}"
columns = {{ road_id = "src_gid", class = "road_type_vi" }}
""")
    report, _ = check_scenario(scenario)
    issue = report.find("unknown_value", "roads")[0]
    assert issue.column == "class" and "'Đường sắt'" in issue.message
    assert len(issue.rows) == 51  # 'Đường chính' is no class either: the report says so


def test_industrial_parks_list(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, DISTRICTS + f"""
[layers.parks]
path = "{PARKS_CSV}"
x = "host_commune_centroid_lon"
y = "host_commune_centroid_lat"
columns = {{ park_id = "name_ascii", name = "name_vi", status = "status_reported", area_ha = "area_ha_reported" }}
""")
    report, _ = check_scenario(scenario)
    # 14 parks; 8 have no host-commune position in the file
    coords = report.find("wrong_type", "parks")[0]
    assert coords.rows == (1, 3, 4, 6, 7, 11, 13, 14)
    statuses = report.find("unknown_value", "parks")[0]
    # only plain "operating" (rows 1, 3, 8) and "planned" (row 12) map; mixed or unverified
    # statuses ("operating / phase 2 planned", "approved 2025", "unverified") are reported
    assert statuses.rows == (2, 4, 5, 6, 7, 9, 10, 11, 13, 14)
    assert "'unverified'" in statuses.message
    assert report.find("park_points", "parks")
