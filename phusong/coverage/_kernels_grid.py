"""Numba kernels that work cell by cell on a grid: composite, per-sector statistics, viewshed.

Arrays and scalars only; twins in :mod:`phusong.coverage._twins`.

:func:`composite_layer`
    SINR of the best server against its co-channel sum (scaled by the load) and thermal noise,
    and the bounded Shannon throughput of 3GPP TR 36.942 Annex A.2.
:func:`server_stats`
    Per sector, the cells it serves as best server, those at or above a threshold, the farthest
    of them and their RSRP sum.
:func:`los_cells`
    Optical line of sight from an observer to a target above every cell centre within a radius:
    the straight ray to the cell centre is tested against the terrain sampled bilinearly about
    once per cell along it, with the earth-curvature drop ``d² / (2 k R)`` (GDAL's
    ``gdal_viewshed`` applies ``cc · d² / (2 R)`` with ``cc = 1/k``).
"""

from __future__ import annotations

import logging
import math

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

__all__ = ["VISIBLE", "HIDDEN", "OUTSIDE", "composite_layer", "server_stats", "los_cells"]

log = logging.getLogger(__name__)

_LN10_10 = math.log(10.0) / 10.0

VISIBLE = 1
HIDDEN = 0
OUTSIDE = 255


@njit(cache=True, parallel=True, error_model="numpy")
def composite_layer(best: NDArray[np.float32], server: NDArray[np.int32],
                    psum: NDArray[np.float32], sec_key: NDArray[np.int64],
                    sec_noise_mw: NDArray[np.float64], sec_bw_mhz: NDArray[np.float64],
                    sec_rate_factor: NDArray[np.float64], sec_max_se: NDArray[np.float64],
                    alpha: float, sinr_min_db: float, load: float, margin_db: float,
                    ) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]:
    """RSRP with the fading margin, SINR and throughput of one layer's best servers.

    ``best``/``server``: one layer's median best-server RSRP (dBm, −inf none) and sector index;
    ``psum[k]``: co-channel power sums (mW). Per sector: co-channel key, noise per resource
    element (mW), bandwidth (MHz), ``layers · (1 − overhead)`` and the spectral efficiency
    ceiling. ``SINR = S / (load · (P_k − S) + N)`` from median powers;
    ``rate = B · min(α log2(1 + SINR), Thr_max) · layers · (1 − OH)``, 0 below ``sinr_min_db``
    (3GPP TR 36.942 Annex A.2). Returns ``(rsrp_dbm, sinr_db, dl_mbps)``: RSRP is the median
    minus ``margin_db``; NaN, NaN and 0 where no sector serves.
    """
    n_rows, n_cols = best.shape
    rsrp = np.empty((n_rows, n_cols), dtype=np.float32)
    sinr = np.empty((n_rows, n_cols), dtype=np.float32)
    rate = np.empty((n_rows, n_cols), dtype=np.float32)
    for row in prange(n_rows):
        for col in range(n_cols):
            s = server[row, col]
            if s < 0:
                rsrp[row, col] = np.nan
                sinr[row, col] = np.nan
                rate[row, col] = 0.0
                continue
            b = best[row, col]
            p = math.exp(b * _LN10_10)
            interference = max(psum[sec_key[s], row, col] - p, 0.0)
            q = p / (load * interference + sec_noise_mw[s])
            q_db = 10.0 * math.log10(q)
            if q_db < sinr_min_db:
                se = 0.0
            else:
                se = min(alpha * math.log2(1.0 + q), sec_max_se[s])
            rsrp[row, col] = b - margin_db
            sinr[row, col] = q_db
            rate[row, col] = sec_bw_mhz[s] * se * sec_rate_factor[s]
    return rsrp, sinr, rate


