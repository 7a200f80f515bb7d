"""Numba kernels for terrain propagation: ndarrays and scalars in SI units only.

Each kernel has a slow, obvious twin below it (``*_reference``), used by
``tests/test_kernels.py`` to check that the two agree. Geometry, CRS, I/O and logging stay
outside; the callers in :mod:`phusong.coverage` check inputs before they come here.

Conventions
-----------
* Heights in metres above mean sea level (``*_amsl``) or above ground (``*_agl``), distances in
  metres, frequency in MHz, ``k_factor`` the effective earth-radius factor (``inf``: flat).
* Earth curvature is applied as a "drop": a point at distance ``d`` from the transmitter is
  lowered by ``d² / (2 k R_e)``. For any path from the transmitter this frame differs from
  P.526's bulge ``d1 d2 / (2 k R_e)`` by a shear (a term linear in ``d``), which leaves every
  height above a straight ray unchanged: slopes differ, clearances and ``v`` do not. It is the
  same for all receivers on a radial, so a radial can be swept once.
* Grids: ``dem[row, col]``; the upper-left corner of cell (0, 0) is at ``(x0, y0)``, a cell is
  ``dx`` wide and ``dy`` high (``dy < 0`` for north-up rasters, as in a rasterio transform
  ``(dx, 0, x0, 0, dy, y0)``). Terrain between cell centres is interpolated bilinearly.
* Radial ``a`` of ``n_radials`` points to azimuth ``360° · a / n_radials``, clockwise from north
  (+y); sample ``s`` lies ``s · step_m`` from the transmitter (sample 0 repeats sample 1).

Radial sweep (:func:`radial_sweep_loss`)
    Loss = free space (P.525, 3-D distance) + Bullington diffraction (P.526-15 §4.5.1) for a
    receiver ``rx_h_agl`` above each sample, computed per radial in three passes: (1) the
    terrain profile, (2) Bullington's ``v`` for every sample, (3) the loss. Pass 2 walks
    outwards keeping the upper convex hull of the terrain points seen so far on a stack
    (monotone chain, O(1) amortised per point) and the running steepest slope from the
    transmitter (``S_tim``).

    * Behind an obstruction the receiver's steepest ray (``S_rim``) touches the hull vertex
      found by a galloping binary search over the hull edges: the equivalent edge is exact at
      O(log h) per sample.
    * When the direct ray clears the terrain, P.526 takes the largest ``v`` of all points.
      Along the hull the ray's clearance is convex and the Fresnel radius concave, so ``v`` is
      unimodal over the hull vertices (bisection). A point below the hull can beat the best
      vertex only below one of its two edges; each hull vertex keeps the concave chain it
      replaced when it was pushed, so the points below an edge form a tree of such chains,
      searched by branch and bound (an edge is opened only if some point on it could beat the
      best ``v`` so far and -0.78). This is exact; on flat terrain, where most rays are clear
      and the ground near the receiver enters the Fresnel zone, it is also the costly part,
      and ``exact_clear_ray=False`` skips it (hull vertices only; J can then come out lower
      than P.526's by up to a few dB for those receivers, never higher).

    With ``exact_clear_ray=True`` the result is P.526's Bullington value; the tests hold the
    sweep to the numpy twin within 0.02 dB (float32 output, tabulated ``J(v)``: within
    1.1e-4 dB of eq. (31), 0.005 dB just above ``v = -0.78``). Memory: O(n) scratch per call.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from numba import njit
from numpy.typing import NDArray

__all__ = [
    "knife_edge_db",
    "profile_diffraction_db",
    "los_along_radial",
    "radial_sweep_loss",
    "rasterise_radials",
    "los_along_radial_reference",
    "radial_sweep_loss_reference",
    "rasterise_radials_reference",
]

log = logging.getLogger(__name__)

_EARTH_RADIUS_M = 6_371_000.0
_C_M_S = 299_792_458.0
_FSPL_CONST_DB = 20.0 * math.log10(4.0 * math.pi * 1e9 / _C_M_S)  # P.525-4 eq. (4)
_J_V_MIN = -0.78


@njit(cache=True, error_model="numpy")
def _inv_2a(k_factor: float) -> float:
    """``1 / (2 k R_e)``; 0 for a flat earth (``k_factor`` infinite)."""
    if math.isinf(k_factor):
        return 0.0
    return 1.0 / (2.0 * k_factor * _EARTH_RADIUS_M)


@njit(cache=True, error_model="numpy")
def knife_edge_db(v: float) -> float:
    """``J(v)`` (dB), ITU-R P.526-15 eq. (31); 0 for ``v <= -0.78``."""
    if v <= _J_V_MIN:
        return 0.0
    x = v - 0.1
    return 6.9 + 20.0 * math.log10(math.sqrt(x * x + 1.0) + x)


_J_TABLE_PER_UNIT = 64  # samples of J(v) per unit of v: linear interpolation error ≤ 1.1e-4 dB
_J_TABLE_V_MAX = 64.0  # beyond this, J(v) is computed exactly


@njit(cache=True, error_model="numpy")
def _knife_edge_table() -> NDArray[np.float64]:
    """``J(v)`` of eq. (31) at ``v = -0.78 + i/64``; entry 0 is 0 dB (J's value at -0.78)."""
    n = int((_J_TABLE_V_MAX - _J_V_MIN) * _J_TABLE_PER_UNIT) + 2
    table = np.empty(n)
    table[0] = 0.0
    for i in range(1, n):
        table[i] = knife_edge_db(_J_V_MIN + i / _J_TABLE_PER_UNIT)
    return table


@njit(cache=True, error_model="numpy")
def _knife_edge_lookup(v: float, table: NDArray[np.float64]) -> float:
    """``J(v)`` interpolated in :func:`_knife_edge_table`; exact past its end.

    Between -0.78 and -0.78 + 1/64 it ramps from 0 to J (0.1 dB) instead of stepping to
    0.004 dB at -0.78: within 0.005 dB of eq. (31) there, within 1.1e-4 dB elsewhere.
    """
    t = max((v - _J_V_MIN) * _J_TABLE_PER_UNIT, 0.0)
    if t >= table.size - 1:
        return knife_edge_db(v)
    i = int(t)
    w = t - i
    return table[i] * (1.0 - w) + table[i + 1] * w


@njit(cache=True, error_model="numpy")
def _db_1p(x: float) -> float:
    """``10 log10(1 + x)`` for ``x >= 0``; a 4-term series below 0.01 (error < 1e-8 dB)."""
    if x < 0.01:
        return 4.342944819032518 * x * (1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x)))
    return 10.0 * math.log10(1.0 + x)


