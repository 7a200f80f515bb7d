"""Candidate sites: the coverage kernel against its twin, the kinds, costs and sectors, and the
demand units counted as the indicators count them."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from phusong.config import RadioConfig
from phusong.coverage._kernels_site import knife_edge_table
from phusong.coverage._pathloss import PathLoss
from phusong.coverage.grid import ANY
from phusong.planning import _site_kernels as K
from phusong.planning._demand import build_demand, priority_communes
from phusong.planning.candidates import (
    KINDS,
    evaluate_candidates,
    generate_candidates,
    operator_radio,
    plan_terrain,
)

# --- the kernel and its twin ----------------------------------------------------------------


def _hills(n: int, res: float) -> np.ndarray:
    yy, xx = np.mgrid[0:n, 0:n] * res
    z = 100.0 + 0.02 * xx
    for cx, cy, h, w in ((1200, 1500, 180, 400), (2600, 2400, 250, 500), (900, 3100, 120, 300)):
        z += h * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * w * w))
    return z.astype(np.float32)


def _kernel_inputs() -> dict:
    res = 50.0
    dem = _hills(80, res)
    radio = RadioConfig()
    model = PathLoss(radio)
    step = 10.0
    n_fine = 500
    bands = np.array([900.0, 3500.0])
    heights = (30.0, 45.0)
    keys = [(b, h) for b in bands for h in heights]
    base = np.stack([model.table(b, h, n_fine - 1, step) for b, h in keys])
    cand = [(1000.0, 2000.0, 30.0, 0), (2500.0, 1000.0, 45.0, 1), (3000.0, 3500.0, 30.0, 0)]
    rows, start = [], [0]
    for ci, (_, _, h, five) in enumerate(cand):
        for az in (0.0, 120.0, 240.0):
            for b, is5 in ((0, 0.0), (1, 1.0)) if five else ((0, 0.0),):
                r = np.zeros(K.PS_COLUMNS)
                r[K.PS_BAND] = b
                r[K.PS_TABLE] = keys.index((bands[b], h))
                r[K.PS_EIRP_RE] = 63.0 - 10 * math.log10(12 * (273 if is5 else 50))
                r[K.PS_OFFSET], r[K.PS_SLOPE] = (1.5, -2.0) if ci == 2 else (0.0, 0.0)
                r[K.PS_AZ], r[K.PS_TILT] = az, 3.0
                r[K.PS_BW_H], r[K.PS_BW_V] = 65.0, 10.0
                r[K.PS_MAX_M] = 4000.0
                r[K.PS_IS_5G] = is5
                r[K.PS_NOISE_MW] = 10 ** ((-174 + 10 * math.log10(15e3 if not is5 else 30e3)
                                           + 9) / 10)
                r[K.PS_BW_MHZ] = 100.0 if is5 else 10.0
                r[K.PS_RATE] = 2 * 0.75
                r[K.PS_MAX_SE] = 4.4
                r[K.PS_KEY] = is5
                rows.append(r)
        start.append(len(rows))
    cx, cy = np.meshgrid(np.arange(5, 80, 4) * res + res / 2, 4000 - (np.arange(5, 80, 4)
                                                                       * res + res / 2))
    cell_x, cell_y = cx.ravel(), cy.ravel()
    pair_cell, pair_start = [], [0]
    for x, y, _, _ in cand:
        near = np.flatnonzero(np.hypot(cell_x - x, cell_y - y) <= 2200)
        pair_cell += list(near)
        pair_start.append(len(pair_cell))
    rng = np.random.default_rng(4)
    ground = []
    for x, y, _, _ in cand:
        c, r = int(x / res), int((4000 - y) / res)
        ground.append(float(dem[r, c]))
    return dict(
        dem=dem, x0=0.0, y0=4000.0, res_m=res,
        cand_x=np.array([c[0] for c in cand]), cand_y=np.array([c[1] for c in cand]),
        cand_h_amsl=np.array([g + c[2] + 20.0 for g, c in zip(ground, cand, strict=True)]),
        sec_start=np.array(start, dtype=np.int64), sec=np.array(rows), freq_mhz=bands,
        base_db=base, base_step_m=step, pair_start=np.array(pair_start, dtype=np.int64),
        pair_cell=np.array(pair_cell, dtype=np.int64), cell_x=cell_x, cell_y=cell_y,
        interf_mw=10 ** (rng.uniform(-125, -95, (2, len(cell_x))) / 10), rx_h_agl=1.5,
        k_factor=4 / 3, terrain=True, a_max_db=30.0, sla_v_db=30.0, floor_dbm=-130.0,
        margin_db=5.4, thr_4g_dbm=-110.0, thr_5g_dbm=-110.0, min_dl_mbps=10.0, load=0.5,
        alpha=0.6, sinr_min_db=-10.0)


@pytest.mark.parametrize("plan_margin_db", [0.0, 3.0])
def test_kernel_agrees_with_its_twin(plan_margin_db: float) -> None:
    args = _kernel_inputs()
    ref_rsrp, ref_flags = K.cover_pairs_reference(**args, plan_margin_db=plan_margin_db)
    rsrp, flags = K.cover_pairs(**args, exact_clear_ray=True, j_table=knife_edge_table(),
                                max_steps=60, n_chunks=2, plan_margin_db=plan_margin_db)
    ok = np.isfinite(ref_rsrp)
    assert ok[0].sum() > 100 and ok[1].sum() > 20
    assert np.array_equal(np.isfinite(rsrp), ok)
    assert np.abs(rsrp[ok] - ref_rsrp[ok]).max() < 0.05
    # every coverage flag agrees away from the threshold
    near = (np.abs(np.nan_to_num(ref_rsrp, nan=-999.0) - args["thr_4g_dbm"] - plan_margin_db)
            < 0.1).any(axis=0)
    assert np.array_equal(flags[~near], ref_flags[~near])
    assert (flags & K.BROADBAND_FLAG).any() and (flags & K.FIVE_G_FLAG).any()
    assert not (flags & K.BROADBAND_FLAG).all()


def test_kernel_without_terrain_is_free_of_diffraction() -> None:
    args = _kernel_inputs()
    args["terrain"] = False
    ref_rsrp, _ = K.cover_pairs_reference(**args)
    rsrp, _ = K.cover_pairs(**args, exact_clear_ray=True, j_table=knife_edge_table(),
                            max_steps=60)
    with_terrain, _ = K.cover_pairs(**{**args, "terrain": True}, exact_clear_ray=True,
                                    j_table=knife_edge_table(), max_steps=60)
    ok = np.isfinite(ref_rsrp)
    assert np.abs(rsrp[ok] - ref_rsrp[ok]).max() < 0.05
    # diffraction only ever takes away (NaN: no sector above the prediction floor any more)
    assert (np.nan_to_num(with_terrain[ok], nan=-np.inf) <= rsrp[ok] + 1e-4).all()


# --- on the one-commune demo ------------------------------------------------------------------


@pytest.fixture(scope="module")
def commune(tmp_path_factory: pytest.TempPathFactory):
    from phusong.coverage.engine import predict_coverage
    from phusong.layers import load_province
    from phusong.pipeline import run_demo

    folder = tmp_path_factory.mktemp("commune")
    demo = run_demo(folder, preset="commune", stages=False)
    province = load_province(demo.scenario_path)
    grid = predict_coverage(province, resolution_m=200.0)
    return province, grid


def test_demand_counts_what_the_indicators_count(commune) -> None:
    from phusong.metrics import compute_indicators

    province, grid = commune
    results = compute_indicators(province, grid, "en")
    demand = build_demand(province, grid)
    assert demand.scope == ANY
    assert len(demand.hamlets) == int((~results.hamlets["covered"]).sum())
    gaps = results.road_gaps
    over = gaps.loc[(gaps["operator"] == ANY) & gaps["over_limit"]]
    assert len(demand.gaps) == len(over)
    assert np.allclose(np.sort(demand.gaps["gap_km"]), np.sort(over["gap_km"]), atol=1e-6)
    assert len(demand.spots) == len(results.dark_spots)
    assert demand.spots["people"].sum() == pytest.approx(results.dark_spots["people"].sum())
    # every gap has windows, every window is over the limit's worth of cells
    assert set(demand.window_gap) == set(range(len(demand.gaps)))
    # the operator's own network has at least the union's gaps
    own = build_demand(province, grid, "MobiFone")
    assert own.scope == "MobiFone" and len(own.hamlets) >= len(demand.hamlets)
    # the commune's former district is a priority district
    assert priority_communes(demand.ctx.communes, province.scenario.planning).all()


def test_candidates_kinds_costs_and_sectors(commune, tmp_path: Path) -> None:
    province, grid = commune
    sites_before = province.sites.copy()
    cfg = province.scenario.planning
    demand = build_demand(province, grid)
    terrain = plan_terrain(province, grid, cfg.max_radius_m)
    # a user file: one site on an existing VNPT tower (a co-location for Viettel), one new
    tower = province.sites.loc[province.sites["operator"] == "VNPT"].iloc[0]
    host = gpd.GeoSeries([tower.geometry], crs=province.crs).to_crs("EPSG:4326").iloc[0]
    hx, hy = demand.xy(demand.cells_b[:1])
    new = gpd.GeoSeries(gpd.points_from_xy(hx, hy), crs=province.crs).to_crs("EPSG:4326").iloc[0]
    user = tmp_path / "mine.csv"
    pd.DataFrame({"site_id": ["U1", "U2"], "operator": ["Viettel", "Viettel"],
                  "lon": [host.x, new.x], "lat": [host.y, new.y],
                  "height_agl_m": [35.0, 30.0]}).to_csv(user, index=False)
    cands = generate_candidates(province, demand, terrain, candidate_file=user)
    t = cands.table
    counts = cands.counts()
    assert set(counts) == set(KINDS)
    for kind in ("colocation", "upgrade_5g", "high_point", "road", "user"):
        assert counts[kind] > 0, kind
    assert counts["park"] == 0  # the commune has no park
    extra = np.where(t["grid_power"], 0.0, cfg.cost_no_grid_power_vnd)
    expected = np.select(
        [t["kind"] == "upgrade_5g", t["new_tower"]],
        [cfg.cost_5g_vnd, cfg.cost_new_site_vnd + cfg.cost_5g_vnd],
        cfg.cost_colocation_vnd + cfg.cost_5g_vnd) + extra
    assert np.allclose(t["cost_vnd"], expected)
    users = t.loc[t["kind"] == "user"].set_index("reason")
    assert not users.loc["user U1", "new_tower"] and users.loc["user U2", "new_tower"]
    assert users.loc["user U1", "host_site_id"] == tower["site_id"]
    # co-location only where the operator is absent; upgrades only on 4G-only sites
    ops = province.sites.groupby("site_id")["operator"].first()
    col = t.loc[t["kind"] == "colocation"]
    assert (col["operator"].to_numpy() != ops.reindex(col["host_site_id"]).to_numpy()).all()
    five = set(province.sectors.loc[province.sectors["tech"] == "5G", "site_id"])
    up = t.loc[t["kind"] == "upgrade_5g"]
    assert not set(up["host_site_id"]) & five
    assert (up["site_id"] == up["host_site_id"]).all()
    # sectors: three per technology for new and co-located sites, 5G only for upgrades
    per = cands.sectors.groupby("candidate_id")["tech"].agg(lambda s: "".join(sorted(s)))
    assert (per.reindex(col["candidate_id"]) == "4G4G4G5G5G5G").all()
    assert per.reindex(up["candidate_id"]).str.fullmatch("(5G)+").all()
    assert cands.sectors["sector_id"].is_unique
    radio = operator_radio(province, "Viettel", cfg)
    assert radio["4G"]["band_mhz"] == 900.0
    pd.testing.assert_frame_equal(province.sites, sites_before)


def test_candidates_cover_within_their_reach(commune) -> None:
    province, grid = commune
    demand = build_demand(province, grid, "Viettel")
    terrain = plan_terrain(province, grid, province.scenario.planning.max_radius_m)
    cands = generate_candidates(province, demand, terrain, operator="Viettel")
    assert set(cands.table["operator"]) == {"Viettel"}
    cov = evaluate_candidates(cands, demand, terrain, province)
    assert cov.cover_b.shape == (len(cands), len(demand.cells_b))
    assert cov.cover_b.nnz > 0 and cov.pairs >= cov.cover_b.nnz
    rows, cols = cov.cover_b.nonzero()
    bx, by = demand.xy(demand.cells_b)
    d = np.hypot(cands.table["x"].to_numpy()[rows] - bx[cols],
                 cands.table["y"].to_numpy()[rows] - by[cols])
    assert (d <= cov.reach_m[rows] + 1e-6).all()
    covered = np.asarray(cov.cover_b.sum(axis=0)).ravel() > 0
    assert (cov.in_range_b[covered]).all()
    assert (cov.best_rsrp_b_dbm[covered] >= province.scenario.thresholds.rsrp_4g_dbm - 1e-3).all()


def test_hamlet_on_a_steep_slope_gets_a_tower_in_its_middle(commune) -> None:
    """A hamlet on a steep hillside, with no high point searched around it: a tower on its top
    edge looks over it (the hamlet lies under the sectors' beams, at the pattern floor where the
    site's three sectors are as strong as each other, and the rate stays low); the candidate
    on its central demand cell has it within its beams and covers it."""
    import dataclasses

    from scipy import sparse

    from phusong.planning.candidates import PlanTerrain

    province, grid = commune
    cfg = dataclasses.replace(province.scenario.planning, high_points_per_unit=0)
    province = dataclasses.replace(province, scenario=dataclasses.replace(
        province.scenario, planning=cfg))
    demand = build_demand(province, grid)
    terrain = plan_terrain(province, grid, cfg.max_radius_m)
    # the hamlet: 5 × 5 cells around the demand cell with the weakest signal today
    rsrp = grid.layer(ANY, "4G").rsrp_dbm.reshape(-1)[demand.cells_b]
    centre = int(demand.cells_b[np.argmin(np.nan_to_num(rsrp, nan=-999.0))])
    cols = grid.shape[1]
    r0, c0 = divmod(centre, cols)
    rows_, cols_ = np.mgrid[r0 - 2:r0 + 3, c0 - 2:c0 + 3]
    cells = (rows_ * cols + cols_).ravel().astype(np.int64)
    bx, by = demand.xy(cells)
    # a hillside rising 1 m in 3 to the north (the demo's hamlets: 100 – 340 m over 500 m)
    t = terrain.spec.transform
    yy = t.f + (np.arange(terrain.z.shape[0]) + 0.5) * t.e
    z = np.repeat((200.0 + (yy - by.mean()) / 3.0)[:, None], terrain.z.shape[1], axis=1)
    hill = PlanTerrain(np.clip(z, 0.0, None).astype(np.float32), terrain.spec)
    h = pd.DataFrame({"hamlet_index": [0], "hamlet_id": ["H1"], "name": ["Bản Dốc"],
                      "commune_code": ["X"], "basis": ["people"], "total": [25.0],
                      "people": [25.0], "covered_now": [0.0], "share_pct": [0.0],
                      "need": [12.5], "x": [bx.mean()], "y": [by.mean()], "commune": [0],
                      "priority": [True], "weight": [150.0]})
    one = dataclasses.replace(
        demand, cells_b=cells, cells_f=np.zeros(0, np.int64), people_b=np.ones(25),
        people_weight_b=np.ones(25), road_weight_b=np.zeros(25), road_m_b=np.zeros(25),
        commune_b=np.zeros(25, np.int64), spot_b=np.full(25, -1, np.int64), hamlets=h,
        hamlet_matrix=sparse.csr_matrix(np.ones((1, 25))), hamlet_need=np.array([12.5]),
        gaps=demand.gaps.iloc[:0], parks=demand.parks.iloc[:0], spots=demand.spots.iloc[:0],
        window_matrix=sparse.csr_matrix((0, 25)), window_gap=np.zeros(0, np.int64),
        park_matrix=sparse.csr_matrix((0, 0)), weight_f=np.zeros(0))
    cands = generate_candidates(province, one, hill)
    mine = cands.table.loc[(cands.table["kind"] == "high_point")
                           & (cands.table["reason"] == "hamlet H1")]
    # the highest demand cell (top edge) and the central one (the hamlet's middle)
    at = {(round(x), round(y)) for x, y in zip(mine["x"], mine["y"], strict=True)}
    assert (round(bx[12]), round(by[12])) in at
    assert (round(bx[0]), round(by.max())) in at or (round(bx[2]), round(by.max())) in at
    cov = evaluate_candidates(cands, one, hill, province)
    share = np.asarray(cov.cover_b.sum(axis=1)).ravel() / 25.0
    pos = {(round(x), round(y)): k for k, (x, y) in enumerate(zip(
        cands.table["x"], cands.table["y"], strict=True))}
    middle = share[pos[(round(bx[12]), round(by[12]))]]
    assert middle >= province.scenario.thresholds.hamlet_covered_share
    # the tower in its middle does better than any on its top edge
    top = [share[pos[(round(x), round(by.max()))]] for x in bx[:5]
           if (round(x), round(by.max())) in pos]
    assert top and middle > max(top)
