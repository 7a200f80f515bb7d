"""Numba kernels against their slow twins, against the P.526 models, and their timing.

The sweep computes P.526's Bullington construction exactly (see ``phusong.coverage._kernels``);
the only differences from the numpy twin are float32 output and the tabulated J(v), so the
agreement tolerance is 0.02 dB. Against the full Deygout construction there is no agreement to
expect: on every profile ``J(v_principal) ≤ Bullington ≤ Deygout (3 edges)``, with equality
for a single isolated edge.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from phusong.coverage import _kernels as K
from phusong.coverage.models.diffraction import (
    bullington_loss_db,
    deygout_loss_db,
    knife_edge_loss_db,
)
from phusong.coverage.models.free_space import fspl_db

C = 299_792_458.0
CELL_M = 30.0


def fractal_dem(n: int, seed: int, relief_m: float = 600.0, beta: float = 2.2,
                base_m: float = 20.0) -> np.ndarray:
    """A square fractal DEM (spectral synthesis, power spectrum ∝ 1/k^beta), float32."""
    rng = np.random.default_rng(seed)
    kx = np.fft.fftfreq(n)[:, None]
    ky = np.fft.fftfreq(n)[None, :]
    k = np.hypot(kx, ky)
    k[0, 0] = 1.0
    spectrum = (rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))) / k ** (beta / 2 + 0.5)
    spectrum[0, 0] = 0.0
    z = np.real(np.fft.ifft2(spectrum))
    z = (z - z.min()) / (z.max() - z.min()) * relief_m + base_m
    return z.astype(np.float32)


def random_profile(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    d = np.concatenate([[0.0], np.cumsum(rng.uniform(5.0, 80.0, n - 1))])
    z = 50.0 + np.cumsum(rng.normal(0.0, 6.0, n))
    return d, z


# ------------------------------------------------------------------------------------------
# J(v) and one profile
# ------------------------------------------------------------------------------------------


def test_knife_edge_kernel_and_table() -> None:
    v = np.linspace(-3.0, 100.0, 20_001)
    exact = knife_edge_loss_db(v)
    kernel = np.array([K.knife_edge_db(x) for x in v])
    np.testing.assert_allclose(kernel, exact, atol=1e-12)
    table = K._knife_edge_table()
    looked_up = np.array([K._knife_edge_lookup(x, table) for x in v])
    first_bin = (v > -0.78) & (v < -0.78 + 1 / 64)
    assert np.max(np.abs(looked_up - exact)[~first_bin]) < 1.1e-4
    assert np.max(np.abs(looked_up - exact)[first_bin]) < 0.005
    assert K._knife_edge_lookup(-np.inf, table) == 0.0


@pytest.mark.parametrize("k_factor", [4.0 / 3.0, math.inf])
@pytest.mark.parametrize("correction", [False, True])
def test_profile_kernel_matches_numpy_bullington(k_factor: float, correction: bool) -> None:
    rng = np.random.default_rng(11)
    n_los = n_nlos = 0
    for _ in range(300):
        d, z = random_profile(rng, int(rng.integers(2, 250)))
        tx = z[0] + rng.uniform(2.0, 60.0)
        rx = z[-1] + rng.uniform(1.0, 20.0)
        f = float(rng.choice([700.0, 1800.0, 3500.0, 26_000.0]))
        lam = C / (f * 1e6)
        ref = bullington_loss_db(d, z, tx, rx, f, k_factor, correction)
        got = K.profile_diffraction_db(d, z, tx, rx, lam, k_factor, correction)
        assert got == pytest.approx(ref, abs=1e-9)
        n_los += ref < 6.0
        n_nlos += ref > 6.1
    assert n_los > 20 and n_nlos > 20  # both branches of P.526 §4.5.1 exercised


# ------------------------------------------------------------------------------------------
# line of sight along a radial
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("k_factor", [4.0 / 3.0, 7.0 / 6.0, math.inf])
def test_los_along_radial_matches_reference(k_factor: float) -> None:
    rng = np.random.default_rng(3)
    for _ in range(40):
        n = int(rng.integers(1, 400))
        terrain = 100.0 + np.cumsum(rng.normal(0.0, 4.0, n))
        obs = terrain[0] + rng.uniform(1.0, 50.0)
        got = K.los_along_radial(terrain, 30.0, obs, 1.5, k_factor)
        ref = K.los_along_radial_reference(terrain, 30.0, obs, 1.5, k_factor)
        np.testing.assert_array_equal(got, ref)


def test_los_earth_curvature_hides_far_targets() -> None:
    # flat sea-level ground, observer at 30 m, target 1.5 m: the radio horizon with k = 4/3 is
    # √(2 k R_e)(√30 + √1.5) = 27.6 km; every point up to it is visible, none beyond.
    terrain = np.zeros(1200)
    vis = K.los_along_radial(terrain, 30.0, 30.0, 1.5, 4.0 / 3.0)
    horizon_m = math.sqrt(2 * 4 / 3 * 6371e3) * (math.sqrt(30.0) + math.sqrt(1.5))
    last_visible_m = np.flatnonzero(vis)[-1] * 30.0
    assert abs(last_visible_m - horizon_m) < 2 * 30.0
    assert K.los_along_radial(terrain, 30.0, 30.0, 1.5, math.inf).all()


# ------------------------------------------------------------------------------------------
# radial sweep
# ------------------------------------------------------------------------------------------

SWEEP_CASES = [  # seed, relief (m), frequency (MHz), k, empirical correction
    (0, 5.0, 900.0, 4.0 / 3.0, False),
    (1, 40.0, 1800.0, math.inf, True),
    (2, 150.0, 3500.0, 4.0 / 3.0, True),
    (3, 600.0, 700.0, 4.0 / 3.0, False),
    (4, 300.0, 26_000.0, math.inf, False),
]


@pytest.mark.parametrize(("seed", "relief", "freq", "k_factor", "correction"), SWEEP_CASES)
def test_radial_sweep_matches_reference(seed: int, relief: float, freq: float,
                                        k_factor: float, correction: bool) -> None:
    n = 100
    dem = fractal_dem(n, seed, relief)
    dem_before = dem.copy()
    x0, y0 = 585_000.0, 2_390_000.0
    tx_x, tx_y = x0 + 50.3 * CELL_M, y0 - 49.6 * CELL_M  # not on a cell centre
    tx_h = float(dem[49, 50]) + 25.0
    args = (dem, x0, y0, CELL_M, -CELL_M, tx_x, tx_y, tx_h, 1.5, freq, 1400.0, 24, CELL_M,
            k_factor, correction)
    loss, los = K.radial_sweep_loss(*args)
    ref = K.radial_sweep_loss_reference(*args)
    np.testing.assert_array_equal(dem, dem_before)
    assert loss.dtype == np.float32 and loss.shape == (24, 47) and los.shape == (24, 47)
    assert np.isnan(loss).sum() == np.isnan(ref).sum() == 0
    np.testing.assert_allclose(loss, ref, atol=0.02, rtol=0)
    # the sweep's line of sight is los_along_radial's on the same profile
    dist = np.arange(47) * CELL_M
    for a in range(0, 24, 5):
        az = 2 * math.pi * a / 24
        fc = (tx_x + dist * math.sin(az) - x0) / CELL_M - 0.5
        fr = (tx_y + dist * math.cos(az) - y0) / -CELL_M - 0.5
        terrain = K._bilinear_reference(dem, fc, fr)
        np.testing.assert_array_equal(los[a], K.los_along_radial(terrain, CELL_M, tx_h, 1.5,
                                                                 k_factor))


def test_radial_sweep_hull_vertices_only_never_above_exact() -> None:
    # low relief: most rays are clear and the ground near the receiver enters the Fresnel
    # zone, where exact_clear_ray matters
    n = 120
    dem = fractal_dem(n, 8, 25.0)
    x0, y0 = 0.0, n * CELL_M
    tx_x, tx_y = 60.5 * CELL_M, y0 - 60.5 * CELL_M
    args = (dem, x0, y0, CELL_M, -CELL_M, tx_x, tx_y, float(dem[60, 60]) + 30.0, 1.5, 1800.0,
            1750.0, 48, CELL_M, 4.0 / 3.0, False)
    exact, los = K.radial_sweep_loss(*args)
    fast, los_fast = K.radial_sweep_loss(*args, exact_clear_ray=False)
    np.testing.assert_array_equal(los, los_fast)
    diff = fast.astype(float) - exact
    assert los.mean() > 0.5
    assert np.all(diff <= 1e-4)  # the shortcut can only miss loss
    assert np.all(diff[~los] == 0.0)  # and only for clear rays
    assert diff.min() > -6.1  # J of a clear ray is at most J(0) = 6.03 dB
    assert np.any(diff < -0.1)  # and it does miss some here


def test_radial_sweep_between_principal_edge_and_deygout() -> None:
    # the same profiles, through the P.526 models: J(v_principal) <= Bullington <= Deygout
    n = 120
    dem = fractal_dem(n, 21, 400.0)
    x0, y0 = 0.0, n * CELL_M
    tx_x, tx_y = 60.5 * CELL_M, y0 - 60.5 * CELL_M
    tx_h = float(dem[60, 60]) + 30.0
    freq = 1800.0
    loss, _ = K.radial_sweep_loss(dem, x0, y0, CELL_M, -CELL_M, tx_x, tx_y, tx_h, 1.5, freq,
                                  1750.0, 16, CELL_M, 4.0 / 3.0, False)
    dist = np.arange(loss.shape[1]) * CELL_M
    spread = []
    for a in range(16):
        az = 2 * math.pi * a / 16
        fc = (tx_x + dist * math.sin(az) - x0) / CELL_M - 0.5
        fr = (tx_y + dist * math.cos(az) - y0) / -CELL_M - 0.5
        z = K._bilinear_reference(dem, fc, fr)
        z[0] = min(z[0], tx_h)
        for j in range(2, dist.size, 3):
            rx = float(z[j]) + 1.5
            bull = float(loss[a, j]) - float(fspl_db(math.hypot(dist[j], tx_h - rx), freq))
            principal = deygout_loss_db(dist[:j + 1], z[:j + 1], tx_h, rx, freq, max_depth=1)
            deygout = deygout_loss_db(dist[:j + 1], z[:j + 1], tx_h, rx, freq, max_depth=2)
            assert principal - 0.02 <= bull <= deygout + 0.02
            spread.append(deygout - bull)
    # Deygout's secondary edges add several dB on rough terrain sampled every 30 m
    assert np.mean(spread) > 1.0


def test_radial_sweep_single_edge_is_its_knife_edge() -> None:
    # flat DEM at 100 m with one raised column of cells: the east radial (azimuth 90°) runs
    # along cell centres and meets one edge; the sweep must give J(v) of that edge.
    n = 64
    dem = np.full((n, n), 100.0)
    dem[:, 40] = 160.0  # 60 m wall, 30 cells east of the transmitter
    x0, y0 = 0.0, n * CELL_M
    row, col = 32, 10
    tx_x, tx_y = x0 + (col + 0.5) * CELL_M, y0 - (row + 0.5) * CELL_M
    tx_h, freq, k = 130.0, 900.0, 4.0 / 3.0
    loss, los = K.radial_sweep_loss(dem, x0, y0, CELL_M, -CELL_M, tx_x, tx_y, tx_h, 1.5, freq,
                                    1500.0, 8, CELL_M, k, False)
    east = 2  # of 8 radials: azimuth 90°
    lam = C / (freq * 1e6)
    a = k * 6371e3
    for j in (35, 45, 50):  # receivers 5, 15 and 20 cells behind the wall
        dj, de = j * CELL_M, 30 * CELL_M
        edge = 160.0 + de * (dj - de) / (2 * a)           # with the earth bulge
        ray = tx_h + (101.5 - tx_h) * de / dj
        v = (edge - ray) * math.sqrt(2 / lam * (1 / de + 1 / (dj - de)))
        expected = float(fspl_db(math.hypot(dj, tx_h - 101.5), freq)) + float(
            knife_edge_loss_db(v))
        assert float(loss[east, j]) == pytest.approx(expected, abs=0.01)
        assert not los[east, j]
        d = np.arange(j + 1) * CELL_M
        z = np.where(np.arange(j + 1) == 30, 160.0, 100.0)
        assert deygout_loss_db(d, z, tx_h, 101.5, freq, k) == pytest.approx(
            float(knife_edge_loss_db(v)), abs=1e-9)
    assert los[east, 29] and not los[east, 31]


def test_radial_sweep_flat_terrain_loss_never_falls_with_distance() -> None:
    dem = np.full((200, 200), 12.0)
    for k in (4.0 / 3.0, math.inf):
        loss, _ = K.radial_sweep_loss(dem, 0.0, 6000.0, CELL_M, -CELL_M, 3000.0, 3000.0, 42.0,
                                      1.5, 2600.0, 2900.0, 36, CELL_M, k, True)
        assert np.all(np.diff(loss[:, 1:], axis=1) >= -1e-4)


def test_radial_sweep_edges_and_nan() -> None:
    dem = fractal_dem(50, 5, 200.0).astype(np.float64)
    dem[25:, 30] = np.nan  # a no-data line east of the transmitter, south half
    tx_x, tx_y = 10.5 * CELL_M, -25.5 * CELL_M + 50 * CELL_M
    loss, los = K.radial_sweep_loss(dem, 0.0, 50 * CELL_M, CELL_M, -CELL_M, tx_x, tx_y,
                                    float(np.nanmax(dem)) + 10, 1.5, 900.0, 1200.0, 4, CELL_M,
                                    4.0 / 3.0, False)
    # radial 3 (west) leaves the DEM after 10.5 cells: NaN from sample 11 on
    assert np.isfinite(loss[3, :11]).all() and np.isnan(loss[3, 11:]).all()
    assert not los[3, 11:].any()
    # radial 0 (north) stays inside for 25 cells
    assert np.isfinite(loss[0, :26]).all() and np.isnan(loss[0, 26:]).all()
    # radial 1 (east) runs along row 25 and stops before the no-data cell (column 30)
    first_nan = int(np.flatnonzero(np.isnan(loss[1]))[0])
    assert 19 <= first_nan <= 20
    # a transmitter outside the DEM gives nothing
    out, _ = K.radial_sweep_loss(dem, 0.0, 50 * CELL_M, CELL_M, -CELL_M, -100.0, -100.0, 500.0,
                                 1.5, 900.0, 600.0, 4, CELL_M, 4.0 / 3.0, False)
    assert np.isnan(out).all()


# ------------------------------------------------------------------------------------------
# rasterisation
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bilinear", [True, False])
def test_rasterise_matches_reference(bilinear: bool) -> None:
    rng = np.random.default_rng(9)
    values = rng.uniform(60.0, 160.0, size=(64, 41)).astype(np.float32)
    x0, y0, n_rows, n_cols = 1000.0, 9000.0, 96, 90
    tx_x, tx_y = x0 + 45.3 * CELL_M, y0 - 47.8 * CELL_M
    got = K.rasterise_radials(values, tx_x, tx_y, CELL_M, x0, y0, CELL_M, -CELL_M, n_rows,
                              n_cols, bilinear)
    ref = K.rasterise_radials_reference(values, tx_x, tx_y, CELL_M, x0, y0, CELL_M, -CELL_M,
                                        n_rows, n_cols, bilinear)
    assert got.dtype == np.float32 and got.shape == (n_rows, n_cols)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    inside = ~np.isnan(ref)
    assert inside.sum() == pytest.approx(math.pi * 40**2, rel=0.02)
    diff = np.abs(got[inside] - ref[inside])
    # the kernel's atan2 is within 1e-5 rad (Abramowitz & Stegun 4.4.49): the radial weight
    # moves by up to 1e-5 · 64 / 2π, times a jump of up to 100 between neighbouring radials
    if bilinear:
        assert diff.max() < 1e-5 * 64 / (2 * math.pi) * 100.0 + 1e-3
    else:
        assert np.mean(diff == 0) > 0.999


def test_rasterise_constant_radials_and_nearest_cell() -> None:
    # each radial holds its own index: the nearest radial to a cell is the rounded azimuth
    values = np.repeat(np.arange(8, dtype=np.float32)[:, None], 11, axis=1)
    grid = K.rasterise_radials(values, 0.0, 0.0, CELL_M, -330.0, 330.0, CELL_M, -CELL_M, 22, 22,
                               False)
    # the cell due east of the transmitter, 5 cells away: azimuth 90° → radial 2
    assert grid[10, 16] == 2.0
    assert grid[16, 10] == 4.0  # due south → radial 4
    assert np.isnan(grid[0, 0])  # outside the 300 m circle


# ------------------------------------------------------------------------------------------
# timing: one site, 25 km radius, 30 m cells, on a 1700 × 1700 fractal DEM
# ------------------------------------------------------------------------------------------


def test_site_timing_25km_30m(record_property: pytest.RecordProperty) -> None:
    n = 1700
    dem = fractal_dem(n, 42, relief_m=1200.0)
    x0, y0 = 500_000.0, 2_400_000.0
    tx_x, tx_y = x0 + 850 * CELL_M, y0 - 850 * CELL_M
    tx_h = float(dem[850, 850]) + 30.0
    radius = 25_000.0
    n_radials = math.ceil(2 * math.pi * radius / CELL_M)  # 5236: one cell apart at the edge
    args = (dem, x0, y0, CELL_M, -CELL_M, tx_x, tx_y, tx_h, 1.5, 1800.0, radius, n_radials,
            CELL_M, 4.0 / 3.0, False)
    loss, _ = K.radial_sweep_loss(*args)  # JIT warm-up (or cache load)
    K.rasterise_radials(loss, tx_x, tx_y, CELL_M, x0, y0, CELL_M, -CELL_M, n, n, True)
    sweep_s, raster_s = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        loss, _ = K.radial_sweep_loss(*args)
        t1 = time.perf_counter()
        grid = K.rasterise_radials(loss, tx_x, tx_y, CELL_M, x0, y0, CELL_M, -CELL_M, n, n,
                                   True)
        t2 = time.perf_counter()
        sweep_s.append(t1 - t0)
        raster_s.append(t2 - t1)
    record_property("sweep_s", min(sweep_s))
    record_property("rasterise_s", min(raster_s))
    assert np.isfinite(grid).sum() == pytest.approx(math.pi * (radius / CELL_M) ** 2, rel=0.01)
    # the target is 0.2 s; the bound here only catches a regression by an order of magnitude
    assert min(sweep_s) + min(raster_s) < 2.0
