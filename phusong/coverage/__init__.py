"""Radio coverage prediction: propagation models, antenna patterns and terrain kernels.

:mod:`phusong.coverage.models` holds the path-loss models (ITU-R P.525, Hata/COST-231,
3GPP TR 38.901, ITU-R P.526 diffraction) and the TR 38.901 sector pattern; the numba kernels
that sweep a DEM along radials live in :mod:`phusong.coverage._kernels` and are called by the
coverage engine, not by users.
"""

from phusong.coverage.models import (
    EARTH_RADIUS_M,
    SPEED_OF_LIGHT_M_S,
    DiffractionEdge,
    breakpoint_distance_m,
    bullington_loss_db,
    cost231_hata_loss_db,
    deygout_edges,
    deygout_loss_db,
    earth_bulge_m,
    effective_earth_radius_m,
    elevation_angle_deg,
    fresnel_parameter,
    fresnel_zone_radius_m,
    fspl_db,
    hata_loss_db,
    horizontal_pattern_db,
    knife_edge_loss_db,
    los_probability,
    mobile_height_correction_db,
    okumura_hata_loss_db,
    sector_pattern_db,
    tr38901_loss_db,
    vertical_pattern_db,
    wavelength_m,
    zenith_from_elevation_deg,
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
