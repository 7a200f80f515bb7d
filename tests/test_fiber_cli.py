"""``phusong plan-fiber``, the written files and the [fiber] settings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from phusong.cli import cli
from phusong.config import FiberConfig, load_scenario, render_template
from phusong.errors import ConfigError, OutputExistsError
from phusong.planning import CSV_TABLES, GPKG_LAYERS, run_fiber


def test_template_documents_every_fiber_key(tmp_path: Path) -> None:
    text = render_template()
    assert "\n[fiber]\n" in text
    for f in dataclasses.fields(FiberConfig):
        assert f"\n{f.name} = " in text, f.name
        assert f.metadata["doc"] in text
    assert "unit VND/km" in text
    assert load_scenario(_write(tmp_path, text)).fiber == FiberConfig()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_fiber_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Did you mean 'max_snap_m'"):
        load_scenario(_write(tmp_path, "[fiber]\nmax_snap = 10\n"))
    with pytest.raises(ConfigError, match="below the minimum"):
        load_scenario(_write(tmp_path, "[fiber]\ncost_per_km_vnd = -1\n"))
    scenario = load_scenario(_write(tmp_path, "[fiber]\ngpon_gigabit = false\n"))
    assert scenario.fiber.gpon_gigabit is False


def test_plan_fiber_command(tiny_province: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["plan-fiber", str(tiny_province), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "T4" in result.output and "Extension (ANY)" in result.output
    for name in CSV_TABLES:
        assert (out / "csv" / f"{name}.csv").exists(), name
    assert set(pyogrio.list_layers(out / "fiber.gpkg")[:, 0]) == set(GPKG_LAYERS)
    places = pd.read_csv(out / "csv" / "fiber_places.csv", encoding="utf-8-sig")
    assert "Tình trạng cáp quang" in places.columns
    # an earlier run is not replaced without --overwrite
    again = runner.invoke(cli, ["plan-fiber", str(tiny_province), "--out", str(out)])
    assert again.exit_code == 1 and "output exists" in again.output
    english = runner.invoke(cli, ["plan-fiber", str(tiny_province), "--out", str(out),
                                  "--lang", "en", "--overwrite", "--operator", "VNPT"])
    assert english.exit_code == 0, english.output
    places = pd.read_csv(out / "csv" / "fiber_places.csv", encoding="utf-8-sig")
    assert "Fiber status" in places.columns
    bad = runner.invoke(cli, ["plan-fiber", str(tiny_province), "--out", str(tmp_path / "o2"),
                              "--operator", "Nobody"])
    assert bad.exit_code == 1 and "has no fiber node or route" in bad.output


def test_run_fiber_refuses_before_any_work(tiny_province: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    (out / "csv").mkdir(parents=True)
    (out / "csv" / "fiber_nodes.csv").write_text("x", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        run_fiber(tiny_province, out)
    assert not (out / "fiber.gpkg").exists()


def test_settings_travel_with_the_results(tiny_province: Path, tmp_path: Path) -> None:
    run = run_fiber(tiny_province, tmp_path / "o", lang="en")
    settings = run.tables["fiber_settings"].set_index("setting")["value"]
    assert settings["thresholds.fiber_reach_m"] == "1000.0"
    assert settings["fiber.cost_per_km_vnd"] == str(FiberConfig().cost_per_km_vnd)
