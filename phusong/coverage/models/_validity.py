"""Range-of-validity checks shared by the propagation models.

Two kinds of bad input are told apart:

* values no model can use (a distance of zero or less, a NaN, a negative frequency): always an
  :class:`~phusong.errors.InputError`;
* values the model was not fitted or validated for (Hata beyond 20 km, 38.901 UMa at 6 km):
  a :class:`~phusong.errors.ModelRangeWarning` naming the value and the valid range, or, with
  ``strict=True``, a :class:`~phusong.errors.ModelRangeError`. The result is then an
  extrapolation, never silently.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray

from phusong.errors import InputError, ModelRangeError, ModelRangeWarning

__all__ = ["as_float_array", "require_positive", "check_range"]

log = logging.getLogger(__name__)


def _describe(values: NDArray[np.float64]) -> str:
    """``"1500"`` for one value, ``"1200 … 2400"`` (smallest … largest) for several."""
    if values.size == 1:
        return f"{float(values.ravel()[0]):g}"
    return f"{float(values.min()):g} … {float(values.max()):g}"


def as_float_array(value: ArrayLike, name: str, model: str) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array (a copy), refusing NaN and infinity.

    Parameters
    ----------
    value
        Scalar or array-like input.
    name
        Argument name, for the message.
    model
        Model name, for the message.

    Returns
    -------
    numpy.ndarray
        A new float64 array (0-d for a scalar input).

    Raises
    ------
    InputError
        If a value is not a finite number.
    """
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as e:
        msg = f"{model}: {name} must be a number or an array of numbers, got {value!r}."
        raise InputError(msg) from e
    if not np.all(np.isfinite(arr)):
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        msg = (f"{model}: {name} has {bad} value(s) that are NaN or infinite; "
               "fill or drop them before calling the model.")
        raise InputError(msg)
    return arr


def require_positive(values: NDArray[np.float64], name: str, unit: str, model: str) -> None:
    """Raise :class:`InputError` unless every value is strictly positive.

    Parameters
    ----------
    values
        The values to check.
    name, unit, model
        For the message.

    Raises
    ------
    InputError
        If any value is zero or negative.
    """
    bad = values <= 0.0
    if np.any(bad):
        msg = (f"{model}: {name} must be > 0 {unit}; found {_describe(values[bad])} {unit} "
               f"({int(np.count_nonzero(bad))} of {values.size} values).")
        raise InputError(msg)


def check_range(values: NDArray[np.float64], lo: float, hi: float, *, name: str, unit: str,
                model: str, source: str, strict: bool) -> bool:
    """Check that ``lo <= values <= hi``; warn (or raise when ``strict``) otherwise.

    Parameters
    ----------
    values
        The values to check (any shape).
    lo, hi
        Inclusive bounds of the range of validity.
    name, unit
        Argument name and unit, for the message (``"distance_m"``, ``"m"``).
    model
        Model name, for the message (``"Okumura-Hata"``).
    source
        Where the range comes from (``"Hata (1980)"``, ``"3GPP TR 38.901 Table 7.4.1-1"``).
    strict
        Raise :class:`ModelRangeError` instead of warning.

    Returns
    -------
    bool
        ``True`` when every value lies in the range.

    Raises
    ------
    ModelRangeError
        If a value lies outside the range and ``strict`` is true.

    Warns
    -----
    ModelRangeWarning
        If a value lies outside the range and ``strict`` is false.
    """
    # a tiny relative slack so that 1500 MHz or 10 m computed by unit conversion passes
    slack = 1e-9 * max(abs(lo), abs(hi), 1.0)
    outside = (values < lo - slack) | (values > hi + slack)
    if not np.any(outside):
        return True
    n_out = int(np.count_nonzero(outside))
    msg = (f"{model}: {name} = {_describe(values[outside])} {unit} is outside the range of "
           f"validity {lo:g} … {hi:g} {unit} ({source}); {n_out} of {values.size} value(s) "
           "affected.")
    if strict:
        raise ModelRangeError(msg + " Use values in range, or strict=False to extrapolate "
                              "with a warning.")
    log.debug("%s", msg)
    warnings.warn(msg + " The result is an extrapolation.", ModelRangeWarning, stacklevel=3)
    return False