@njit(cache=True, error_model="numpy")
def _atan2_fast(y: float, x: float) -> float:
    """``atan2(y, x)`` to within 1e-5 rad: Abramowitz & Stegun 4.4.49 on [0, 1]."""
    ax = abs(x)
    ay = abs(y)
    if ax == 0.0 and ay == 0.0:
        return 0.0
    if ay <= ax:
        z = ay / ax
        swap = False
    else:
        z = ax / ay
        swap = True
    z2 = z * z
    t = z * (0.9998660 + z2 * (-0.3302995 + z2 * (0.1801410 + z2 * (-0.0851330
                                                                     + z2 * 0.0208351))))
    if swap:
        t = 0.5 * math.pi - t
    if x < 0.0:
        t = math.pi - t
    if y < 0.0:
        t = -t
    return t


@njit(cache=True, error_model="numpy")
def profile_diffraction_db(dist_m: NDArray[np.float64], terrain_m: NDArray[np.float64],
                           tx_h_amsl: float, rx_h_amsl: float, wavelength_m: float,
                           k_factor: float, empirical_correction: bool = False) -> float:
    """Bullington diffraction loss (dB) of one profile, P.526-15 §4.5.1, O(n).

    ``dist_m[0]`` is under the transmitter, ``dist_m[-1]`` under the receiver. Twin:
    :func:`phusong.coverage.models.diffraction.bullington_loss_db`.
    """
    n = dist_m.size
    if n < 3:
        return 0.0
    inv2a = _inv_2a(k_factor)
    d0 = dist_m[0]
    total = dist_m[n - 1] - d0
    rx = rx_h_amsl - total * total * inv2a
    stim = -np.inf
    for i in range(1, n - 1):
        d = dist_m[i] - d0
        s = (terrain_m[i] - d * d * inv2a - tx_h_amsl) / d
        if s > stim:
            stim = s
    str_ = (rx - tx_h_amsl) / total
    if stim < str_:
        v = -np.inf
        for i in range(1, n - 1):
            d = dist_m[i] - d0
            c = terrain_m[i] - d * d * inv2a - (tx_h_amsl + str_ * d)
            vi = c * math.sqrt(2.0 * total / (wavelength_m * d * (total - d)))
            if vi > v:
                v = vi
    else:
        srim = -np.inf
        for i in range(1, n - 1):
            d = dist_m[i] - d0
            s = (terrain_m[i] - d * d * inv2a - rx) / (total - d)
            if s > srim:
                srim = s
        den = stim + srim
        if stim == str_ or den <= 0.0:
            v = 0.0  # grazing: the edge is on the direct ray
        else:
            db = (rx - tx_h_amsl + srim * total) / den
            db = min(max(db, 1e-9 * total), total * (1.0 - 1e-9))
            v = (stim - str_) * db * math.sqrt(2.0 * total / (wavelength_m * db * (total - db)))
    luc = knife_edge_db(v)
    if empirical_correction:
        luc += (1.0 - math.exp(-luc / 6.0)) * (10.0 + 0.02 * total / 1000.0)
    return luc


