"""Calibration: a known offset (and slope) injected into measurements is recovered."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from _engine_fixtures import engine_province
from conftest import CRS, X0, Y0

from phusong.config import load_scenario
from phusong.coverage.calibrate import calibrate, measurement_samples
from phusong.coverage.engine import predict_coverage
from phusong.errors import InputError

pytestmark = pytest.mark.filterwarnings("ignore::phusong.errors.ModelRangeWarning")


def _points(grid, rng: np.random.Generator, n: int, tech: str, op: str):
    """Random predicted cells of one layer, as measurement points with the median RSRP."""
    layer = grid.layer(op, tech)
    rows, cols = np.nonzero(np.isfinite(layer.rsrp_dbm))
    pick = rng.choice(rows.size, n, replace=False)
    t = grid.transform
    x = t.c + (cols[pick] + 0.5) * t.a
    y = t.f + (rows[pick] + 0.5) * t.e
    median = layer.rsrp_dbm[rows[pick], cols[pick]] + grid.settings["fading_margin_db"]
    sx = grid.sectors["x"].to_numpy()[layer.server[rows[pick], cols[pick]]]
    sy = grid.sectors["y"].to_numpy()[layer.server[rows[pick], cols[pick]]]
    d_km = np.maximum(np.hypot(x - sx, y - sy) / 1000.0, 0.1)
    return x, y, median.astype(float), d_km


def _measurements(parts: list[tuple[str, str, np.ndarray, np.ndarray, np.ndarray]]):
    frames = []
    for op, tech, x, y, rsrp in parts:
        frames.append(gpd.GeoDataFrame({"operator": op, "tech": tech, "rsrp_dbm": rsrp},
                                       geometry=gpd.points_from_xy(x, y), crs=CRS))
    import pandas as pd

    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=CRS)


def test_recovers_injected_offset_and_slope(tmp_path: Path) -> None:
    province = engine_province(tmp_path)
    grid = predict_coverage(province)
    rng = np.random.default_rng(1)
    x1, y1, med1, _ = _points(grid, rng, 60, "4G", "Viettel")
    x2, y2, med2, d2 = _points(grid, rng, 80, "4G", "VNPT")
    noise = rng.normal(0.0, 0.3, 80)
    m = _measurements([("Viettel", "4G", x1, y1, med1 + 6.0),
                       ("VNPT", "4G", x2, y2, med2 - 4.0 - 8.0 * np.log10(d2) + noise)])
    m_before = m.copy()
    result = calibrate(province, m, grid=grid)
    assert m.equals(m_before)
    fits = {(f.operator, f.tech): f for f in result.fits}
    vt, vn = fits[("Viettel", "4G")], fits[("VNPT", "4G")]
    assert vt.offset_db == pytest.approx(6.0, abs=0.01)
    assert abs(vt.slope_db_per_decade) < 0.01
    assert vt.before.mean_error_db == pytest.approx(-6.0, abs=0.01)  # predicted − measured
    assert vt.before.rmse_db == pytest.approx(6.0, abs=0.01)
    assert abs(vt.after.mean_error_db) < 1e-6 and vt.after.rmse_db < 0.01
    assert vn.slope_fitted
    assert vn.offset_db == pytest.approx(-4.0, abs=0.3)
    assert vn.slope_db_per_decade == pytest.approx(-8.0, abs=0.6)
    assert vn.after.rmse_db < 0.5 < vn.before.rmse_db
    assert vn.after.correlation > vn.before.correlation - 1e-9
    radio = result.scenario.radio
    assert radio.offsets_db["Viettel_4G"] == pytest.approx(6.0, abs=0.01)
    assert radio.slopes_db_per_decade["VNPT_4G"] == pytest.approx(-8.0, abs=0.6)
    assert "Viettel_4G" not in radio.slopes_db_per_decade or \
        abs(radio.slopes_db_per_decade["Viettel_4G"]) < 0.01
    assert province.scenario.radio.offsets_db == {}  # the input scenario is untouched
    text = result.to_text()
    assert "Viettel" in text and "rmse_after_db" in text
    # predicting with the calibrated settings moves the Viettel points by the offset
    calibrated = dataclasses.replace(province, scenario=result.scenario)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid2 = predict_coverage(calibrated)
    samples = measurement_samples(grid2, m)
    vt_pred = samples.loc[samples["operator"] == "Viettel", "predicted_dbm"].to_numpy()
    np.testing.assert_allclose(vt_pred, med1 + 6.0, atol=0.05)


def test_too_few_points_and_errors(tmp_path: Path) -> None:
    province = engine_province(tmp_path)
    grid = predict_coverage(province)
    rng = np.random.default_rng(2)
    x, y, med, _ = _points(grid, rng, 5, "4G", "Viettel")
    result = calibrate(province, _measurements([("Viettel", "4G", x, y, med)]), grid=grid)
    assert result.fits == ()
    assert result.scenario.radio.offsets_db == {}
    with pytest.raises(InputError, match="no measurements with RSRP"):
        calibrate(province, None, grid=grid)


def test_written_scenario_loads_back_with_paths_relative_to_it(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from conftest import write_tiny

    from phusong.cli import cli

    scenario = write_tiny(tmp_path / "tiny")
    # a measurements CSV (lon/lat) around the Viettel site, 5 dB above the prediction
    from phusong.layers.validate import load_province

    province = load_province(scenario)
    grid = predict_coverage(province)
    rng = np.random.default_rng(3)
    x, y, med, _ = _points(grid, rng, 40, "4G", "Viettel")
    pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=CRS).to_crs("EPSG:4326")
    import pandas as pd

    csv = tmp_path / "drive.csv"
    pd.DataFrame({"lon": pts.x.round(7), "lat": pts.y.round(7), "operator": "Viettel",
                  "tech": "4G", "rsrp_dbm": np.round(med + 5.0, 2)}).to_csv(csv, index=False)
    out = tmp_path / "elsewhere" / "calibrated.toml"
    out.parent.mkdir()
    result = CliRunner().invoke(cli, ["calibrate", str(scenario), str(csv), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Viettel" in result.output and "rmse_before_db" in result.output
    loaded = load_scenario(out)
    assert loaded.radio.offsets_db["Viettel_4G"] == pytest.approx(5.0, abs=0.1)
    assert loaded.layer_path("sectors").resolve() == (tmp_path / "tiny" / "sectors.csv").resolve()
    assert loaded.layer_path("sectors").exists()
    again = CliRunner().invoke(cli, ["calibrate", str(scenario), str(csv), "--out", str(out)])
    assert again.exit_code == 1 and "exists" in again.output
    assert X0 and Y0  # the points were around the tiny province
