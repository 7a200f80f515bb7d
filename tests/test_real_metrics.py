"""Indicators on the real public extracts of Thái Nguyên (../shared/data/real, PROVENANCE.md).

The real layers with a coverage grid that is known (``_real_case``: everything covered but a
dark disc of 4 km radius on QL3). The road gaps, the routes that fail T6 and the places left
without broadband are then computed independently with shapely and compared.
"""

from __future__ import annotations

import pytest
import shapely
from _real_case import RADIUS_M, dark_disc_grid, disc_centre, scenario_text
from conftest import REAL, requires_real

from phusong.layers import load_province
from phusong.metrics import compute_indicators

pytestmark = requires_real()

CELL_M = 100.0


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory):
    scenario = tmp_path_factory.mktemp("real") / "scenario.toml"
    scenario.write_text(scenario_text(REAL), encoding="utf-8")
    province = load_province(scenario)
    results = compute_indicators(province, dark_disc_grid(province, CELL_M), lang="en")
    return province, disc_centre(province), results


def test_road_gaps_are_where_the_dark_disc_cuts_the_real_routes(case) -> None:
    province, centre, results = case
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
    province, centre, results = case
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
