"""The site plan on the one-commune demo end to end: files, round trip as a scenario, CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from phusong.cli import cli
from phusong.config import LayerSource
from phusong.errors import OutputExistsError
from phusong.layers import LAYERS, load_province, read_layer
from phusong.metrics.labels import header
from phusong.planning._site_outputs import GPKG_LAYERS, plan_output_paths, proposals_layer
from phusong.planning.site_plan import plan_sites, run_plan


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from phusong.pipeline import run_demo

    folder = tmp_path_factory.mktemp("commune_plan")
    return run_demo(folder, preset="commune", stages=False).scenario_path


@pytest.fixture(scope="module")
def planned(demo: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("plan_out")
    plan = run_plan(demo, out, resolution_m=200.0, lang="en")
    return plan, out


def test_targets_are_reached_and_checked_after(planned) -> None:
    plan, _ = planned
    sol = plan.solution
    assert sol.mode == "target" and sol.best.sites >= 1
    assert sol.best.gap_pct <= 100 * plan.province_after.scenario.planning.mip_gap + 1e-9
    units = plan.tables["plan_units"]
    for kind in ("hamlet", "road_gap"):
        u = units.loc[units["unit_kind"] == kind]
        assert u.loc[u["reachable"], "closed_planned"].all(), kind
    # unreachable units say why
    assert (plan.tables["plan_unreachable"]["reason"].str.len() > 0).all()
    # the indicators after the proposals, side by side with today's
    ba = plan.tables["plan_before_after"].set_index("indicator_id")
    assert ba.loc["T3", "value_after"] >= ba.loc["T3", "value_before"]
    assert ba.loc["T6", "value_after"] >= ba.loc["T6", "value_before"]
    assert ba.loc["T5+", "value_after"] == plan.sectors.loc[plan.sectors["tech"] == "5G",
                                                            "site_id"].nunique()
    communes = plan.tables["plan_communes"]
    assert {"hamlets_covered_before", "hamlets_covered_after", "sites_proposed"} <= set(
        communes.columns)
    assert communes["sites_proposed"].sum() <= sol.best.sites
    # the site table: ranks, ids, what each closes and costs
    sites = plan.tables["plan_sites"]
    assert list(sites["rank"]) == list(range(1, len(sites) + 1))
    first = sites.loc[sites["round"] == 1]
    assert first["cost_vnd"].sum() == pytest.approx(sol.best.objective)
    assert first["hamlets_closed"].sum() == int(
        units.loc[units["unit_kind"] == "hamlet", "closed_planned"].sum())
    assert len(sites) == len(plan.site_ids) + sum(len(r.site_ids) for r in plan.repairs)
    assert sites["site_id"].is_unique
    assert "Site plan" in plan.summary()


def test_outputs_round_trip_as_scenario_layers(planned, demo: Path) -> None:
    plan, out = planned
    paths = plan_output_paths(out)
    for path in paths.values():
        assert path.exists(), path
    assert set(pyogrio.list_layers(paths["gpkg"])[:, 0]) == set(GPKG_LAYERS)
    crs = plan.province_after.crs
    for name, source in (("sites", LayerSource(path=str(paths["csv:sites_proposed"]))),
                         ("sites", LayerSource(path=str(paths["gpkg"]), layer="sites")),
                         ("sectors", LayerSource(path=str(paths["csv:sectors_proposed"]))),
                         ("sectors", LayerSource(path=str(paths["gpkg"]), layer="sectors"))):
        read = read_layer(name, LAYERS[name], source, Path(source.path), crs)
        assert read.frame is not None and not read.has_errors, (name, read.issues)
        assert len(read.frame) == len(plan.sites if name == "sites" else plan.sectors)
        if name == "sites":
            assert set(read.frame["site_id"]) == set(plan.sites["site_id"])
            assert np.allclose(np.sort(read.frame.geometry.x), np.sort(plan.sites.geometry.x),
                               atol=0.01)
    # the after-scenario loads cleanly with the proposals on air
    before = load_province(demo)
    after = load_province(paths["scenario_after"])
    assert after.report.summary().startswith("0 errors")
    assert len(after.sites) == len(before.sites) + len(plan.sites)
    assert len(after.sectors) == len(before.sectors) + len(plan.sectors)
    assert (after.sites.set_index("site_id").loc[plan.sites["site_id"], "status"]
            == "on_air").all()


def test_map_layer_and_inputs_untouched(planned, demo: Path) -> None:
    plan, _ = planned
    layer = proposals_layer(plan)
    assert len(layer) == plan.solution.best.sites
    assert str(layer.crs) == str(plan.sites.crs)
    assert {"rank", "site_id", "kind_text", "cost_vnd", "closes_text"} <= set(layer.columns)
    province = load_province(demo)
    sites, sectors = province.sites.copy(), province.sectors.copy()
    small = plan_sites(province, budget_sites=1, grid=plan.grid_before, verify=False)
    assert small.solution.best.sites <= 1 and small.after is None
    pd.testing.assert_frame_equal(province.sites, sites)
    pd.testing.assert_frame_equal(province.sectors, sectors)


def test_earlier_run_is_not_replaced(planned, demo: Path) -> None:
    _, out = planned
    with pytest.raises(OutputExistsError, match="overwrite"):
        run_plan(demo, out, resolution_m=200.0)


def test_plan_command(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["plan", str(demo), "--out", str(out), "--resolution", "200", "--lang", "en"]
    result = runner.invoke(cli, [*args, "--operator", "Viettel", "--budget", "2"])
    assert result.exit_code == 0, result.output
    assert "Site plan (Viettel, budget" in result.output
    assert (out / "csv" / "plan_sites.csv").exists()
    sites = pd.read_csv(out / "csv" / "plan_sites.csv", encoding="utf-8-sig")
    assert len(sites) <= 2 and set(sites[header("operator", "en")]) <= {"Viettel"}
    both = runner.invoke(cli, [*args, "--budget", "2", "--budget-vnd", "1e9", "--overwrite"])
    assert both.exit_code == 1 and "not both" in both.output
    bad = runner.invoke(cli, [*args, "--target", "T9", "--overwrite"])
    assert bad.exit_code == 1 and "unknown target" in bad.output
    again = runner.invoke(cli, [*args, "--budget", "1"])
    assert again.exit_code == 1 and "output exists" in again.output


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_plan_csvs_speak_the_plans_language(planned, demo: Path, tmp_path: Path) -> None:
    plan_en, out_en = planned
    plan_vi = run_plan(demo, tmp_path / "vi", resolution_m=200.0, lang="vi", budget_sites=1)
    for plan, out, lang in ((plan_vi, tmp_path / "vi", "vi"), (plan_en, out_en, "en")):
        paths = plan_output_paths(out)
        sites = _csv(paths["csv:plan_sites"])
        table = plan.tables["plan_sites"]
        assert list(sites.columns) == [header(c, lang, "plan_sites") for c in table.columns
                                       if c != "geometry"]
        yes, no = ("có", "không") if lang == "vi" else ("yes", "no")
        assert set(sites[header("new_tower", lang)]) <= {yes, no}
        # VND whole, lon / lat to 6 decimals, gains to 1
        assert all("." not in v for v in sites[header("cost_vnd", lang)])
        assert all(len(v.split(".")[1]) <= 6 for v in sites[header("lon", lang)])
        assert all(len(v.partition(".")[2]) <= 1 for v in sites[header("gain", lang)])
        units = _csv(paths["csv:plan_units"])
        assert header("closed_planned", lang, "plan_units") in units.columns
        assert set(units[header("reachable", lang)]) <= {yes, no}
        # the input formats, fed back as a scenario, keep the canonical names
        proposed = _csv(paths["csv:sites_proposed"])
        assert list(proposed.columns[:2]) == ["site_id", "operator"]
        assert {"lon", "lat", "height_agl_m"} <= set(proposed.columns)
        assert "site_id" in _csv(paths["csv:sectors_proposed"]).columns
    vi = _csv(plan_output_paths(tmp_path / "vi")["csv:plan_sites"])
    assert {"Thứ tự ưu tiên", "Mã trạm", "Chi phí (đồng)", "Kinh độ", "Xây cột mới"} <= set(
        vi.columns)
    en = _csv(plan_output_paths(out_en)["csv:plan_sites"])
    assert {"Rank", "Site id", "Cost (VND)", "Longitude", "New tower"} <= set(en.columns)
    # the tables in memory and the GeoPackage keep the canonical names
    assert "cost_vnd" in plan_vi.tables["plan_sites"].columns
    gpkg = pyogrio.read_dataframe(plan_output_paths(tmp_path / "vi")["gpkg"], layer="proposals")
    assert "cost_vnd" in gpkg.columns
