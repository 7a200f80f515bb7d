"""Print maps: golden images (matplotlib's image comparison), files, pages, furniture, errors.

The golden images in ``tests/data/golden`` are the tiny province's overview and one commune
page at 50 dpi. After an intended change of the drawing, regenerate them with::

    PHUSONG_UPDATE_GOLDEN=1 python -m pytest tests/test_maps_static.py

and look at them before committing. A failing comparison leaves the actual image and the
difference in ``test-artifacts/golden/``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from _report_case import tiny_case

import phusong
from phusong.errors import CRSError, InputError, OutputExistsError
from phusong.maps import commune_map, province_map, write_print_maps
from phusong.maps._draw import nice_km

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "golden"
UPDATE = os.environ.get("PHUSONG_UPDATE_GOLDEN") == "1"
TOLERANCE = 2.0
"""RMS difference (0–255 scale) allowed: anti-aliasing and font-hinting noise stays well below."""


@pytest.fixture(scope="module")
def tiny_en(tmp_path_factory: pytest.TempPathFactory):
    return tiny_case(tmp_path_factory.mktemp("tiny_en"), "en")


@pytest.fixture(scope="module")
def tiny_vi(tmp_path_factory: pytest.TempPathFactory):
    return tiny_case(tmp_path_factory.mktemp("tiny_vi"), "vi")


@pytest.fixture(autouse=True)
def _fixed_version(monkeypatch: pytest.MonkeyPatch) -> None:
    """The source note names the version; golden images must not change with it."""
    monkeypatch.setattr(phusong, "__version__", "0.0.0")


def _compare(fig, name: str, tmp_path: Path) -> None:
    from matplotlib.testing.compare import compare_images

    actual = tmp_path / f"{name}.png"
    fig.savefig(actual, dpi=50)
    expected = GOLDEN / f"{name}.png"
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(actual, expected)
    if not expected.exists():
        pytest.fail(f"no golden image {expected}; create it with PHUSONG_UPDATE_GOLDEN=1")
    err = compare_images(str(expected), str(actual), tol=TOLERANCE, in_decorator=True)
    if err is not None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for key in ("actual", "diff"):
            if err.get(key) and Path(err[key]).exists():
                shutil.copyfile(err[key], ARTIFACTS / Path(err[key]).name)
        pytest.fail(f"{name}: RMS {err['rms']:.2f} > {TOLERANCE}; see {ARTIFACTS}")


def test_province_overview_matches_golden(tiny_en, tmp_path: Path) -> None:
    fig = province_map(tiny_en.province, tiny_en.results, paper="A4")
    assert fig.get_size_inches() == pytest.approx((297 / 25.4, 210 / 25.4))  # landscape: wide province
    _compare(fig, "province_tiny_en", tmp_path)


def test_commune_page_matches_golden(tiny_vi, tmp_path: Path) -> None:
    fig = commune_map(tiny_vi.province, tiny_vi.results, "05444", paper="A4")
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "Xã Phú Xuyên" in texts and "Nguồn" in texts and "0.0.0" in texts
    _compare(fig, "commune_05444_vi", tmp_path)


def test_pages_carry_title_legend_scale_and_north(tiny_en) -> None:
    fig = commune_map(tiny_en.province, tiny_en.results, "05443")
    ax, panel = fig.axes
    map_texts = [t.get_text() for t in ax.texts]
    assert "N" in map_texts  # north arrow
    assert any(t.endswith(" km") for t in map_texts)  # scale bar
    panel_texts = [t.get_text() for t in panel.texts]
    assert "Legend" in panel_texts and "Hamlet not covered" in panel_texts
    assert fig.texts[0].get_text() == "Commune Trần Phú – Hamlets and road gaps"
    assert "coverage: hand-built test grid" in fig.texts[-1].get_text()


def test_write_print_maps_files_and_pages(tiny_vi, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra")
    maps = write_print_maps(tiny_vi.province, tiny_vi.results, tmp_path / "maps", dpi=40,
                            png_communes=["05444"])
    assert maps.province_png.exists() and maps.province_pdf.exists()
    assert list(maps.commune_pngs) == ["05444"]
    reader = pypdf.PdfReader(maps.communes_pdf)
    assert len(reader.pages) == 3
    names = ["Trần Phú", "Phú Xuyên", "Yên Lạc"]
    for page, name in zip(reader.pages, names, strict=True):
        assert name in page.extract_text()
    assert len(pypdf.PdfReader(maps.province_pdf).pages) == 1
    # an existing output stops the next call before anything is written
    before = maps.province_png.stat().st_mtime_ns
    with pytest.raises(OutputExistsError, match="--overwrite"):
        write_print_maps(tiny_vi.province, tiny_vi.results, tmp_path / "maps", dpi=40)
    assert maps.province_png.stat().st_mtime_ns == before


def test_scale_bar_lengths_are_round() -> None:
    assert nice_km(6.0) == 1.0 and nice_km(40.0) == 10.0 and nice_km(80.0) == 20.0
    assert nice_km(0.4) == 0.1 and nice_km(3.0) == 0.5


def test_bad_requests_are_input_errors(tiny_en) -> None:
    with pytest.raises(InputError, match="no commune with commune_code '99999'"):
        commune_map(tiny_en.province, tiny_en.results, "99999")
    with pytest.raises(InputError, match="paper must be one of"):
        province_map(tiny_en.province, tiny_en.results, paper="Letter")


def test_geographic_province_is_refused(tiny_en) -> None:
    from dataclasses import replace

    wgs = replace(tiny_en.province, crs="EPSG:4326")
    with pytest.raises(CRSError, match="metric CRS"):
        province_map(wgs, tiny_en.results)
