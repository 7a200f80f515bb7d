"""The real extracts of ../shared/data/real as a province, with a known coverage grid.

Used by ``test_real_metrics.py`` and ``benchmarks/real_bench.py``: the 17 districts of 2019 as the
commune layer, the 92 communes of 2025 at their centroids with their population as places, the
national and provincial roads (railways left out by the scenario's ``where``), read where they
are (never copied); and a grid over the province where everything is covered but a dark disc of
4 km radius on the middle of QL3's longest piece (the coarse extract's routes come in pieces
that branch; that piece has no junction within the disc).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from _coverage_fixtures import grid_from_masks

from phusong.coverage.grid import CoverageGrid
from phusong.layers.province import Province

RADIUS_M = 4000.0


def scenario_text(real: Path) -> str:
    """A scenario naming the real files where they are."""
    return f"""
[layers.communes]
path = "{real / 'admin_boundaries_gischinhphu.gpkg'}"
layer = "districts_2019"
columns = {{ commune_code = "dist_code_2019", name = "dist_name_2019" }}

[layers.hamlets]
path = "{real / 'communes_2025_attributes_thai_nguyen.csv'}"
x = "centroid_lon"
y = "centroid_lat"
columns = {{ hamlet_id = "commune_code_2025", name = "commune_name_2025", population = "population_2025" }}

[layers.roads]
path = "{real / 'roads_rail_national_coarse.gpkg'}"
where = "is_rail = 0"
columns = {{ road_id = "src_gid", class = "admin_class_vi" }}
"""


def disc_centre(province: Province) -> shapely.Point:
    """The middle of QL3's longest piece."""
    ql3 = province.roads.loc[province.roads["ref"] == "QL3"].geometry
    return ql3.loc[ql3.length.idxmax()].interpolate(0.5, normalized=True)


def dark_disc_grid(province: Province, cell_m: float) -> CoverageGrid:
    """Everything covered (Viettel 4G) but the disc of :data:`RADIUS_M` around :func:`disc_centre`."""
    centre = disc_centre(province)
    minx, miny, maxx, maxy = province.communes.total_bounds
    x0, y0 = np.floor(minx / cell_m) * cell_m, np.ceil(maxy / cell_m) * cell_m
    shape = (int(np.ceil((y0 - miny) / cell_m)), int(np.ceil((maxx - x0) / cell_m)))
    cx = x0 + (np.arange(shape[1]) + 0.5) * cell_m
    cy = y0 - (np.arange(shape[0]) + 0.5) * cell_m
    dark = np.hypot(cx[None, :] - centre.x, cy[:, None] - centre.y) <= RADIUS_M
    return grid_from_masks(shape, {("Viettel", "4G"): ~dark}, cell_m=cell_m, x0=x0, y0=y0)
