"""Indicator tables as XLSX, CSV and GeoPackage; the ``phusong metrics`` command."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from _metrics_province import tiny_grid, tiny_province
from click.testing import CliRunner
from test_metrics_compute import GOLDEN, GOLDEN_COLUMNS

from phusong.errors import OutputExistsError
from phusong.metrics import compute_indicators
from phusong.reports import header, sheet_name, write_indicator_tables


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory):
    return compute_indicators(tiny_province(tmp_path_factory.mktemp("tiny")), tiny_grid())


def test_headers_come_from_the_registries() -> None:
    assert header("commune_code") == "Mã xã" and header("commune_code", "en") == "Commune code"
    assert header("pop_5g_pct") == "Tỷ lệ dân có 5G (%)"
    assert header("pop_5g_pct__Viettel", "en") == "People with 5G (%) – Viettel"
    assert header("status") == "Tình trạng" and header("status_code") == "Mã trạng thái"
    assert header("unknown_column") == "unknown_column"
    assert sheet_name("summary") == "Tổng hợp" and sheet_name("dark_spots", "en") == "Dark spots"


def test_workbook_csv_and_geopackage(results, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    paths = write_indicator_tables(results, tmp_path / "out")
    wb = load_workbook(paths["xlsx"])
    assert wb.sheetnames == ["Tổng hợp", "Theo xã", "Thôn, xóm", "Tuyến đường", "Đoạn mất sóng",
                             "Khu công nghiệp", "Điểm ưu tiên", "Khu dân cư 5G (T8)",
                             "Vùng lõm, trắng sóng", "Đo kiểm (Q1)", "Số liệu báo cáo",
                             "Theo nhà mạng", "Phương pháp"]
    ws = wb["Tổng hợp"]
    rows = list(ws.values)
    assert rows[0][:8] == ("TT", "Mã chỉ tiêu", "Chỉ tiêu", "Kết quả", "Mục tiêu", "Thời hạn",
                           "Trạng thái", "Thiếu hụt")
    golden = pd.read_csv(GOLDEN, dtype=str, keep_default_na=False)
    sheet = pd.DataFrame(rows[1:], columns=rows[0])
    for col in GOLDEN_COLUMNS:
        got = sheet[header(col)].map(lambda v: "" if pd.isna(v) else str(v)).tolist()
        assert got == golden[col].tolist(), col
    assert wb.properties.creator == "phusong" and wb.properties.created.year == 2000
    hamlets = pd.DataFrame(list(wb["Thôn, xóm"].values))
    assert hamlets.iloc[0].tolist()[:3] == ["Mã thôn", "Tên", "Mã xã"]
    assert set(hamlets.iloc[1:, hamlets.iloc[0].tolist().index("Được phủ sóng")]) == {"có", "không"}
    # CSV: UTF-8 with BOM, the same headers
    raw = paths["csv:summary"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    csv = pd.read_csv(paths["csv:summary"], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert csv["Kết quả"].tolist() == golden["result_text"].tolist()
    # GeoPackage: the layers with their status, canonical names, working CRS
    layers = dict(pyogrio.list_layers(paths["gpkg"]))
    assert set(layers) == {"hamlets", "road_gaps", "parks", "pois", "dark_spots", "measurements"}
    gaps = pyogrio.read_dataframe(paths["gpkg"], layer="road_gaps")
    assert gaps.crs.to_epsg() == 32648 and "over_limit" in gaps and "status_text" not in gaps
    parks = pyogrio.read_dataframe(paths["gpkg"], layer="parks")
    assert parks["status_text"].tolist() == ["đạt"]
    spots = pyogrio.read_dataframe(paths["gpkg"], layer="dark_spots")
    assert spots["kind_text"].tolist() == ["trắng sóng"]


def test_files_are_reproducible_and_not_overwritten(results, tmp_path: Path) -> None:
    first = write_indicator_tables(results, tmp_path / "a")
    second = write_indicator_tables(results, tmp_path / "b")
    for key in first:
        assert first[key].read_bytes() == second[key].read_bytes(), key
    before = first["xlsx"].stat().st_mtime_ns
    with pytest.raises(OutputExistsError, match="--overwrite"):
        write_indicator_tables(results, tmp_path / "a")
    assert first["xlsx"].stat().st_mtime_ns == before
    # one existing file stops the whole call before anything is written
    (tmp_path / "c" / "csv").mkdir(parents=True)
    (tmp_path / "c" / "csv" / "routes.csv").write_text("keep")
    with pytest.raises(OutputExistsError):
        write_indicator_tables(results, tmp_path / "c")
    assert sorted(p.name for p in (tmp_path / "c").rglob("*")) == ["csv", "routes.csv"]
    again = write_indicator_tables(results, tmp_path / "a", overwrite=True)
    assert again["xlsx"].read_bytes() == second["xlsx"].read_bytes()


def test_english_headers(results, tmp_path: Path) -> None:
    paths = write_indicator_tables(results, tmp_path / "en", lang="en")
    csv = pd.read_csv(paths["csv:communes"], encoding="utf-8-sig")
    assert list(csv.columns[:3]) == ["Commune code", "Name", "Kind"]
    assert "People with 5G (%) – Viettel" in csv.columns


def test_metrics_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``phusong metrics`` with the coverage engine replaced by the hand-made grid."""
    from conftest import write_tiny

    from phusong.cli import cli

    scenario = write_tiny(tmp_path / "tiny")
    engine = types.ModuleType("phusong.coverage.engine")
    engine.predict_coverage = lambda province: tiny_grid()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "phusong.coverage.engine", engine)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["metrics", str(scenario), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "T6" in result.output and "not met" in result.output
    assert (out / "indicators.xlsx").exists() and (out / "csv" / "road_gaps.csv").exists()
    result = CliRunner().invoke(cli, ["metrics", str(scenario), "--out", str(out)])
    assert result.exit_code == 1 and "--overwrite" in result.output
    result = CliRunner().invoke(cli, ["metrics", str(scenario), "--out", str(out), "--overwrite"])
    assert result.exit_code == 0, result.output
