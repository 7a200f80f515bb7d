"""3GPP TR 38.901 V17 path loss (Table 7.4.1-1) and LOS probability (Table 7.4.2-1).

Scenarios ``"rma"`` (rural macro), ``"uma"`` (urban macro) and ``"umi"`` (urban micro, street
canyon). ``f_c`` is the centre frequency in GHz in the formulas below, distances are in metres;
``d_2D`` is the horizontal and ``d_3D`` the slant distance between the antennas;
``c = 3.0·10⁸ m/s`` as the table's notes fix it.

RMa LOS
    ``PL1 = 20 log10(40π d_3D f_c / 3) + min(0.03 h^1.72, 10) log10(d_3D)
    − min(0.044 h^1.72, 14.77) + 0.002 log10(h) d_3D`` for 10 m ≤ d_2D ≤ d_BP;
    ``PL2 = PL1(d_BP) + 40 log10(d_3D / d_BP)`` for d_BP ≤ d_2D ≤ 10 km;
    ``d_BP = 2π h_BS h_UT f_c / c`` (note 5, f_c in Hz). ``PL1(d_BP)`` evaluates PL1 with
    d_3D = d_BP, the literal reading of the table (ns-3 does the same); PL2 then meets PL1 at the
    breakpoint to within a few thousandths of a dB.
RMa NLOS
    ``PL' = 161.04 − 7.1 log10(W) + 7.5 log10(h) − (24.37 − 3.7 (h/h_BS)²) log10(h_BS)
    + (43.42 − 3.1 log10(h_BS)) (log10(d_3D) − 3) + 20 log10(f_c)
    − (3.2 (log10(11.75 h_UT))² − 4.97)``, 10 m ≤ d_2D ≤ 5 km; ``PL = max(PL_LOS, PL')``.
    Defaults ``h = 5 m`` (average building height), ``W = 20 m`` (street width).
UMa LOS
    ``PL1 = 28.0 + 22 log10(d_3D) + 20 log10(f_c)`` for 10 m ≤ d_2D ≤ d'_BP;
    ``PL2 = 28.0 + 40 log10(d_3D) + 20 log10(f_c) − 9 log10(d'_BP² + (h_BS − h_UT)²)`` up to 5 km;
    ``d'_BP = 4 h'_BS h'_UT f_c / c`` with ``h' = h − h_E``.
UMa NLOS
    ``PL' = 13.54 + 39.08 log10(d_3D) + 20 log10(f_c) − 0.6 (h_UT − 1.5)``;
    ``PL = max(PL_LOS, PL')``, 10 m ≤ d_2D ≤ 5 km.
UMi-Street Canyon LOS
    ``PL1 = 32.4 + 21 log10(d_3D) + 20 log10(f_c)``;
    ``PL2 = 32.4 + 40 log10(d_3D) + 20 log10(f_c) − 9.5 log10(d'_BP² + (h_BS − h_UT)²)``.
UMi-Street Canyon NLOS
    ``PL' = 35.3 log10(d_3D) + 22.4 + 21.3 log10(f_c) − 0.3 (h_UT − 1.5)``;
    ``PL = max(PL_LOS, PL')``.

Effective environment height ``h_E``: the table draws ``h_E = 1 m`` with probability
``1 / (1 + C(d_2D, h_UT))`` and otherwise from {12, 15, …, h_UT − 1.5} m; ``C = 0`` for
``h_UT < 13 m``, so ``h_E = 1 m`` exactly for every ground-level receiver. We use ``h_E = 1 m``
throughout (also for UMi, where the table fixes it); for receivers at 13 m or more this is the
most likely draw, not the expectation.

Ranges checked (Table 7.4.1-1 and its notes): f_c 0.5–30 GHz for RMa (the notes add that RMa
above 7 GHz rests on a single 24 GHz campaign) and 0.5–100 GHz for UMa/UMi; d_2D from 10 m to
10 km (RMa LOS), 5 km (RMa NLOS, UMa, UMi); h_BS 10–150 m (RMa), 25 m (UMa), 10 m (UMi);
h_UT 1–10 m (RMa), 1.5–22.5 m (UMa, UMi); h and W 5–50 m.

LOS probability, Table 7.4.2-1 (outdoor users)
    RMa: ``1`` for d_2D ≤ 10 m, else ``exp(−(d_2D − 10)/1000)``;
    UMi: ``1`` for d_2D ≤ 18 m, else ``18/d_2D + exp(−d_2D/36)(1 − 18/d_2D)``;
    UMa: ``1`` for d_2D ≤ 18 m, else ``[18/d_2D + exp(−d_2D/63)(1 − 18/d_2D)]
    (1 + C'(h_UT) 5/4 (d_2D/100)³ exp(−d_2D/150))`` with ``C' = 0`` for h_UT ≤ 13 m and
    ``((h_UT − 13)/10)^1.5`` for 13 < h_UT ≤ 23 m.

The ``"expected"`` condition blends LOS and NLOS with that probability, either on received
power (``blend="power"``, ``−10 log10(P 10^(−PL_LOS/10) + (1 − P) 10^(−PL_NLOS/10))``) or on dB
(``blend="db"``, ``P·PL_LOS + (1 − P)·PL_NLOS``). Neither is a 3GPP formula: 38.901 draws the
LOS state at random; the blend is the deterministic mean a coverage map needs.
"""

