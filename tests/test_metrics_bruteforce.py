"""The vectorised indicators against slow, obvious loops on a random small province."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from _coverage_fixtures import CRS, X0, Y0, grid_from_masks, province_from, write_raster
from scipy import ndimage
from shapely.geometry import LineString, Point, Polygon, box

from phusong.config import Thresholds
from phusong.metrics import compute_indicators

ROWS, COLS, CELL = 24, 30, 30.0  # 900 m × 720 m
TOP = Y0 + ROWS * CELL
POP_CELL, POP_X0, POP_TOP = 100.0, X0 - 7.0, TOP + 13.0


def _province(folder: Path, seed: int):
    rng = np.random.default_rng(seed)
    people = rng.gamma(0.6, 20.0, (9, 10)) * (rng.random((9, 10)) < 0.8)
    pop = write_raster(folder / f"pop{seed}.tif", people, POP_CELL, POP_X0, POP_TOP)
    cut = Y0 + rng.uniform(200, 500)
    communes = gpd.GeoDataFrame(
        {"commune_code": ["01", "02", "03"], "name": ["A", "B", "C"]},
        geometry=[Polygon([(X0, Y0), (X0 + 420, Y0), (X0 + 480, cut), (X0, cut)]),
                  Polygon([(X0 + 420, Y0), (X0 + 900, Y0), (X0 + 900, cut), (X0 + 480, cut)]),
                  box(X0, cut, X0 + 900, TOP)], crs=CRS)
    hamlets = gpd.GeoDataFrame(
        {"hamlet_id": list("PQRSTU"), "name": list("PQRSTU"), "commune_code": ["01"] * 6},
        geometry=[Point(X0 + rng.uniform(20, 880), Y0 + rng.uniform(20, 700)) for _ in range(4)]
        + [box(X0 + 100, Y0 + 100, X0 + 260, Y0 + 230),
           Polygon([(X0 + 500, Y0 + 400), (X0 + 800, Y0 + 450), (X0 + 600, Y0 + 700)])],
        crs=CRS)
    parks = gpd.GeoDataFrame(
        {"park_id": ["K1", "K2"], "name": ["Một", "Hai"], "status": ["operating"] * 2},
        geometry=[box(X0 + 40, Y0 + 500, X0 + 330, Y0 + 690),
                  Point(X0 + 700, Y0 + 150).buffer(120.0)], crs=CRS)
    roads = gpd.GeoDataFrame(
        {"road_id": ["R1", "R2", "R3"], "class": ["national"] * 2 + ["provincial"],
         "ref": ["QL1", "QL1", "ĐT2"]},
        geometry=[LineString([(X0 + 5, Y0 + 300), (X0 + 400, Y0 + 380)]),
                  LineString([(X0 + 895, Y0 + 200), (X0 + 400, Y0 + 380)]),
                  LineString([(X0 + 450, Y0 + 5), (X0 + 470, Y0 + 400), (X0 + 300, Y0 + 715)])],
        crs=CRS)
    smooth = ndimage.gaussian_filter(rng.random((ROWS, COLS)), 1.5)
    broadband = smooth > np.quantile(smooth, rng.uniform(0.2, 0.7))
    five = broadband & (ndimage.gaussian_filter(rng.random((ROWS, COLS)), 1.0) > 0.5)
    rsrp4 = np.where(broadband, -80.0, np.where(rng.random((ROWS, COLS)) < 0.5, -115.0, np.nan))
    rsrp5 = np.where(five, -85.0, np.nan)
    grid = grid_from_masks((ROWS, COLS), rsrp={("V", "4G"): rsrp4, ("V", "5G"): rsrp5},
                           y0=TOP)
    th = Thresholds(hamlet_radius_m=rng.uniform(0, 150), dark_spot_min_people=5.0,
                    populated_min_per_km2=1000.0)
    prov = province_from(communes, population_path=pop, hamlets=hamlets, parks=parks,
                         roads=roads, thresholds=th)
    return prov, grid, people, broadband, five


def _people_on_grid(people: np.ndarray) -> np.ndarray:
    out = np.zeros((ROWS, COLS))
    for r in range(ROWS):
        gy1, gy0 = TOP - r * CELL, TOP - (r + 1) * CELL
        for c in range(COLS):
            gx0, gx1 = X0 + c * CELL, X0 + (c + 1) * CELL
            for i in range(people.shape[0]):
                py1, py0 = POP_TOP - i * POP_CELL, POP_TOP - (i + 1) * POP_CELL
                oy = max(0.0, min(gy1, py1) - max(gy0, py0))
                for j in range(people.shape[1]):
                    px0, px1 = POP_X0 + j * POP_CELL, POP_X0 + (j + 1) * POP_CELL
                    ox = max(0.0, min(gx1, px1) - max(gx0, px0))
                    out[r, c] += people[i, j] * ox * oy / POP_CELL ** 2
    return out


def _centre(r: int, c: int) -> tuple[float, float]:
    return X0 + (c + 0.5) * CELL, TOP - (r + 0.5) * CELL


def _flood(candidate: np.ndarray) -> list[list[tuple[int, int]]]:
    seen = np.zeros_like(candidate)
    comps = []
    for r0 in range(ROWS):
        for c0 in range(COLS):
            if not candidate[r0, c0] or seen[r0, c0]:
                continue
            comp, todo = [], deque([(r0, c0)])
            seen[r0, c0] = True
            while todo:
                r, c = todo.popleft()
                comp.append((r, c))
                for dr in (-1, 0, 1):
                    for dc in (-1, 0, 1):
                        rr, cc = r + dr, c + dc
                        if 0 <= rr < ROWS and 0 <= cc < COLS and candidate[rr, cc] \
                                and not seen[rr, cc]:
                            seen[rr, cc] = True
                            todo.append((rr, cc))
            comps.append(comp)
    return comps


def _runs(line: shapely.LineString, covered: np.ndarray, step_m: float = 0.5) -> tuple[float, float]:
    """Longest uncovered run and total uncovered length, walking the line every 0.5 m."""
    longest = total = run = 0.0
    for d in np.arange(0.0, line.length, step_m):
        p = line.interpolate(d + step_m / 2)
        r, c = int((TOP - p.y) // CELL), int((p.x - X0) // CELL)
        if covered[r, c]:
            run = 0.0
        else:
            run += step_m
            total += step_m
            longest = max(longest, run)
    return longest, total


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_indicators_agree_with_brute_force(tmp_path: Path, seed: int) -> None:
    prov, grid, people, broadband, five = _province(tmp_path, seed)
    res = compute_indicators(prov, grid)
    th = prov.scenario.thresholds
    pg = _people_on_grid(people)
    commune_of = np.full((ROWS, COLS), -1)
    for r in range(ROWS):
        for c in range(COLS):
            for k, poly in enumerate(prov.communes.geometry):
                if poly.contains(Point(_centre(r, c))):
                    commune_of[r, c] = k
    # T1 per commune and province
    for k in range(3):
        inside = commune_of == k
        total = pg[inside].sum()
        assert res.communes["people"].iloc[k] == pytest.approx(total, rel=1e-5, abs=1e-3)
        if total > 0:
            assert res.communes["pop_5g_pct"].iloc[k] == pytest.approx(
                100 * pg[inside & five].sum() / total, rel=1e-5, abs=1e-6)
    inside = commune_of >= 0
    assert res.value("T1") == pytest.approx(100 * pg[inside & five].sum() / pg[inside].sum(),
                                            rel=1e-5)
    # T3: each hamlet's covered share of people (area where it has none)
    for k, geom in enumerate(prov.hamlets.geometry):
        cells = []
        for r in range(ROWS):
            for c in range(COLS):
                x, y = _centre(r, c)
                if geom.geom_type == "Point":
                    own = (r, c) == (int((TOP - geom.y) // CELL), int((geom.x - X0) // CELL))
                    if own or np.hypot(x - geom.x, y - geom.y) <= th.hamlet_radius_m:
                        cells.append((r, c))
                elif geom.contains(Point(x, y)):
                    cells.append((r, c))
        w = np.array([pg[rc] for rc in cells])
        cov = np.array([broadband[rc] for rc in cells])
        share = (w * cov).sum() / w.sum() if w.sum() > 0 else cov.mean()
        assert res.hamlets["broadband_share_pct"].iloc[k] == pytest.approx(100 * share, abs=1e-4)
    # K1: covered share of each park's cells
    for k, geom in enumerate(prov.parks.geometry):
        cells = [(r, c) for r in range(ROWS) for c in range(COLS)
                 if geom.contains(Point(_centre(r, c)))]
        share = np.mean([five[rc] for rc in cells])
        assert res.parks["share_5g_pct"].iloc[k] == pytest.approx(100 * share)
        assert res.parks["has_5g"].iloc[k] == bool(share > 0)
    # T6: longest gap and uncovered length of each route, walked every 0.5 m
    for _, route in res.routes.iterrows():
        lines = prov.roads.loc[prov.roads["ref"] == route["route"]].geometry
        merged = shapely.line_merge(shapely.union_all(lines.values))
        longest, total = _runs(merged, broadband)
        assert route["uncovered_km"] * 1000 == pytest.approx(total, abs=15.0 * (route["gaps"] + 1) * 2)
        assert route["longest_gap_km"] * 1000 == pytest.approx(longest, abs=15.0 * 2)
    # D1: flood-filled areas of uncovered, inhabited cells, ranked by people
    inhabited = pg >= th.populated_min_per_km2 * CELL ** 2 / 1e6
    comps = _flood(~broadband & inhabited & (commune_of >= 0))
    spot_people = sorted((sum(pg[rc] for rc in comp) for comp in comps), reverse=True)
    spot_people = [p for p in spot_people if p >= th.dark_spot_min_people]
    assert res.dark_spots["people"].tolist() == pytest.approx(spot_people, rel=1e-5)
    assert res.value("D1") == pytest.approx(sum(spot_people), rel=1e-5)
