"""Numba kernels of the coverage engine: one transmitter's bands at once, onto the grid.

Arrays and scalars in SI units only (dBm, dB, m, MHz, degrees); the engine
(:mod:`phusong.coverage.engine`) prepares them. Each kernel has a slow numpy twin in
:mod:`phusong.coverage._twins` (``*_reference``), held to it by ``tests/test_engine_kernels.py``.
The sweep and the rasterisation come in two builds from one source: ``parallel`` (``prange``
over radials or rows, all cores on one transmitter) and ``*_serial`` (``nogil``, one worker
thread per group of operators in the engine).

:func:`site_plan`
    How far each radial could need to go: per sector, upper bounds of the RSRP along any
    radial (EIRP per resource element, calibration, the least vertical attenuation that the
    terrain's height range allows at each distance, the radial's horizontal attenuation, the
    base loss, no diffraction), and the radial levels: radial ``a`` with ``t < LEVELS``
    trailing zero bits starts at ``far / 2^(t+1)`` and borrows the terrain before that from its
    neighbour ``a − 2^t`` (at most half a radial spacing away there), so radials are never
    more than one cell apart where they are used, and about a third fewer samples are swept.
:func:`site_sweep`
    The terrain sweep of :mod:`phusong.coverage._kernels` run once per transmitter for all its
    bands: the Bullington construction's ``v`` scales as ``1/√λ`` for a fixed geometry (ITU-R
    P.526-15 eq. 26 and §4.5.1), so the hull pass computes ``v·√λ`` once and each band takes
    ``J(v·√λ / √λ_b)``. The loss of band ``b`` at sample ``j`` is
    ``max(L_base,b(d_j), L_fs,b(d_3D)) + J`` (terrain model) or ``max(L_base,b, L_fs,b)``
    (statistical models; no hull pass).

    Cut-off: before the hull pass each radial is cut one sample after its last sample where
    some sector of the transmitter could still reach ``floor_dbm`` *without* diffraction (its
    EIRP per resource element, calibration, the antenna pattern at that sample's exact
    elevation, and the band's base loss). The diffraction loss is ≥ 0, so every sample cut
    would be below the floor anyway: the cut is exact, not a heuristic. After the sweep, each
    radial also records how far some sector reaches the floor *with* the diffraction (its
    horizontal pattern, no vertical attenuation), which spares the rasterisation the cells in
    deep shadow.
:func:`accumulate_site`
    Rasterises one transmitter's radial losses onto the output grid (bilinear in azimuth and
    distance between the radials in use at the cell's distance, as
    :func:`phusong.coverage._kernels.rasterise_radials`), adds each sector's antenna pattern
    (3GPP TR 38.901 Table 7.3-1) from the cell's azimuth and elevation, and updates per cell
    the best RSRP and its sector of the sector's (operator, technology) layer and the summed
    power (mW) of its (operator, technology, band) co-channel key. Each cell is written by one
    thread only.
"""

from __future__ import annotations

import logging
import math
import types
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from phusong.coverage._kernels import (
    _C_M_S,
    _FSPL_CONST_DB,
    _atan2_fast,
    _db_1p,
    _inv_2a,
    _knife_edge_lookup,
    _knife_edge_table,
    _sample_radial,
    _sweep_profile,
)

__all__ = [
    "LEVELS",
    "SEC_COLUMNS",
    "knife_edge_table",
    "attenuation_db",
    "site_plan",
    "site_sweep",
    "site_sweep_serial",
    "accumulate_site",
    "accumulate_site_serial",
]

log = logging.getLogger(__name__)

# columns of the per-sector table ``sec[s, :]`` (float64) that the kernels take
SEC_BAND = 0  # index of the sector's band in freq_mhz / base_db / loss
SEC_EIRP_RE = 1  # EIRP per resource element, dBm
SEC_OFFSET = 2  # calibration offset, dB
SEC_SLOPE = 3  # calibration slope, dB per decade of distance
SEC_AZ = 4  # boresight azimuth, degrees clockwise from north
SEC_OMNI = 5  # 1: omnidirectional in azimuth
SEC_TILT = 6  # downtilt, degrees (positive down)
SEC_BW_H = 7  # horizontal half-power beamwidth, degrees
SEC_BW_V = 8  # vertical half-power beamwidth, degrees
SEC_MAX_M = 9  # largest distance predicted, m
SEC_COLUMNS = 10