@njit(cache=True, error_model="numpy")
def los_along_radial(terrain_m: NDArray[np.float64], step_m: float, obs_h_amsl: float,
                     tgt_h_agl: float, k_factor: float) -> NDArray[np.bool_]:
    """Line of sight from an observer to a target above each point of a radial, O(n).

    ``terrain_m[i]`` is the terrain ``i · step_m`` from the observer (``terrain_m[0]`` under
    it). Target ``i`` is visible when the ray to it is not below the steepest ray over
    terrain points ``1 … i−1`` (max-slope sweep in the drop frame). ``out[0]`` is ``True``.
    """
    n = terrain_m.size
    out = np.empty(n, dtype=np.bool_)
    if n == 0:
        return out
    out[0] = True
    inv2a = _inv_2a(k_factor)
    max_slope = -np.inf
    for i in range(1, n):
        d = i * step_m
        drop = d * d * inv2a
        out[i] = (terrain_m[i] + tgt_h_agl - drop - obs_h_amsl) / d >= max_slope
        s = (terrain_m[i] - drop - obs_h_amsl) / d
        if s > max_slope:
            max_slope = s
    return out


@njit(cache=True, error_model="numpy")
def _sample_radial(dem: NDArray[np.floating], x0: float, y0: float, dx: float, dy: float,
                   tx_x: float, tx_y: float, ux: float, uy: float, step_m: float,
                   n: int, z: NDArray[np.float64], j0: int = 1) -> int:
    """Bilinear terrain ``j · step_m`` along direction ``(ux, uy)`` into ``z[j]``, ``j ≥ j0``.

    Returns the number of samples (``z[0]`` is not used), stopping at the DEM's edge (half a
    cell past the outer cell centres) or before a NaN value; samples below ``j0`` are the
    caller's (they are neither written nor checked).
    """
    n_rows, n_cols = dem.shape
    # fractional column / row of sample j: f0 + j * df; the samples inside the DEM are those
    # with -0.5 <= f <= n - 0.5 on both axes
    fc0 = (tx_x - x0) / dx - 0.5
    fr0 = (tx_y - y0) / dy - 0.5
    dfc = step_m * ux / dx
    dfr = step_m * uy / dy
    n_in = n
    for f0, df, size in ((fc0, dfc, n_cols), (fr0, dfr, n_rows)):
        if f0 < -0.5 or f0 > size - 0.5:
            return 1
        if df > 0.0:
            n_in = min(n_in, int(min((size - 0.5 - f0) / df, n)) + 1)
        elif df < 0.0:
            n_in = min(n_in, int(min((-0.5 - f0) / df, n)) + 1)
    for j in range(max(j0, 1), n_in):
        fc = min(max(fc0 + j * dfc, 0.0), n_cols - 1.0)
        fr = min(max(fr0 + j * dfr, 0.0), n_rows - 1.0)
        c0 = int(fc)
        r0 = int(fr)
        c1 = min(c0 + 1, n_cols - 1)
        r1 = min(r0 + 1, n_rows - 1)
        wc = fc - c0
        wr = fr - r0
        z[j] = ((dem[r0, c0] * (1.0 - wc) + dem[r0, c1] * wc) * (1.0 - wr)
                + (dem[r1, c0] * (1.0 - wc) + dem[r1, c1] * wc) * wr)
    for j in range(max(j0, 1), n_in):
        if math.isnan(z[j]):
            return j
    return n_in


