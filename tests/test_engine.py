"""The coverage engine on small provinces: contract, physics, properties, files, CLI."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from _engine_fixtures import engine_province, sites_frame
from conftest import X0, Y0
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phusong.coverage.engine import predict_coverage
from phusong.coverage.grid import ANY, CoverageGrid
from phusong.coverage.models.free_space import fspl_db
from phusong.coverage.models.link import (
    bounded_shannon_se,
    fading_margin_db,
    n_resource_blocks,
    shannon_throughput_mbps,
    sinr_max_db,
)
from phusong.errors import CRSError, InputError, ModelRangeWarning, OutputExistsError

pytestmark = pytest.mark.filterwarnings("ignore::phusong.errors.ModelRangeWarning")


def _predict(province, **kw) -> CoverageGrid:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelRangeWarning)
        return predict_coverage(province, **kw)


# ------------------------------------------------------------------------------------------
# link budget references
# ------------------------------------------------------------------------------------------


def test_bounded_shannon_tr36942_table_a21() -> None:
    # 3GPP TR 36.942 Annex A.2, Table A.2.1 (downlink): alpha 0.6, SINR_min -10 dB, 4.4 bit/s/Hz
    se = bounded_shannon_se(np.array([-10.5, -10.0, 0.0, 10.0, 25.0, 40.0]))
    expected = [0.0, 0.6 * math.log2(1.1), 0.6, 0.6 * math.log2(11.0), 4.4, 4.4]
    np.testing.assert_allclose(se, expected, rtol=1e-9)
    assert sinr_max_db(0.6, 4.4) == pytest.approx(22.05, abs=0.01)
    # 20 MHz, 2 layers, 25 % overhead at 10 dB: 20 × 2.0757 × 2 × 0.75 = 62.3 Mbit/s
    rate = shannon_throughput_mbps(10.0, 20.0, mimo_layers=2, overhead=0.25)
    assert float(rate) == pytest.approx(62.27, abs=0.01)


def test_resource_blocks_and_fading_margin() -> None:
    # TS 36.101 Table 5.6-1 and TS 38.101-1 Table 5.3.2-1 (30 kHz)
    np.testing.assert_array_equal(n_resource_blocks([1.4, 5, 10, 15, 20], "4G"),
                                  [6, 25, 50, 75, 100])
    np.testing.assert_array_equal(n_resource_blocks([20, 40, 100], "5G"), [51, 106, 273])
    assert fading_margin_db(8.0, 0.75) == pytest.approx(5.396, abs=1e-3)  # 8 × Q⁻¹(0.25)
    assert fading_margin_db(8.0, 0.5) == pytest.approx(0.0, abs=1e-12)


# ------------------------------------------------------------------------------------------
# the engine on the tiny province
# ------------------------------------------------------------------------------------------


def test_tiny_province_contract_and_ridge(tmp_path: Path) -> None:
    province = engine_province(tmp_path)
    sites_before = province.sites.copy()
    sectors_before = province.sectors.copy()
    grid = _predict(province)
    # inputs untouched
    pd.testing.assert_frame_equal(province.sites, sites_before)
    pd.testing.assert_frame_equal(province.sectors, sectors_before)
    assert set(grid.layers) == {("Viettel", "4G"), ("Viettel", "5G"), ("VNPT", "4G"),
                                (ANY, "4G"), (ANY, "5G")}
    assert grid.crs == "EPSG:32648" and grid.transform.e < 0
    assert grid.transform.a == 30.0 and grid.shape == (134, 267)
    for layer in grid:
        assert layer.rsrp_dbm.dtype == np.float32 and layer.server.dtype == np.int32
        assert layer.rsrp_dbm.shape == grid.shape
        served = layer.server >= 0
        assert np.array_equal(served, np.isfinite(layer.rsrp_dbm))
        assert np.all(layer.dl_mbps[~served] == 0.0)
        assert layer.server.max() < len(grid.sectors)
    s = grid.settings
    assert s["fading_margin_db"] == pytest.approx(5.396, abs=1e-3)
    assert s["environment"] == "suburban" and "Bullington" in s["model"]
    # the Viettel 4G sector (azimuth 0°, at x0 + 1 km): strong near the site, the ridge at
    # x0 + 3 km shadows the cells behind it
    vt = grid.layer("Viettel", "4G")
    r = grid.sample(vt.rsrp_dbm, np.array([X0 + 1000.0, X0 + 2500.0]),
                    np.array([Y0 + 1500.0, Y0 + 1500.0]))
    assert r[0] > -95.0 and r[0] > r[1]
    east_of_ridge = grid.sample(vt.rsrp_dbm, np.array([X0 + 3600.0]), np.array([Y0 + 1000.0]))
    west_same_d = grid.sample(vt.rsrp_dbm, np.array([X0 - 1600.0 + 2000.0]),
                              np.array([Y0 + 1000.0]))
    assert not east_of_ridge[0] > west_same_d[0] - 10.0  # ≥ 10 dB of diffraction (or none)


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="terrain model needs a DEM"):
        _predict(engine_province(tmp_path / "a", dem=None))
    grid = _predict(engine_province(tmp_path / "b", dem=None, model="hata"))
    assert grid.covered(ANY, "4G").any()
    empty = engine_province(tmp_path / "c").sectors.assign(tech="2G")
    with pytest.raises(InputError, match="no on-air 4G or 5G sector"):
        _predict(engine_province(tmp_path / "c", sectors=empty))
    province = engine_province(tmp_path / "d")
    import dataclasses

    with pytest.raises(CRSError, match="not metric"):
        _predict(dataclasses.replace(province, crs="EPSG:4326"))


def test_out_of_range_models_warn_once(tmp_path: Path) -> None:
    province = engine_province(tmp_path)
    with pytest.warns(ModelRangeWarning, match="outside the range of validity") as record:
        predict_coverage(province)
    kinds = [str(w.message).split(" = ")[0] for w in record
             if issubclass(w.category, ModelRangeWarning)]
    assert len(kinds) == len(set(kinds))  # one warning per kind


@pytest.mark.parametrize("model", ["terrain", "free_space", "hata", "cost231", "tr38901_rma",
                                   "tr38901_uma", "tr38901_umi"])
def test_every_model_predicts(tmp_path: Path, model: str) -> None:
    grid = _predict(engine_province(tmp_path, model=model), resolution_m=60.0)
    share = grid.covered(ANY, "4G").mean()
    assert 0.0 < share <= 1.0
    assert grid.settings["radio_model"] == model


# ------------------------------------------------------------------------------------------
# SINR of a known two-cell case
# ------------------------------------------------------------------------------------------


def test_sinr_two_cells_free_space(tmp_path: Path) -> None:
    # two omni cells of one operator on the same band, 3 km apart on flat ground, free space,
    # no vertical pattern (SLA_V = 0), no fading margin: SINR = S / (load · I + N) exactly
    sites = sites_frame([("A", "Viettel", 1000.0, 1000.0, 30.0),
                         ("B", "Viettel", 4000.0, 1000.0, 30.0)])
    sectors = pd.DataFrame({"site_id": ["A", "B"], "sector_id": ["A1", "B1"], "tech": ["4G"] * 2,
                            "band_mhz": [1800.0] * 2, "bandwidth_mhz": [20.0] * 2,
                            "azimuth_deg": [np.nan] * 2, "eirp_dbm": [40.0] * 2})
    province = engine_province(tmp_path, sites=sites, sectors=sectors, dem="flat",
                               model="free_space", sla_v_db=0.0, shadowing_sigma_db=0.0,
                               load=0.7, prediction_floor_dbm=-160.0)
    grid = _predict(province)
    layer = grid.layer("Viettel", "4G")
    table = grid.sectors
    noise_mw = 10 ** (table["noise_re_dbm"].iloc[0] / 10)
    eirp_re = table["eirp_re_dbm"].iloc[0]
    col = np.arange(grid.shape[1])
    x = grid.transform.c + (col + 0.5) * grid.transform.a
    y_row = Y0 + 1000.0
    row = int((grid.transform.f - y_row) / 30.0)
    yc = grid.transform.f - (row + 0.5) * 30.0
    d_a = np.hypot(np.hypot(x - (X0 + 1000.0), yc - y_row), 28.5)
    d_b = np.hypot(np.hypot(x - (X0 + 4000.0), yc - y_row), 28.5)
    p_a = 10 ** ((eirp_re - fspl_db(d_a, 1800.0)) / 10)
    p_b = 10 ** ((eirp_re - fspl_db(d_b, 1800.0)) / 10)
    s, i = np.maximum(p_a, p_b), np.minimum(p_a, p_b)
    expected = 10 * np.log10(s / (0.7 * i + noise_mw))
    far = (np.hypot(x - (X0 + 1000.0), yc - y_row) > 300) & (
        np.hypot(x - (X0 + 4000.0), yc - y_row) > 300)
    got = layer.sinr_db[row]
    assert far.sum() > 150
    np.testing.assert_allclose(got[far], expected[far], atol=0.1)
    # midway: equal powers, SINR = -10 log10(load) when noise is negligible
    mid = int(np.argmin(np.abs(x - (X0 + 2500.0))))
    assert got[mid] == pytest.approx(-10 * math.log10(0.7), abs=0.2)
    # the rate is the bounded Shannon of that SINR: 20 MHz × 2 layers × (1 − 0.25)
    np.testing.assert_allclose(layer.dl_mbps[row][far],
                               shannon_throughput_mbps(got[far], 20.0, mimo_layers=2,
                                                       overhead=0.25), rtol=1e-4)
    # server: the nearer cell
    assert np.all(layer.server[row][far] == np.where(d_a < d_b, 0, 1)[far])


# ------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(height=st.floats(10.0, 60.0), band=st.sampled_from([700.0, 900.0, 1800.0, 2100.0, 3500.0]),
       model=st.sampled_from(["terrain", "free_space", "hata", "tr38901_rma"]),
       k=st.sampled_from([4.0 / 3.0, 1.0, 10.0]))
def test_rsrp_never_rises_with_distance_on_flat_ground(tmp_path: Path, height: float,
                                                       band: float, model: str,
                                                       k: float) -> None:
    sites = sites_frame([("A", "Viettel", 1000.0, 1000.0, height)])
    sectors = pd.DataFrame({"site_id": ["A"], "sector_id": ["A1"], "tech": ["4G"],
                            "band_mhz": [band], "azimuth_deg": [np.nan]})
    province = engine_province(tmp_path / f"{height:.3f}-{band}-{model}-{k}", sites=sites,
                               sectors=sectors, dem="flat", model=model, k_factor=k,
                               sla_v_db=0.0, prediction_floor_dbm=-150.0)
    grid = _predict(province, resolution_m=60.0)
    rsrp = grid.layer("Viettel", "4G").rsrp_dbm
    row = int((grid.transform.f - (Y0 + 1000.0)) / 60.0)
    col0 = int((X0 + 1000.0 - grid.transform.c) / 60.0)
    for line in (rsrp[row, col0 + 1:], rsrp[row, :col0][::-1], rsrp[row + 1:, col0]):
        vals = line[np.isfinite(line)]
        assert vals.size > 10
        assert np.all(np.diff(vals) <= 1e-3)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_union_never_covers_less_than_any_operator(tmp_path: Path, data: st.DataObject) -> None:
    rows = []
    for k in range(data.draw(st.integers(2, 4), label="n_sites")):
        op = data.draw(st.sampled_from(["Viettel", "VNPT", "MobiFone"]), label=f"op{k}")
        rows.append((f"S{k}", op, data.draw(st.floats(0, 6000), label=f"x{k}"),
                     data.draw(st.floats(0, 2000), label=f"y{k}"), 30.0))
    sites = sites_frame(rows)
    sectors = pd.DataFrame({
        "site_id": [r[0] for r in rows], "sector_id": [r[0] + "-1" for r in rows],
        "tech": [data.draw(st.sampled_from(["4G", "5G"]), label=f"t{k}") for k in range(len(rows))],
        "band_mhz": [1800.0] * len(rows),
        "azimuth_deg": [data.draw(st.floats(0, 359), label=f"az{k}") for k in range(len(rows))],
        "eirp_dbm": [data.draw(st.floats(40, 65), label=f"e{k}") for k in range(len(rows))]})
    grid = _predict(engine_province(tmp_path / str(abs(hash(tuple(rows)))), sites=sites,
                                    sectors=sectors), resolution_m=90.0)
    for tech in ("4G", "5G"):
        union = grid.covered(ANY, tech)
        for op in grid.operators:
            assert not np.any(grid.covered(op, tech) & ~union)
            layer, any_layer = grid.layer(op, tech), grid.layer(ANY, tech)
            if layer is not None:
                with np.errstate(invalid="ignore"):
                    assert not np.any(layer.rsrp_dbm > any_layer.rsrp_dbm)


@pytest.fixture(scope="module")
def commune(tmp_path_factory: pytest.TempPathFactory):
    from phusong.layers.validate import load_province
    from phusong.pipeline import run_demo

    out = tmp_path_factory.mktemp("commune")
    result = run_demo(out, preset="commune", stages=False)
    return result.scenario_path, load_province(result.scenario_path)


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(0, 10_000))
def test_removing_a_site_never_increases_coverage(commune, pick: int) -> None:
    _, province = commune
    import dataclasses

    grid = _predict(province, resolution_m=100.0)
    site = province.sites["site_id"].iloc[pick % len(province.sites)]
    fewer = dataclasses.replace(province, sites=province.sites[province.sites["site_id"] != site])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        after = _predict(fewer, resolution_m=100.0)
    for op, tech in grid.layers:
        lost = after.covered(op, tech) & ~grid.covered(op, tech)
        assert not lost.any(), (site, op, tech)
        before, now = grid.layer(op, tech), after.layer(op, tech)
        if now is not None:
            with np.errstate(invalid="ignore"):
                assert not np.any(now.rsrp_dbm > before.rsrp_dbm + 1e-4)


# ------------------------------------------------------------------------------------------
# files and the command line, on the demo commune
# ------------------------------------------------------------------------------------------


def test_rasters_are_cogs_with_settings(commune, tmp_path: Path) -> None:
    _, province = commune
    grid = _predict(province, resolution_m=60.0)
    paths = grid.write(tmp_path / "cov")
    names = {p.name for p in paths}
    for op, tech in grid.layers:
        for q in ("rsrp_dbm", "sinr_db", "dl_mbps", "server"):
            assert f"{q}_{op}_{tech}.tif" in names
    with rasterio.open(tmp_path / "cov" / "rsrp_dbm_ANY_4G.tif") as ds:
        assert ds.driver == "GTiff" and ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert ds.crs.to_epsg() == 32648 and ds.transform == grid.transform
        assert ds.dtypes[0] == "float32" and math.isnan(ds.nodata)
        tags = ds.tags()
        assert float(tags["rsrp_threshold_dbm"]) == -110.0
        assert json.loads(tags["settings"])["fading_margin_db"] == pytest.approx(5.396, abs=1e-3)
        np.testing.assert_array_equal(ds.read(1), grid.layer(ANY, "4G").rsrp_dbm)
    with rasterio.open(tmp_path / "cov" / "server_ANY_4G.tif") as ds:
        assert ds.dtypes[0] == "int32" and ds.nodata == -1
    summary = pd.read_csv(tmp_path / "cov" / "sectors_coverage.csv", encoding="utf-8-sig")
    assert len(summary) == len(grid.sectors)
    assert summary["covered_km2"].sum() <= summary["served_km2"].sum() + 1e-9
    covered_km2 = sum(grid.covered(op, t).sum() for op, t in grid.layers if op != ANY) \
        * grid.cell_area_m2 / 1e6
    assert summary["covered_km2"].sum() == pytest.approx(covered_km2, rel=1e-3)
    with pytest.raises(OutputExistsError):
        grid.write(tmp_path / "cov")


def test_cli_coverage(commune, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from phusong.cli import cli

    scenario, _ = commune
    runner = CliRunner()
    out = tmp_path / "out"
    args = ["coverage", str(scenario), "--out", str(out), "--resolution", "100"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Fading margin 5.40 dB" in result.output and "ANY" in result.output
    assert (out / "rsrp_dbm_ANY_4G.tif").exists() and (out / "sectors_coverage.csv").exists()
    again = runner.invoke(cli, args)
    assert again.exit_code == 1 and "exists" in again.output
    assert runner.invoke(cli, [*args, "--overwrite"]).exit_code == 0