_DEG = 180.0 / math.pi
_CHUNKS = 32  # blocks of radials a parallel sweep deals to its threads
_LN10_10 = math.log(10.0) / 10.0
_MIN_SLOPE_DISTANCE_M = 100.0  # the calibration slope is applied from 0.1 km out


def knife_edge_table() -> NDArray[np.float64]:
    """The tabulated ``J(v)`` the kernels take (compute once, pass to every call)."""
    return _knife_edge_table()


@njit(cache=True, error_model="numpy", inline="always")
def attenuation_db(phi_deg: float, elev_deg: float, omni: bool, tilt_deg: float,
                   bw_h_deg: float, bw_v_deg: float, a_max_db: float, sla_v_db: float) -> float:
    """Antenna attenuation (dB, ≥ 0) of 3GPP TR 38.901 Table 7.3-1.

    ``phi_deg``: azimuth from boresight (any turn), ``elev_deg``: elevation of the direction
    above the horizon, ``tilt_deg``: downtilt (positive down). Twin: the negative of
    :func:`phusong.coverage.models.antenna.sector_pattern_db`.
    """
    off = (elev_deg + tilt_deg) / bw_v_deg
    a_v = min(12.0 * off * off, sla_v_db)
    if omni:
        a_h = 0.0
    else:
        x = _wrap_deg(phi_deg) / bw_h_deg
        a_h = min(12.0 * x * x, a_max_db)
    return min(a_h + a_v, a_max_db)


@njit(cache=True, error_model="numpy", inline="always")
def _wrap_deg(angle_deg: float) -> float:
    """An angle in degrees wrapped to [−180°, 180°) (one turn either way suffices here)."""
    if angle_deg >= 180.0:
        angle_deg -= 360.0
        if angle_deg >= 180.0:
            angle_deg -= 360.0
    elif angle_deg < -180.0:
        angle_deg += 360.0
        if angle_deg < -180.0:
            angle_deg += 360.0
    return angle_deg


@njit(cache=True, error_model="numpy", inline="always")
def _slope_term(d_m: float) -> float:
    """``log10(d / 1 km)`` with ``d ≥ 0.1 km``: the distance term of the calibration slope."""
    return math.log10(max(d_m, _MIN_SLOPE_DISTANCE_M) / 1000.0)


@njit(cache=True, error_model="numpy")
def _horizontal_att(sec: NDArray[np.float64], az_deg: float, a_max_db: float,
                    a_h: NDArray[np.float64]) -> None:
    """``A_H`` (dB, ≥ 0) of every sector towards ``az_deg`` into ``a_h``."""
    for s in range(sec.shape[0]):
        if sec[s, SEC_OMNI] != 0.0:
            a_h[s] = 0.0
        else:
            x = _wrap_deg(az_deg - sec[s, SEC_AZ]) / sec[s, SEC_BW_H]
            a_h[s] = min(12.0 * x * x, a_max_db)


@njit(cache=True, error_model="numpy")
def _last_reached(z: NDArray[np.float64], n_in: int, dist: NDArray[np.float64],
                  drop: NDArray[np.float64], log_d: NDArray[np.float64],
                  adj_x: NDArray[np.float64], tx_h_amsl: float, rx_h_agl: float,
                  base_db: NDArray[np.float64], fspl0: NDArray[np.float64],
                  sec: NDArray[np.float64], a_h: NDArray[np.float64], sla_v_db: float,
                  a_max_db: float, floor_dbm: float, l_b: NDArray[np.float64],
                  j_lo: int) -> int:
    """Last sample ``j ≥ j_lo`` of a radial where some sector reaches ``floor_dbm`` without
    diffraction; ``j_lo − 1`` if none.

    Scans from the far end; the RSRP bound of a sample is exact for it (EIRP per RE,
    calibration, the pattern at the sample's elevation, ``max(base, free space)``), and the
    diffraction loss that the sweep adds is never negative.
    """
    nb = base_db.shape[0]
    for j in range(n_in - 1, j_lo - 1, -1):
        slant = (tx_h_amsl - (z[j] + rx_h_agl)) / dist[j]
        db1p = _db_1p(slant * slant)
        for b in range(nb):
            l_b[b] = max(base_db[b, j], fspl0[b] + log_d[j] + db1p)
        elev = math.atan2(z[j] + rx_h_agl - tx_h_amsl - drop[j], dist[j]) * _DEG
        for s in range(sec.shape[0]):
            if dist[j] > sec[s, SEC_MAX_M]:
                continue
            off = (elev + sec[s, SEC_TILT]) / sec[s, SEC_BW_V]
            att = min(a_h[s] + min(12.0 * off * off, sla_v_db), a_max_db)
            rsrp = (sec[s, SEC_EIRP_RE] + sec[s, SEC_OFFSET] + sec[s, SEC_SLOPE] * adj_x[j]
                    - l_b[int(sec[s, SEC_BAND])] - att)
            if rsrp >= floor_dbm:
                return j
    return j_lo - 1