@njit(cache=True, error_model="numpy")
def _q_at(d: float, z: float, dj: float, tx: float, str_: float) -> float:
    """``q = c² / (d (D − d))`` of a point below a clear ray: ``v = −√(2 D q / λ)``.

    A clear ray has ``c ≥ 0`` at every point, so a larger ``v`` is a smaller ``q``; working
    with ``q`` spares the square roots.
    """
    c = tx + str_ * d - z
    return c * c / (d * (dj - d))


@njit(cache=True, error_model="numpy")
def _q_not_lower(d1: float, z1: float, d0: float, z0: float, dj: float, tx: float,
                 str_: float) -> bool:
    """``q(d1, z1) >= q(d0, z0)``, cross-multiplied (no division)."""
    c1 = tx + str_ * d1 - z1
    c0 = tx + str_ * d0 - z0
    return c1 * c1 * (d0 * (dj - d0)) >= c0 * c0 * (d1 * (dj - d1))


@njit(cache=True, error_model="numpy")
def _edge_may_beat(da: float, za: float, dp: float, zp: float, dj: float, tx: float,
                   str_: float, q_cap: float) -> bool:
    """Can a point on the segment (da, za)–(dp, zp) have ``q < q_cap`` for this clear ray?

    Along the segment the clearance is linear, ``c(d) = (α + β d) / Δd``, and ``q(d)`` is
    unimodal with its minimum at ``d* = N / M``, ``N = α D``, ``M = β D + 2 α``; the ends are
    vertices whose ``q`` the caller has already counted. Everything is cross-multiplied by
    ``M`` (no division): ``d*`` inside the segment, and ``(α M + β N)² < q_cap N (D M − N) Δd²``.
    """
    dd = dp - da
    alpha = (tx - za) * dd + (zp - za) * da
    beta = str_ * dd - (zp - za)
    mm = beta * dj + 2.0 * alpha
    nn = alpha * dj
    if mm > 0.0:
        if not da * mm < nn < dp * mm:
            return False
    elif mm < 0.0:
        if not da * mm > nn > dp * mm:
            return False
    else:
        return False
    c = alpha * mm + beta * nn
    return c * c < q_cap * nn * (dj * mm - nn) * dd * dd


@njit(cache=True, error_model="numpy")
def _best_below(dist: NDArray[np.float64], g: NDArray[np.float64], p0: int, p1: int,
                left: NDArray[np.int64], chain_start: NDArray[np.int64],
                chain_len: NDArray[np.int64], pool: NDArray[np.int64],
                work: NDArray[np.int64], dj: float, tx: float, str_: float, q: float,
                q_078: float) -> float:
    """Smallest ``q`` of the profile points below the hull edges ending at ``p0`` and ``p1``.

    When point ``p`` joined the hull it replaced a concave chain ``left[p] → b1 … bk → p``
    (kept in ``pool``); every point below the edge ``left[p] → p`` is a chain vertex or lies
    below one of the chain's edges, recursively. Branch and bound: an edge is opened only if
    :func:`_edge_may_beat` allows a ``q`` below both the best so far and ``q_078`` (the
    ``q`` of ``v = -0.78``, below which J is 0 anyway); in an opened chain ``q`` is unimodal
    (the chain is concave, as the hull was), so bisection finds its best vertex, and only the
    two edges next to that vertex can hold better points. Returns the smaller of ``q`` and the
    points' best.
    """
    top = 0
    for p in (p0, p1):
        if p >= 0 and chain_len[p] > 0:
            work[top] = p
            top += 1
    while top > 0:
        top -= 1
        p = work[top]
        a = left[p]
        if not _edge_may_beat(dist[a], g[a], dist[p], g[p], dj, tx, str_, min(q, q_078)):
            continue
        k = chain_len[p]
        base = chain_start[p]
        lo = 0
        hi = k - 1
        while lo < hi:
            mid = (lo + hi) // 2
            b0 = pool[base + mid]
            b1 = pool[base + mid + 1]
            if _q_not_lower(dist[b1], g[b1], dist[b0], g[b0], dj, tx, str_):
                hi = mid
            else:
                lo = mid + 1
        b = pool[base + lo]
        db = dist[b]
        cb = tx + str_ * db - g[b]
        if cb * cb < q * (db * (dj - db)):
            q = cb * cb / (db * (dj - db))
        # the chain edge ending at b, and the one starting at b (ending at the next chain
        # vertex; the chain's last edge ends at p and covers no point)
        if chain_len[b] > 0:
            work[top] = b
            top += 1
        if lo + 1 < k:
            nb = pool[base + lo + 1]
            if chain_len[nb] > 0:
                work[top] = nb
                top += 1
    return q


