"""Okumura–Hata and COST-231 Hata median path loss.

Okumura–Hata
    M. Hata, "Empirical formula for propagation loss in land mobile radio services", IEEE
    Trans. Veh. Technol. 29(3), 1980, eqs. (13)–(16b). Valid for 150–1500 MHz, base-station
    height 30–200 m, mobile height 1–10 m, distance 1–20 km::

        L_urban = 69.55 + 26.16 log f − 13.82 log h_b − a(h_m) + (44.9 − 6.55 log h_b) log d
        L_suburban = L_urban − 2 [log(f / 28)]² − 5.4
        L_open = L_urban − 4.78 (log f)² + 18.33 log f − 40.94

    with ``f`` in MHz, heights in m, ``d`` in km, and the mobile-antenna correction

    * small/medium city: ``a(h_m) = (1.1 log f − 0.7) h_m − (1.56 log f − 0.8)``;
    * large city: ``8.29 [log(1.54 h_m)]² − 1.1`` below 300 MHz,
      ``3.2 [log(11.75 h_m)]² − 4.97`` from 300 MHz (Hata gives the two forms for f ≤ 200 MHz
      and f ≥ 400 MHz; 300 MHz is the usual split in between).

    The suburban and open-area corrections apply to the urban loss of the chosen city size
    (Hata derives them from the medium-city curve; ``city_size="medium"`` reproduces that).

COST-231 Hata
    COST Action 231 final report (1999), §4.4.3: the same form re-fitted for 1500–2000 MHz::

        L = 46.3 + 33.9 log f − 13.82 log h_b − a(h_m) + (44.9 − 6.55 log h_b) log d + C_m

    with ``C_m = 0 dB`` for medium-sized cities and suburban centres and ``3 dB`` for
    metropolitan centres (``city_size="large"``). ``a(h_m)`` is Hata's, chosen by
    ``city_size`` as above. COST-231 defines no open-area form; for ``environment="rural"`` we
    apply Hata's open-area correction to the medium-city COST-231 loss (an extension outside
    Hata's 1500 MHz, documented here and in the methodology sheet). ``"suburban"`` is the
    COST-231 medium-city loss (``C_m = 0``), as the report defines it.

Out of range inputs give a :class:`~phusong.errors.ModelRangeWarning` naming the value and the
range, or a :class:`~phusong.errors.ModelRangeError` with ``strict=True``.
"""

from __future__ import annotations

import logging
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from phusong.coverage.models._validity import as_float_array, check_range, require_positive
from phusong.errors import InputError

__all__ = [
    "Environment",
    "CitySize",
    "HATA_FREQ_RANGE_MHZ",
    "COST231_FREQ_RANGE_MHZ",
    "mobile_height_correction_db",
    "okumura_hata_loss_db",
    "cost231_hata_loss_db",
    "hata_loss_db",
]

log = logging.getLogger(__name__)

Environment = Literal["urban", "suburban", "rural", "open"]
CitySize = Literal["large", "medium", "small"]

#: Frequency range of Okumura–Hata (MHz), Hata (1980).
HATA_FREQ_RANGE_MHZ = (150.0, 1500.0)
#: Frequency range of COST-231 Hata (MHz), COST 231 final report §4.4.3.
COST231_FREQ_RANGE_MHZ = (1500.0, 2000.0)
_DISTANCE_RANGE_M = (1000.0, 20000.0)
_TX_HEIGHT_RANGE_M = (30.0, 200.0)
_RX_HEIGHT_RANGE_M = (1.0, 10.0)
_LARGE_CITY_SPLIT_MHZ = 300.0

_ENVIRONMENTS = {"urban": "urban", "suburban": "suburban", "rural": "rural", "open": "rural"}
_CITY_SIZES = {"large": "large", "medium": "medium", "small": "medium"}


def _environment(environment: str) -> str:
    try:
        return _ENVIRONMENTS[environment]
    except KeyError:
        msg = (f"Hata: environment {environment!r} is not known; use one of "
               f"{sorted(_ENVIRONMENTS)} ('open' is the same as 'rural').")
        raise InputError(msg) from None


def _city_size(city_size: str) -> str:
    try:
        return _CITY_SIZES[city_size]
    except KeyError:
        msg = (f"Hata: city_size {city_size!r} is not known; use 'large' or 'medium' "
               "('small' is the same as 'medium').")
        raise InputError(msg) from None


