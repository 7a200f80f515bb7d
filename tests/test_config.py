"""The scenario file: typed, frozen, documented; bad files give one clear ConfigError."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from phusong.config import (
    RadioConfig,
    Scenario,
    Thresholds,
    load_scenario,
    render_template,
    scenario_from_dict,
)
from phusong.errors import ConfigError


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "scenario.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_defaults_and_types() -> None:
    scenario = scenario_from_dict({})
    assert scenario.thresholds.rsrp_4g_dbm == -110.0
    assert scenario.province.crs == "EPSG:32648"
    with pytest.raises(dataclasses.FrozenInstanceError):
        scenario.thresholds.rsrp_4g_dbm = -100  # type: ignore[misc]


def test_int_is_accepted_for_float(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, "[thresholds]\nrsrp_4g_dbm = -105\n"))
    assert scenario.thresholds.rsrp_4g_dbm == -105.0
    assert isinstance(scenario.thresholds.rsrp_4g_dbm, float)


def test_layer_paths_are_relative_to_the_scenario(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, '[layers]\ncommunes = "a/communes.gpkg"\n'))
    assert scenario.layer_path("communes") == tmp_path.resolve() / "a" / "communes.gpkg"
    assert scenario.layer_path("roads") is None


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("[thresholds]\nrsrp_4g_dmb = -100\n", r"unknown key 'rsrp_4g_dmb'. Did you mean 'rsrp_4g_dbm'\?"),
        ("[radio]\nmodell = 'hata'\n", r"Did you mean 'model'\?"),
        ("[threshold]\n", r"unknown section \[threshold\]. Did you mean 'thresholds'\?"),
        ("[layers.hamlet]\npath = 'x.gpkg'\n", r"unknown layer \[layers.hamlet\]. Did you mean 'hamlets'\?"),
        ("[layers.roads]\npaht = 'x.gpkg'\n", r"Did you mean 'path'\?"),
        ("[radio]\nresolution_m = 'thirty'\n", r"radio.resolution_m: expected a float, got 'thirty'"),
        ("[radio]\nresolution_m = true\n", r"expected a float, got True"),
        ("[radio]\nresolution_m = 0.1\n", r"below the minimum 1.0 m"),
        ("[radio]\nload = 1.5\n", r"above the maximum 1.0"),
        ("[radio]\nmodel = 'itm'\n", r"'itm' is not one of 'terrain'"),
        ("[province]\ncrs = 'EPSG:4326'\n", r"not a projected \(metric\) CRS"),
        ("[province]\ncrs = 'EPSG:0000'\n", r"not a CRS pyproj knows"),
        ("[thresholds\n", r"not valid TOML"),
        ("layers = 3\n", r"must be a table"),
    ],
)
def test_bad_scenarios(tmp_path: Path, text: str, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        load_scenario(_write(tmp_path, text))


def test_scenario_file_missing_or_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="scenario file not found"):
        load_scenario(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_scenario(_write(tmp_path, "[province]\nname = 'Th\xe1i'\n".encode("latin-1")))


def test_vn2000_working_crs_is_accepted(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, "[province]\ncrs = 'vn2000_tm3:106.5'\n"))
    assert scenario.province.crs == "vn2000_tm3:106.5"


def test_template_documents_every_key_and_loads_back(tmp_path: Path) -> None:
    text = render_template()
    for cls in (Thresholds, RadioConfig):
        for f in dataclasses.fields(cls):
            assert f"\n{f.name} = " in text, f.name
            assert f.metadata["doc"] in text
    # every documented key has a unit where it has one, and the template round-trips
    assert "unit dBm" in text and "default -110.0" in text
    data = tomllib.loads(text)
    scenario = scenario_from_dict(data)
    assert scenario == Scenario(layers=scenario.layers)
    assert load_scenario(_write(tmp_path, text)).radio == RadioConfig()
