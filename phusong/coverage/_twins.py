"""Slow, obvious numpy twins of the coverage engine's kernels, for the agreement tests.

Each ``*_reference`` function computes what its kernel in :mod:`phusong.coverage._kernels_site`
or :mod:`phusong.coverage._kernels_grid` computes, straight from the numpy models
(:mod:`phusong.coverage.models`: P.525 free space, P.526 Bullington, the TR 38.901 pattern,
the TR 36.942 throughput mapping), vectorised or in plain loops, without the kernels' tricks
(hull sweeps, cut-off bounds, tabulated ``J(v)``, fast ``atan2``).
"""

from __future__ import annotations

import logging
import math

import numpy as np
from numpy.typing import NDArray

from phusong.coverage._kernels_site import (
    SEC_AZ,
    SEC_BAND,
    SEC_BW_H,
    SEC_BW_V,
    SEC_EIRP_RE,
    SEC_MAX_M,
    SEC_OFFSET,
    SEC_OMNI,
    SEC_SLOPE,
    SEC_TILT,
)

__all__ = [
    "site_sweep_reference",
    "accumulate_site_reference",
    "composite_layer_reference",
    "server_stats_reference",
    "los_cells_reference",
]

log = logging.getLogger(__name__)


def _radial_profiles_reference(dem: NDArray[np.floating], x0: float, y0: float, dx: float,
                               dy: float, tx_x: float, tx_y: float, start: NDArray[np.int64],
                               n: int, step_m: float) -> list[NDArray[np.float64]]:
    """Terrain of each radial up to the DEM's edge or a NaN (index 0: under the transmitter),
    the part before ``start[a]`` borrowed from radial ``a − 2^t`` (``t`` trailing zeros)."""
    from phusong.coverage._kernels import _bilinear_reference

    n_radials = start.size
    n_rows, n_cols = dem.shape
    dist = np.arange(n) * step_m
    own = []
    for a in range(n_radials):
        az = 2.0 * math.pi * a / n_radials
        fc = (tx_x + dist * math.sin(az) - x0) / dx - 0.5
        fr = (tx_y + dist * math.cos(az) - y0) / dy - 0.5
        inside = (fc >= -0.5) & (fr >= -0.5) & (fc <= n_cols - 0.5) & (fr <= n_rows - 0.5)
        n_in = n if inside.all() else int(np.argmin(inside))
        own.append(_bilinear_reference(dem, fc[:n_in], fr[:n_in]))
    out: list[NDArray[np.float64] | None] = [None] * n_radials
    for a in sorted(range(n_radials), key=lambda i: start[i]):
        z = own[a].copy()
        if start[a] > 0:
            t = (a & -a).bit_length() - 1
            parent = out[a - (1 << t)]
            assert parent is not None
            m = min(start[a], parent.size)
            z = np.concatenate([parent[:m], z[m:]]) if m == start[a] else parent[:m].copy()
        if z.size > 1 and np.isnan(z[1:]).any():
            z = z[:1 + int(np.argmax(np.isnan(z[1:])))]
        out[a] = z
    return [z for z in out if z is not None]


