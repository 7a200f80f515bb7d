"""Calibration of the prediction against measured RSRP (drive tests, crowd-sourced tests).

For each operator and technology, the measured RSRP at the measurement points is compared with
the predicted *median* best-server RSRP there (the grid's RSRP plus the fading margin, since a
measurement is one draw of the shadowing, not its edge quantile), and a correction

``measured ≈ predicted + offset + slope · log10(d / 1 km)``  (``d`` ≥ 0.1 km, to the serving site)

is fitted by least squares (``numpy.linalg.lstsq``). The slope is fitted only where the points
span enough distances (at least ``min_points_slope`` points and a spread of log-distance of at
least 0.1 decade); otherwise the offset alone. Points the engine does not predict (beyond every
sector's reach) are counted and left out.

Before/after figures are the mean error (predicted − measured), the RMSE and Pearson's
correlation on the fitted points, "after" with the correction applied to the same predictions
(the serving sector kept). The fitted corrections are *added* to the scenario's
``radio.offsets_db`` and ``radio.slopes_db_per_decade`` (key ``<operator>_<tech>``), which the
engine applies to every sector of that operator and technology; :meth:`CalibrationResult.write`
writes them back as a new scenario file.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from phusong.config import LayerSource, Scenario, render_scenario
from phusong.coverage._sectors import calibration_key
from phusong.coverage.grid import TECHS, CoverageGrid
from phusong.errors import CRSError, InputError
from phusong.layers.province import Province

__all__ = ["FitStats", "CalibrationFit", "CalibrationResult", "calibrate", "measurement_samples"]

log = logging.getLogger(__name__)

_MIN_LOG_SPREAD = 0.1  # decades of distance needed to fit a slope


@dataclass(frozen=True)
class FitStats:
    """Agreement of predicted and measured RSRP on a set of points."""

    n_points: int
    mean_error_db: float
    rmse_db: float
    correlation: float

    @classmethod
    def of(cls, predicted: np.ndarray, measured: np.ndarray) -> FitStats:
        """Mean error (predicted − measured), RMSE and Pearson's r."""
        err = predicted - measured
        n = int(err.size)
        if n == 0:
            return cls(0, math.nan, math.nan, math.nan)
        corr = math.nan
        if n > 1 and np.std(predicted) > 0 and np.std(measured) > 0:
            corr = float(np.corrcoef(predicted, measured)[0, 1])
        return cls(n, float(err.mean()), float(np.sqrt(np.mean(err**2))), corr)


@dataclass(frozen=True)
class CalibrationFit:
    """The fitted correction of one operator and technology."""

    operator: str
    tech: str
    n_points: int
    n_unpredicted: int
    offset_db: float
    slope_db_per_decade: float
    slope_fitted: bool
    before: FitStats
    after: FitStats


@dataclass(frozen=True)
class CalibrationResult:
    """Fits per operator and technology, and the scenario with the corrections applied."""

    fits: tuple[CalibrationFit, ...]
    scenario: Scenario
    settings: dict[str, Any]

    def table(self) -> pd.DataFrame:
        """One row per operator and technology: points, correction, before/after figures."""
        rows = []
        for f in self.fits:
            rows.append({
                "operator": f.operator, "tech": f.tech, "n_points": f.n_points,
                "n_unpredicted": f.n_unpredicted, "offset_db": round(f.offset_db, 2),
                "slope_db_per_decade": round(f.slope_db_per_decade, 2),
                "mean_error_before_db": round(f.before.mean_error_db, 2),
                "rmse_before_db": round(f.before.rmse_db, 2),
                "corr_before": round(f.before.correlation, 3),
                "mean_error_after_db": round(f.after.mean_error_db, 2),
                "rmse_after_db": round(f.after.rmse_db, 2),
                "corr_after": round(f.after.correlation, 3),
            })
        return pd.DataFrame(rows)

    def to_text(self) -> str:
        """The table as text, with the settings it depends on."""
        s = self.settings
        head = (f"Calibration of {s.get('model', '')} at {s.get('resolution_m', '')} m against "
                f"measured RSRP (error = predicted median − measured; fading margin "
                f"{s.get('fading_margin_db', 0):.2f} dB added back to the prediction)")
        if not self.fits:
            return head + "\nNo operator and technology had enough predicted points to fit."
        return head + "\n" + self.table().to_string(index=False)

    def write(self, path: str | os.PathLike[str], overwrite: bool = False) -> Path:
        """Write the calibrated scenario as TOML, layer paths relative to its new folder."""
        from phusong._io import write_text

        target = Path(path)
        scenario = _relocated(self.scenario, target.resolve().parent)
        fitted = ", ".join(f"{f.operator} {f.tech}" for f in self.fits) or "nothing"
        title = f"{scenario.province.name}, calibrated ({fitted})"
        return write_text(target, render_scenario(scenario, title=title), overwrite=overwrite)