@njit(cache=True, error_model="numpy")
def server_stats(server: NDArray[np.int32], rsrp: NDArray[np.float32], threshold_dbm: float,
                 sec_x: NDArray[np.float64], sec_y: NDArray[np.float64], x0: float, y0: float,
                 dx: float, dy: float,
                 ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64],
                            NDArray[np.float64]]:
    """Per sector: cells served, cells served at or above the threshold, the farthest of those
    (m) and their RSRP sum (dBm). Sectors are indexed as ``server``'s values."""
    n_sec = sec_x.size
    served = np.zeros(n_sec, dtype=np.int64)
    covered = np.zeros(n_sec, dtype=np.int64)
    far = np.zeros(n_sec)
    total = np.zeros(n_sec)
    n_rows, n_cols = server.shape
    for row in range(n_rows):
        y = y0 + (row + 0.5) * dy
        for col in range(n_cols):
            s = server[row, col]
            if s < 0 or s >= n_sec:
                continue
            served[s] += 1
            r = rsrp[row, col]
            if not r >= threshold_dbm:
                continue
            covered[s] += 1
            total[s] += r
            x = x0 + (col + 0.5) * dx
            d = math.sqrt((x - sec_x[s]) ** 2 + (y - sec_y[s]) ** 2)
            if d > far[s]:
                far[s] = d
    return served, covered, far, total


@njit(cache=True, parallel=True, error_model="numpy")
def los_cells(dem: NDArray[np.floating], obs_row: float, obs_col: float, obs_h_amsl: float,
              tgt_h_agl: float, cell_m: float, radius_m: float, k_factor: float,
              earth_radius_m: float) -> NDArray[np.uint8]:
    """Line of sight to a target ``tgt_h_agl`` above every cell centre within ``radius_m``.

    ``dem[row, col]`` holds cell-centre heights, cells ``cell_m`` square; the observer stands
    at fractional cell ``(obs_row, obs_col)`` (``r + 0.5`` is a centre), ``obs_h_amsl`` above
    sea level. Terrain between centres is bilinear; a NaN on the way hides the target.
    Returns :data:`VISIBLE`, :data:`HIDDEN`, or :data:`OUTSIDE` (beyond the radius or a NaN
    cell).
    """
    n_rows, n_cols = dem.shape
    out = np.full((n_rows, n_cols), OUTSIDE, dtype=np.uint8)
    inv2a = 0.0 if math.isinf(k_factor) else 1.0 / (2.0 * k_factor * earth_radius_m)
    reach = int(radius_m / cell_m) + 2
    r_c = obs_row - 0.5  # observer in centre-index coordinates
    c_c = obs_col - 0.5
    r_lo = max(int(r_c) - reach, 0)
    r_hi = min(int(r_c) + reach + 1, n_rows)
    c_lo = max(int(c_c) - reach, 0)
    c_hi = min(int(c_c) + reach + 1, n_cols)
    for rr in prange(r_lo, r_hi):
        for cc in range(c_lo, c_hi):
            dr = rr - r_c
            dc = cc - c_c
            dist = math.sqrt(dr * dr + dc * dc) * cell_m
            if dist > radius_m or math.isnan(dem[rr, cc]):
                continue
            if dist < 1e-9:
                out[rr, cc] = VISIBLE
                continue
            slope_t = (dem[rr, cc] + tgt_h_agl - dist * dist * inv2a - obs_h_amsl) / dist
            n = int(dist / cell_m)
            visible = True
            for i in range(1, n):
                f = i / n
                fr = min(max(r_c + dr * f, 0.0), n_rows - 1.0)
                fc = min(max(c_c + dc * f, 0.0), n_cols - 1.0)
                i0 = int(fr)
                j0 = int(fc)
                i1 = min(i0 + 1, n_rows - 1)
                j1 = min(j0 + 1, n_cols - 1)
                wr = fr - i0
                wc = fc - j0
                z = ((dem[i0, j0] * (1.0 - wc) + dem[i0, j1] * wc) * (1.0 - wr)
                     + (dem[i1, j0] * (1.0 - wc) + dem[i1, j1] * wc) * wr)
                d = dist * f
                if not (z - d * d * inv2a - obs_h_amsl) / d <= slope_t:
                    visible = False
                    break
            out[rr, cc] = VISIBLE if visible else HIDDEN
    return out
