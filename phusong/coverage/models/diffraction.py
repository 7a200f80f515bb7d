"""Diffraction over terrain, Recommendation ITU-R P.526-15.

Single knife edge (P.526-15 §4.1)
    Fresnel–Kirchhoff parameter ``v = h √(2/λ · (1/d1 + 1/d2))`` for an edge ``h`` metres above
    (positive) or below (negative) the direct ray, ``d1``, ``d2`` from the edge to the two ends,
    and the approximation of eq. (31)::

        J(v) = 6.9 + 20 log10( √((v − 0.1)² + 1) + v − 0.1 )   for v > −0.78, else 0

    (J(0) = 6.03 dB; the exact Fresnel-integral value is 6.02 dB).

Earth curvature
    Terrain heights are raised by the bulge ``b(d) = d1 d2 / (2 k R_e)`` of an effective earth
    of radius ``k R_e`` (``R_e`` = 6 371 km, ``k`` = 4/3 by default, as in P.526 §4.5.1 where
    ``C_e = 1/(k R_e)``). ``k_factor=math.inf`` gives a flat earth.

Bullington (P.526-15 §4.5.1)
    The steepest rays from the transmitter (slope ``S_tim``) and from the receiver (``S_rim``)
    that clear every profile point meet at one equivalent knife edge at ``d_b``; its ``v_b``
    gives ``L_uc = J(v_b)``. If the direct ray clears the profile (``S_tim < S_tr``),
    ``L_uc = J(v_max)`` with ``v_max`` the largest ``v`` of the profile points. P.526 then adds
    the empirical term ``(1 − exp(−L_uc/6)) (10 + 0.02 d_km)``; it is optional here
    (``empirical_correction``) so that an isolated edge gives exactly its ``J(v)``. The spherical
    earth part of the "delta-Bullington" method (§4.5.2) is not included.

Deygout
    J. Deygout, "Multiple knife-edge diffraction of microwaves", IEEE Trans. AP-14(4), 1966, the
    construction P.526 used for multiple isolated edges in its earlier editions: the edge with
    the largest ``v`` over the whole path is the principal edge; the sub-paths transmitter →
    principal edge and principal edge → receiver are treated the same way, down to
    ``max_depth`` levels (2: the principal edge and one secondary edge on each side, the
    "three-edge" Deygout). The loss is the sum of the ``J(v)``, without empirical correction.
    Deygout over-estimates the loss of several close edges; Bullington under-estimates it.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from phusong.coverage.models._validity import as_float_array
from phusong.coverage.models.free_space import wavelength_m
from phusong.errors import InputError

__all__ = [
    "EARTH_RADIUS_M",
    "J_V_MIN",
    "DiffractionEdge",
    "effective_earth_radius_m",
    "earth_bulge_m",
    "fresnel_parameter",
    "fresnel_zone_radius_m",
    "knife_edge_loss_db",
    "bullington_loss_db",
    "deygout_edges",
    "deygout_loss_db",
]

log = logging.getLogger(__name__)

#: Mean earth radius (m) used with the effective-earth factor k.
EARTH_RADIUS_M = 6_371_000.0
#: Below this Fresnel–Kirchhoff parameter J(v) is taken as 0 dB (P.526-15 eq. (31)).
J_V_MIN = -0.78

_MODEL = "ITU-R P.526 diffraction"


def effective_earth_radius_m(k_factor: float = 4.0 / 3.0) -> float:
    """Effective earth radius ``k R_e`` (m); ``math.inf`` for ``k_factor=math.inf``.

    Parameters
    ----------
    k_factor
        Effective earth-radius factor ``k`` (> 0); 4/3 is the median standard atmosphere.

    Returns
    -------
    float
        Radius in metres.

    Raises
    ------
    InputError
        If ``k_factor`` is not positive.
    """
    if not k_factor > 0.0:
        msg = f"{_MODEL}: k_factor must be > 0 (4/3 for a standard atmosphere), got {k_factor!r}."
        raise InputError(msg)
    return k_factor * EARTH_RADIUS_M


def earth_bulge_m(d1_m: ArrayLike, d2_m: ArrayLike,
                  k_factor: float = 4.0 / 3.0) -> NDArray[np.float64]:
    """Earth bulge ``d1 d2 / (2 k R_e)`` (m) at a point ``d1``, ``d2`` from the path ends.

    Parameters
    ----------
    d1_m, d2_m
        Distances from the point to the two ends of the path, in metres (≥ 0).
    k_factor
        Effective earth-radius factor ``k``.

    Returns
    -------
    numpy.ndarray
        Bulge in metres, float64 (0 for a flat earth, ``k_factor=math.inf``).

    Examples
    --------
    >>> round(float(earth_bulge_m(25_000.0, 25_000.0)), 2)
    36.79
    """
    d1 = as_float_array(d1_m, "d1_m", _MODEL)
    d2 = as_float_array(d2_m, "d2_m", _MODEL)
    radius = effective_earth_radius_m(k_factor)
    return d1 * d2 / (2.0 * radius)


def fresnel_parameter(clearance_m: ArrayLike, d1_m: ArrayLike, d2_m: ArrayLike,
                      wavelength_m: ArrayLike) -> NDArray[np.float64]:
    """Fresnel–Kirchhoff diffraction parameter ``v = h √(2/λ (1/d1 + 1/d2))``, P.526-15 §4.1.

    Parameters
    ----------
    clearance_m
        Height ``h`` of the edge above the direct ray in metres (negative below it).
    d1_m, d2_m
        Distances from the edge to the two ends, in metres (> 0).
    wavelength_m
        Wavelength in metres.

    Returns
    -------
    numpy.ndarray
        ``v`` (dimensionless), float64.
    """
    h = np.asarray(clearance_m, dtype=np.float64)
    d1 = np.asarray(d1_m, dtype=np.float64)
    d2 = np.asarray(d2_m, dtype=np.float64)
    lam = np.asarray(wavelength_m, dtype=np.float64)
    return h * np.sqrt(2.0 / lam * (1.0 / d1 + 1.0 / d2))


def fresnel_zone_radius_m(d1_m: ArrayLike, d2_m: ArrayLike, freq_mhz: ArrayLike,
                          n: int = 1) -> NDArray[np.float64]:
    """Radius of the n-th Fresnel ellipsoid ``√(n λ d1 d2 / (d1 + d2))`` (m), P.526-15 §2.

    Parameters
    ----------
    d1_m, d2_m
        Distances from the point to the two ends, in metres.
    freq_mhz
        Frequency in MHz.
    n
        Fresnel zone number (1 for the first zone).

    Returns
    -------
    numpy.ndarray
        Radius in metres, float64.
    """
    d1 = np.asarray(d1_m, dtype=np.float64)
    d2 = np.asarray(d2_m, dtype=np.float64)
    return np.sqrt(n * wavelength_m(freq_mhz) * d1 * d2 / (d1 + d2))


def knife_edge_loss_db(v: ArrayLike) -> NDArray[np.float64]:
    """Single knife-edge diffraction loss ``J(v)`` (dB), ITU-R P.526-15 eq. (31).

    Parameters
    ----------
    v
        Fresnel–Kirchhoff parameter (scalar or array).

    Returns
    -------
    numpy.ndarray
        ``J(v)`` in dB, float64; 0 for ``v <= -0.78``.

    Examples
    --------
    >>> round(float(knife_edge_loss_db(0.0)), 2)
    6.03
    """
    x = np.asarray(v, dtype=np.float64) - 0.1
    with np.errstate(invalid="ignore", divide="ignore"):
        j = 6.9 + 20.0 * np.log10(np.sqrt(x * x + 1.0) + x)
    return np.where(x + 0.1 > J_V_MIN, j, 0.0)


def _profile(distance_m: ArrayLike, height_m: ArrayLike, tx_height_amsl_m: float,
             rx_height_amsl_m: float, freq_mhz: float,
             k_factor: float) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Check a profile; return distances from the transmitter, effective heights, wavelength.

    Effective heights include the earth bulge of the whole path, ``d (D − d) / (2 k R_e)``.
    """
    d = as_float_array(distance_m, "distance_m", _MODEL)
    h = as_float_array(height_m, "height_m", _MODEL)
    if d.ndim != 1 or h.shape != d.shape or d.size < 2:
        msg = (f"{_MODEL}: distance_m and height_m must be 1-D arrays of the same length ≥ 2 "
               f"(transmitter first, receiver last); got shapes {d.shape} and {h.shape}.")
        raise InputError(msg)
    steps = np.diff(d)
    if np.any(steps <= 0.0):
        i = int(np.argmax(steps <= 0.0))
        msg = (f"{_MODEL}: distance_m must increase strictly along the profile; point {i + 1} "
               f"({d[i + 1]:g} m) does not come after point {i} ({d[i]:g} m).")
        raise InputError(msg)
    for value, name, ground in ((tx_height_amsl_m, "tx_height_amsl_m", h[0]),
                                (rx_height_amsl_m, "rx_height_amsl_m", h[-1])):
        if not math.isfinite(value) or value < ground:
            msg = (f"{_MODEL}: {name} = {value!r} m is below the terrain under the antenna "
                   f"({ground:g} m); antenna heights are above mean sea level, terrain "
                   "included.")
            raise InputError(msg)
    radius = effective_earth_radius_m(k_factor)
    lam = float(wavelength_m(freq_mhz))
    x = d - d[0]
    total = x[-1]
    bulge = x * (total - x) / (2.0 * radius) if math.isfinite(radius) else np.zeros_like(x)
    return x, h + bulge, lam