@njit(cache=True, error_model="numpy")
def _sweep_tables(freq_mhz: NDArray[np.float64], n: int, step_m: float, k_factor: float,
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
                             NDArray[np.float64], NDArray[np.float64], NDArray[np.float64],
                             float]:
    """Per band: ``1/√λ`` and the free-space constant; per sample: distance, earth drop,
    ``20 log10(d)`` and the calibration slope's distance term; and the longest wavelength."""
    nb = freq_mhz.size
    inv2a = _inv_2a(k_factor)
    lam_max = 0.0
    inv_sqrt_lam = np.empty(nb)
    fspl0 = np.empty(nb)
    for b in range(nb):
        lam = _C_M_S / (freq_mhz[b] * 1e6)
        lam_max = max(lam_max, lam)
        inv_sqrt_lam[b] = 1.0 / math.sqrt(lam)
        fspl0[b] = _FSPL_CONST_DB + 20.0 * math.log10(freq_mhz[b]) - 60.0
    dist = np.empty(n)
    drop = np.empty(n)
    log_d = np.empty(n)
    adj_x = np.empty(n)
    for s in range(n):
        dist[s] = s * step_m
        drop[s] = dist[s] * dist[s] * inv2a
        log_d[s] = 20.0 * math.log10(max(dist[s], 1e-3))
        adj_x[s] = _slope_term(dist[s])
    return inv_sqrt_lam, fspl0, dist, drop, log_d, adj_x, lam_max


