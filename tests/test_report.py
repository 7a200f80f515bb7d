"""The report: one self-contained HTML file, a PDF with the expected pages, the CLI, overwrite."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from _report_case import tiny_case
from click.testing import CliRunner

from phusong.errors import OutputExistsError, PhusongError
from phusong.maps import COMMUNE_INDICATORS, external_urls
from phusong.metrics import REGISTRY
from phusong.reports import REPORT_HTML, REPORT_PDF, report_paths, run_report, write_report

pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("report")
    case = tiny_case(folder / "inputs", "vi")
    files = write_report(case.province, case.results, folder / "out", case.grid, report_maps=2,
                         created="2026-01-15")
    return case, files


def test_every_file_is_written(written) -> None:
    _, files = written
    out = files.out_dir
    for path in report_paths(out).values():
        assert path.exists(), path
    assert set(files.maps.commune_pngs) <= {"05443", "05444", "05445"}
    assert len(files.maps.commune_pngs) >= 1
    assert all(p.exists() for p in files.all())
    assert {"base", "map", "print_maps", "tables", "pdf", "html"} <= set(files.seconds)


def test_html_is_one_file_with_the_plan_layout(written) -> None:
    case, files = written
    html = files.report_html.read_text(encoding="utf-8")
    assert external_urls(html) == []
    assert "<script" not in html
    # the summary in the plans' appendix layout: one row per indicator, in registry order
    ids = re.findall(r'<tr id="indicator-([\w]+)">', html)
    assert ids == list(REGISTRY)
    for head in ("TT", "Chỉ tiêu", "Kết quả", "Mục tiêu", "Thời hạn", "Trạng thái", "Thiếu hụt"):
        assert f"<th>{head}</th>" in html
    t1 = case.results.summary.set_index("indicator_id").loc["T1"]
    row = html[html.index('<tr id="indicator-T1">'):]
    row = row[:row.index("</tr>")]
    assert t1["result_text"] in row and t1["status_text"] in row and 'class="not_met"' in row
    # charts, the overview and commune maps embedded as images
    assert html.count('src="data:image/png;base64,') == 2 + len(files.maps.commune_pngs)
    # methodology and the source note
    assert "Phương pháp và thông số" in html and "hand-built test grid" in html
    assert "Lập ngày 2026-01-15" in html


def test_pdf_has_the_expected_pages(written) -> None:
    case, files = written
    reader = pypdf.PdfReader(files.report_pdf)
    assert len(reader.pages) == len(files.pdf_pages)
    titles = list(files.pdf_pages)
    # summary first, then the shortfall charts, the overview, the commune pages, the tables
    assert titles[0].startswith("Thái Nguyên – Hạ tầng viễn thông so với mục tiêu kế hoạch")
    k = sum(1 for t in titles if t.startswith("Thái Nguyên – Hạ tầng"))
    assert titles[k] == "Thiếu hụt theo xã, phường"
    assert titles[k + 1] == "Thái Nguyên – Vùng lõm, trắng sóng và đường mất sóng"
    communes = titles[k + 2:k + 2 + len(files.maps.commune_pngs)]
    assert all(t.endswith("Thôn, xóm và đường mất sóng") for t in communes)
    assert titles[-1].startswith("Phương pháp và thông số")
    for page, title in zip(reader.pages, titles, strict=True):
        text = " ".join(page.extract_text().split())
        assert " ".join(title.split())[:40] in text, title
    # every indicator ID is printed in the summary pages
    summary_text = " ".join(reader.pages[i].extract_text() for i in range(k))
    for key in REGISTRY:
        assert re.search(rf"\b{re.escape(key)}\b", summary_text), key
    assert reader.metadata.title.startswith("Thái Nguyên")


def test_existing_outputs_stop_before_any_work(tmp_path: Path) -> None:
    case = tiny_case(tmp_path / "inputs", "en")
    out = tmp_path / "out"
    out.mkdir()
    (out / REPORT_PDF).write_bytes(b"old")
    with pytest.raises(OutputExistsError, match="report.pdf"):
        write_report(case.province, case.results, out, case.grid)
    assert sorted(p.name for p in out.iterdir()) == [REPORT_PDF]
    assert (out / REPORT_PDF).read_bytes() == b"old"


def test_english_report(tmp_path: Path) -> None:
    case = tiny_case(tmp_path / "inputs", "en")
    files = write_report(case.province, case.results, tmp_path / "out", case.grid, tables=False,
                         report_maps=0)
    html = files.report_html.read_text(encoding="utf-8")
    assert 'lang="en"' in html and "Indicator summary" in html and "Methodology and settings" in html
    assert files.tables == {} and not (tmp_path / "out" / "indicators.xlsx").exists()
    assert files.maps.commune_pngs == {}
    assert "Dark spots and road gaps" in " ".join(files.pdf_pages)


def test_run_report_from_a_scenario(tiny_province: Path, tmp_path: Path) -> None:
    from _coverage_fixtures import site_distance_grid

    files = run_report(tiny_province, tmp_path / "out", lang="en", predict=site_distance_grid,
                       tables=False)
    assert files.report_html.exists() and files.map_html.exists()
    assert "stand-in" in files.report_html.read_text(encoding="utf-8")


def test_run_report_without_engine_says_so(tiny_province: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_engine(name: str, *args, **kwargs):
        if name == "phusong.coverage.engine":
            raise ImportError("no engine")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_engine)
    with pytest.raises(PhusongError, match="coverage engine .* is not available"):
        run_report(tiny_province, tmp_path / "out")


def test_cli_report(tiny_province: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from _coverage_fixtures import site_distance_grid

    import phusong.reports.report as report_module
    from phusong.cli import cli

    monkeypatch.setattr(report_module, "_engine", lambda resolution_m, progress: site_distance_grid)
    out = tmp_path / "out"
    args = ["report", str(tiny_province), "--out", str(out), "--lang", "en", "--no-tables",
            "--indicator", "hamlets_covered_pct"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Report written to" in result.output and (out / REPORT_HTML).exists()
    assert "Communes: Hamlets with mobile broadband (T3)" in (out / "map.html").read_text(encoding="utf-8")
    # a second run without --overwrite stops with one line, no traceback
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "output exists already" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(cli, [*args, "--overwrite"])
    assert result.exit_code == 0, result.output


def test_cli_shadings_match_the_maps() -> None:
    from phusong.cli.report import SHADINGS

    assert sorted(SHADINGS) == sorted(COMMUNE_INDICATORS)


def test_province_with_only_communes_and_sites(tmp_path: Path) -> None:
    """Optional layers missing: the maps and the report are still written, without them."""
    import dataclasses

    from phusong.metrics import compute_indicators

    case = tiny_case(tmp_path / "inputs", "en")
    bare = dataclasses.replace(case.province, roads=None, hamlets=None, parks=None, pois=None,
                               measurements=None, fiber_routes=None, fiber_nodes=None)
    results = compute_indicators(bare, case.grid, lang="en")
    files = write_report(bare, results, tmp_path / "out", case.grid, tables=False)
    html = files.map_html.read_text(encoding="utf-8")
    assert "phusong-communes" in html and "phusong-hamlets" not in html
    assert len(pypdf.PdfReader(files.report_pdf).pages) == len(files.pdf_pages)
