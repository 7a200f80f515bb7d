"""Numba kernel of the site plan: what each candidate site covers among the demand cells.

Arrays and scalars in SI units only (dBm, dB, m, MHz, degrees, mW); the caller
(:mod:`phusong.planning.candidates`) prepares them. :func:`cover_pairs_reference` is the slow,
obvious twin held to the kernel by ``tests/test_plan_candidates.py``.

:func:`cover_pairs`
    For every (candidate, demand cell) pair within the candidate's reach, the point-to-point
    profile from the candidate to the cell centre, sampled at the grid's step (bilinear terrain,
    as the coverage engine samples its radials), and the engine's models on it: the base loss of
    the scenario's model at the horizontal distance (tabulated per band and antenna height, by
    :class:`phusong.coverage._pathloss.PathLoss`), never below free space over the 3-D
    distance (ITU-R P.525), plus the ITU-R P.526-15 §4.5.1 Bullington diffraction of the profile
    (the engine's hull sweep, :func:`phusong.coverage._kernels._sweep_profile`), the sector's
    3GPP TR 38.901 Table 7.3-1 pattern at the cell's azimuth and elevation, the calibration
    offset and slope, and the fading margin. Per technology the best sector serves; its SINR is
    taken against the candidate's other co-channel sectors and the operator's co-channel power
    today at the cell (prepared by the caller), both scaled by the load, plus thermal noise;
    the throughput by the bounded Shannon mapping of 3GPP TR 36.942 Annex A.2. A pair is
    *broadband* when a technology's RSRP (margin included) reaches its threshold and the rate
    reaches ``min_dl_mbps``, and *5G* when the 5G RSRP reaches the 5G threshold: the same tests
    as :meth:`phusong.coverage.grid.CoverageGrid.broadband` and
    ``covered(…, "5G")``. Candidates are split over the cores (``prange``).
"""

from __future__ import annotations

import logging
import math

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from phusong.coverage._kernels import (
    _C_M_S,
    _FSPL_CONST_DB,
    _db_1p,
    _inv_2a,
    _knife_edge_lookup,
    _sample_radial,
    _sweep_profile,
)
from phusong.coverage._kernels_site import attenuation_db

__all__ = ["PS_COLUMNS", "BROADBAND_FLAG", "FIVE_G_FLAG", "cover_pairs", "cover_pairs_reference"]

log = logging.getLogger(__name__)

# columns of the per-sector table ``sec[s, :]`` (float64) of the candidates
PS_BAND = 0  # index of the sector's band in freq_mhz
PS_TABLE = 1  # row of its base-loss table (band and antenna height)
PS_EIRP_RE = 2  # EIRP per resource element, dBm
PS_OFFSET = 3  # calibration offset, dB
PS_SLOPE = 4  # calibration slope, dB per decade of distance
PS_AZ = 5  # boresight azimuth, degrees clockwise from north
PS_OMNI = 6  # 1: omnidirectional
PS_TILT = 7  # downtilt, degrees
PS_BW_H = 8  # horizontal half-power beamwidth, degrees
PS_BW_V = 9  # vertical half-power beamwidth, degrees
PS_MAX_M = 10  # largest distance predicted, m
PS_IS_5G = 11  # 1: 5G NR, 0: 4G LTE
PS_NOISE_MW = 12  # thermal noise per resource element, mW
PS_BW_MHZ = 13  # carrier bandwidth, MHz
PS_RATE = 14  # MIMO layers × (1 − overhead)
PS_MAX_SE = 15  # spectral efficiency ceiling, bit/s/Hz
PS_KEY = 16  # row of the interference today (operator, technology and band)
PS_COLUMNS = 17

BROADBAND_FLAG = 1
"""Flag bit: the candidate gives the cell mobile broadband."""
FIVE_G_FLAG = 2
"""Flag bit: the candidate gives the cell 5G signal."""

_DEG = 180.0 / math.pi
_LN10_10 = math.log(10.0) / 10.0
_MIN_SLOPE_DISTANCE_M = 100.0


