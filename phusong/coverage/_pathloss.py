"""The path-loss model a scenario selects, as per-distance tables for the kernels.

``radio.model`` picks one of:

``terrain`` (default)
    A base loss plus the DEM's diffraction loss along each profile (ITU-R P.526-15 §4.5.1,
    Bullington; earth curvature with ``k_factor``; line of sight and Fresnel clearance are part
    of the construction: a clear ray with ``v ≤ −0.78`` adds nothing). The base loss is
    ``radio.terrain_base``: ``hata`` (Okumura–Hata to 1500 MHz, COST-231 Hata above, for
    ``radio.environment``), ``cost231``, ``free_space`` (ITU-R P.525) or ``tr38901_rma``
    (3GPP TR 38.901 RMa *LOS*: the terrain supplies the obstruction). Empirical models already
    include the *average* obstruction of their measurement areas, so terrain + Hata is
    pessimistic where the ground is rough; calibrate it (``phusong calibrate``).
``free_space``, ``hata``, ``cost231``, ``tr38901_rma``, ``tr38901_uma``, ``tr38901_umi``
    The statistical model alone, from the horizontal distance, without terrain diffraction (the
    DEM still sets the antenna's ground height and the elevation angle of the pattern). TR 38.901
    uses its LOS probability (Table 7.4.2-1) to blend LOS and NLOS loss in received power.

Every model uses the antenna's height above its own ground and the receiver height, and is
never below free space over the 3-D distance (Hata extrapolated below 1 km falls under it).
Inputs outside a model's range of validity (Hata below 1 km or beyond 20 km, antennas below 30 m,
bands above 2 GHz; 38.901 beyond 5 or 10 km …) are extrapolated; each kind is reported once per
prediction as a :class:`~phusong.errors.ModelRangeWarning` naming the values and the range.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
from numpy.typing import NDArray

from phusong.config import RadioConfig
from phusong.errors import ModelRangeWarning

__all__ = ["PathLoss", "STATISTICAL_MODELS", "land_use_correction_db"]

log = logging.getLogger(__name__)

STATISTICAL_MODELS = ("free_space", "hata", "cost231", "tr38901_rma", "tr38901_uma",
                      "tr38901_umi")

_NAMES = {
    "free_space": "ITU-R P.525 free space",
    "hata": "Okumura-Hata / COST-231 Hata",
    "cost231": "COST-231 Hata",
    "tr38901_rma": "3GPP TR 38.901 RMa",
    "tr38901_uma": "3GPP TR 38.901 UMa",
    "tr38901_umi": "3GPP TR 38.901 UMi-Street Canyon",
}


def land_use_correction_db(freq_mhz: float, environment: str) -> float:
    """Hata's correction of the urban loss for land use (dB), Hata (1980) eqs. (14c), (16b).

    ``suburban``: ``−2 [log10(f / 28)]² − 5.4``; ``rural`` (open area):
    ``−4.78 (log10 f)² + 18.33 log10 f − 40.94``; ``urban``: 0. ``f`` in MHz.
    """
    lf = np.log10(freq_mhz)
    if environment == "suburban":
        return float(-2.0 * np.log10(freq_mhz / 28.0) ** 2 - 5.4)
    if environment == "rural":
        return float(-4.78 * lf**2 + 18.33 * lf - 40.94)
    return 0.0


class PathLoss:
    """The base loss of a scenario's model, tabulated per band, antenna height and distance.

    Tables are cached for the run (sites share bands and heights); range-of-validity warnings
    are collected and reported once by :meth:`report_ranges`.
    """

    def __init__(self, radio: RadioConfig) -> None:
        self.radio = radio
        self.terrain = radio.model == "terrain"
        self.base = radio.terrain_base if self.terrain else radio.model
        self._cache: dict[tuple[float, float, int, float], NDArray[np.float64]] = {}
        self._ranges: dict[str, tuple[str, int]] = {}

    def describe(self) -> str:
        """One line for reports: the model and its base."""
        env = f" ({self.radio.environment})" if self.base in ("hata", "cost231") else ""
        if self.terrain:
            return (f"terrain: {_NAMES[self.base]}{env} + ITU-R P.526-15 Bullington "
                    f"diffraction over the DEM (k = {self.radio.k_factor:.4g})")
        extra = ", LOS-probability blend" if self.base.startswith("tr38901") else ""
        return f"{_NAMES[self.base]}{env}{extra}, no terrain diffraction"

    def table(self, freq_mhz: float, tx_height_m: float, n_steps: int,
              step_m: float) -> NDArray[np.float64]:
        """Base loss (dB) at ``j · step_m``, ``j = 0 … n_steps`` (``j = 0`` uses 1 m)."""
        key = (float(freq_mhz), round(float(tx_height_m), 2), int(n_steps), float(step_m))
        cached = self._cache.get(key)
        if cached is None or cached.size < n_steps + 1:
            d = np.maximum(np.arange(n_steps + 1) * step_m, 1.0)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ModelRangeWarning)
                cached = self._evaluate(d, float(freq_mhz), max(float(tx_height_m), 1.0))
            for w in caught:
                if issubclass(w.category, ModelRangeWarning):
                    text = str(w.message)
                    kind = text.split(" = ")[0]
                    first, count = self._ranges.get(kind, (text, 0))
                    self._ranges[kind] = (first, count + 1)
            self._cache[key] = cached
        return cached[:n_steps + 1]

    def _evaluate(self, d: NDArray[np.float64], f: float, hb: float) -> NDArray[np.float64]:
        from phusong.coverage.models import (
            cost231_hata_loss_db,
            fspl_db,
            hata_loss_db,
            tr38901_loss_db,
        )

        hm = max(self.radio.rx_height_m, 0.5)
        env = self.radio.environment
        if self.base == "free_space":
            return fspl_db(d, f)
        if self.base in ("hata", "cost231"):
            # the urban (medium city) loss of the family member, then Hata's land-use
            # correction at every frequency (see the module notes)
            loss = (hata_loss_db(d, f, hb, hm, environment="urban") if self.base == "hata"
                    else cost231_hata_loss_db(d, f, hb, hm, environment="urban"))
            return loss + land_use_correction_db(f, env)
        scenario = self.base.removeprefix("tr38901_")
        condition = "los" if self.terrain else "expected"
        return tr38901_loss_db(d, f, hb, hm, scenario=scenario,  # type: ignore[arg-type]
                               condition=condition)  # type: ignore[arg-type]

    def report_ranges(self) -> list[str]:
        """Warn once per kind of out-of-range input met in this run; return the messages."""
        out = []
        for first, count in self._ranges.values():
            head = first.split(" The result is an extrapolation")[0].rstrip(".")
            more = f" (first of {count} tables of this run)" if count > 1 else ""
            text = (f"{head}{more}. The model is extrapolated there, and never taken below "
                    "free space.")
            warnings.warn(text, ModelRangeWarning, stacklevel=3)  # the CLI logs it, once
            out.append(text)
        return out
