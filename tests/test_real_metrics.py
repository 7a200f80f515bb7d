"""Indicators on the real public extracts of Thái Nguyên (../shared/data/real, PROVENANCE.md).

The real layers (17 districts as the commune layer, the 92 communes of 2025 at their centroids
as places with their 2025 population, the national and provincial roads) with a coverage grid
that is known: everything covered but a dark disc of 4 km radius on QL3 (the coarse extract's
routes come in pieces that branch; the disc sits on the middle of QL3's longest piece). The road gaps, the
routes that fail T6 and the places left without broadband are then computed independently with
shapely and compared.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from _coverage_fixtures import grid_from_masks
from conftest import REAL, requires_real

from phusong.layers import load_province
from phusong.metrics import compute_indicators

pytestmark = requires_real()

ADMIN = REAL / "admin_boundaries_gischinhphu.gpkg"
ROADS = REAL / "roads_rail_national_coarse.gpkg"
COMMUNES_CSV = REAL / "communes_2025_attributes_thai_nguyen.csv"
CELL_M = 100.0
RADIUS_M = 4000.0


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory):
    scenario = tmp_path_factory.mktemp("real") / "scenario.toml"
    scenario.write_text(f"""
[layers.communes]
path = "{ADMIN}"
layer = "districts_2019"
columns = {{ commune_code = "dist_code_2019", name = "dist_name_2019" }}

[layers.hamlets]
path = "{COMMUNES_CSV}"
x = "centroid_lon"
y = "centroid_lat"
columns = {{ hamlet_id = "commune_code_2025", name = "commune_name_2025", population = "population_2025" }}

[layers.roads]
path = "{ROADS}"
where = "is_rail = 0"
columns = {{ road_id = "src_gid", class = "admin_class_vi" }}
""", encoding="utf-8")
    province = load_province(scenario)
    # the middle of QL3's longest piece (61 km, no junction within the disc)
    ql3 = province.roads.loc[province.roads["ref"] == "QL3"].geometry
    centre = ql3.loc[ql3.length.idxmax()].interpolate(0.5, normalized=True)
    minx, miny, maxx, maxy = province.communes.total_bounds
    x0, y0 = np.floor(minx / CELL_M) * CELL_M, np.ceil(maxy / CELL_M) * CELL_M
    shape = (int(np.ceil((y0 - miny) / CELL_M)), int(np.ceil((maxx - x0) / CELL_M)))
    cx = x0 + (np.arange(shape[1]) + 0.5) * CELL_M
    cy = y0 - (np.arange(shape[0]) + 0.5) * CELL_M
    dark = np.hypot(cx[None, :] - centre.x, cy[:, None] - centre.y) <= RADIUS_M
    grid = grid_from_masks(shape, {("Viettel", "4G"): ~dark}, cell_m=CELL_M, x0=x0, y0=y0)
    results = compute_indicators(province, grid, lang="en")
    return province, centre, dark, results


def test_road_gaps_are_where_the_dark_disc_cuts_the_real_routes(case) -> None:
    province, centre, _, results = case
    disc = centre.buffer(RADIUS_M, quad_segs=64)
    gaps = results.road_gaps[results.road_gaps["operator"] == "ANY"]
    roads = province.roads
    expected = {}
    for ref, group in roads.groupby("ref"):
        inside = shapely.intersection(shapely.union_all(group.geometry.to_numpy()), disc).length
        if inside > 0:
            expected[ref] = inside / 1000.0
    assert "QL3" in expected and expected["QL3"] > 2 * RADIUS_M / 1000 * 0.9
    # every route the disc cuts has gaps adding up to its length inside the disc; no other route
    got = gaps.groupby("ref")["gap_km"].sum().to_dict()
    assert set(got) == set(expected)
    for ref, km in expected.items():
        # the disc is drawn with 100 m cells: each edge crossing may shift by a cell diagonal
        crossings = 2 * int((gaps["ref"] == ref).sum())
        assert got[ref] == pytest.approx(km, abs=0.15 * crossings), ref
    # T6: the routes with a stretch over 1 km fail, and only those
    over = set(gaps.loc[gaps["over_limit"], "ref"])
    assert "QL3" in over
    assert over == {ref for ref in expected if gaps.loc[gaps["ref"] == ref, "gap_km"].max() > 1.0}
    assert results.status("T6") == "not_met"
    # the longest QL3 gap is the stretch of its longest piece inside the disc (the road winds:
    # longer than the 8 km chord)
    ql3 = roads.loc[roads["ref"] == "QL3"].geometry
    stretch = shapely.get_parts(shapely.intersection(ql3.loc[ql3.length.idxmax()], disc))
    assert shapely.length(stretch).max() > 8000.0
    assert gaps.loc[gaps["ref"] == "QL3", "gap_km"].max() == pytest.approx(
        shapely.length(stretch).max() / 1000.0, abs=0.3)


def test_places_in_the_dark_disc_have_no_broadband(case) -> None:
    province, centre, _, results = case
    hamlets = results.hamlets.set_index("hamlet_id")
    pts = province.hamlets.set_index("hamlet_id").geometry
    distance = pts.distance(centre)
    # clear of the disc's 100 m-cell edge either way
    inside = distance[distance < RADIUS_M - 150].index
    outside = distance[distance > RADIUS_M + 150].index
    assert not hamlets.loc[inside, "covered"].any()
    assert hamlets.loc[outside, "covered"].all()
    people = province.hamlets["population"].sum()
    assert int(people) == 1_799_489
    t3 = results.values["T3"]
    assert t3.total == 92 and t3.count == pytest.approx(92 - (~hamlets["covered"]).sum())
