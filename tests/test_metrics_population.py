"""People on the coverage grid and T1/T1b per commune and province."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _coverage_fixtures import CRS, X0, Y0, grid_from_masks, province_from, write_raster
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from phusong.config import Thresholds
from phusong.metrics import compute_indicators
from phusong.metrics._grids import overlap_matrix, resample_sum
from phusong.metrics.context import MetricContext
from phusong.metrics.population import commune_table, people_short


def _communes(n: int = 2, width_m: float = 600.0, height_m: float = 600.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"commune_code": [f"0{i}" for i in range(n)], "name": [f"Xã {i}" for i in range(n)],
         "kind": "xa"},
        geometry=[box(X0 + i * width_m, Y0, X0 + (i + 1) * width_m, Y0 + height_m)
                  for i in range(n)], crs=CRS)


def test_overlap_matrix_by_hand() -> None:
    o = overlap_matrix(np.array([0.0, 100.0, 200.0]), np.array([0.0, 30.0, 60.0, 90.0, 120.0]))
    np.testing.assert_allclose(o.toarray(), [[30, 30, 30, 10], [0, 0, 0, 20]])


def test_resample_conserves_totals_and_matches_polygon_overlaps() -> None:
    rng = np.random.default_rng(3)
    values = rng.random((4, 5)) * 100
    src = Affine(100.0, 0, X0 + 7.0, 0, -100.0, Y0 + 413.0)
    dst = Affine(30.0, 0, X0 - 20.0, 0, -30.0, Y0 + 450.0)
    shape = (20, 22)
    out = resample_sum(values, src, dst, shape)
    assert out.sum() == pytest.approx(values.sum())
    # brute force: every (source cell, grid cell) pair by polygon intersection area
    expect = np.zeros(shape)
    for i in range(4):
        for j in range(5):
            sx, sy = src @ (j, i)
            s = box(sx, sy - 100, sx + 100, sy)
            for r in range(shape[0]):
                for c in range(shape[1]):
                    gx, gy = dst @ (c, r)
                    area = s.intersection(box(gx, gy - 30, gx + 30, gy)).area
                    expect[r, c] += values[i, j] * area / 1e4
    np.testing.assert_allclose(out, expect, atol=1e-9)


def _pop_raster(tmp_path: Path, people_per_cell: float = 10.0, shape=(6, 12)) -> Path:
    return write_raster(tmp_path / "pop.tif", np.full(shape, people_per_cell), 100.0, X0, Y0 + 600)


def test_commune_with_all_cells_covered_is_100_percent(tmp_path: Path) -> None:
    pop = _pop_raster(tmp_path)
    shape = (20, 40)
    five = np.zeros(shape, dtype=bool)
    five[:, :20] = True  # the first commune (x 0-600 m) entirely
    grid = grid_from_masks(shape, {("Viettel", "5G"): five, ("Viettel", "4G"): five},
                           y0=Y0 + 600)
    prov = province_from(_communes(), population_path=pop)
    table = commune_table(MetricContext(prov, grid))
    assert table["pop_5g_pct"].tolist() == pytest.approx([100.0, 0.0])
    assert table["people"].sum() == pytest.approx(720.0)
    assert table["pop_5g"].tolist() == pytest.approx([360.0, 0.0])
    res = compute_indicators(prov, grid)
    assert res.value("T1") == pytest.approx(50.0)
    assert res.status("T1") == "not_met"
    assert res.values["T1"].shortfall == pytest.approx(np.floor(0.95 * 720 - 360) + 1)
    assert res.communes["t1_met"].tolist() == [True, False]


def test_half_covered_commune_and_operators(tmp_path: Path) -> None:
    pop = _pop_raster(tmp_path)
    shape = (20, 40)
    half = np.zeros(shape, dtype=bool)
    half[:10, :] = True
    grid = grid_from_masks(shape, {("Viettel", "5G"): half, ("VNPT", "5G"): ~half,
                                   ("VNPT", "4G"): np.ones(shape, bool)}, y0=Y0 + 600)
    res = compute_indicators(province_from(_communes(), population_path=pop), grid)
    assert res.communes["pop_5g_pct__Viettel"].tolist() == pytest.approx([50.0, 50.0])
    assert res.communes["pop_5g_pct__VNPT"].tolist() == pytest.approx([50.0, 50.0])
    assert res.communes["pop_5g_pct"].tolist() == pytest.approx([100.0, 100.0])
    assert res.values["T1"].by_operator == pytest.approx({"VNPT": 50.0, "Viettel": 50.0})
    assert res.status("T1") == "met" and res.status("T1b") == "met"


def test_population_from_hamlets_without_raster() -> None:
    hamlets = gpd.GeoDataFrame(
        {"hamlet_id": ["A", "B"], "name": ["Thôn A", "Thôn B"], "commune_code": ["00", "00"],
         "population": [300, 100]},
        geometry=[Point(X0 + 105, Y0 + 105), box(X0 + 300, Y0 + 300, X0 + 600, Y0 + 600)], crs=CRS)
    shape = (20, 40)
    cov = np.zeros(shape, dtype=bool)
    cov[:10, :] = True  # northern half: the polygon hamlet B (y 300-600 m)
    grid = grid_from_masks(shape, {("Viettel", "5G"): cov}, y0=Y0 + 600)
    prov = province_from(_communes(1), hamlets=hamlets, thresholds=Thresholds(hamlet_radius_m=0))
    res = compute_indicators(prov, grid)
    assert res.value("T1") == pytest.approx(25.0)
    method = res.methodology.set_index("item")
    assert "thôn" in method.loc["source", "value"]
    assert float(method.loc["grid_total", "value"]) == pytest.approx(400.0)


def test_population_from_communes_and_none() -> None:
    communes = _communes()
    communes["population"] = [1000, 3000]
    shape = (20, 40)
    cov = np.zeros(shape, dtype=bool)
    cov[:, 20:] = True
    grid = grid_from_masks(shape, {("Viettel", "5G"): cov}, y0=Y0 + 600)
    res = compute_indicators(province_from(communes), grid)
    assert res.value("T1") == pytest.approx(75.0)
    res = compute_indicators(province_from(_communes()), grid)
    assert res.status("T1") == "not_computed" and res.status("D1") == "not_computed"


def test_people_short() -> None:
    assert people_short(90.0, 100.0, 95.0, strict=True) == 6.0
    assert people_short(90.0, 100.0, 95.0, strict=False) == 5.0
    assert people_short(100.0, 100.0, 100.0, strict=False) == 0.0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), p=st.floats(0.0, 1.0))
def test_shares_stay_in_range_and_union_is_at_least_each_operator(tmp_path_factory, seed: int,
                                                                  p: float) -> None:
    rng = np.random.default_rng(seed)
    folder = tmp_path_factory.mktemp("pop")
    pop = write_raster(folder / "pop.tif", rng.random((6, 12)) * 50, 100.0, X0, Y0 + 600)
    shape = (20, 40)
    grid = grid_from_masks(shape, {("Viettel", "5G"): rng.random(shape) < p,
                                   ("VNPT", "5G"): rng.random(shape) < p}, y0=Y0 + 600)
    table = commune_table(MetricContext(province_from(_communes(), population_path=pop), grid))
    for col in [c for c in table.columns if "_pct" in c]:
        assert ((table[col] >= 0) & (table[col] <= 100)).all()
    for op in ("Viettel", "VNPT"):
        assert (table["pop_5g_pct"] >= table[f"pop_5g_pct__{op}"] - 1e-9).all()
    assert shapely.area(_communes().geometry.values).sum() == 720_000