def mobile_height_correction_db(freq_mhz: ArrayLike, rx_height_m: ArrayLike,
                                city_size: CitySize = "medium") -> NDArray[np.float64]:
    """Hata's mobile-antenna height correction ``a(h_m)`` (dB), Hata (1980) eqs. (14a)–(14b).

    Parameters
    ----------
    freq_mhz
        Frequency in MHz.
    rx_height_m
        Mobile antenna height above ground in metres.
    city_size
        ``"medium"`` (also ``"small"``): small/medium city formula; ``"large"``: large-city
        formula, the 200 MHz form below 300 MHz and the 400 MHz form from 300 MHz.

    Returns
    -------
    numpy.ndarray
        ``a(h_m)`` in dB, float64 (≈ 0 dB at 1.5 m).
    """
    f = np.asarray(freq_mhz, dtype=np.float64)
    hm = np.asarray(rx_height_m, dtype=np.float64)
    if _city_size(city_size) == "medium":
        lf = np.log10(f)
        return (1.1 * lf - 0.7) * hm - (1.56 * lf - 0.8)
    low = 8.29 * np.log10(1.54 * hm) ** 2 - 1.1
    high = 3.2 * np.log10(11.75 * hm) ** 2 - 4.97
    return np.where(f < _LARGE_CITY_SPLIT_MHZ, low, high)


def _inputs(distance_m: ArrayLike, freq_mhz: ArrayLike, tx_height_m: ArrayLike,
            rx_height_m: ArrayLike, model: str) -> tuple[NDArray[np.float64], ...]:
    d = as_float_array(distance_m, "distance_m", model)
    f = as_float_array(freq_mhz, "freq_mhz", model)
    hb = as_float_array(tx_height_m, "tx_height_m", model)
    hm = as_float_array(rx_height_m, "rx_height_m", model)
    for arr, name, unit in ((d, "distance_m", "m"), (f, "freq_mhz", "MHz"),
                            (hb, "tx_height_m", "m"), (hm, "rx_height_m", "m")):
        require_positive(arr, name, unit, model)
    try:
        d, f, hb, hm = np.broadcast_arrays(d, f, hb, hm)
    except ValueError as e:
        msg = (f"{model}: distance_m, freq_mhz, tx_height_m and rx_height_m have shapes "
               f"{d.shape}, {f.shape}, {hb.shape}, {hm.shape} that do not broadcast together.")
        raise InputError(msg) from e
    return d, f, hb, hm


def _check_common(d: NDArray[np.float64], hb: NDArray[np.float64], hm: NDArray[np.float64],
                  model: str, source: str, strict: bool) -> None:
    check_range(d, *_DISTANCE_RANGE_M, name="distance_m", unit="m", model=model,
                source=source, strict=strict)
    check_range(hb, *_TX_HEIGHT_RANGE_M, name="tx_height_m", unit="m", model=model,
                source=source, strict=strict)
    check_range(hm, *_RX_HEIGHT_RANGE_M, name="rx_height_m", unit="m", model=model,
                source=source, strict=strict)


def _loss(d: NDArray[np.float64], f: NDArray[np.float64], hb: NDArray[np.float64],
          hm: NDArray[np.float64], environment: str, city_size: str,
          cost231: bool) -> NDArray[np.float64]:
    """The formulas, without checks; ``environment`` and ``city_size`` are canonical names."""
    lf = np.log10(f)
    lhb = np.log10(hb)
    slope = (44.9 - 6.55 * lhb) * np.log10(d / 1000.0)
    if cost231:
        # the COST-231 "suburban" and rural base are the medium-city loss (C_m = 0)
        city = city_size if environment == "urban" else "medium"
        c_m = 3.0 if city == "large" else 0.0
        base = 46.3 + 33.9 * lf - 13.82 * lhb + slope + c_m
    else:
        city = city_size
        base = 69.55 + 26.16 * lf - 13.82 * lhb + slope
    a_hm = mobile_height_correction_db(f, hm, "large" if city == "large" else "medium")
    urban: NDArray[np.float64] = base - a_hm
    if environment == "urban" or (cost231 and environment == "suburban"):
        return urban
    if environment == "suburban":
        return urban - 2.0 * np.log10(f / 28.0) ** 2 - 5.4
    return urban - 4.78 * lf**2 + 18.33 * lf - 40.94


#: Name, source and frequency range of each member of the family, by ``cost231``.
_MODELS = {False: ("Okumura-Hata", "Hata (1980)", HATA_FREQ_RANGE_MHZ),
           True: ("COST-231 Hata", "COST 231 final report §4.4.3", COST231_FREQ_RANGE_MHZ)}


def _checked_loss(d: NDArray[np.float64], f: NDArray[np.float64], hb: NDArray[np.float64],
                  hm: NDArray[np.float64], env: str, city: str, cost231: bool,
                  strict: bool) -> NDArray[np.float64]:
    """The loss of one family member, its inputs checked against that member's ranges."""
    model, source, frange = _MODELS[cost231]
    check_range(f, *frange, name="freq_mhz", unit="MHz", model=model, source=source,
                strict=strict)
    _check_common(d, hb, hm, model, source, strict)
    return _loss(d, f, hb, hm, env, city, cost231)


