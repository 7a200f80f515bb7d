"""Free-space basic transmission loss, Recommendation ITU-R P.525-4.

P.525-4 eq. (4) writes the loss between isotropic antennas in practical units as
``L_bf = 32.4 + 20 log10(f_MHz) + 20 log10(d_km)``. The constant is ``20 log10(4π·10⁹ / c)``
= 32.448 dB; textbooks round it to 32.45, P.525 to 32.4. We use the unrounded constant, so that
1 km at 1000 MHz gives 92.448 dB.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from phusong.coverage.models._validity import as_float_array, require_positive

__all__ = ["SPEED_OF_LIGHT_M_S", "FSPL_CONSTANT_DB", "fspl_db", "wavelength_m"]

log = logging.getLogger(__name__)

#: Speed of light in vacuum (m/s), as used by ITU-R P.525 and P.526.
SPEED_OF_LIGHT_M_S = 299_792_458.0

#: ``20 log10(4π · 10⁶ Hz/MHz · 10³ m/km / c)`` = 32.448 dB, the constant of P.525-4 eq. (4).
FSPL_CONSTANT_DB = 20.0 * math.log10(4.0 * math.pi * 1e9 / SPEED_OF_LIGHT_M_S)

_MODEL = "ITU-R P.525 free space"


def wavelength_m(freq_mhz: ArrayLike) -> NDArray[np.float64]:
    """Wavelength (m) of a frequency (MHz): ``λ = c / f``.

    Parameters
    ----------
    freq_mhz
        Frequency in MHz, scalar or array.

    Returns
    -------
    numpy.ndarray
        Wavelength in metres, float64, same shape as ``freq_mhz``.

    Raises
    ------
    InputError
        If a frequency is not a positive finite number.
    """
    f = as_float_array(freq_mhz, "freq_mhz", _MODEL)
    require_positive(f, "freq_mhz", "MHz", _MODEL)
    return SPEED_OF_LIGHT_M_S / (f * 1e6)


def fspl_db(distance_m: ArrayLike, freq_mhz: ArrayLike) -> NDArray[np.float64]:
    """Free-space basic transmission loss (dB), ITU-R P.525-4 eq. (4).

    ``L_bf = 32.448 + 20 log10(f_MHz) + 20 log10(d_km)``, between isotropic antennas in the far
    field. The arguments broadcast against each other.

    Parameters
    ----------
    distance_m
        Path length in metres (the 3-D distance between the antennas), > 0.
    freq_mhz
        Frequency in MHz, > 0.

    Returns
    -------
    numpy.ndarray
        Loss in dB, float64, broadcast shape of the inputs (0-d for scalars).

    Raises
    ------
    InputError
        If a distance or frequency is not a positive finite number.

    Examples
    --------
    >>> round(float(fspl_db(1000.0, 1000.0)), 3)
    92.448
    """
    d = as_float_array(distance_m, "distance_m", _MODEL)
    f = as_float_array(freq_mhz, "freq_mhz", _MODEL)
    require_positive(d, "distance_m", "m", _MODEL)
    require_positive(f, "freq_mhz", "MHz", _MODEL)
    return FSPL_CONSTANT_DB + 20.0 * np.log10(f) + 20.0 * np.log10(d / 1000.0)