def bullington_loss_db(distance_m: ArrayLike, height_m: ArrayLike, tx_height_amsl_m: float,
                       rx_height_amsl_m: float, freq_mhz: float, k_factor: float = 4.0 / 3.0,
                       empirical_correction: bool = False) -> float:
    """Diffraction loss (dB) of a terrain profile by the Bullington construction, P.526-15 §4.5.1.

    Parameters
    ----------
    distance_m
        Distances along the path in metres, strictly increasing; the first point is under the
        transmitter, the last under the receiver.
    height_m
        Terrain height above mean sea level (m) at each point (clutter included if wanted).
    tx_height_amsl_m, rx_height_amsl_m
        Antenna heights above mean sea level in metres (terrain plus mast).
    freq_mhz
        Frequency in MHz.
    k_factor
        Effective earth-radius factor (4/3; ``math.inf`` for a flat earth).
    empirical_correction
        Add P.526's ``(1 − exp(−L_uc/6)) (10 + 0.02 d_km)`` to the knife-edge loss ``L_uc``.

    Returns
    -------
    float
        Diffraction loss in dB (≥ 0), to be added to the free-space loss.

    Raises
    ------
    InputError
        A malformed profile, an antenna below the terrain, or a bad frequency or k.
    """
    x, he, lam = _profile(distance_m, height_m, tx_height_amsl_m, rx_height_amsl_m, freq_mhz,
                          k_factor)
    total = x[-1]
    if x.size < 3:
        return 0.0
    hts, hrs = tx_height_amsl_m, rx_height_amsl_m
    di, hi = x[1:-1], he[1:-1]
    stim = float(np.max((hi - hts) / di))
    str_ = (hrs - hts) / total
    if stim < str_:
        ray = (hts * (total - di) + hrs * di) / total
        v = float(np.max((hi - ray) * np.sqrt(2.0 * total / (lam * di * (total - di)))))
    else:
        srim = float(np.max((hi - hrs) / (total - di)))
        denom = stim + srim
        if stim == str_ or denom <= 0.0:  # grazing: the edge is on the direct ray
            v = 0.0
        else:
            db = (hrs - hts + srim * total) / denom
            db = min(max(db, 1e-9 * total), total * (1.0 - 1e-9))
            clearance = hts + stim * db - (hts * (total - db) + hrs * db) / total
            v = clearance * math.sqrt(2.0 * total / (lam * db * (total - db)))
    luc = float(knife_edge_loss_db(v))
    if empirical_correction:
        luc += (1.0 - math.exp(-luc / 6.0)) * (10.0 + 0.02 * total / 1000.0)
    return luc


