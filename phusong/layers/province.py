"""The :class:`Province` bundle: every input layer, read, checked and in the working CRS.

Stages after ``layers`` (coverage, metrics, planning, maps, reports) take a ``Province`` and
never read files themselves. Optional layers the scenario does not name are ``None``; the
indicators that need them are skipped and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from phusong.config import Scenario
from phusong.layers.issues import ValidationReport

__all__ = ["Province"]


@dataclass(frozen=True)
class Province:
    """All layers of one province, in the working CRS (``crs``).

    Vector layers are GeoDataFrames with canonical columns (see
    :mod:`phusong.layers.schema`) indexed by the 1-based row of their file; ``sectors`` and
    ``reported`` are DataFrames. Rasters are kept as paths and read in windows when needed.
    """

    scenario: Scenario
    crs: str
    communes: gpd.GeoDataFrame
    hamlets: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    parks: gpd.GeoDataFrame | None = None
    pois: gpd.GeoDataFrame | None = None
    sites: gpd.GeoDataFrame | None = None
    sectors: pd.DataFrame | None = None
    fiber_routes: gpd.GeoDataFrame | None = None
    fiber_nodes: gpd.GeoDataFrame | None = None
    measurements: gpd.GeoDataFrame | None = None
    reported: pd.DataFrame | None = None
    dem_path: Path | None = None
    population_path: Path | None = None
    report: ValidationReport = field(default_factory=ValidationReport, compare=False)

    @property
    def boundary(self) -> shapely.Geometry:
        """The province outline: the union of its communes."""
        return shapely.union_all(self.communes.geometry.values)

    @property
    def area_km2(self) -> float:
        """Area of the province in km²."""
        return float(self.communes.geometry.area.sum() / 1e6)

    def layer(self, name: str) -> gpd.GeoDataFrame | pd.DataFrame | None:
        """A layer by its scenario name."""
        return getattr(self, name)

    def summary(self) -> dict[str, object]:
        """Counts per layer, for logs and reports."""
        out: dict[str, object] = {"crs": self.crs, "area_km2": round(self.area_km2, 1)}
        for name in ("communes", "hamlets", "roads", "parks", "pois", "sites", "sectors",
                     "fiber_routes", "fiber_nodes", "measurements", "reported"):
            frame = getattr(self, name)
            out[name] = None if frame is None else len(frame)
        out["dem"] = str(self.dem_path) if self.dem_path else None
        out["population"] = str(self.population_path) if self.population_path else None
        return out
