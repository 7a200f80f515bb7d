"""Sector antenna pattern, 3GPP TR 38.901 Table 7.3-1 (parametric single-element pattern).

Table 7.3-1 gives, in the antenna's own coordinates (zenith angle θ'' with 90° on the horizon,
azimuth φ'' with 0° on boresight)::

    A_V(θ'') = −min( 12 ((θ'' − 90°) / θ_3dB)², SLA_V )        θ_3dB = 65°, SLA_V = 30 dB
    A_H(φ'') = −min( 12 (φ'' / φ_3dB)², A_max )                φ_3dB = 65°, A_max = 30 dB
    A(θ'', φ'') = −min( −(A_V + A_H), A_max )

The beamwidths, the front-to-back ratio ``A_max`` and ``SLA_V`` are parameters here (a sector row
gives them); the table's values are the defaults. The functions return the attenuation relative
to boresight (≤ 0 dB); the caller adds the antenna's maximum gain (the table's 8 dBi is for one
element, a sector panel has 15–18 dBi).

Angles as an RF engineer gives them
    The functions take the *elevation* angle ``ε`` of the direction seen from the antenna
    (positive above the horizon) and the *downtilt* ``τ`` (positive down). 38.901's zenith angle
    is ``θ = 90° − ε``; a beam tilted down by ``τ`` points at ``θ = 90° + τ``, so
    ``θ'' − 90° = −(ε + τ)`` and ``A_V = −min(12 ((ε + τ)/θ_3dB)², SLA_V)``. Azimuths are
    clockwise from north, in degrees; ``φ''`` is the azimuth minus the boresight azimuth,
    wrapped to [−180°, 180°).

Tilt is applied as a shift of the vertical cut (electrical tilt, as 3GPP TR 36.814
Table A.2.1.1-2 writes it with θ_etilt). A purely mechanical tilt rotates the whole pattern (TR 38.901 §7.1.3)
and tilts less off boresight; planning tools commonly use the shift for both.
"""

from __future__ import annotations

import logging

import numpy as np
from numpy.typing import ArrayLike, NDArray

from phusong.coverage.models._validity import as_float_array
from phusong.coverage.models.diffraction import effective_earth_radius_m
from phusong.errors import InputError

__all__ = [
    "HPBW_DEG",
    "FRONT_TO_BACK_DB",
    "SLA_V_DB",
    "zenith_from_elevation_deg",
    "elevation_angle_deg",
    "horizontal_pattern_db",
    "vertical_pattern_db",
    "sector_pattern_db",
]

log = logging.getLogger(__name__)

#: Half-power beamwidth of TR 38.901 Table 7.3-1, horizontal and vertical (degrees).
HPBW_DEG = 65.0
#: Front-to-back ratio ``A_max`` of Table 7.3-1 (dB).
FRONT_TO_BACK_DB = 30.0
#: Side-lobe level limit ``SLA_V`` of Table 7.3-1 (dB).
SLA_V_DB = 30.0

_MODEL = "TR 38.901 antenna pattern"


def _positive(value: float, name: str, unit: str) -> float:
    if not (np.isfinite(value) and value > 0.0):
        msg = f"{_MODEL}: {name} must be a positive number of {unit}, got {value!r}."
        raise InputError(msg)
    return float(value)


def zenith_from_elevation_deg(elevation_deg: ArrayLike) -> NDArray[np.float64]:
    """38.901 zenith angle ``θ = 90° − ε`` (degrees) from an elevation angle ``ε`` (degrees).

    Parameters
    ----------
    elevation_deg
        Elevation above the horizon in degrees (negative below).

    Returns
    -------
    numpy.ndarray
        Zenith angle in degrees (90° on the horizon, 180° straight down).
    """
    return 90.0 - np.asarray(elevation_deg, dtype=np.float64)


def elevation_angle_deg(horizontal_distance_m: ArrayLike, tx_height_amsl_m: ArrayLike,
                        rx_height_amsl_m: ArrayLike,
                        k_factor: float | None = 4.0 / 3.0) -> NDArray[np.float64]:
    """Elevation angle (degrees) of the receiver seen from the antenna.

    ``ε = atan2(h_rx − h_tx − d² / (2 k R_e), d)``: the receiver drops below the antenna's
    horizontal plane by ``d² / (2 k R_e)`` over an effective earth.

    Parameters
    ----------
    horizontal_distance_m
        Horizontal distance in metres (> 0).
    tx_height_amsl_m, rx_height_amsl_m
        Antenna and receiver heights above mean sea level in metres.
    k_factor
        Effective earth-radius factor; ``None`` for a flat earth.

    Returns
    -------
    numpy.ndarray
        Elevation in degrees, negative below the horizon.
    """
    d = as_float_array(horizontal_distance_m, "horizontal_distance_m", _MODEL)
    dz = (np.asarray(rx_height_amsl_m, dtype=np.float64)
          - np.asarray(tx_height_amsl_m, dtype=np.float64))
    if k_factor is not None:
        dz = dz - d * d / (2.0 * effective_earth_radius_m(k_factor))
    return np.degrees(np.arctan2(dz, d))