from __future__ import annotations

import logging
import math
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from phusong.coverage.models._validity import as_float_array, check_range, require_positive
from phusong.errors import InputError

__all__ = [
    "Scenario",
    "Condition",
    "TR38901_SPEED_OF_LIGHT_M_S",
    "breakpoint_distance_m",
    "los_probability",
    "tr38901_loss_db",
]

log = logging.getLogger(__name__)

Scenario = Literal["rma", "uma", "umi"]
Condition = Literal["los", "nlos", "expected"]

#: ``c`` as fixed by the notes of TR 38.901 Table 7.4.1-1 (m/s).
TR38901_SPEED_OF_LIGHT_M_S = 3.0e8
_SOURCE = "3GPP TR 38.901 Table 7.4.1-1"
_H_E_M = 1.0

# (d_2D LOS, d_2D NLOS, h_BS, h_UT, f_c GHz) ranges per scenario
_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "rma": {"los_m": (10.0, 10_000.0), "nlos_m": (10.0, 5_000.0), "tx_m": (10.0, 150.0),
            "rx_m": (1.0, 10.0), "fc_ghz": (0.5, 30.0)},
    "uma": {"los_m": (10.0, 5_000.0), "nlos_m": (10.0, 5_000.0), "tx_m": (25.0, 25.0),
            "rx_m": (1.5, 22.5), "fc_ghz": (0.5, 100.0)},
    "umi": {"los_m": (10.0, 5_000.0), "nlos_m": (10.0, 5_000.0), "tx_m": (10.0, 10.0),
            "rx_m": (1.5, 22.5), "fc_ghz": (0.5, 100.0)},
}
_NAMES = {"rma": "38.901 RMa", "uma": "38.901 UMa", "umi": "38.901 UMi-Street Canyon"}


def _scenario(scenario: str) -> str:
    key = scenario.lower().replace("-", "").replace("_", "")
    if key not in _RANGES:
        msg = f"TR 38.901: scenario {scenario!r} is not known; use 'rma', 'uma' or 'umi'."
        raise InputError(msg)
    return key


def breakpoint_distance_m(freq_mhz: ArrayLike, tx_height_m: ArrayLike, rx_height_m: ArrayLike,
                          scenario: Scenario = "rma") -> NDArray[np.float64]:
    """Breakpoint distance (m), TR 38.901 Table 7.4.1-1 notes 1 and 5.

    RMa: ``d_BP = 2π h_BS h_UT f_c / c``; UMa and UMi: ``d'_BP = 4 h'_BS h'_UT f_c / c`` with
    ``h' = h − h_E`` and ``h_E = 1 m``.

    Parameters
    ----------
    freq_mhz
        Centre frequency in MHz.
    tx_height_m, rx_height_m
        Base-station and user-terminal antenna heights in metres.
    scenario
        ``"rma"``, ``"uma"`` or ``"umi"``.

    Returns
    -------
    numpy.ndarray
        Breakpoint distance in metres, float64.
    """
    key = _scenario(scenario)
    fc_hz = np.asarray(freq_mhz, dtype=np.float64) * 1e6
    hb = np.asarray(tx_height_m, dtype=np.float64)
    hu = np.asarray(rx_height_m, dtype=np.float64)
    if key == "rma":
        return 2.0 * math.pi * hb * hu * fc_hz / TR38901_SPEED_OF_LIGHT_M_S
    return 4.0 * (hb - _H_E_M) * (hu - _H_E_M) * fc_hz / TR38901_SPEED_OF_LIGHT_M_S


def _rma_pl1(d3: NDArray[np.float64], fc: NDArray[np.float64],
             h: float) -> NDArray[np.float64]:
    return (20.0 * np.log10(40.0 * math.pi * d3 * fc / 3.0)
            + min(0.03 * h**1.72, 10.0) * np.log10(d3)
            - min(0.044 * h**1.72, 14.77) + 0.002 * math.log10(h) * d3)