@dataclass(frozen=True)
class DiffractionEdge:
    """One edge of a Deygout construction.

    Attributes
    ----------
    index
        Index of the edge in the profile arrays.
    level
        1 for the principal edge, 2 for the secondary edges, …
    v
        Fresnel–Kirchhoff parameter of the edge over its sub-path.
    loss_db
        ``J(v)`` in dB.
    """

    index: int
    level: int
    v: float
    loss_db: float


def _deygout(x: NDArray[np.float64], he: NDArray[np.float64], lam: float, a: int, za: float,
             b: int, zb: float, level: int, max_depth: int,
             edges: list[DiffractionEdge]) -> None:
    """Principal edge of the sub-path between profile points ``a`` and ``b``, then recurse."""
    if b - a < 2:
        return
    xi, hi = x[a + 1:b], he[a + 1:b]
    span = x[b] - x[a]
    d1, d2 = xi - x[a], x[b] - xi
    ray = za + (zb - za) * d1 / span
    v = (hi - ray) * np.sqrt(2.0 * span / (lam * d1 * d2))
    k = int(np.argmax(v))
    vmax = float(v[k])
    if vmax <= J_V_MIN:
        return
    i = a + 1 + k
    edges.append(DiffractionEdge(i, level, vmax, float(knife_edge_loss_db(vmax))))
    if level < max_depth:
        _deygout(x, he, lam, a, za, i, float(he[i]), level + 1, max_depth, edges)
        _deygout(x, he, lam, i, float(he[i]), b, zb, level + 1, max_depth, edges)


