"""The :class:`CoverageGrid`: predicted best-server rasters handed from coverage to metrics.

One grid (transform, CRS, shape) holds one :class:`CoverageLayer` per operator and technology
(``("Viettel", "4G")``, ``("VNPT", "5G")`` …) plus the union of operators under the operator
name :data:`ANY` (best of any operator, per cell). Each layer has four float32/int32 arrays of
the grid's shape: best-server RSRP (dBm), SINR (dB), downlink throughput (Mbit/s) and the index
of the serving sector (into ``sectors``, −1 where nothing is predicted).

Whether a cell is *covered* is decided here, once, from the thresholds the grid carries
(``rsrp_threshold_dbm`` per technology, with the fading margin already applied or not as
``settings`` records), so every indicator uses the same definition.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from affine import Affine
from numpy.typing import NDArray

__all__ = ["ANY", "TECHS", "CoverageLayer", "CoverageGrid"]

log = logging.getLogger(__name__)

ANY = "ANY"
"""Operator name of the union layers (best of any operator)."""

TECHS = ("4G", "5G")
"""Technologies predicted (2G/3G sectors are read but not predicted)."""


@dataclass(frozen=True)
class CoverageLayer:
    """Best-server prediction of one operator (or :data:`ANY`) and one technology.

    Attributes
    ----------
    operator, tech
        ``"Viettel"`` … or :data:`ANY`; ``"4G"`` or ``"5G"``.
    rsrp_dbm
        Best-server RSRP, float32, NaN where no sector reaches.
    sinr_db
        SINR of the best server, float32, NaN where no sector reaches.
    dl_mbps
        Downlink throughput from SINR, float32, 0 where no sector reaches.
    server
        Index of the serving sector in the grid's ``sectors`` table, int32, −1 where none.
    """

    operator: str
    tech: str
    rsrp_dbm: NDArray[np.float32]
    sinr_db: NDArray[np.float32]
    dl_mbps: NDArray[np.float32]
    server: NDArray[np.int32]


@dataclass(frozen=True)
class CoverageGrid:
    """All coverage layers on one grid, with the settings that produced them.

    Attributes
    ----------
    transform
        Affine transform of the grid (rasterio convention, north up).
    crs
        CRS of the grid (the working CRS).
    shape
        ``(rows, cols)``.
    layers
        ``{(operator, tech): CoverageLayer}``, including the :data:`ANY` union layers.
    rsrp_threshold_dbm
        ``{tech: dBm}``: RSRP at or above which a cell has usable signal.
    min_dl_mbps
        Throughput at or above which a covered cell counts as broadband.
    settings
        Everything that produced the grid (model, resolution, σ, edge probability, load …),
        printed in reports and written as raster tags.
    sectors
        The sectors table the ``server`` arrays index (canonical columns + ``operator``).
    """

    transform: Affine
    crs: str
    shape: tuple[int, int]
    layers: dict[tuple[str, str], CoverageLayer]
    rsrp_threshold_dbm: dict[str, float]
    min_dl_mbps: float = 0.0
    settings: dict[str, Any] = field(default_factory=dict)
    sectors: Any = None

    # --- what indicators ask -----------------------------------------------------------

    @property
    def operators(self) -> list[str]:
        """Operators with at least one layer (not :data:`ANY`), sorted."""
        return sorted({op for op, _ in self.layers if op != ANY})

    @property
    def cell_area_m2(self) -> float:
        """Area of one cell in m²."""
        return abs(self.transform.a * self.transform.e)

    def layer(self, operator: str, tech: str) -> CoverageLayer | None:
        """The layer of an operator (or :data:`ANY`) and technology, ``None`` if absent."""
        return self.layers.get((operator, tech))

    def covered(self, operator: str = ANY, tech: str = "4G",
                min_dl_mbps: float | None = None) -> NDArray[np.bool_]:
        """Cells with usable signal: RSRP ≥ the technology's threshold (and throughput ≥
        ``min_dl_mbps`` when given). ``tech="any"`` is 4G or 5G.
        """
        if tech == "any":
            out = np.zeros(self.shape, dtype=bool)
            for t in TECHS:
                out |= self.covered(operator, t, min_dl_mbps)
            return out
        layer = self.layer(operator, tech)
        if layer is None:
            return np.zeros(self.shape, dtype=bool)
        with np.errstate(invalid="ignore"):
            ok = layer.rsrp_dbm >= self.rsrp_threshold_dbm[tech]
            if min_dl_mbps is not None:
                ok &= layer.dl_mbps >= min_dl_mbps
        return ok

    def broadband(self, operator: str = ANY) -> NDArray[np.bool_]:
        """Mobile broadband: 4G or 5G covered with throughput ≥ ``min_dl_mbps``."""
        return self.covered(operator, "any", self.min_dl_mbps)

    def xy_to_rowcol(self, x: NDArray[np.float64], y: NDArray[np.float64]
                     ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
        """Row and column of points (working CRS) and whether they fall on the grid."""
        col, row = ~self.transform @ (np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        row = np.floor(row).astype(np.int64)
        col = np.floor(col).astype(np.int64)
        inside = (row >= 0) & (row < self.shape[0]) & (col >= 0) & (col < self.shape[1])
        return np.where(inside, row, 0), np.where(inside, col, 0), inside

    def sample(self, array: NDArray[Any], x: NDArray[np.float64], y: NDArray[np.float64],
               fill: Any = np.nan) -> NDArray[Any]:
        """Values of a grid-shaped array at points; ``fill`` off the grid."""
        row, col, inside = self.xy_to_rowcol(x, y)
        values = array[row, col]
        if values.dtype.kind == "b":
            return np.where(inside, values, False)
        return np.where(inside, values, fill)

    def __iter__(self) -> Iterator[CoverageLayer]:
        return iter(self.layers.values())

    # --- files ---------------------------------------------------------------------------

    def write(self, folder: str | Path, overwrite: bool = False) -> list[Path]:
        """Write every layer as Cloud-Optimised GeoTIFFs (one file per quantity) with tags.

        Files are named ``<quantity>_<operator>_<tech>.tif`` (``rsrp_dbm_Viettel_5G.tif``,
        ``rsrp_dbm_ANY_4G.tif``); tags record the thresholds and settings.
        """
        from phusong.coverage._rasters import write_grid

        return write_grid(self, Path(folder), overwrite=overwrite)