@njit(cache=True, error_model="numpy")
def _sweep_profile(dist: NDArray[np.float64], g: NDArray[np.float64], n: int, tx: float,
                   rx_h_agl: float, lam: float, hd: NDArray[np.float64],
                   hz: NDArray[np.float64], iscratch: NDArray[np.int64],
                   v_out: NDArray[np.float64], vis_out: NDArray[np.bool_],
                   exact_clear_ray: bool, lam_prune: float, j_start: int = 1) -> None:
    """Bullington ``v`` and line of sight for a receiver above each of ``g[1:n]``.

    ``g[i]`` is the terrain ``dist[i]`` from the transmitter in the drop frame, ``tx`` the
    transmitter antenna (drop 0). ``hd``, ``hz`` hold the upper hull of the terrain points;
    ``iscratch`` (6 rows of ``n``) the hull's profile indices and the chains it replaced.
    ``exact_clear_ray=False`` skips the points below the hull for clear rays. See the module
    notes.

    ``v`` is computed for the wavelength ``lam``; ``lam_prune`` (≥ ``lam``) only sets the
    branch-and-bound cut-off ``v = -0.78``. With ``lam = 1`` the outputs are ``v·√λ``, exact
    for every wavelength up to ``lam_prune`` (a point pruned there has ``v < -0.78`` at all of
    them), which lets one sweep serve several bands. Points before ``j_start`` only join the
    hull (their ``v`` is not computed and ``v_out``/``vis_out`` are not written there).
    """
    hi_idx = iscratch[0]
    left = iscratch[1]
    chain_start = iscratch[2]
    chain_len = iscratch[3]
    pool = iscratch[4]
    work = iscratch[5]
    n_pool = 0
    q_078 = lam_prune * _J_V_MIN * _J_V_MIN / 2.0  # q of v = -0.78 is q_078 / D
    m = 0  # hull vertices, of terrain points 1 … j-1
    stim = -np.inf  # steepest slope from the transmitter over those points
    for j in range(1, n):
        dj = dist[j]
        gj = g[j]
        r = gj + rx_h_agl
        str_ = (r - tx) / dj
        visible = True
        v = -np.inf
        if m > 0 and j >= j_start:
            visible = stim <= str_
            if stim < str_:
                # clear ray. Along the hull the ray's clearance c is convex and the Fresnel
                # radius concave, so c / radius is quasi-convex and v = -sqrt(2) c / radius
                # unimodal: bisect for the best vertex (comparing q = c² / (d (D - d)), see
                # _q_at); a point below the hull can beat it only below one of the best
                # vertex's two edges.
                lo = 0
                hi = m - 1
                while lo < hi:
                    k = (lo + hi) // 2
                    if _q_not_lower(hd[k + 1], hz[k + 1], hd[k], hz[k], dj, tx, str_):
                        hi = k
                    else:
                        lo = k + 1
                q = _q_at(hd[lo], hz[lo], dj, tx, str_)
                if exact_clear_ray:
                    q = _best_below(dist, g, hi_idx[lo], hi_idx[lo + 1] if lo + 1 < m else -1,
                                    left, chain_start, chain_len, pool, work, dj, tx, str_, q,
                                    q_078 / dj)
                v = -math.sqrt(2.0 * dj * q / lam)
            else:
                # receiver's tangent vertex t: the first edge k with the receiver on or above
                # its extension (a monotone test along an upper hull), m - 1 if none. It is
                # usually next to the end: gallop back from there, then bisect.
                t = m - 1
                step = 1
                lo = 0
                while t - step >= 0:
                    k = t - step
                    if (r - hz[k]) * (hd[k + 1] - hd[k]) >= (hz[k + 1] - hz[k]) * (dj - hd[k]):
                        t = k
                        step *= 2
                    else:
                        lo = k + 1
                        break
                hi = t
                while lo < hi:
                    k = (lo + hi) // 2
                    if (r - hz[k]) * (hd[k + 1] - hd[k]) >= (hz[k + 1] - hz[k]) * (dj - hd[k]):
                        hi = k
                    else:
                        lo = k + 1
                srim = (hz[lo] - r) / (dj - hd[lo])
                den = stim + srim
                if stim == str_ or den <= 0.0:
                    v = 0.0  # grazing: the edge is on the direct ray
                else:
                    db = (r - tx + srim * dj) / den
                    db = min(max(db, 1e-9 * dj), dj * (1.0 - 1e-9))
                    v = (stim - str_) * db * math.sqrt(2.0 * dj / (lam * db * (dj - db)))
        if j >= j_start:
            v_out[j] = v
            vis_out[j] = visible
        # the terrain under this receiver is an obstacle for the ones beyond: push it on the
        # hull, keeping the chain of vertices it replaces
        s = (gj - tx) / dj
        if s > stim:
            stim = s
        m_old = m
        while m >= 2 and ((hz[m - 1] - hz[m - 2]) * (dj - hd[m - 2])
                          <= (gj - hz[m - 2]) * (hd[m - 1] - hd[m - 2])):
            m -= 1
        chain_start[j] = n_pool
        chain_len[j] = m_old - m
        for h in range(m, m_old):
            pool[n_pool] = hi_idx[h]
            n_pool += 1
        left[j] = hi_idx[m - 1] if m > 0 else -1
        hd[m] = dj
        hz[m] = gj
        hi_idx[m] = j
        m += 1


