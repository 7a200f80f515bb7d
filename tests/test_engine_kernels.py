"""The coverage engine's kernels against their numpy twins (``phusong.coverage._twins``).

The sweep's loss is P.526 Bullington + P.525 free space (or the base loss) to within the float32
output and the tabulated J(v) (0.02 dB); its cut-off (``reach``) and the multi-level radials are
reproduced exactly by the twin. Rasterisation agrees cell by cell except where the fast
``atan2`` (1e-5 rad) moves a cell across a radial or the floor (at most 0.2 % of cells here).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_kernels import fractal_dem

from phusong.coverage import _kernels_grid as G
from phusong.coverage import _kernels_site as K
from phusong.coverage import _twins as T
from phusong.coverage.models.antenna import sector_pattern_db
from phusong.coverage.models.hata import hata_loss_db
from phusong.coverage.models.link import bounded_shannon_se

CELL = 30.0
X0, Y0 = 585_000.0, 2_390_000.0
FREQS = np.array([900.0, 1800.0, 3500.0])
#         band eirp  off  slope az   omni tilt bw_h bw_v  max_m
SECTORS = np.array([
    [0, 30.0, 0.0, 0.0, 0.0, 0, 4.0, 65.0, 8.0, 1e9],
    [1, 28.0, 1.0, -3.0, 120.0, 0, 6.0, 65.0, 10.0, 1500.0],
    [2, 25.0, -2.0, 0.0, 240.0, 0, 2.0, 90.0, 7.0, 1e9],
    [1, 29.0, 0.0, 2.0, 0.0, 1, 0.0, 65.0, 10.0, 1e9],
])
SEC_OUT = np.array([[0, 0, 10], [0, 1, 11], [1, 2, 12], [0, 1, 13]])


def _case(seed: int = 3, relief: float = 150.0, n: int = 140):
    import warnings

    dem = fractal_dem(n, seed, relief)
    c = n // 2
    tx_x, tx_y = X0 + (c + 0.3) * CELL, Y0 - (c - 0.4) * CELL
    tx_h = float(dem[c - 1, c]) + 25.0
    d = np.maximum(np.arange(67) * CELL, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = np.stack([hata_loss_db(d, f, 25.0, 1.5, "rural") for f in FREQS])
    return dem, tx_x, tx_y, tx_h, base


def _sweep(fn, dem, tx_x, tx_y, tx_h, base, floor, n_radials, terrain=True, levels=K.LEVELS):
    bound, start = K.site_plan(tx_h, 1.5, 4 / 3, CELL, n_radials, FREQS, base, SECTORS, 30.0,
                               30.0, floor, float(dem.min()), float(dem.max()), CELL, levels)
    n = max(int(bound.max()), int(start.max()) + 1)
    loss = np.full((FREQS.size, bound.size, n), np.nan, dtype=np.float32)
    zbuf = np.zeros((bound.size, int(start.max()) + 1))
    reach = fn(dem, X0, Y0, CELL, -CELL, tx_x, tx_y, tx_h, 1.5, 4 / 3, CELL, bound, start, FREQS,
               base, terrain, True, SECTORS, 30.0, 30.0, floor, K.knife_edge_table(), loss,
               zbuf)
    return bound, start, loss, reach


@pytest.mark.parametrize("floor", [-75.0, -85.0, -95.0])
@pytest.mark.parametrize("n_radials", [32, 0])
@pytest.mark.parametrize("parallel", [True, False])
def test_site_sweep_matches_reference(floor: float, n_radials: int, parallel: bool) -> None:
    dem, tx_x, tx_y, tx_h, base = _case()
    dem_before = dem.copy()
    fn = K.site_sweep if parallel else K.site_sweep_serial
    bound, start, loss, reach = _sweep(fn, dem, tx_x, tx_y, tx_h, base, floor, n_radials)
    ref, reach_ref = T.site_sweep_reference(dem, X0, Y0, CELL, -CELL, tx_x, tx_y, tx_h, 1.5,
                                            4 / 3, CELL, bound, start, FREQS, base, True,
                                            SECTORS, 30.0, 30.0, floor)
    np.testing.assert_array_equal(dem, dem_before)
    np.testing.assert_array_equal(reach, reach_ref)
    valid = np.zeros(loss.shape, dtype=bool)
    for a in range(bound.size):
        valid[:, a, start[a]:reach[0, a]] = True
    assert valid.sum() > 1000
    assert not np.isnan(ref[:, :, :loss.shape[2]][valid]).any()
    np.testing.assert_allclose(loss[valid], ref[:, :, :loss.shape[2]][valid], atol=0.02, rtol=0)
    if n_radials == 0:
        assert start.max() > 0  # the radial levels are exercised
        assert bound.size % 8 == 0


def _accumulate(dem, tx_x, tx_y, tx_h, base, floor, n_radials=0):
    _, start, loss, reach = _sweep(K.site_sweep, dem, tx_x, tx_y, tx_h, base, floor, n_radials)
    shape = (2, dem.shape[0] - 20, dem.shape[1] - 20)
    best = np.full(shape, -np.inf, np.float32)
    server = np.full(shape, -1, np.int32)
    psum = np.zeros((3, *shape[1:]), np.float32)
    K.accumulate_site(loss, reach, start, tx_x, tx_y, tx_h, 1.5, 4 / 3, CELL, dem, 10, 10,
                      X0 + 10 * CELL, Y0 - 10 * CELL, CELL, -CELL, SECTORS, 30.0, 30.0, floor,
                      SEC_OUT, best, server, psum)
    return best, server, reach


@pytest.mark.parametrize("floor", [-80.0, -85.0])
def test_cut_off_never_drops_a_cell_at_or_above_the_floor(floor: float) -> None:
    # the same transmitter without cut-off (floor -200 dBm): every cell at or above the floor
    # there is predicted, with the same RSRP and server, when the radials are cut at the floor
    dem, tx_x, tx_y, tx_h, base = _case(seed=5, relief=300.0)
    best, server, reach = _accumulate(dem, tx_x, tx_y, tx_h, base, floor)
    best_all, server_all, reach_all = _accumulate(dem, tx_x, tx_y, tx_h, base, -200.0)
    # the cut saves work: shorter sweeps, and fewer samples that can reach the floor
    assert reach[0].sum() < reach_all[0].sum() and reach[1].sum() < 0.5 * reach_all[1].sum()
    want = best_all >= floor
    assert want.sum() > 500
    assert np.mean((best >= floor) != want) < 1e-3
    both = want & (best >= floor)
    np.testing.assert_allclose(best[both], best_all[both], atol=1e-3)
    assert np.mean(server[both] != server_all[both]) < 1e-3


def test_multiband_sweep_equals_single_band_sweeps() -> None:
    # one hull pass for three bands gives each band's own Bullington loss: with free space as
    # the base, the loss is radial_sweep_loss's (P.525 over the 3-D distance + Bullington)
    from phusong.coverage._kernels import radial_sweep_loss
    from phusong.coverage.models.free_space import fspl_db

    dem, tx_x, tx_y, tx_h, _ = _case(seed=7, relief=400.0)
    d = np.maximum(np.arange(67) * CELL, 1.0)
    base = np.stack([fspl_db(d, f) for f in FREQS])
    _, start, loss, reach = _sweep(K.site_sweep, dem, tx_x, tx_y, tx_h, base, -300.0, 16,
                                   levels=0)
    assert np.all(start == 0) and np.all(reach[0] == 67)
    for b, f in enumerate(FREQS):
        single, _ = radial_sweep_loss(dem, X0, Y0, CELL, -CELL, tx_x, tx_y, tx_h, 1.5, f,
                                      66 * CELL, 16, CELL, 4 / 3)
        np.testing.assert_allclose(loss[b], single, atol=0.02)


@pytest.mark.parametrize("parallel", [True, False])
def test_accumulate_matches_reference(parallel: bool) -> None:
    dem, tx_x, tx_y, tx_h, base = _case()
    fn_s = K.site_sweep if parallel else K.site_sweep_serial
    fn_a = K.accumulate_site if parallel else K.accumulate_site_serial
    _, start, loss, reach = _sweep(fn_s, dem, tx_x, tx_y, tx_h, base, -95.0, 0)
    shape = (2, 110, 120)
    out = [(np.full(shape, -np.inf, np.float32), np.full(shape, -1, np.int32),
            np.zeros((3, *shape[1:]), np.float32)) for _ in range(2)]
    args = (tx_x, tx_y, tx_h, 1.5, 4 / 3, CELL, dem, 10, 5, X0 + 5 * CELL, Y0 - 10 * CELL, CELL,
            -CELL, SECTORS, 30.0, 30.0, -95.0, SEC_OUT)
    n_cells = fn_a(loss, reach, start, *args, *out[0])
    T.accumulate_site_reference(loss, reach, start, *args, *out[1])
    (b1, s1, p1), (b2, s2, p2) = out
    fin = np.isfinite(b1)
    assert n_cells > 3000 and fin.sum() > 3000
    assert np.mean(fin != np.isfinite(b2)) < 0.002
    both = fin & np.isfinite(b2)
    assert np.max(np.abs(b1[both] - b2[both])) < 0.05
    assert np.mean(s1 != s2) < 0.002
    ok = (p2 > 0) & (p1 > 0)
    assert np.median(np.abs(p1[ok] / p2[ok] - 1.0)) < 1e-3


@settings(max_examples=300, deadline=None)
@given(phi=st.floats(-359, 359), el=st.floats(-90, 90), tilt=st.floats(-10, 20),
       bw_h=st.floats(10, 120), bw_v=st.floats(3, 65), omni=st.booleans())
def test_attenuation_is_the_tr38901_pattern(phi: float, el: float, tilt: float, bw_h: float,
                                            bw_v: float, omni: bool) -> None:
    got = K.attenuation_db(phi, el, omni, tilt, bw_h, bw_v, 30.0, 25.0)
    ref = -float(sector_pattern_db(phi, el, 0.0, tilt, bw_h, bw_v, 30.0, 25.0, omni=omni))
    assert got == pytest.approx(ref, abs=1e-9)


def test_composite_layer_matches_reference() -> None:
    rng = np.random.default_rng(4)
    shape = (30, 40)
    server = rng.integers(-1, 3, size=shape).astype(np.int32)
    best = np.where(server >= 0, rng.uniform(-125, -60, shape), -np.inf).astype(np.float32)
    key = np.array([0, 0, 1])
    psum = np.zeros((2, *shape), np.float32)
    for k in range(2):
        psum[k] = 10 ** (rng.uniform(-125, -60, shape) / 10)
    own = np.where(server >= 0, 10.0 ** (best / 10.0), 0.0)
    for k in range(2):
        psum[k] += np.where((server >= 0) & (key[np.maximum(server, 0)] == k), own, 0.0)
    args = (key, np.array([1e-12, 2e-12, 1e-12]), np.array([20.0, 20.0, 100.0]),
            np.array([1.5, 1.5, 3.44]), np.array([4.4, 4.4, 7.4063]), 0.6, -10.0, 0.5, 5.4)
    got = G.composite_layer(best, server, psum, *args)
    ref = T.composite_layer_reference(best, server, psum, *args)
    for g, r in zip(got, ref, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-4, atol=1e-3)
    assert np.all(got[2][server < 0] == 0.0) and np.all(np.isnan(got[1][server < 0]))


def test_server_stats_matches_reference() -> None:
    rng = np.random.default_rng(8)
    server = rng.integers(-1, 5, size=(50, 60)).astype(np.int32)
    rsrp = rng.uniform(-130, -70, size=(50, 60)).astype(np.float32)
    sx, sy = rng.uniform(0, 1800, 5), rng.uniform(0, 1500, 5)
    got = G.server_stats(server, rsrp, -110.0, sx, sy, 0.0, 1500.0, 30.0, -30.0)
    ref = T.server_stats_reference(server, rsrp, -110.0, sx, sy, 0.0, 1500.0, 30.0, -30.0)
    for g, r in zip(got, ref, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("k_factor", [7 / 6, math.inf])
def test_los_cells_matches_reference(k_factor: float) -> None:
    dem = fractal_dem(60, 12, 200.0).astype(np.float64)
    dem[40:44, 10:14] = np.nan
    obs_h = float(dem[30, 30]) + 20.0
    got = G.los_cells(dem, 30.5, 30.5, obs_h, 1.5, CELL, 800.0, k_factor, 6_371_000.0)
    ref = T.los_cells_reference(dem, 30.5, 30.5, obs_h, 1.5, CELL, 800.0, k_factor, 6_371_000.0)
    assert np.mean(got == ref) > 0.999
    assert (got == G.VISIBLE).sum() > 50 and (got == G.HIDDEN).sum() > 50
    assert np.all(got[40:44, 10:14] == G.OUTSIDE)


def test_bounded_shannon_is_the_kernels_mapping() -> None:
    sinr_db = np.linspace(-15.05, 39.95, 111)  # not exactly on SINR_min
    se = bounded_shannon_se(sinr_db, 0.6, -10.0, 4.4)
    server = np.zeros((1, sinr_db.size), np.int32)
    best = np.full((1, sinr_db.size), -80.0, np.float32)
    noise = 10 ** (-8.0) / 10 ** (sinr_db / 10.0)  # mW: SINR = S / N
    psum = np.full((1, 1, sinr_db.size), 1e-8, np.float32)
    for i in range(sinr_db.size):
        _, sinr, rate = G.composite_layer(best[:, i:i + 1], server[:, i:i + 1],
                                          psum[:, :, i:i + 1], np.array([0]),
                                          np.array([noise[i]]), np.array([1.0]), np.array([1.0]),
                                          np.array([4.4]), 0.6, -10.0, 0.5, 0.0)
        assert float(sinr[0, 0]) == pytest.approx(sinr_db[i], abs=1e-4)
        assert float(rate[0, 0]) == pytest.approx(se[i], rel=1e-5, abs=1e-7)