def site_sweep_reference(dem: NDArray[np.floating], x0: float, y0: float, dx: float,
                         dy: float, tx_x: float, tx_y: float, tx_h_amsl: float,
                         rx_h_agl: float, k_factor: float, step_m: float,
                         bound: NDArray[np.int64], start: NDArray[np.int64],
                         freq_mhz: NDArray[np.float64], base_db: NDArray[np.float64],
                         terrain: bool, sec: NDArray[np.float64], a_max_db: float,
                         sla_v_db: float, floor_dbm: float,
                         ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Twin of :func:`site_sweep` (``loss`` NaN outside the valid samples): per band and
    sample, the whole profile through the numpy P.526 Bullington and P.525 models, and the
    cut-off from the numpy antenna pattern; ``bound`` only limits the length."""
    from phusong.coverage.models.antenna import sector_pattern_db
    from phusong.coverage.models.diffraction import bullington_loss_db
    from phusong.coverage.models.free_space import fspl_db

    nb, n = base_db.shape
    n_radials = bound.size
    dist = np.arange(n) * step_m
    a_e = math.inf if math.isinf(k_factor) else k_factor * 6_371_000.0
    out = np.full((nb, n_radials, n), np.nan)
    reach = np.zeros((2, n_radials), dtype=np.int64)
    profiles = _radial_profiles_reference(dem, x0, y0, dx, dy, tx_x, tx_y, start, n, step_m)
    for a, z in enumerate(profiles):
        j0 = int(start[a])
        j_lo = max(j0, 1)
        n_lim = min(z.size, int(bound[a]))
        reach[0, a] = j0
        if n_lim <= j_lo:
            continue
        az_deg = 360.0 * a / n_radials
        j = np.arange(j_lo, n_lim)
        d = dist[j]
        rx = z[j] + rx_h_agl
        d3 = np.hypot(d, tx_h_amsl - rx)
        plain = np.maximum(base_db[:, j], np.stack([fspl_db(d3, f) for f in freq_mhz]))
        elev = np.degrees(np.arctan2(rx - tx_h_amsl - d * d / (2.0 * a_e), d))
        reach_mask = np.zeros(j.size, dtype=bool)
        tops = []
        for row in sec:
            pattern = sector_pattern_db(az_deg, elev, row[SEC_AZ], row[SEC_TILT], row[SEC_BW_H],
                                        row[SEC_BW_V], a_max_db, sla_v_db,
                                        omni=bool(row[SEC_OMNI]))
            adj = row[SEC_OFFSET] + row[SEC_SLOPE] * np.log10(np.maximum(d, 100.0) / 1000.0)
            rsrp = row[SEC_EIRP_RE] + adj - plain[int(row[SEC_BAND])] + pattern
            reach_mask |= (rsrp >= floor_dbm) & (d <= row[SEC_MAX_M])
            a_h = -sector_pattern_db(az_deg, -row[SEC_TILT], row[SEC_AZ], row[SEC_TILT],
                                     row[SEC_BW_H], row[SEC_BW_V], a_max_db, sla_v_db,
                                     omni=bool(row[SEC_OMNI]))
            tops.append((int(row[SEC_BAND]), row[SEC_EIRP_RE] + row[SEC_OFFSET] - a_h,
                         row[SEC_SLOPE]))
        last = int(j[reach_mask][-1]) if reach_mask.any() else j_lo - 1
        n_u = min(last + 2, n_lim)
        reach[0, a] = max(n_u, j0)
        if n_u <= j_lo:
            continue
        profile_h = z.copy()
        profile_h[0] = min(z[0], tx_h_amsl)
        for b in range(nb):
            for i in range(j_lo, n_u):
                loss = plain[b, i - j_lo]
                if terrain:
                    loss += bullington_loss_db(dist[:i + 1], profile_h[:i + 1], tx_h_amsl,
                                               float(z[i] + rx_h_agl), float(freq_mhz[b]),
                                               k_factor)
                out[b, a, i] = loss
            if j0 == 0:
                out[b, a, 0] = out[b, a, 1]
        hit = 0
        for i in range(j_lo, n_u):
            x = math.log10(max(dist[i], 100.0) / 1000.0)
            for b in range(nb):
                mine = [(t, sl) for bb, t, sl in tops if bb == b]
                if mine and (max(t for t, _ in mine) + max(max(sl for _, sl in mine) * x,
                                                           min(sl for _, sl in mine) * x)
                             - out[b, a, i] >= floor_dbm):
                    hit = i + 1
        reach[1, a] = hit
    return out, reach


def accumulate_site_reference(loss: NDArray[np.floating], reach: NDArray[np.int64],
                              start: NDArray[np.int64], tx_x: float, tx_y: float,
                              tx_h_amsl: float, rx_h_agl: float, k_factor: float,
                              step_m: float, terrain_z: NDArray[np.floating], z_row0: int,
                              z_col0: int, x0: float, y0: float, dx: float, dy: float,
                              sec: NDArray[np.float64], a_max_db: float, sla_v_db: float,
                              floor_dbm: float, sec_out: NDArray[np.int64],
                              best: NDArray[np.float32], server: NDArray[np.int32],
                              psum: NDArray[np.float32]) -> None:
    """Twin of :func:`accumulate_site`, vectorised over the whole grid with numpy, in place."""
    from phusong.coverage.models.antenna import sector_pattern_db

    nb, n_radials, n = loss.shape
    _, n_rows, n_cols = best.shape
    n_use, hit = reach
    cols, rows = np.meshgrid(np.arange(n_cols), np.arange(n_rows))
    ddx = x0 + (cols + 0.5) * dx - tx_x
    ddy = y0 + (rows + 0.5) * dy - tx_y
    rr = np.hypot(ddx, ddy)
    az = np.mod(np.arctan2(ddx, ddy), 2.0 * np.pi)
    fa = az / (2.0 * np.pi) * n_radials
    s0 = np.floor(rr / step_m).astype(int)
    s1 = s0 + 1
    ws = rr / step_m - s0
    # the radial stride in use at each cell: the finest level started at its sample
    stride = np.full(rr.shape, n_radials)
    for a in range(n_radials):
        low = a & -a if a else n_radials
        stride = np.where((start[a] <= s0) & (low < stride), low, stride)
    a0 = (np.floor(fa).astype(int) // stride) * stride
    wa = (fa - a0) / stride
    a0 %= n_radials
    a1 = (a0 + stride) % n_radials
    s0c = np.minimum(s0, n - 2)
    s1c = s0c + 1
    ok = ((s0 < hit[a0]) | (s0 < hit[a1])) & (s1 < n_use[a0]) & (s1 < n_use[a1])
    with np.errstate(invalid="ignore"):
        lb = ((loss[:, a0, s0c] * (1 - ws) + loss[:, a0, s1c] * ws) * (1 - wa)
              + (loss[:, a1, s0c] * (1 - ws) + loss[:, a1, s1c] * ws) * wa)
    zc = terrain_z[z_row0:z_row0 + n_rows, z_col0:z_col0 + n_cols]
    a_e = math.inf if math.isinf(k_factor) else k_factor * 6_371_000.0
    with np.errstate(invalid="ignore", divide="ignore"):
        elev = np.degrees(np.arctan2(zc + rx_h_agl - tx_h_amsl - rr * rr / (2 * a_e), rr))
        adj_x = np.log10(np.maximum(rr, 100.0) / 1000.0)
    for row, (layer, key, index) in zip(sec, sec_out, strict=True):
        pattern = sector_pattern_db(np.degrees(az), elev, row[SEC_AZ], row[SEC_TILT],
                                    row[SEC_BW_H], row[SEC_BW_V], a_max_db, sla_v_db,
                                    omni=bool(row[SEC_OMNI]))
        r0 = row[SEC_EIRP_RE] + row[SEC_OFFSET] + row[SEC_SLOPE] * adj_x - lb[int(row[SEC_BAND])]
        rsrp = r0 + pattern
        with np.errstate(invalid="ignore"):
            hit_s = (ok & np.isfinite(zc) & (r0 >= floor_dbm) & (rsrp >= floor_dbm)
                     & (rr <= row[SEC_MAX_M]))
        psum[key][hit_s] += (10.0 ** (rsrp[hit_s] / 10.0)).astype(np.float32)
        better = hit_s & (rsrp > best[layer])
        best[layer][better] = rsrp[better]
        server[layer][better] = index


def composite_layer_reference(best: NDArray[np.float32], server: NDArray[np.int32],
                              psum: NDArray[np.float32], sec_key: NDArray[np.int64],
                              sec_noise_mw: NDArray[np.float64], sec_bw_mhz: NDArray[np.float64],
                              sec_rate_factor: NDArray[np.float64],
                              sec_max_se: NDArray[np.float64], alpha: float,
                              sinr_min_db: float, load: float, margin_db: float,
                              ) -> tuple[NDArray[np.float64], ...]:
    """Twin of :func:`composite_layer` with numpy and
    :func:`phusong.coverage.models.link.bounded_shannon_se`."""
    from phusong.coverage.models.link import bounded_shannon_se

    s = np.where(server >= 0, server, 0)
    served = server >= 0
    p = 10.0 ** (best.astype(np.float64) / 10.0)
    total = np.take_along_axis(psum, sec_key[s][None], 0)[0].astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        sinr = 10 * np.log10(p / (load * np.maximum(total - p, 0.0) + sec_noise_mw[s]))
        rate = sec_bw_mhz[s] * sec_rate_factor[s] * np.array(
            [bounded_shannon_se(x, alpha, sinr_min_db, m) for x, m in
             zip(sinr.ravel(), sec_max_se[s].ravel(), strict=True)]).reshape(sinr.shape)
    return (np.where(served, best - margin_db, np.nan), np.where(served, sinr, np.nan),
            np.where(served, rate, 0.0))


def server_stats_reference(server: NDArray[np.int32], rsrp: NDArray[np.float32],
                           threshold_dbm: float, sec_x: NDArray[np.float64],
                           sec_y: NDArray[np.float64], x0: float, y0: float, dx: float,
                           dy: float) -> tuple[NDArray, NDArray, NDArray, NDArray]:
    """Twin of :func:`server_stats` with ``numpy.bincount`` and a per-sector loop."""
    n_sec = sec_x.size
    rows, cols = np.indices(server.shape)
    x = np.asarray(x0 + (cols + 0.5) * dx, dtype=np.float64)
    y = np.asarray(y0 + (rows + 0.5) * dy, dtype=np.float64)
    on = server >= 0
    served = np.bincount(server[on], minlength=n_sec)
    with np.errstate(invalid="ignore"):
        cov = on & (rsrp >= threshold_dbm)
    covered = np.bincount(server[cov], minlength=n_sec)
    total = np.bincount(server[cov], weights=rsrp[cov].astype(np.float64), minlength=n_sec)
    far = np.zeros(n_sec)
    for s in np.unique(server[cov]):
        m = cov & (server == s)
        far[s] = float(np.max(np.hypot(x[m] - sec_x[s], y[m] - sec_y[s])))
    return served, covered, far, total


def los_cells_reference(dem: NDArray[np.floating], obs_row: float, obs_col: float,
                        obs_h_amsl: float, tgt_h_agl: float, cell_m: float, radius_m: float,
                        k_factor: float, earth_radius_m: float) -> NDArray[np.uint8]:
    """Twin of :func:`phusong.coverage._kernels_grid.los_cells`: per cell, all points of the
    ray at once with numpy (``scipy.ndimage.map_coordinates``, order 1)."""
    from scipy.ndimage import map_coordinates

    from phusong.coverage._kernels_grid import HIDDEN, OUTSIDE, VISIBLE

    z = np.asarray(dem, dtype=np.float64)
    n_rows, n_cols = z.shape
    out = np.full(z.shape, OUTSIDE, dtype=np.uint8)
    a = math.inf if math.isinf(k_factor) else k_factor * earth_radius_m
    r_c, c_c = obs_row - 0.5, obs_col - 0.5
    for rr in range(n_rows):
        for cc in range(n_cols):
            dr, dc = rr - r_c, cc - c_c
            dist = math.hypot(dr, dc) * cell_m
            if dist > radius_m or np.isnan(z[rr, cc]):
                continue
            if dist < 1e-9:
                out[rr, cc] = VISIBLE
                continue
            n = int(dist / cell_m)
            f = np.arange(1, n) / n if n > 1 else np.zeros(0)
            pts = np.vstack([np.clip(r_c + dr * f, 0, n_rows - 1),
                             np.clip(c_c + dc * f, 0, n_cols - 1)])
            terrain = map_coordinates(z, pts, order=1, mode="nearest")
            d = dist * f
            ray = obs_h_amsl + (z[rr, cc] + tgt_h_agl - dist**2 / (2 * a) - obs_h_amsl) * f
            hidden = np.any(terrain - d * d / (2 * a) > ray + 1e-9) or np.isnan(terrain).any()
            out[rr, cc] = HIDDEN if hidden else VISIBLE
    return out