@njit(cache=True, error_model="numpy")
def radial_sweep_loss(dem: NDArray[np.floating], x0: float, y0: float, dx: float, dy: float,
                      tx_x: float, tx_y: float, tx_h_amsl: float, rx_h_agl: float,
                      freq_mhz: float, radius_m: float, n_radials: int, step_m: float,
                      k_factor: float, empirical_correction: bool = False,
                      exact_clear_ray: bool = True,
                      ) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """Path loss and line of sight on ``n_radials`` radials around one transmitter.

    Returns ``(loss_db, los)``, both of shape ``(n_radials, n_steps + 1)`` with
    ``n_steps = floor(radius_m / step_m)``: free space + Bullington loss (float32 dB; NaN past
    the DEM's edge or a NaN terrain value) and the optical line of sight to the receiver.
    See the module notes for the method. ``exact_clear_ray=False`` takes P.526's ``v_max``
    of a clear ray over the hull vertices only: up to 2.5 times faster on flat terrain, where
    most rays are clear, and lower than P.526 by up to a few dB for some of those receivers
    (never higher). Memory: the two outputs and a few profile-long scratch arrays.
    """
    n_steps = int(radius_m / step_m + 1e-9)
    n = n_steps + 1
    loss = np.full((n_radials, n), np.nan, dtype=np.float32)
    los = np.zeros((n_radials, n), dtype=np.bool_)
    lam = _C_M_S / (freq_mhz * 1e6)
    inv2a = _inv_2a(k_factor)
    j_table = _knife_edge_table()
    fspl0 = _FSPL_CONST_DB + 20.0 * math.log10(freq_mhz) - 60.0  # + 20 log10(d_m)
    dist = np.empty(n)
    drop = np.empty(n)
    corr = np.empty(n)
    fspl = np.empty(n)  # free space over the horizontal distance
    for s in range(n):
        dist[s] = s * step_m
        drop[s] = dist[s] * dist[s] * inv2a
        corr[s] = 10.0 + 0.02 * dist[s] / 1000.0
        fspl[s] = fspl0 + 20.0 * math.log10(max(dist[s], 1e-3))
    z = np.empty(n)
    g = np.empty(n)
    v = np.empty(n)
    vis = np.empty(n, dtype=np.bool_)
    hd = np.empty(n)
    hz = np.empty(n)
    iscratch = np.empty((6, n), dtype=np.int64)
    for a in range(n_radials):
        az = 2.0 * math.pi * a / n_radials
        # 1. terrain profile, 2. Bullington v along it, 3. loss
        n_in = _sample_radial(dem, x0, y0, dx, dy, tx_x, tx_y, math.sin(az), math.cos(az),
                              step_m, n, z)
        for j in range(1, n_in):
            g[j] = z[j] - drop[j]
        _sweep_profile(dist, g, n_in, tx_h_amsl, rx_h_agl, lam, hd, hz, iscratch, v, vis,
                       exact_clear_ray, lam)
        for j in range(1, n_in):
            luc = _knife_edge_lookup(v[j], j_table)
            if empirical_correction:
                luc += (1.0 - math.exp(-luc / 6.0)) * corr[j]
            slant = (tx_h_amsl - (z[j] + rx_h_agl)) / dist[j]  # 3-D distance
            loss[a, j] = fspl[j] + _db_1p(slant * slant) + luc
            los[a, j] = vis[j]
        if n_in > 1:
            loss[a, 0] = loss[a, 1]
            los[a, 0] = True
    return loss, los