def okumura_hata_loss_db(distance_m: ArrayLike, freq_mhz: ArrayLike, tx_height_m: ArrayLike,
                         rx_height_m: ArrayLike, environment: Environment = "urban",
                         city_size: CitySize = "medium",
                         strict: bool = False) -> NDArray[np.float64]:
    """Okumura–Hata median path loss (dB), Hata (1980) eqs. (13)–(16b).

    Parameters
    ----------
    distance_m
        Horizontal distance in metres; valid 1 000–20 000 m.
    freq_mhz
        Frequency in MHz; valid 150–1500 MHz.
    tx_height_m
        Base-station antenna height above ground (effective height) in metres; valid 30–200 m.
    rx_height_m
        Mobile antenna height above ground in metres; valid 1–10 m.
    environment
        ``"urban"``, ``"suburban"`` or ``"rural"`` (open area; ``"open"`` is accepted).
    city_size
        ``"medium"`` (small/medium city, default) or ``"large"``: chooses ``a(h_m)``.
    strict
        Raise :class:`~phusong.errors.ModelRangeError` for out-of-range inputs instead of
        warning.

    Returns
    -------
    numpy.ndarray
        Median path loss in dB, float64, broadcast shape of the inputs.

    Raises
    ------
    InputError
        Non-positive or non-finite inputs, unknown environment or city size.
    ModelRangeError
        With ``strict=True``, an input outside the range of validity.

    Warns
    -----
    ModelRangeWarning
        An input outside the range of validity (without ``strict``).
    """
    env, city = _environment(environment), _city_size(city_size)
    d, f, hb, hm = _inputs(distance_m, freq_mhz, tx_height_m, rx_height_m, _MODELS[False][0])
    return _checked_loss(d, f, hb, hm, env, city, False, strict)


def cost231_hata_loss_db(distance_m: ArrayLike, freq_mhz: ArrayLike, tx_height_m: ArrayLike,
                         rx_height_m: ArrayLike, environment: Environment = "urban",
                         city_size: CitySize = "medium",
                         strict: bool = False) -> NDArray[np.float64]:
    """COST-231 Hata median path loss (dB), COST 231 final report §4.4.3.

    Parameters
    ----------
    distance_m
        Horizontal distance in metres; valid 1 000–20 000 m.
    freq_mhz
        Frequency in MHz; valid 1500–2000 MHz.
    tx_height_m
        Base-station antenna height above ground in metres; valid 30–200 m.
    rx_height_m
        Mobile antenna height above ground in metres; valid 1–10 m.
    environment
        ``"urban"``, ``"suburban"`` (medium-city loss, ``C_m = 0``) or ``"rural"`` (Hata's
        open-area correction on the medium-city loss; see the module notes).
    city_size
        ``"medium"`` (``C_m = 0 dB``) or ``"large"`` (metropolitan centre, ``C_m = 3 dB``,
        large-city ``a(h_m)``); used for ``environment="urban"`` only.
    strict
        Raise instead of warning for out-of-range inputs.

    Returns
    -------
    numpy.ndarray
        Median path loss in dB, float64.

    Raises
    ------
    InputError
        Non-positive or non-finite inputs, unknown environment or city size.
    ModelRangeError
        With ``strict=True``, an input outside the range of validity.

    Warns
    -----
    ModelRangeWarning
        An input outside the range of validity (without ``strict``).
    """
    env, city = _environment(environment), _city_size(city_size)
    d, f, hb, hm = _inputs(distance_m, freq_mhz, tx_height_m, rx_height_m, _MODELS[True][0])
    return _checked_loss(d, f, hb, hm, env, city, True, strict)


def hata_loss_db(distance_m: ArrayLike, freq_mhz: ArrayLike, tx_height_m: ArrayLike,
                 rx_height_m: ArrayLike, environment: Environment = "urban",
                 city_size: CitySize = "medium", strict: bool = False) -> NDArray[np.float64]:
    """Hata family path loss (dB): Okumura–Hata up to 1500 MHz, COST-231 Hata above.

    Each element is computed with the model whose frequency range holds it (1500 MHz itself
    uses Okumura–Hata) and checked against that model's ranges; above 2000 MHz COST-231 is
    extrapolated, with a warning or, when ``strict``, an error.

    Parameters
    ----------
    distance_m, freq_mhz, tx_height_m, rx_height_m, environment, city_size, strict
        As for :func:`okumura_hata_loss_db` and :func:`cost231_hata_loss_db`.

    Returns
    -------
    numpy.ndarray
        Median path loss in dB, float64, broadcast shape of the inputs.

    Raises
    ------
    InputError
        Non-positive or non-finite inputs, unknown environment or city size.
    ModelRangeError
        With ``strict=True``, an input outside the range of validity.

    Warns
    -----
    ModelRangeWarning
        An input outside the range of validity (without ``strict``).
    """
    model = "Hata/COST-231"
    env, city = _environment(environment), _city_size(city_size)
    d, f, hb, hm = _inputs(distance_m, freq_mhz, tx_height_m, rx_height_m, model)
    is_hata = f <= HATA_FREQ_RANGE_MHZ[1]
    out = np.empty(d.shape, dtype=np.float64)
    for mask, cost231 in ((is_hata, False), (~is_hata, True)):
        if np.any(mask):
            out[mask] = _checked_loss(d[mask], f[mask], hb[mask], hm[mask], env, city, cost231,
                                      strict)
    return out
