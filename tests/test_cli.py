"""The command line: exit codes, one-line errors, no tracebacks, overwrite policy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import tiny_layers

from phusong import __version__
from phusong.cli import cli


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = _run("--version")
    assert code == 0 and __version__ in out


def test_template_prints_every_section() -> None:
    code, out, _ = _run("template")
    assert code == 0
    for section in ("[province]", "[thresholds]", "[radio]", "[layers.communes]"):
        assert section in out


def test_check_valid_province(tiny_province: Path) -> None:
    code, out, _ = _run("check", str(tiny_province))
    assert code == 0, out
    assert "Validation: 0 errors, 0 warnings." in out


def test_check_bad_province_exits_1_and_writes_report(tiny_writer, tmp_path: Path) -> None:
    hamlets = tiny_layers()["hamlets"]
    hamlets.loc[1, "hamlet_id"] = "H1"
    scenario = tiny_writer(layers={"hamlets": hamlets})
    report = tmp_path / "report.json"
    code, out, _ = _run("check", str(scenario), "--report", str(report))
    assert code == 1
    assert "ERROR [duplicate_id]" in out and "rows 1, 2" in out
    issues = json.loads(report.read_text(encoding="utf-8"))["issues"]
    assert any(i["code"] == "duplicate_id" and i["rows"] == "1 2" for i in issues)
    # the report is not overwritten without --overwrite
    code, _, err = _run("check", str(scenario), "--report", str(report))
    assert code == 1 and "output exists already" in err and "Traceback" not in err
    code, _, _ = _run("check", str(scenario), "--report", str(report), "--overwrite")
    assert code == 1  # still the input's errors, but the report was replaced


def test_warnings_exit_0_unless_strict(tiny_writer) -> None:
    sites = tiny_layers()["sites"].assign(height_agl_m=[30.0, 300.0])
    scenario = tiny_writer(layers={"sites": sites})
    assert _run("check", str(scenario))[0] == 0
    assert _run("check", "--strict", str(scenario))[0] == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "scenario file not found"), ("[radio]\nmodle = 'hata'\n", "Did you mean 'model'?")],
)
def test_bad_scenario_is_one_line_without_traceback(tmp_path: Path, content: str | None,
                                                    expected: str) -> None:
    path = tmp_path / "scenario.toml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "phusong", "check", str(path)],
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0]


def test_vietnamese_text_survives_a_c_locale(tiny_writer) -> None:
    """Names with diacritics reach the terminal intact even when the locale is plain C."""
    parks = tiny_layers()["parks"].assign(status=["đang quy hoạch chi tiết"])
    scenario = tiny_writer(layers={"parks": parks})
    env = {"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "phusong", "-q", "check", str(scenario)],
                          capture_output=True, env=env, check=False)
    assert proc.returncode == 1
    assert "'đang quy hoạch chi tiết'" in proc.stdout.decode("utf-8")


def test_demo_commune_writes_layers_scenario_and_report(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    code, stdout, _ = _run("-q", "demo", str(out), "--preset", "commune")
    assert code == 0, stdout
    names = {p.name for p in out.iterdir()}
    assert {"scenario.toml", "validation.csv", "validation.json", "province.gpkg", "sectors.csv",
            "dem.tif", "population.tif", "measurements.csv", "reported.csv"} <= names
    # and every stage after validation wrote its folder
    assert {"coverage", "indicators"} <= names
    assert any((out / "coverage").glob("*.tif"))
    assert (out / "indicators" / "indicators.xlsx").is_file()
    assert (out / "indicators" / "fiber.gpkg").is_file()
    assert (out / "plan" / "sites_plan.gpkg").is_file() and (out / "plan" / "scenario_after.toml").is_file()
    for name in ("map.html", "report.html", "report.pdf"):
        assert (out / "report" / name).is_file(), name
    assert "phusong-proposals" in (out / "report" / "map.html").read_text(encoding="utf-8")
    assert "validation: 0 errors" in stdout
    # the scenario it wrote checks clean from the command line too
    assert _run("check", str(out / "scenario.toml"))[0] == 0
    # same seed, byte-identical layers; an existing demo is refused before anything is written
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    code, _, err = _run("demo", str(out), "--preset", "commune")
    assert code == 1 and "--overwrite" in err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert _run("-q", "demo", str(out), "--preset", "commune", "--overwrite", "--layers-only")[0] == 0
    layers = ("province.gpkg", "sectors.csv", "dem.tif", "population.tif", "measurements.csv",
              "reported.csv")
    assert all((out / n).read_bytes() == before[n] for n in layers)