@njit(cache=True, error_model="numpy")
def rasterise_radials(values: NDArray[np.float32], tx_x: float, tx_y: float, step_m: float,
                      x0: float, y0: float, dx: float, dy: float, n_rows: int, n_cols: int,
                      bilinear: bool = True) -> NDArray[np.float32]:
    """Resample radial samples ``values[radial, step]`` onto a grid (float32, NaN outside).

    A cell centre at polar coordinates ``(r, azimuth)`` from the transmitter takes the value
    interpolated bilinearly in (azimuth, distance) between the two nearest radials and steps,
    or, with ``bilinear=False``, the nearest sample. Cells farther than
    ``(values.shape[1] − 1) · step_m`` stay NaN; only cells inside that circle's bounding box
    are visited.
    """
    n_radials, n_samples = values.shape
    out = np.full((n_rows, n_cols), np.nan, dtype=np.float32)
    n_steps = n_samples - 1
    radius = n_steps * step_m
    # bounding box of the circle in cell indices
    ca = (tx_x - radius - x0) / dx
    cb = (tx_x + radius - x0) / dx
    ra = (tx_y - radius - y0) / dy
    rb = (tx_y + radius - y0) / dy
    c_lo = max(int(math.floor(min(ca, cb))), 0)
    c_hi = min(int(math.ceil(max(ca, cb))), n_cols - 1)
    r_lo = max(int(math.floor(min(ra, rb))), 0)
    r_hi = min(int(math.ceil(max(ra, rb))), n_rows - 1)
    two_pi = 2.0 * math.pi
    for row in range(r_lo, r_hi + 1):
        ddy = y0 + (row + 0.5) * dy - tx_y
        for col in range(c_lo, c_hi + 1):
            ddx = x0 + (col + 0.5) * dx - tx_x
            rr = math.sqrt(ddx * ddx + ddy * ddy)
            if rr > radius:
                continue
            az = _atan2_fast(ddx, ddy)
            if az < 0.0:
                az += two_pi
            fa = az / two_pi * n_radials
            fs = rr / step_m
            if bilinear:
                a0 = int(fa)  # 0 <= fa <= n_radials, so no modulo is needed
                wa = fa - a0
                if a0 >= n_radials:
                    a0 -= n_radials
                a1 = a0 + 1
                if a1 >= n_radials:
                    a1 = 0
                s0 = min(int(fs), n_steps)
                s1 = min(s0 + 1, n_steps)
                ws = fs - s0
                out[row, col] = ((values[a0, s0] * (1.0 - ws) + values[a0, s1] * ws) * (1.0 - wa)
                                 + (values[a1, s0] * (1.0 - ws) + values[a1, s1] * ws) * wa)
            else:
                a = int(fa + 0.5)
                if a >= n_radials:
                    a -= n_radials
                s = min(int(fs + 0.5), n_steps)
                out[row, col] = values[a, s]
    return out


# ------------------------------------------------------------------------------------------
# Reference twins: slow and obvious, for the agreement tests
# ------------------------------------------------------------------------------------------


def los_along_radial_reference(terrain_m: NDArray[np.float64], step_m: float,
                               obs_h_amsl: float, tgt_h_agl: float,
                               k_factor: float) -> NDArray[np.bool_]:
    """Twin of :func:`los_along_radial`: for each target, test every point before it, O(n²).

    P.526's bulge frame: the terrain between observer and target is raised by
    ``d1 d2 / (2 k R_e)`` and compared with the straight ray.
    """
    terrain = np.asarray(terrain_m, dtype=np.float64)
    n = terrain.size
    a = math.inf if math.isinf(k_factor) else k_factor * _EARTH_RADIUS_M
    out = np.ones(n, dtype=bool)
    for i in range(2, n):
        total = i * step_m
        d = np.arange(1, i) * step_m
        bulge = d * (total - d) / (2.0 * a)
        ray = obs_h_amsl + (terrain[i] + tgt_h_agl - obs_h_amsl) * d / total
        out[i] = not np.any(terrain[1:i] + bulge > ray + 1e-9)
    return out