def _los(key: str, d2: NDArray[np.float64], d3: NDArray[np.float64], fc: NDArray[np.float64],
         hb: NDArray[np.float64], hu: NDArray[np.float64], h: float) -> NDArray[np.float64]:
    dbp = breakpoint_distance_m(fc * 1e3, hb, hu, key)  # type: ignore[arg-type]
    if key == "rma":
        pl1 = _rma_pl1(d3, fc, h)
        pl2 = _rma_pl1(dbp, fc, h) + 40.0 * np.log10(d3 / dbp)
    elif key == "uma":
        pl1 = 28.0 + 22.0 * np.log10(d3) + 20.0 * np.log10(fc)
        pl2 = (28.0 + 40.0 * np.log10(d3) + 20.0 * np.log10(fc)
               - 9.0 * np.log10(dbp**2 + (hb - hu) ** 2))
    else:
        pl1 = 32.4 + 21.0 * np.log10(d3) + 20.0 * np.log10(fc)
        pl2 = (32.4 + 40.0 * np.log10(d3) + 20.0 * np.log10(fc)
               - 9.5 * np.log10(dbp**2 + (hb - hu) ** 2))
    return np.where(d2 <= dbp, pl1, pl2)


def _nlos(key: str, d2: NDArray[np.float64], d3: NDArray[np.float64], fc: NDArray[np.float64],
          hb: NDArray[np.float64], hu: NDArray[np.float64], h: float,
          w: float) -> NDArray[np.float64]:
    if key == "rma":
        prime = (161.04 - 7.1 * math.log10(w) + 7.5 * math.log10(h)
                 - (24.37 - 3.7 * (h / hb) ** 2) * np.log10(hb)
                 + (43.42 - 3.1 * np.log10(hb)) * (np.log10(d3) - 3.0)
                 + 20.0 * np.log10(fc) - (3.2 * np.log10(11.75 * hu) ** 2 - 4.97))
    elif key == "uma":
        prime = 13.54 + 39.08 * np.log10(d3) + 20.0 * np.log10(fc) - 0.6 * (hu - 1.5)
    else:
        prime = 35.3 * np.log10(d3) + 22.4 + 21.3 * np.log10(fc) - 0.3 * (hu - 1.5)
    return np.maximum(_los(key, d2, d3, fc, hb, hu, h), prime)


def _probability(key: str, d2: NDArray[np.float64],
                 hu: NDArray[np.float64]) -> NDArray[np.float64]:
    if key == "rma":
        return np.where(d2 <= 10.0, 1.0, np.exp(-(d2 - 10.0) / 1000.0))
    dd = np.maximum(d2, 18.0)
    if key == "umi":
        p = 18.0 / dd + np.exp(-dd / 36.0) * (1.0 - 18.0 / dd)
    else:
        c_prime = np.where(hu <= 13.0, 0.0, (np.clip(hu - 13.0, 0.0, None) / 10.0) ** 1.5)
        p = ((18.0 / dd + np.exp(-dd / 63.0) * (1.0 - 18.0 / dd))
             * (1.0 + c_prime * 1.25 * (dd / 100.0) ** 3 * np.exp(-dd / 150.0)))
    return np.where(d2 <= 18.0, 1.0, p)


def los_probability(distance_2d_m: ArrayLike, scenario: Scenario = "rma",
                    rx_height_m: ArrayLike = 1.5) -> NDArray[np.float64]:
    """LOS probability for an outdoor user, TR 38.901 Table 7.4.2-1.

    Parameters
    ----------
    distance_2d_m
        Horizontal distance in metres, ≥ 0.
    scenario
        ``"rma"``, ``"uma"`` or ``"umi"``.
    rx_height_m
        User-terminal height in metres (used by UMa only; the formula holds to 23 m).

    Returns
    -------
    numpy.ndarray
        Probability in [0, 1], float64, broadcast shape of the inputs.

    Raises
    ------
    InputError
        A negative or non-finite distance or height, or an unknown scenario.
    """
    key = _scenario(scenario)
    model = _NAMES[key] + " LOS probability"
    d2 = as_float_array(distance_2d_m, "distance_2d_m", model)
    hu = as_float_array(rx_height_m, "rx_height_m", model)
    if np.any(d2 < 0.0):
        msg = f"{model}: distance_2d_m must be ≥ 0 m; found {float(d2.min()):g} m."
        raise InputError(msg)
    require_positive(hu, "rx_height_m", "m", model)
    d2, hu = np.broadcast_arrays(d2, hu)
    return np.clip(_probability(key, d2, hu), 0.0, 1.0)