@njit(cache=True, error_model="numpy", inline="always")
def _base_at(base_db: NDArray[np.float64], t: int, d: float, step_m: float) -> float:
    """Base loss of table ``t`` at distance ``d``, linear between its samples."""
    f = d / step_m
    n = base_db.shape[1]
    j = min(int(f), n - 2)
    w = min(f - j, 1.0)
    return base_db[t, j] * (1.0 - w) + base_db[t, j + 1] * w


@njit(cache=True, error_model="numpy", inline="always")
def _rate_mbps(p_mw: float, interference_mw: float, sec: NDArray[np.float64], s: int,
               load: float, alpha: float, sinr_min_db: float) -> float:
    """Downlink rate of sector ``s`` (3GPP TR 36.942 Annex A.2), as the engine's composite."""
    q = p_mw / (load * interference_mw + sec[s, PS_NOISE_MW])
    if 10.0 * math.log10(q) < sinr_min_db:
        return 0.0
    se = min(alpha * math.log2(1.0 + q), sec[s, PS_MAX_SE])
    return sec[s, PS_BW_MHZ] * se * sec[s, PS_RATE]


@njit(cache=True, parallel=True, error_model="numpy")
def cover_pairs(dem: NDArray[np.floating], x0: float, y0: float, res_m: float,
                cand_x: NDArray[np.float64], cand_y: NDArray[np.float64],
                cand_h_amsl: NDArray[np.float64], sec_start: NDArray[np.int64],
                sec: NDArray[np.float64], freq_mhz: NDArray[np.float64],
                base_db: NDArray[np.float64], base_step_m: float,
                pair_start: NDArray[np.int64], pair_cell: NDArray[np.int64],
                cell_x: NDArray[np.float64], cell_y: NDArray[np.float64],
                interf_mw: NDArray[np.float64], rx_h_agl: float, k_factor: float,
                terrain: bool, exact_clear_ray: bool, a_max_db: float, sla_v_db: float,
                floor_dbm: float, margin_db: float, thr_4g_dbm: float, thr_5g_dbm: float,
                min_dl_mbps: float, load: float, alpha: float, sinr_min_db: float,
                j_table: NDArray[np.float64], max_steps: int, n_chunks: int = 16,
                plan_margin_db: float = 0.0,
                ) -> tuple[NDArray[np.float32], NDArray[np.uint8]]:
    """Best RSRP and coverage flags of every (candidate, cell) pair.

    Parameters
    ----------
    dem, x0, y0, res_m
        Terrain grid (north up, square cells of ``res_m``; upper-left corner ``(x0, y0)``).
    cand_x, cand_y, cand_h_amsl
        Candidate positions and antenna heights above sea level.
    sec_start, sec
        Sectors ``sec[sec_start[i]:sec_start[i + 1]]`` of candidate ``i`` (columns ``PS_*``).
    freq_mhz, base_db, base_step_m
        Bands, and the base loss ``base_db[t, j]`` of table ``t`` at ``j · base_step_m``.
    pair_start, pair_cell
        Cells ``pair_cell[pair_start[i]:pair_start[i + 1]]`` within candidate ``i``'s reach.
    cell_x, cell_y, interf_mw
        Cell centres; ``interf_mw[key, cell]`` the co-channel power today (median, mW, before
        the load).
    rx_h_agl, k_factor, terrain, exact_clear_ray, a_max_db, sla_v_db, floor_dbm
        As for the engine's kernels (:mod:`phusong.coverage._kernels_site`).
    margin_db, thr_4g_dbm, thr_5g_dbm, min_dl_mbps
        Fading margin and the coverage tests.
    load, alpha, sinr_min_db
        SINR load and the bounded Shannon mapping.
    j_table
        :func:`phusong.coverage._kernels_site.knife_edge_table`.
    max_steps
        Most profile steps of any pair (scratch size).
    n_chunks
        Blocks of candidates the cores share (a few per thread: ``numba.get_num_threads()``
        is not called in here, which would stop numba from caching the kernel).
    plan_margin_db
        The flags need the RSRP this far above the threshold, and the rate reached with the
        candidate's signals (the serving one and its own co-channel sectors) this much weaker.

    Returns
    -------
    rsrp_dbm, flags
        ``rsrp_dbm[t, pair]``: the best 4G (``t = 0``) and 5G (``t = 1``) RSRP with the fading
        margin (float32, NaN where no sector reaches the floor or the profile leaves the DEM);
        per pair the bits :data:`BROADBAND_FLAG`, :data:`FIVE_G_FLAG`.
    """
    n_cand = cand_x.size
    n_pairs = pair_cell.size
    nb = freq_mhz.size
    rsrp_out = np.full((2, n_pairs), np.nan, dtype=np.float32)
    flags = np.zeros(n_pairs, dtype=np.uint8)
    inv2a = _inv_2a(k_factor)
    inv_sqrt_lam = np.empty(nb)
    fspl0 = np.empty(nb)
    lam_max = 0.0
    for b in range(nb):
        lam = _C_M_S / (freq_mhz[b] * 1e6)
        lam_max = max(lam_max, lam)
        inv_sqrt_lam[b] = 1.0 / math.sqrt(lam)
        fspl0[b] = _FSPL_CONST_DB + 20.0 * math.log10(freq_mhz[b]) - 60.0
    max_sec = 1
    for i in range(n_cand):
        max_sec = max(max_sec, sec_start[i + 1] - sec_start[i])
    n = max_steps + 2
    n_chunks = max(min(n_cand, n_chunks), 1)
    for c in prange(n_chunks):
        z = np.empty(n)
        g = np.empty(n)
        dist = np.empty(n)
        v = np.empty(n)
        vis = np.empty(n, dtype=np.bool_)
        hd = np.empty(n)
        hz = np.empty(n)
        iscratch = np.empty((6, n), dtype=np.int64)
        fs = np.empty(nb)
        p_mw = np.empty(max_sec)
        for i in range(c * n_cand // n_chunks, (c + 1) * n_cand // n_chunks):
            s0 = sec_start[i]
            s1 = sec_start[i + 1]
            tx = cand_h_amsl[i]
            for k in range(pair_start[i], pair_start[i + 1]):
                cell = pair_cell[k]
                ddx = cell_x[cell] - cand_x[i]
                ddy = cell_y[cell] - cand_y[i]
                d = math.sqrt(ddx * ddx + ddy * ddy)
                if d < 1.0:
                    ux, uy, d = 0.0, 1.0, 1.0
                else:
                    ux, uy = ddx / d, ddy / d
                m = max(1, int(math.ceil(d / res_m - 1e-9)))
                step = d / m
                n_in = _sample_radial(dem, x0, y0, res_m, -res_m, cand_x[i], cand_y[i], ux, uy,
                                      step, m + 1, z)
                if n_in < m + 1:
                    continue
                dist[0] = 0.0
                for j in range(1, m + 1):
                    dist[j] = j * step
                    g[j] = z[j] - dist[j] * dist[j] * inv2a
                vd = -np.inf
                if terrain and m >= 2:
                    _sweep_profile(dist, g, m + 1, tx, rx_h_agl, 1.0, hd, hz, iscratch, v, vis,
                                   exact_clear_ray, lam_max)
                    vd = v[m]
                zc = z[m]
                slant = (tx - (zc + rx_h_agl)) / d
                db1p = _db_1p(slant * slant)
                for b in range(nb):
                    fs[b] = fspl0[b] + 20.0 * math.log10(d) + db1p
                elev = math.atan2(zc + rx_h_agl - tx - d * d * inv2a, d) * _DEG
                az_deg = math.atan2(ux, uy) * _DEG
                x_d = math.log10(max(d, _MIN_SLOPE_DISTANCE_M) / 1000.0)
                best4 = -np.inf
                best5 = -np.inf
                s4 = -1
                s5 = -1
                for s in range(s0, s1):
                    p_mw[s - s0] = 0.0
                    if d > sec[s, PS_MAX_M]:
                        continue
                    b = int(sec[s, PS_BAND])
                    lb = max(_base_at(base_db, int(sec[s, PS_TABLE]), d, base_step_m), fs[b])
                    if terrain and m >= 2:
                        lb += _knife_edge_lookup(vd * inv_sqrt_lam[b], j_table)
                    r = (sec[s, PS_EIRP_RE] + sec[s, PS_OFFSET] + sec[s, PS_SLOPE] * x_d - lb
                         - attenuation_db(az_deg - sec[s, PS_AZ], elev, sec[s, PS_OMNI] != 0.0,
                                          sec[s, PS_TILT], sec[s, PS_BW_H], sec[s, PS_BW_V],
                                          a_max_db, sla_v_db))
                    if r < floor_dbm:
                        continue
                    p_mw[s - s0] = math.exp(r * _LN10_10)
                    if sec[s, PS_IS_5G] != 0.0:
                        if r > best5:
                            best5 = r
                            s5 = s
                    elif r > best4:
                        best4 = r
                        s4 = s
                flag = 0
                for t in range(2):
                    s_best = s4 if t == 0 else s5
                    best = best4 if t == 0 else best5
                    thr = thr_4g_dbm if t == 0 else thr_5g_dbm
                    if s_best < 0 or best - margin_db < thr + plan_margin_db:
                        continue
                    if sec[s_best, PS_IS_5G] != 0.0:
                        flag |= FIVE_G_FLAG
                    own = 0.0
                    for s in range(s0, s1):
                        if s != s_best and sec[s, PS_BAND] == sec[s_best, PS_BAND] \
                                and sec[s, PS_IS_5G] == sec[s_best, PS_IS_5G]:
                            own += p_mw[s - s0]
                    # the margin weakens this site's signals, its own interference included
                    weaker = math.exp(-plan_margin_db * _LN10_10)
                    interference = own * weaker + interf_mw[int(sec[s_best, PS_KEY]), cell]
                    if _rate_mbps(p_mw[s_best - s0] * weaker, interference, sec, s_best, load,
                                  alpha, sinr_min_db) >= min_dl_mbps:
                        flag |= BROADBAND_FLAG
                if s4 >= 0:
                    rsrp_out[0, k] = best4 - margin_db
                if s5 >= 0:
                    rsrp_out[1, k] = best5 - margin_db
                flags[k] = flag
    return rsrp_out, flags


def cover_pairs_reference(dem: NDArray[np.floating], x0: float, y0: float, res_m: float,
                          cand_x: NDArray[np.float64], cand_y: NDArray[np.float64],
                          cand_h_amsl: NDArray[np.float64], sec_start: NDArray[np.int64],
                          sec: NDArray[np.float64], freq_mhz: NDArray[np.float64],
                          base_db: NDArray[np.float64], base_step_m: float,
                          pair_start: NDArray[np.int64], pair_cell: NDArray[np.int64],
                          cell_x: NDArray[np.float64], cell_y: NDArray[np.float64],
                          interf_mw: NDArray[np.float64], rx_h_agl: float, k_factor: float,
                          terrain: bool, a_max_db: float, sla_v_db: float, floor_dbm: float,
                          margin_db: float, thr_4g_dbm: float, thr_5g_dbm: float,
                          min_dl_mbps: float, load: float, alpha: float, sinr_min_db: float,
                          plan_margin_db: float = 0.0,
                          ) -> tuple[NDArray[np.float64], NDArray[np.uint8]]:
    """Twin of :func:`cover_pairs`: one pair at a time with the numpy models (P.526
    Bullington, P.525 free space, the TR 38.901 pattern, TR 36.942 throughput)."""
    from phusong.coverage._kernels import _bilinear_reference
    from phusong.coverage.models.antenna import sector_pattern_db
    from phusong.coverage.models.diffraction import bullington_loss_db
    from phusong.coverage.models.free_space import fspl_db
    from phusong.coverage.models.link import bounded_shannon_se

    a_e = math.inf if math.isinf(k_factor) else k_factor * 6_371_000.0
    n_rows, n_cols = dem.shape
    rsrp_out = np.full((2, pair_cell.size), np.nan)
    flags = np.zeros(pair_cell.size, dtype=np.uint8)
    for i in range(cand_x.size):
        rows = sec[sec_start[i]:sec_start[i + 1]]
        for k in range(pair_start[i], pair_start[i + 1]):
            cell = pair_cell[k]
            ddx, ddy = cell_x[cell] - cand_x[i], cell_y[cell] - cand_y[i]
            d = math.hypot(ddx, ddy)
            ux, uy = (ddx / d, ddy / d) if d >= 1.0 else (0.0, 1.0)
            d = max(d, 1.0)
            m = max(1, math.ceil(d / res_m - 1e-9))
            dd = np.arange(m + 1) * (d / m)
            fc = (cand_x[i] + dd * ux - x0) / res_m - 0.5
            fr = (y0 - (cand_y[i] + dd * uy)) / res_m - 0.5
            if (fc.min() < -0.5 or fr.min() < -0.5 or fc.max() > n_cols - 0.5
                    or fr.max() > n_rows - 0.5):
                continue
            z = _bilinear_reference(dem, fc, fr)
            if np.isnan(z[1:]).any():
                continue
            tx = cand_h_amsl[i]
            rx = z[m] + rx_h_agl
            d3 = math.hypot(d, tx - rx)
            elev = math.degrees(math.atan2(rx - tx - d * d / (2.0 * a_e), d))
            az = math.degrees(math.atan2(ux, uy)) % 360.0
            powers = np.zeros(len(rows))
            for j, row in enumerate(rows):
                if d > row[PS_MAX_M]:
                    continue
                f = float(freq_mhz[int(row[PS_BAND])])
                table = base_db[int(row[PS_TABLE])]
                base = float(np.interp(d, np.arange(table.size) * base_step_m, table))
                loss = max(base, float(fspl_db(d3, f)))
                if terrain and m >= 2:
                    profile = z.copy()
                    profile[0] = min(z[0], tx)
                    loss += bullington_loss_db(dd, profile, tx, rx, f, k_factor)
                adj = row[PS_OFFSET] + row[PS_SLOPE] * math.log10(max(d, 100.0) / 1000.0)
                pattern = float(sector_pattern_db(az, elev, row[PS_AZ], row[PS_TILT],
                                                  row[PS_BW_H], row[PS_BW_V], a_max_db, sla_v_db,
                                                  omni=bool(row[PS_OMNI])))
                r = row[PS_EIRP_RE] + adj - loss + pattern
                powers[j] = 10.0 ** (r / 10.0) if r >= floor_dbm else 0.0
            flag = 0
            for five, thr in ((0.0, thr_4g_dbm), (1.0, thr_5g_dbm)):
                mine = np.flatnonzero((rows[:, PS_IS_5G] == five) & (powers > 0))
                if mine.size == 0:
                    continue
                s = int(mine[np.argmax(powers[mine])])
                best = 10.0 * math.log10(powers[s])
                rsrp_out[int(five), k] = best - margin_db
                if best - margin_db < thr + plan_margin_db:
                    continue
                if five:
                    flag |= FIVE_G_FLAG
                same = ((rows[:, PS_BAND] == rows[s, PS_BAND]) & (rows[:, PS_IS_5G] == five)
                        & (np.arange(len(rows)) != s))
                weaker = 10.0 ** (-plan_margin_db / 10.0)
                interference = powers[same].sum() * weaker + interf_mw[int(rows[s, PS_KEY]), cell]
                q = powers[s] * weaker / (load * interference + rows[s, PS_NOISE_MW])
                se = float(bounded_shannon_se(10.0 * math.log10(q), alpha, sinr_min_db,
                                              rows[s, PS_MAX_SE]))
                if rows[s, PS_BW_MHZ] * se * rows[s, PS_RATE] >= min_dl_mbps:
                    flag |= BROADBAND_FLAG
            flags[k] = flag
    return rsrp_out, flags