def _relocated(scenario: Scenario, folder: Path) -> Scenario:
    """The scenario with its layer paths relative to ``folder``."""
    layers = {}
    for name, src in scenario.layers.items():
        path = scenario.layer_path(name)
        if path is None:
            layers[name] = src
            continue
        rel = os.path.relpath(path.resolve(), folder)
        layers[name] = dataclasses.replace(src, path=Path(rel).as_posix())
    return dataclasses.replace(scenario, layers=layers, base_dir=folder)


def measurement_samples(grid: CoverageGrid, measurements: pd.DataFrame) -> pd.DataFrame:
    """Measured and predicted median RSRP, and the distance to the serving site, per point.

    Returns the measurement rows with RSRP (``operator``, ``tech``, ``measured_dbm``,
    ``predicted_dbm`` (NaN where not predicted), ``distance_km``) for the operators and
    technologies the grid has.
    """
    margin = float(grid.settings.get("fading_margin_db", 0.0))
    m = measurements
    m = m.loc[m["rsrp_dbm"].notna() & m["tech"].astype(str).isin(TECHS)]
    sectors = grid.sectors
    parts = []
    for (op, tech), rows in m.groupby([m["operator"].astype(str), m["tech"].astype(str)]):
        layer = grid.layer(op, tech)
        if layer is None:
            continue
        x = rows.geometry.x.to_numpy(dtype=float)
        y = rows.geometry.y.to_numpy(dtype=float)
        pred = grid.sample(layer.rsrp_dbm, x, y).astype(float) + margin
        server = grid.sample(layer.server, x, y, fill=-1).astype(np.int64)
        dist = np.full(x.size, np.nan)
        ok = server >= 0
        if sectors is not None and ok.any():
            sx = sectors["x"].to_numpy(dtype=float)[server[ok]]
            sy = sectors["y"].to_numpy(dtype=float)[server[ok]]
            dist[ok] = np.hypot(x[ok] - sx, y[ok] - sy) / 1000.0
        parts.append(pd.DataFrame({"operator": op, "tech": tech,
                                   "measured_dbm": rows["rsrp_dbm"].to_numpy(dtype=float),
                                   "predicted_dbm": pred, "distance_km": dist}))
    if not parts:
        return pd.DataFrame(columns=["operator", "tech", "measured_dbm", "predicted_dbm",
                                     "distance_km"])
    return pd.concat(parts, ignore_index=True)


def _fit(pred: np.ndarray, meas: np.ndarray, x: np.ndarray, fit_slope: bool,
         min_points_slope: int) -> tuple[float, float, bool]:
    """Least-squares ``meas − pred = a + b x`` (or ``a`` alone)."""
    resid = meas - pred
    if fit_slope and x.size >= min_points_slope and np.ptp(x) >= _MIN_LOG_SPREAD:
        design = np.column_stack([np.ones_like(x), x])
        (a, b), *_ = np.linalg.lstsq(design, resid, rcond=None)
        return float(a), float(b), True
    return float(resid.mean()), 0.0, False