def deygout_edges(distance_m: ArrayLike, height_m: ArrayLike, tx_height_amsl_m: float,
                  rx_height_amsl_m: float, freq_mhz: float, k_factor: float = 4.0 / 3.0,
                  max_depth: int = 2) -> list[DiffractionEdge]:
    """The edges the Deygout construction retains, principal edge first.

    Parameters
    ----------
    distance_m, height_m, tx_height_amsl_m, rx_height_amsl_m, freq_mhz, k_factor
        As for :func:`bullington_loss_db`.
    max_depth
        Levels of recursion: 1 keeps the principal edge only, 2 adds one secondary edge on each
        side (three edges at most), 3 … goes on.

    Returns
    -------
    list of DiffractionEdge
        Edges with ``v > −0.78``, in the order they were found.

    Raises
    ------
    InputError
        A malformed profile, an antenna below the terrain, a bad frequency, k or depth.
    """
    if max_depth < 1:
        msg = f"{_MODEL}: max_depth must be ≥ 1 (2 for the three-edge Deygout), got {max_depth}."
        raise InputError(msg)
    x, he, lam = _profile(distance_m, height_m, tx_height_amsl_m, rx_height_amsl_m, freq_mhz,
                          k_factor)
    edges: list[DiffractionEdge] = []
    _deygout(x, he, lam, 0, float(tx_height_amsl_m), x.size - 1, float(rx_height_amsl_m), 1,
             max_depth, edges)
    return edges


def deygout_loss_db(distance_m: ArrayLike, height_m: ArrayLike, tx_height_amsl_m: float,
                    rx_height_amsl_m: float, freq_mhz: float, k_factor: float = 4.0 / 3.0,
                    max_depth: int = 2) -> float:
    """Diffraction loss (dB) of a terrain profile by the Deygout construction.

    The sum of ``J(v)`` over the edges of :func:`deygout_edges` (see the module notes).

    Parameters
    ----------
    distance_m, height_m, tx_height_amsl_m, rx_height_amsl_m, freq_mhz, k_factor
        As for :func:`bullington_loss_db`.
    max_depth
        Levels of recursion (2: principal edge and one secondary edge on each side).

    Returns
    -------
    float
        Diffraction loss in dB (≥ 0).

    Raises
    ------
    InputError
        A malformed profile, an antenna below the terrain, a bad frequency, k or depth.
    """
    edges = deygout_edges(distance_m, height_m, tx_height_amsl_m, rx_height_amsl_m, freq_mhz,
                          k_factor, max_depth)
    return float(sum(e.loss_db for e in edges))
