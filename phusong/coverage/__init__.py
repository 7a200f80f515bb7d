"""Radio coverage prediction: propagation models, antenna patterns, the coverage engine.

* :func:`predict_coverage` (:mod:`phusong.coverage.engine`): best-server RSRP, SINR and
  throughput per operator and technology, and their union, as a :class:`CoverageGrid`;
  ``grid.write(folder)`` writes Cloud-Optimised GeoTIFFs and a per-sector CSV;
* :func:`calibrate` (:mod:`phusong.coverage.calibrate`): per operator and technology RSRP
  offset and slope fitted to measurements, written back into the scenario;
* :func:`viewshed` (:mod:`phusong.coverage.viewshed`): line-of-sight mask over a DEM;
* :mod:`phusong.coverage.models`: the path-loss models (ITU-R P.525, Hata/COST-231,
  3GPP TR 38.901, ITU-R P.526 diffraction), the TR 38.901 sector pattern and the link budget
  (TR 36.942 throughput), imported from there (``from phusong.coverage.models import
  fspl_db``). The numba kernels (``_kernels*``) are called by the engine, not by users.
"""

from phusong.coverage import models
from phusong.coverage.calibrate import CalibrationFit, CalibrationResult, FitStats, calibrate
from phusong.coverage.engine import predict_coverage
from phusong.coverage.grid import ANY, TECHS, CoverageGrid, CoverageLayer
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
    "calibrate",
    "models",
    "predict_coverage",
    "viewshed",
]