def horizontal_pattern_db(azimuth_offset_deg: ArrayLike, hpbw_deg: float = HPBW_DEG,
                          front_to_back_db: float = FRONT_TO_BACK_DB) -> NDArray[np.float64]:
    """Horizontal cut ``A_H(φ'') = −min(12 (φ''/φ_3dB)², A_max)`` (dB), TR 38.901 Table 7.3-1.

    Parameters
    ----------
    azimuth_offset_deg
        Azimuth from boresight in degrees (wrapped to [−180°, 180°) here).
    hpbw_deg
        Horizontal half-power beamwidth ``φ_3dB`` in degrees.
    front_to_back_db
        ``A_max`` in dB (positive).

    Returns
    -------
    numpy.ndarray
        Attenuation in dB (≤ 0).
    """
    hpbw = _positive(hpbw_deg, "hpbw_deg", "degrees")
    a_max = _positive(front_to_back_db, "front_to_back_db", "dB")
    phi = (np.asarray(azimuth_offset_deg, dtype=np.float64) + 180.0) % 360.0 - 180.0
    return -np.minimum(12.0 * (phi / hpbw) ** 2, a_max)


def vertical_pattern_db(elevation_deg: ArrayLike, downtilt_deg: ArrayLike = 0.0,
                        hpbw_deg: float = HPBW_DEG,
                        sla_db: float = SLA_V_DB) -> NDArray[np.float64]:
    """Vertical cut ``A_V = −min(12 ((ε + τ)/θ_3dB)², SLA_V)`` (dB), TR 38.901 Table 7.3-1.

    Written with the elevation ``ε`` and the downtilt ``τ`` (positive down); in 38.901's
    zenith angle this is ``−min(12 ((θ'' − 90°)/θ_3dB)², SLA_V)`` with ``θ'' = 90° − ε − τ``.

    Parameters
    ----------
    elevation_deg
        Elevation of the direction above the horizon, in degrees.
    downtilt_deg
        Downtilt of the beam in degrees, positive down.
    hpbw_deg
        Vertical half-power beamwidth ``θ_3dB`` in degrees.
    sla_db
        Side-lobe level limit ``SLA_V`` in dB (positive).

    Returns
    -------
    numpy.ndarray
        Attenuation in dB (≤ 0).
    """
    hpbw = _positive(hpbw_deg, "hpbw_deg", "degrees")
    sla = _positive(sla_db, "sla_db", "dB")
    off = np.asarray(elevation_deg, dtype=np.float64) + np.asarray(downtilt_deg,
                                                                   dtype=np.float64)
    return -np.minimum(12.0 * (off / hpbw) ** 2, sla)


def sector_pattern_db(azimuth_deg: ArrayLike, elevation_deg: ArrayLike,
                      boresight_azimuth_deg: ArrayLike = 0.0, downtilt_deg: ArrayLike = 0.0,
                      hpbw_h_deg: float = HPBW_DEG, hpbw_v_deg: float = HPBW_DEG,
                      front_to_back_db: float = FRONT_TO_BACK_DB, sla_v_db: float = SLA_V_DB,
                      omni: bool = False) -> NDArray[np.float64]:
    """Combined pattern ``A = −min(−(A_H + A_V), A_max)`` (dB), TR 38.901 Table 7.3-1.

    Parameters
    ----------
    azimuth_deg
        Azimuth of the direction, degrees clockwise from north.
    elevation_deg
        Elevation of the direction seen from the antenna, degrees above the horizon
        (:func:`elevation_angle_deg`).
    boresight_azimuth_deg
        Azimuth of the sector's boresight, degrees clockwise from north.
    downtilt_deg
        Downtilt, degrees, positive down.
    hpbw_h_deg, hpbw_v_deg
        Horizontal and vertical half-power beamwidths in degrees.
    front_to_back_db
        ``A_max`` in dB; also the floor of the combined pattern.
    sla_v_db
        Vertical side-lobe limit in dB.
    omni
        Omnidirectional in azimuth (``A_H = 0``); the vertical cut still applies.

    Returns
    -------
    numpy.ndarray
        Attenuation relative to boresight in dB (≤ 0), broadcast shape of the inputs.
    """
    a_max = _positive(front_to_back_db, "front_to_back_db", "dB")
    a_v = vertical_pattern_db(elevation_deg, downtilt_deg, hpbw_v_deg, sla_v_db)
    if omni:
        a_h = np.zeros_like(a_v)
    else:
        offset = (np.asarray(azimuth_deg, dtype=np.float64)
                  - np.asarray(boresight_azimuth_deg, dtype=np.float64))
        a_h = horizontal_pattern_db(offset, hpbw_h_deg, a_max)
    return -np.minimum(-(a_h + a_v), a_max)
