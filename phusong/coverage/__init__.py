"""Radio coverage prediction: propagation models, antenna patterns, the coverage engine.

* :func:`predict_coverage` (:mod:`phusong.coverage.engine`): best-server RSRP, SINR and
  throughput per operator and technology, and their union, as a :class:`CoverageGrid`;
  ``grid.write(folder)`` writes Cloud-Optimised GeoTIFFs and a per-sector CSV;
* :func:`calibrate` (:mod:`phusong.coverage.calibrate`): per operator and technology RSRP
  offset and slope fitted to measurements, written back into the scenario;
* :func:`viewshed` (:mod:`phusong.coverage.viewshed`): line-of-sight mask over a DEM;
* :mod:`phusong.coverage.models`: the path-loss models (ITU-R P.525, Hata/COST-231,
  3GPP TR 38.901, ITU-R P.526 diffraction), the TR 38.901 sector pattern and the link budget
  (TR 36.942 throughput). The numba kernels (``_kernels*``) are called by the engine, not by
  users.
"""

from phusong.coverage.calibrate import CalibrationFit, CalibrationResult, FitStats, calibrate
from phusong.coverage.engine import predict_coverage
from phusong.coverage.grid import ANY, TECHS, CoverageGrid, CoverageLayer
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
from phusong.coverage.models.link import (
    bounded_shannon_se,
    fading_margin_db,
    n_resource_blocks,
    shannon_throughput_mbps,
    thermal_noise_dbm,
)
from phusong.coverage.viewshed import Viewshed, viewshed

__all__ = [
    "ANY",
    "TECHS",
    "CalibrationFit",
    "CalibrationResult",
    "CoverageGrid",
    "CoverageLayer",
    "FitStats",
    "Viewshed",
    "bounded_shannon_se",
    "calibrate",
    "fading_margin_db",
    "n_resource_blocks",
    "predict_coverage",
    "shannon_throughput_mbps",
    "thermal_noise_dbm",
    "viewshed",
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