def calibrate(province: Province, measurements: pd.DataFrame | None = None, *,
              grid: CoverageGrid | None = None, fit_slope: bool = True, min_points: int = 10,
              min_points_slope: int = 30, resolution_m: float | None = None,
              progress: bool = False) -> CalibrationResult:
    """Fit per operator and technology an RSRP offset (and slope with log distance).

    Parameters
    ----------
    province
        The province whose scenario is calibrated (not modified).
    measurements
        Points with ``operator``, ``tech``, ``rsrp_dbm`` and point geometry (any CRS; it is
        reprojected); default the province's measurements layer.
    grid
        A prediction of ``province`` to use (default: predicted here with its settings).
    fit_slope
        Also fit the slope with ``log10(d / 1 km)``.
    min_points
        Fewest predicted points an operator and technology needs to be fitted.
    min_points_slope
        Fewest points to fit a slope as well.
    resolution_m
        Resolution of the prediction made here (default the scenario's).
    progress
        Progress bar for the prediction.

    Returns
    -------
    CalibrationResult
        The fits, and the scenario with ``radio.offsets_db`` and ``radio.slopes_db_per_decade``
        updated (corrections added to those already there).

    Raises
    ------
    InputError
        No measurements with RSRP.
    CRSError
        Measurements without a CRS.
    """
    from phusong.coverage.engine import predict_coverage

    m = province.measurements if measurements is None else measurements
    if m is None or len(m) == 0 or "rsrp_dbm" not in m.columns or m["rsrp_dbm"].notna().sum() == 0:
        msg = ("calibrate: no measurements with RSRP; give a measurements layer with "
               "operator, tech, rsrp_dbm and point positions.")
        raise InputError(msg)
    if getattr(m, "crs", None) is None:
        msg = "calibrate: the measurements have no CRS; read them with phusong's layer reader."
        raise CRSError(msg)
    m = m.to_crs(province.crs)
    if grid is None:
        grid = predict_coverage(province, resolution_m=resolution_m, progress=progress)
    samples = measurement_samples(grid, m)
    radio = province.scenario.radio
    offsets = dict(radio.offsets_db)
    slopes = dict(radio.slopes_db_per_decade)
    fits = []
    for (op, tech), rows in samples.groupby(["operator", "tech"], sort=True):
        ok = rows["predicted_dbm"].notna().to_numpy()
        n_missing = int((~ok).sum())
        pred = rows["predicted_dbm"].to_numpy()[ok]
        meas = rows["measured_dbm"].to_numpy()[ok]
        if pred.size < min_points:
            log.warning("calibrate: %s %s has %d predicted point(s) (%d not predicted); at "
                        "least %d are needed, not fitted", op, tech, pred.size, n_missing,
                        min_points)
            continue
        x = np.log10(np.maximum(rows["distance_km"].to_numpy()[ok], 0.1))
        a, b, with_slope = _fit(pred, meas, x, fit_slope, min_points_slope)
        after = pred + a + b * x
        fit = CalibrationFit(op, tech, int(pred.size), n_missing, a, b, with_slope,
                             FitStats.of(pred, meas), FitStats.of(after, meas))
        fits.append(fit)
        key = calibration_key(op, tech)
        offsets[key] = round(offsets.get(key, 0.0) + a, 3)
        if with_slope:
            slopes[key] = round(slopes.get(key, 0.0) + b, 3)
        log.info("calibrate: %s %s on %d points: offset %+.2f dB, slope %+.2f dB/decade; "
                 "mean error %+.2f → %+.2f dB, RMSE %.2f → %.2f dB", op, tech, pred.size, a, b,
                 fit.before.mean_error_db, fit.after.mean_error_db, fit.before.rmse_db,
                 fit.after.rmse_db)
    new_radio = dataclasses.replace(radio, offsets_db=offsets, slopes_db_per_decade=slopes)
    scenario = dataclasses.replace(province.scenario, radio=new_radio)
    return CalibrationResult(tuple(fits), scenario, dict(grid.settings))


def read_measurements(path: str | os.PathLike[str], crs: str,
                      source: LayerSource | None = None) -> pd.DataFrame:
    """Read a measurements file (CSV with lon/lat, GeoPackage …) as the layer reader does.

    Raises
    ------
    InputError
        If the file cannot be used; the message lists the reader's errors.
    """
    from phusong.layers.issues import ERROR
    from phusong.layers.read import read_layer
    from phusong.layers.schema import LAYERS

    path = Path(path)
    src = source or LayerSource(path=str(path))
    result = read_layer("measurements", LAYERS["measurements"], src, path, crs)
    errors = [i.to_text() for i in result.issues if i.severity == ERROR]
    if result.frame is None or errors:
        msg = f"{path}: the measurements cannot be used: " + ("; ".join(errors) or "no rows")
        raise InputError(msg)
    return result.frame
