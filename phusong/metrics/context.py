"""The :class:`MetricContext`: what every indicator reads, computed once and shared.

A context holds the province, the coverage grid and the report language, and caches what
several indicators use: the coverage masks per operator (broadband, 5G, 5G at
``poi_min_dl_mbps``), the people on the coverage grid, the commune label raster, and each
family's detail tables (so T1 and T1b read one commune table). Indicator functions take a
context and return an :class:`~phusong.metrics.results.IndicatorValue`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from phusong.config import Thresholds
from phusong.coverage.grid import ANY, CoverageGrid
from phusong.layers.province import Province
from phusong.metrics._grids import PopulationGrid, population_on_grid, rasterize_index

__all__ = ["MetricContext", "BROADBAND", "FIVE_G", "FIVE_G_FAST"]

log = logging.getLogger(__name__)

BROADBAND = "broadband"
"""Mask kind: 4G or 5G at the RSRP threshold with throughput ≥ ``min_dl_mbps``."""
FIVE_G = "5g"
"""Mask kind: 5G at the 5G RSRP threshold."""
FIVE_G_FAST = "5g_fast"
"""Mask kind: 5G at the threshold with throughput ≥ ``poi_min_dl_mbps`` (T7, K1b)."""

T = TypeVar("T")


class MetricContext:
    """Shared inputs and cached intermediate results of one indicator run.

    Parameters
    ----------
    province
        The province (working CRS).
    grid
        Coverage grid in the same CRS.
    lang
        ``"vi"`` or ``"en"``: language of the texts in the tables.
    """

    def __init__(self, province: Province, grid: CoverageGrid, lang: str = "vi") -> None:
        self.province = province
        self.grid = grid
        self.lang = lang
        self._memo: dict[Any, Any] = {}

    # --- settings and texts --------------------------------------------------------------

    @property
    def thresholds(self) -> Thresholds:
        """The scenario's thresholds."""
        return self.province.scenario.thresholds

    @property
    def operators(self) -> list[str]:
        """:data:`ANY` (the union) then every operator of the grid."""
        return [ANY, *self.grid.operators]

    def text(self, vi: str, en: str) -> str:
        """``vi`` or ``en`` by the context's language."""
        return vi if self.lang == "vi" else en

    def no_layer(self, layer: str) -> str:
        """Reason for a missing layer, in the context's language."""
        return self.text(f"không có lớp {layer}", f"no {layer} layer")

    def memo(self, key: Any, build: Callable[[], T]) -> T:
        """``build()`` once per key; later calls return the stored result."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    # --- coverage --------------------------------------------------------------------------

    def mask(self, kind: str, operator: str = ANY) -> NDArray[np.bool_]:
        """Covered cells of one kind (:data:`BROADBAND`, :data:`FIVE_G`, :data:`FIVE_G_FAST`)."""

        def build() -> NDArray[np.bool_]:
            if kind == BROADBAND:
                return self.grid.broadband(operator)
            if kind == FIVE_G:
                return self.grid.covered(operator, "5G")
            if kind == FIVE_G_FAST:
                return self.grid.covered(operator, "5G", self.thresholds.poi_min_dl_mbps)
            msg = f"unknown coverage kind {kind!r}"
            raise ValueError(msg)

        return self.memo(("mask", kind, operator), build)

    def flat_mask(self, kind: str, operator: str = ANY) -> NDArray[np.bool_]:
        """:meth:`mask` as a flat (C-order) view."""
        return self.mask(kind, operator).reshape(-1)

    # --- people and communes -----------------------------------------------------------------

    @cached_property
    def population(self) -> PopulationGrid:
        """People on the coverage grid (see :func:`~phusong.metrics._grids.population_on_grid`)."""
        return population_on_grid(self.province, self.grid, self.thresholds.hamlet_radius_m)

    @cached_property
    def communes(self) -> pd.DataFrame:
        """The communes without geometry, in layer order (row ``i`` has label ``i + 1``)."""
        cols = [c for c in ("commune_code", "name", "kind", "former_district", "population")
                if c in self.province.communes]
        return pd.DataFrame(self.province.communes[cols]).reset_index(drop=True)

    @cached_property
    def commune_label(self) -> NDArray[np.int32]:
        """Label raster of the communes (``i + 1``, 0 outside the province)."""
        return rasterize_index(self.province.communes.geometry, self.grid)

    @cached_property
    def populated(self) -> NDArray[np.int64]:
        """Flat indices of the cells with people inside the province."""
        people = self.population.people.reshape(-1)
        return np.flatnonzero((people > 0) & (self.commune_label.reshape(-1) > 0))

    @cached_property
    def populated_people(self) -> NDArray[np.float64]:
        """People of the :attr:`populated` cells (float64)."""
        return self.population.people.reshape(-1)[self.populated].astype(np.float64)

    @cached_property
    def populated_commune(self) -> NDArray[np.int32]:
        """Commune index (0-based) of the :attr:`populated` cells."""
        return self.commune_label.reshape(-1)[self.populated] - 1

    def commune_people(self, kind: str | None = None, operator: str = ANY
                       ) -> NDArray[np.float64]:
        """People per commune (all, or in cells covered by ``kind`` of ``operator``)."""
        n = len(self.communes)
        w = self.populated_people
        idx = self.populated_commune
        if kind is not None:
            covered = self.flat_mask(kind, operator)[self.populated]
            w, idx = w[covered], idx[covered]
        return np.bincount(idx, weights=w, minlength=n)[:n].astype(np.float64)

    def commune_name(self, codes: pd.Series) -> pd.Series:
        """Names of communes by code (``""`` where unknown)."""
        lookup = dict(zip(self.communes["commune_code"], self.communes["name"], strict=True))
        return codes.map(lookup).fillna("").astype(str)

    def point_commune(self, x: NDArray[np.float64], y: NDArray[np.float64]
                      ) -> NDArray[np.int64]:
        """0-based commune index of points from the label raster (−1 outside)."""
        row, col, inside = self.grid.xy_to_rowcol(x, y)
        return np.where(inside, self.commune_label[row, col].astype(np.int64) - 1, -1)
