"""Input layers: read, validate and normalise a province's files; the demo province.

The flow is :func:`load_province` (or :func:`check_scenario` for the report alone): each layer
named in the scenario is read (:func:`read_layer`), its columns mapped through the registry in
:mod:`phusong.layers.schema`, its values and geometries checked, reprojected to the working CRS,
and then the cross-layer rules of :mod:`phusong.layers.validate` run.
"""

from phusong.layers.issues import ERROR, INFO, WARNING, Issue, ValidationReport
from phusong.layers.province import Province
from phusong.layers.read import read_layer
from phusong.layers.schema import COLUMNS, LAYERS, OPERATORS, RASTER_LAYERS, header
from phusong.layers.validate import check_scenario, load_province

__all__ = [
    "COLUMNS",
    "ERROR",
    "INFO",
    "Issue",
    "LAYERS",
    "OPERATORS",
    "Province",
    "RASTER_LAYERS",
    "ValidationReport",
    "WARNING",
    "check_scenario",
    "header",
    "load_province",
    "read_layer",
]
