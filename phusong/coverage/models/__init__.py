"""Propagation models and antenna patterns: vectorised numpy, float64 dB.

* :mod:`~phusong.coverage.models.free_space` — ITU-R P.525 free space;
* :mod:`~phusong.coverage.models.hata` — Okumura–Hata and COST-231 Hata;
* :mod:`~phusong.coverage.models.tr38901` — 3GPP TR 38.901 RMa, UMa, UMi and LOS probability;
* :mod:`~phusong.coverage.models.diffraction` — ITU-R P.526 knife edge, Bullington, Deygout;
* :mod:`~phusong.coverage.models.antenna` — 3GPP TR 38.901 Table 7.3-1 sector pattern.

Inputs outside a model's range of validity give a :class:`~phusong.errors.ModelRangeWarning`
naming the value and the range, or a :class:`~phusong.errors.ModelRangeError` with
``strict=True``; inputs no model can use (non-positive distances, NaN) an
:class:`~phusong.errors.InputError`.
"""

from phusong.coverage.models.antenna import (
    elevation_angle_deg,
    horizontal_pattern_db,
    sector_pattern_db,
    vertical_pattern_db,
    zenith_from_elevation_deg,
)
from phusong.coverage.models.diffraction import (
    EARTH_RADIUS_M,
    DiffractionEdge,
    bullington_loss_db,
    deygout_edges,
    deygout_loss_db,
    earth_bulge_m,
    effective_earth_radius_m,
    fresnel_parameter,
    fresnel_zone_radius_m,
    knife_edge_loss_db,
)
from phusong.coverage.models.free_space import SPEED_OF_LIGHT_M_S, fspl_db, wavelength_m
from phusong.coverage.models.hata import (
    cost231_hata_loss_db,
    hata_loss_db,
    mobile_height_correction_db,
    okumura_hata_loss_db,
)
from phusong.coverage.models.tr38901 import (
    breakpoint_distance_m,
    los_probability,
    tr38901_loss_db,
)

__all__ = [
    "DiffractionEdge",
    "EARTH_RADIUS_M",
    "SPEED_OF_LIGHT_M_S",
    "breakpoint_distance_m",
    "bullington_loss_db",
    "cost231_hata_loss_db",
    "deygout_edges",
    "deygout_loss_db",
    "earth_bulge_m",
    "effective_earth_radius_m",
    "elevation_angle_deg",
    "fresnel_parameter",
    "fresnel_zone_radius_m",
    "fspl_db",
    "hata_loss_db",
    "horizontal_pattern_db",
    "knife_edge_loss_db",
    "los_probability",
    "mobile_height_correction_db",
    "okumura_hata_loss_db",
    "sector_pattern_db",
    "tr38901_loss_db",
    "vertical_pattern_db",
    "wavelength_m",
    "zenith_from_elevation_deg",
]