@njit(cache=True, error_model="numpy")
def _reach_bounds(sec: NDArray[np.float64], base_db: NDArray[np.float64],
                  fspl0: NDArray[np.float64], dist: NDArray[np.float64],
                  drop: NDArray[np.float64], log_d: NDArray[np.float64],
                  adj_x: NDArray[np.float64], tx_h_amsl: float, rx_h_agl: float, z_min: float,
                  z_max: float, sla_v_db: float, floor_dbm: float,
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per sector, suffix maxima of two upper bounds of ``RSRP − floor`` along any radial.

    With ``P(d) = EIRP_RE + calibration − max(L_base, L_fs,2D)`` (no diffraction) and ``V(d)``
    the least vertical attenuation over the elevations terrain between ``z_min`` and ``z_max``
    allows at ``d``, a sample at ``d`` towards horizontal attenuation ``A_H`` can reach the floor
    only if ``P − V − floor ≥ A_H`` or ``P − floor ≥ A_max`` (the pattern's cap). Returns
    ``m1[s, j] = max_{j' ≥ j} (P − V − floor)`` and ``m2[s, j] = max_{j' ≥ j} (P − floor)``,
    both non-increasing in ``j``, so the last sample that can reach is found by bisection.
    """
    ns = sec.shape[0]
    n = dist.size
    m1 = np.empty((ns, n))
    m2 = np.empty((ns, n))
    for s in range(ns):
        b = int(sec[s, SEC_BAND])
        run1 = -np.inf
        run2 = -np.inf
        for j in range(n - 1, 0, -1):
            if dist[j] <= sec[s, SEC_MAX_M]:
                p = (sec[s, SEC_EIRP_RE] + sec[s, SEC_OFFSET] + sec[s, SEC_SLOPE] * adj_x[j]
                     - max(base_db[b, j], fspl0[b] + log_d[j]) - floor_dbm)
                lo = math.atan2(z_min + rx_h_agl - tx_h_amsl - drop[j], dist[j]) * _DEG
                hi = math.atan2(z_max + rx_h_agl - tx_h_amsl - drop[j], dist[j]) * _DEG
                aim = -sec[s, SEC_TILT]  # the elevation of the beam's axis
                if aim < lo:
                    off = (lo - aim) / sec[s, SEC_BW_V]
                elif aim > hi:
                    off = (aim - hi) / sec[s, SEC_BW_V]
                else:
                    off = 0.0
                run1 = max(run1, p - min(12.0 * off * off, sla_v_db))
                run2 = max(run2, p)
            m1[s, j] = run1
            m2[s, j] = run2
        m1[s, 0] = run1
        m2[s, 0] = run2
    return m1, m2


@njit(cache=True, error_model="numpy")
def _last_possible(m: NDArray[np.float64], s: int, need: float) -> int:
    """Largest ``j`` with ``m[s, j] ≥ need`` (``m[s]`` non-increasing), 0 if none."""
    if not m[s, 0] >= need:
        return 0
    lo = 0
    hi = m.shape[1] - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if m[s, mid] >= need:
            lo = mid
        else:
            hi = mid - 1
    return lo


LEVELS = 3
"""Radial levels: radial ``a`` with ``t < LEVELS`` trailing zero bits starts at
``far / 2^(t+1)``, so that radials are never more than one spacing apart and none is swept
where its neighbours suffice."""


@njit(cache=True, error_model="numpy", inline="always")
def _trailing_zeros(a: int, cap: int) -> int:
    """Trailing zero bits of ``a``, at most ``cap`` (``cap`` for ``a = 0``)."""
    t = 0
    while t < cap and (a >> t) & 1 == 0:
        t += 1
    return t


@njit(cache=True, error_model="numpy")
def site_plan(tx_h_amsl: float, rx_h_agl: float, k_factor: float, step_m: float,
              n_radials: int, freq_mhz: NDArray[np.float64], base_db: NDArray[np.float64],
              sec: NDArray[np.float64], a_max_db: float, sla_v_db: float, floor_dbm: float,
              z_min: float, z_max: float, spacing_m: float, levels: int = LEVELS,
              ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Radials of one transmitter: how far each could need to go and where it starts.

    ``bound[a]``: samples radial ``a`` could need, from per-sector upper bounds of the RSRP
    along any radial (no diffraction, the least vertical attenuation that terrain between
    ``z_min`` and ``z_max`` allows, the radial's horizontal attenuation; see
    :func:`_reach_bounds`), plus one sample for interpolation. ``start[a]``: its first own
    sample. Radials form ``levels`` levels (when their number is a multiple of ``2^levels`` and
    the reach at least 32 samples): radial ``a`` with ``t < levels`` trailing zero bits starts at
    ``far // 2^(t+1)`` (``far``: the farthest sample any sector could need) and borrows the
    terrain before it from radial ``a − 2^t``, at most half a spacing away; the others start at
    the transmitter. Radials are thus never more than ``spacing_m`` apart where they are used.
    ``n_radials = 0`` picks their number so that they are ``spacing_m`` apart at ``far`` (a
    multiple of 8, at least 16). Other arguments as for :func:`site_sweep`.
    """
    nb, n_full = base_db.shape
    ns = sec.shape[0]
    _, fspl0, dist, drop, log_d, adj_x, _ = _sweep_tables(freq_mhz, n_full, step_m, k_factor)
    m1, m2 = _reach_bounds(sec, base_db, fspl0, dist, drop, log_d, adj_x, tx_h_amsl, rx_h_agl,
                           z_min, z_max, sla_v_db, floor_dbm)
    far = 1
    for s in range(ns):
        far = max(far, _last_possible(m1, s, 0.0), _last_possible(m2, s, a_max_db))
    if n_radials <= 0:
        n_radials = max(16, int(math.ceil(2.0 * math.pi * far * step_m / spacing_m / 8.0)) * 8)
    if n_radials % (1 << levels) != 0 or far < 32:
        levels = 0
    bound = np.empty(n_radials, dtype=np.int64)
    start = np.zeros(n_radials, dtype=np.int64)
    for a in range(n_radials):
        az_deg = 360.0 * a / n_radials
        last = 1
        for s in range(ns):
            if sec[s, SEC_OMNI] != 0.0:
                a_h = 0.0
            else:
                x = _wrap_deg(az_deg - sec[s, SEC_AZ]) / sec[s, SEC_BW_H]
                a_h = min(12.0 * x * x, a_max_db)
            last = max(last, _last_possible(m1, s, a_h), _last_possible(m2, s, a_max_db))
        bound[a] = min(last + 2, n_full)
        t = _trailing_zeros(a, levels)
        if t < levels:
            start[a] = far >> (t + 1)
    return bound, start


def _site_sweep(dem: NDArray[np.floating], x0: float, y0: float, dx: float, dy: float,
                tx_x: float, tx_y: float, tx_h_amsl: float, rx_h_agl: float, k_factor: float,
                step_m: float, bound: NDArray[np.int64], start: NDArray[np.int64],
                freq_mhz: NDArray[np.float64], base_db: NDArray[np.float64], terrain: bool,
                exact_clear_ray: bool, sec: NDArray[np.float64], a_max_db: float,
                sla_v_db: float, floor_dbm: float, j_table: NDArray[np.float64],
                loss: NDArray[np.float32], zbuf: NDArray[np.float64]) -> NDArray[np.int64]:
    """Path loss of every band of one transmitter on its radials, cut at the floor.

    Parameters are those of :func:`phusong.coverage._kernels.radial_sweep_loss` (DEM, its
    corner and cell size, transmitter position and antenna height above sea level, receiver
    height, k, step) plus: ``bound``, ``start`` from :func:`site_plan` (one entry per radial:
    radial ``a`` points to azimuth ``360° · a / bound.size``); ``freq_mhz[b]`` and
    ``base_db[b, j]`` (base loss of band ``b`` at ``j · step_m``); ``terrain`` (add Bullington
    diffraction); ``sec[s, :]`` the sectors (columns ``SEC_*``); the pattern's ``A_max`` and
    ``SLA_V``; ``floor_dbm``; ``j_table`` from :func:`knife_edge_table`; the output ``loss``
    of shape ``(n_bands, n_radials, ≥ bound.max())``; and ``zbuf``, scratch of shape
    ``(n_radials, ≥ start.max() + 1)`` for the terrain radials lend each other.

    Fills ``loss[b, a, j]`` (dB) for ``start[a] ≤ j < reach[0, a]`` and returns ``reach``:
    row 0 the end of the valid samples of each radial (sample 0 repeats sample 1), one sample
    past the last that some sector reaches without diffraction, or the DEM's edge, or before a
    NaN terrain value; row 1 one past the last sample where some sector could reach the floor
    *with* the diffraction (its horizontal pattern, no vertical attenuation), 0 if none.
    Entries outside the valid samples are left as they were.
    """
    nb, n_full = base_db.shape
    ns = sec.shape[0]
    n_radials = bound.size
    n = loss.shape[2]
    n_pref = zbuf.shape[1]
    inv_sqrt_lam, fspl0, dist, drop, log_d, adj_x, lam_max = _sweep_tables(
        freq_mhz, n_full, step_m, k_factor)
    reach = np.zeros((2, n_radials), dtype=np.int64)
    n_valid = np.zeros(n_radials, dtype=np.int64)
    levels = 0
    while levels < 30 and n_radials % (2 << levels) == 0 and start[1 << levels] > 0:
        levels += 1
    for lev in range(levels, -1, -1):
        # radials of this level: multiples of 2^lev, odd multiples below the top level
        stride = 1 << lev
        first = 0 if lev == levels else stride
        step_a = stride if lev == levels else 2 * stride
        count = (n_radials - first + step_a - 1) // step_a
        n_chunks = min(count, _CHUNKS)
        for c in prange(n_chunks):
            z = np.empty(n)
            g = np.empty(n)
            v = np.empty(n)
            vis = np.empty(n, dtype=np.bool_)
            hd = np.empty(n)
            hz = np.empty(n)
            iscratch = np.empty((6, n), dtype=np.int64)
            l_b = np.empty(nb)
            a_h = np.empty(ns)
            top = np.empty(nb)
            s_hi = np.empty(nb)
            s_lo = np.empty(nb)
            for k in range(c, count, n_chunks):  # interleaved: every azimuth in each
                a = first + k * step_a
                j0 = start[a]
                # the terrain: borrowed before the radial's start, sampled after it
                n_samp = min(max(bound[a], n_pref if lev > 0 else 0), n)
                if j0 > 0:
                    parent = a - stride
                    n_prev = min(n_valid[parent], n_pref)
                    for j in range(1, min(j0, n_prev)):
                        z[j] = zbuf[parent, j]
                    if n_prev < j0:
                        n_valid[a] = n_prev
                        reach[0, a] = j0
                        reach[1, a] = 0
                        continue
                az = 2.0 * math.pi * a / n_radials
                n_in = _sample_radial(dem, x0, y0, dx, dy, tx_x, tx_y, math.sin(az),
                                      math.cos(az), step_m, n_samp, z, j0)
                n_valid[a] = n_in
                if lev > 0:
                    for j in range(1, min(n_in, n_pref)):
                        zbuf[a, j] = z[j]
                n_lim = min(n_in, bound[a])
                j_lo = max(j0, 1)
                # 1. cut-off: one sample past the last some sector reaches without diffraction
                _horizontal_att(sec, 360.0 * a / n_radials, a_max_db, a_h)
                last = _last_reached(z, n_lim, dist, drop, log_d, adj_x, tx_h_amsl, rx_h_agl,
                                     base_db, fspl0, sec, a_h, sla_v_db, a_max_db, floor_dbm,
                                     l_b, j_lo)
                n_u = min(last + 2, n_lim)
                reach[0, a] = max(n_u, j0)
                if n_u <= j_lo:
                    reach[1, a] = 0
                    continue
                # 2. Bullington v·√λ along the kept part (one hull pass for every band; the
                # borrowed terrain only joins the hull)
                if terrain:
                    for j in range(1, n_u):
                        g[j] = z[j] - drop[j]
                    _sweep_profile(dist, g, n_u, tx_h_amsl, rx_h_agl, 1.0, hd, hz, iscratch, v,
                                   vis, exact_clear_ray, lam_max, j_lo)
                # 3. the loss of each band
                for j in range(j_lo, n_u):
                    slant = (tx_h_amsl - (z[j] + rx_h_agl)) / dist[j]
                    db1p = _db_1p(slant * slant)
                    for b in range(nb):
                        lb = max(base_db[b, j], fspl0[b] + log_d[j] + db1p)
                        if terrain:
                            lb += _knife_edge_lookup(v[j] * inv_sqrt_lam[b], j_table)
                        loss[b, a, j] = lb
                if j0 == 0:
                    for b in range(nb):
                        loss[b, a, 0] = loss[b, a, 1]
                # 4. the last sample a sector could reach with the diffraction: per band the
                # best EIRP and calibration of its sectors towards this radial
                for b in range(nb):
                    top[b] = -np.inf
                    s_hi[b] = -np.inf
                    s_lo[b] = np.inf
                for s in range(ns):
                    b = int(sec[s, SEC_BAND])
                    top[b] = max(top[b], sec[s, SEC_EIRP_RE] + sec[s, SEC_OFFSET] - a_h[s])
                    s_hi[b] = max(s_hi[b], sec[s, SEC_SLOPE])
                    s_lo[b] = min(s_lo[b], sec[s, SEC_SLOPE])
                hit = 0
                for j in range(n_u - 1, j_lo - 1, -1):
                    x = adj_x[j]
                    for b in range(nb):
                        if top[b] + max(s_hi[b] * x, s_lo[b] * x) - loss[b, a, j] >= floor_dbm:
                            hit = j + 1
                            break
                    if hit > 0:
                        break
                reach[1, a] = hit
    return reach


def _accumulate_site(loss: NDArray[np.float32], reach: NDArray[np.int64],
                     start: NDArray[np.int64], tx_x: float, tx_y: float, tx_h_amsl: float,
                     rx_h_agl: float, k_factor: float, step_m: float,
                     terrain_z: NDArray[np.floating], z_row0: int, z_col0: int, x0: float,
                     y0: float, dx: float, dy: float, sec: NDArray[np.float64],
                     a_max_db: float, sla_v_db: float, floor_dbm: float,
                     sec_out: NDArray[np.int64], best: NDArray[np.float32],
                     server: NDArray[np.int32], psum: NDArray[np.float32]) -> int:
    """Add one transmitter's sectors to the best-server and co-channel grids, in place.

    ``loss``/``reach`` come from :func:`site_sweep`, ``start`` from :func:`site_plan`; the
    output grid has its upper-left corner at ``(x0, y0)`` and cells ``dx`` × ``dy``
    (``dy < 0``); its cell ``(r, c)`` has terrain ``terrain_z[r + z_row0, c + z_col0]``.
    ``sec`` as for :func:`site_sweep`; ``sec_out[s]`` holds the sector's layer
    (``best``/``server`` plane), co-channel key (``psum`` plane) and index in the engine's
    sector table. ``best`` holds median RSRP (dBm, −inf where none), ``server`` the sector
    index (−1), ``psum`` the summed power (mW).

    A cell takes the loss interpolated bilinearly in azimuth and distance between the two
    radials around it that are in use at its distance and the two samples around it (all four
    valid); cells whose four samples all lie past the radials' ``reach[1]`` are skipped. A
    sector counts at a cell within its ``SEC_MAX_M`` where its RSRP is at least
    ``floor_dbm``. Returns the number of cells reached.
    """
    nb = loss.shape[0]
    n_radials = start.size
    ns = sec.shape[0]
    n_rows = best.shape[1]
    n_cols = best.shape[2]
    n_use = reach[0]
    hit = reach[1]
    n_hit = int(hit.max())
    radius = n_hit * step_m
    inv2a = _inv_2a(k_factor)
    # radial stride in use at each sample: the finest level that has started there
    levels = 0
    while levels < 30 and n_radials % (2 << levels) == 0 and start[1 << levels] > 0:
        levels += 1
    stride_at = np.empty(n_hit + 2, dtype=np.int64)
    inv_stride_at = np.empty(n_hit + 2)
    for s in range(n_hit + 2):
        t = 0
        while t < levels and start[1 << t] > s:
            t += 1
        stride_at[s] = 1 << t
        inv_stride_at[s] = 1.0 / (1 << t)
    ra = (tx_y - radius - y0) / dy
    rb = (tx_y + radius - y0) / dy
    r_lo = max(int(math.floor(min(ra, rb))), 0)
    r_hi = min(int(math.ceil(max(ra, rb))), n_rows - 1)
    two_pi = 2.0 * math.pi
    reached = np.zeros(max(r_hi - r_lo + 1, 0), dtype=np.int64)
    sloped = False
    inv_bw_h = np.empty(ns)
    inv_bw_v = np.empty(ns)
    for s in range(ns):
        sloped = sloped or sec[s, SEC_SLOPE] != 0.0
        inv_bw_h[s] = 1.0 / sec[s, SEC_BW_H]
        inv_bw_v[s] = 1.0 / sec[s, SEC_BW_V]
    inv_step = 1.0 / step_m
    rad_per_turn = n_radials / two_pi
    n_rows_win = max(r_hi - r_lo + 1, 0)
    n_chunks = min(n_rows_win, _CHUNKS)
    for c in prange(n_chunks):  # interleaved rows: each chunk has rows all across the window
        l_b = np.empty(nb)
        r0 = np.empty(ns)
        for row in range(r_lo + c, r_hi + 1, n_chunks):
            count = 0
            ddy = y0 + (row + 0.5) * dy - tx_y
            half = radius * radius - ddy * ddy
            if half < 0.0:
                continue
            half = math.sqrt(half)
            ca = (tx_x - half - x0) / dx
            cb = (tx_x + half - x0) / dx
            c_lo = max(int(math.floor(min(ca, cb))), 0)
            c_hi = min(int(math.ceil(max(ca, cb))), n_cols - 1)
            for col in range(c_lo, c_hi + 1):
                ddx = x0 + (col + 0.5) * dx - tx_x
                rr = math.sqrt(ddx * ddx + ddy * ddy)
                fs = rr * inv_step
                s0 = int(fs)
                if s0 >= n_hit:
                    continue
                s1 = s0 + 1
                az = _atan2_fast(ddx, ddy)
                if az < 0.0:
                    az += two_pi
                fa = az * rad_per_turn
                stride = stride_at[s0]
                a0 = int(fa) & ~(stride - 1)  # strides are powers of two
                wa = (fa - a0) * inv_stride_at[s0]
                if a0 >= n_radials:
                    a0 -= n_radials
                a1 = a0 + stride
                if a1 >= n_radials:
                    a1 -= n_radials
                if s0 >= hit[a0] and s0 >= hit[a1]:
                    continue
                if s1 >= n_use[a0] or s1 >= n_use[a1]:
                    continue
                ws = fs - s0
                for b in range(nb):
                    l_b[b] = ((loss[b, a0, s0] * (1.0 - ws) + loss[b, a0, s1] * ws) * (1.0 - wa)
                              + (loss[b, a1, s0] * (1.0 - ws) + loss[b, a1, s1] * ws) * wa)
                x_d = _slope_term(rr) if sloped else 0.0
                any_in = False
                for s in range(ns):
                    r0[s] = (sec[s, SEC_EIRP_RE] + sec[s, SEC_OFFSET] + sec[s, SEC_SLOPE] * x_d
                             - l_b[int(sec[s, SEC_BAND])])
                    if rr > sec[s, SEC_MAX_M]:
                        r0[s] = -np.inf
                    any_in = any_in or r0[s] >= floor_dbm
                if not any_in:
                    continue
                zc = terrain_z[row + z_row0, col + z_col0]
                if math.isnan(zc):
                    continue
                elev = _atan2_fast(zc + rx_h_agl - tx_h_amsl - rr * rr * inv2a, rr) * _DEG
                az_deg = az * _DEG
                hit_any = False
                for s in range(ns):
                    if r0[s] < floor_dbm:
                        continue
                    # 3GPP TR 38.901 Table 7.3-1, as attenuation_db with the divisions hoisted
                    off = (elev + sec[s, SEC_TILT]) * inv_bw_v[s]
                    att = min(12.0 * off * off, sla_v_db)
                    if sec[s, SEC_OMNI] == 0.0:
                        x = _wrap_deg(az_deg - sec[s, SEC_AZ]) * inv_bw_h[s]
                        att += min(12.0 * x * x, a_max_db)
                    rsrp = r0[s] - min(att, a_max_db)
                    if rsrp < floor_dbm:
                        continue
                    hit_any = True
                    psum[sec_out[s, 1], row, col] += math.exp(rsrp * _LN10_10)
                    layer = sec_out[s, 0]
                    if rsrp > best[layer, row, col]:
                        best[layer, row, col] = rsrp
                        server[layer, row, col] = sec_out[s, 2]
                if hit_any:
                    count += 1
            reached[row - r_lo] = count
    return int(reached.sum())


_F = TypeVar("_F", bound=Callable[..., Any])


def _variant(func: _F, name: str) -> _F:
    """A copy of a Python function under another name, so that numba compiles and caches the
    parallel and the serial (``nogil``) variant of one kernel side by side."""
    f = cast(types.FunctionType, func)
    g = types.FunctionType(f.__code__, f.__globals__, name, f.__defaults__, f.__closure__)
    g.__qualname__ = name
    g.__doc__ = f.__doc__
    g.__module__ = f.__module__
    return cast(_F, g)


# parallel over radials / rows (one transmitter at a time, all cores) …
site_sweep = njit(cache=True, parallel=True, error_model="numpy")(
    _variant(_site_sweep, "site_sweep"))
accumulate_site = njit(cache=True, parallel=True, error_model="numpy")(
    _variant(_accumulate_site, "accumulate_site"))
# … or serial without the GIL (one worker thread per group of operators)
site_sweep_serial = njit(cache=True, nogil=True, error_model="numpy")(
    _variant(_site_sweep, "site_sweep_serial"))
accumulate_site_serial = njit(cache=True, nogil=True, error_model="numpy")(
    _variant(_accumulate_site, "accumulate_site_serial"))