def _bilinear_reference(dem: NDArray[np.floating], fc: NDArray[np.floating],
                        fr: NDArray[np.floating]) -> NDArray[np.float64]:
    """Bilinear terrain at fractional column ``fc`` and row ``fr`` (clamped to the centres)."""
    n_rows, n_cols = dem.shape
    fc = np.clip(fc, 0.0, n_cols - 1.0)
    fr = np.clip(fr, 0.0, n_rows - 1.0)
    c0 = np.floor(fc).astype(int)
    r0 = np.floor(fr).astype(int)
    c1 = np.minimum(c0 + 1, n_cols - 1)
    r1 = np.minimum(r0 + 1, n_rows - 1)
    wc, wr = fc - c0, fr - r0
    z = np.asarray(dem, dtype=np.float64)
    return ((z[r0, c0] * (1 - wc) + z[r0, c1] * wc) * (1 - wr)
            + (z[r1, c0] * (1 - wc) + z[r1, c1] * wc) * wr)


def radial_sweep_loss_reference(dem: NDArray[np.floating], x0: float, y0: float, dx: float,
                                dy: float, tx_x: float, tx_y: float, tx_h_amsl: float,
                                rx_h_agl: float, freq_mhz: float, radius_m: float,
                                n_radials: int, step_m: float, k_factor: float,
                                empirical_correction: bool = False,
                                ) -> NDArray[np.float64]:
    """Twin of :func:`radial_sweep_loss` (loss only): each sample's whole profile is re-read
    and passed to the numpy P.526 Bullington and P.525 free-space models, O(n²) per radial.
    """
    from phusong.coverage.models.diffraction import bullington_loss_db
    from phusong.coverage.models.free_space import fspl_db

    n_steps = int(radius_m / step_m + 1e-9)
    n_rows, n_cols = dem.shape
    out = np.full((n_radials, n_steps + 1), np.nan)
    dist = np.arange(n_steps + 1) * step_m
    for a in range(n_radials):
        az = 2.0 * math.pi * a / n_radials
        fc = (tx_x + dist * math.sin(az) - x0) / dx - 0.5
        fr = (tx_y + dist * math.cos(az) - y0) / dy - 0.5
        inside = (fc >= -0.5) & (fr >= -0.5) & (fc <= n_cols - 0.5) & (fr <= n_rows - 0.5)
        n_in = n_steps + 1 if inside.all() else int(np.argmin(inside))
        z = _bilinear_reference(dem, fc[:n_in], fr[:n_in])
        profile_h = z.copy()
        profile_h[0] = min(z[0], tx_h_amsl)  # the mast stands on the terrain
        for j in range(1, n_in):
            rx = z[j] + rx_h_agl
            diff = bullington_loss_db(dist[:j + 1], profile_h[:j + 1], tx_h_amsl, rx, freq_mhz,
                                      k_factor, empirical_correction)
            out[a, j] = float(fspl_db(math.hypot(dist[j], tx_h_amsl - rx), freq_mhz)) + diff
        if n_in > 1:
            out[a, 0] = out[a, 1]
    return out


def rasterise_radials_reference(values: NDArray[np.floating], tx_x: float, tx_y: float,
                                step_m: float, x0: float, y0: float, dx: float, dy: float,
                                n_rows: int, n_cols: int,
                                bilinear: bool = True) -> NDArray[np.float64]:
    """Twin of :func:`rasterise_radials`, vectorised over every cell of the grid."""
    vals = np.asarray(values, dtype=np.float64)
    n_radials, n_samples = vals.shape
    n_steps = n_samples - 1
    cols, rows = np.meshgrid(np.arange(n_cols), np.arange(n_rows))
    ddx = x0 + (cols + 0.5) * dx - tx_x
    ddy = y0 + (rows + 0.5) * dy - tx_y
    rr = np.hypot(ddx, ddy)
    fa = np.mod(np.arctan2(ddx, ddy), 2.0 * np.pi) / (2.0 * np.pi) * n_radials
    fs = rr / step_m
    if bilinear:
        a0f = np.floor(fa)
        wa = fa - a0f
        a0 = a0f.astype(int) % n_radials
        a1 = (a0 + 1) % n_radials
        s0 = np.minimum(np.floor(fs).astype(int), n_steps)
        s1 = np.minimum(s0 + 1, n_steps)
        ws = fs - s0
        out = ((vals[a0, s0] * (1 - ws) + vals[a0, s1] * ws) * (1 - wa)
               + (vals[a1, s0] * (1 - ws) + vals[a1, s1] * ws) * wa)
    else:
        a = np.floor(fa + 0.5).astype(int) % n_radials
        s = np.minimum(np.floor(fs + 0.5).astype(int), n_steps)
        out = vals[a, s]
    return np.where(rr <= n_steps * step_m, out, np.nan)