def tr38901_loss_db(distance_2d_m: ArrayLike, freq_mhz: ArrayLike, tx_height_m: ArrayLike,
                    rx_height_m: ArrayLike, scenario: Scenario = "rma",
                    condition: Condition = "los", blend: Literal["power", "db"] = "power",
                    building_height_m: float = 5.0, street_width_m: float = 20.0,
                    strict: bool = False) -> NDArray[np.float64]:
    """Path loss (dB) of 3GPP TR 38.901 V17 Table 7.4.1-1, RMa / UMa / UMi-Street Canyon.

    Shadow fading is not included (the caller adds a margin from its σ).

    Parameters
    ----------
    distance_2d_m
        Horizontal distance between base station and user terminal in metres.
    freq_mhz
        Centre frequency in MHz (the table's ``f_c`` is in GHz: ``f_c = freq_mhz / 1000``).
    tx_height_m
        Base-station antenna height above ground ``h_BS`` in metres.
    rx_height_m
        User-terminal antenna height above ground ``h_UT`` in metres.
    scenario
        ``"rma"``, ``"uma"`` or ``"umi"``.
    condition
        ``"los"``, ``"nlos"`` (``max(PL_LOS, PL'_NLOS)`` as the table prescribes) or
        ``"expected"`` (blend weighted by the LOS probability of Table 7.4.2-1).
    blend
        How ``"expected"`` blends: ``"power"`` (mean received power) or ``"db"``.
    building_height_m
        Average building height ``h`` (RMa only), 5–50 m.
    street_width_m
        Average street width ``W`` (RMa only), 5–50 m.
    strict
        Raise :class:`~phusong.errors.ModelRangeError` for out-of-range inputs instead of
        warning.

    Returns
    -------
    numpy.ndarray
        Path loss in dB, float64, broadcast shape of the array inputs.

    Raises
    ------
    InputError
        Non-positive or non-finite inputs, unknown scenario, condition or blend.
    ModelRangeError
        With ``strict=True``, an input outside the range of validity.

    Warns
    -----
    ModelRangeWarning
        An input outside the range of validity (without ``strict``).
    """
    key = _scenario(scenario)
    model = _NAMES[key]
    if condition not in ("los", "nlos", "expected"):
        msg = f"{model}: condition {condition!r} is not known; use 'los', 'nlos' or 'expected'."
        raise InputError(msg)
    if blend not in ("power", "db"):
        msg = f"{model}: blend {blend!r} is not known; use 'power' or 'db'."
        raise InputError(msg)
    d2 = as_float_array(distance_2d_m, "distance_2d_m", model)
    f = as_float_array(freq_mhz, "freq_mhz", model)
    hb = as_float_array(tx_height_m, "tx_height_m", model)
    hu = as_float_array(rx_height_m, "rx_height_m", model)
    h = float(as_float_array(building_height_m, "building_height_m", model))
    w = float(as_float_array(street_width_m, "street_width_m", model))
    for arr, name in ((d2, "distance_2d_m"), (hb, "tx_height_m"), (hu, "rx_height_m"),
                      (np.asarray(h), "building_height_m"), (np.asarray(w), "street_width_m")):
        require_positive(arr, name, "m", model)
    require_positive(f, "freq_mhz", "MHz", model)
    try:
        d2, f, hb, hu = np.broadcast_arrays(d2, f, hb, hu)
    except ValueError as e:
        msg = (f"{model}: distance_2d_m, freq_mhz, tx_height_m and rx_height_m have shapes "
               f"{d2.shape}, {f.shape}, {hb.shape}, {hu.shape} that do not broadcast.")
        raise InputError(msg) from e

    rng = _RANGES[key]
    fc = f / 1000.0
    check_range(fc, *rng["fc_ghz"], name="freq_mhz / 1000", unit="GHz", model=model,
                source=_SOURCE, strict=strict)
    check_range(hb, *rng["tx_m"], name="tx_height_m", unit="m", model=model, source=_SOURCE,
                strict=strict)
    check_range(hu, *rng["rx_m"], name="rx_height_m", unit="m", model=model, source=_SOURCE,
                strict=strict)
    if condition in ("los", "expected"):
        check_range(d2, *rng["los_m"], name="distance_2d_m (LOS)", unit="m", model=model,
                    source=_SOURCE, strict=strict)
    if condition in ("nlos", "expected"):
        check_range(d2, *rng["nlos_m"], name="distance_2d_m (NLOS)", unit="m", model=model,
                    source=_SOURCE, strict=strict)
    if key == "rma":
        for value, name in ((h, "building_height_m"), (w, "street_width_m")):
            check_range(np.asarray(value), 5.0, 50.0, name=name, unit="m", model=model,
                        source=_SOURCE, strict=strict)

    d3 = np.hypot(d2, hb - hu)
    if condition == "los":
        return _los(key, d2, d3, fc, hb, hu, h)
    nlos = _nlos(key, d2, d3, fc, hb, hu, h, w)
    if condition == "nlos":
        return nlos
    los = _los(key, d2, d3, fc, hb, hu, h)
    p = _probability(key, d2, hu)
    if blend == "db":
        return p * los + (1.0 - p) * nlos
    # mean received power, computed relative to the LOS loss to avoid underflow
    return los - 10.0 * np.log10(p + (1.0 - p) * 10.0 ** (-(nlos - los) / 10.0))
