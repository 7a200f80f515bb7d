"""The web map in headless Chromium with the network cut off: it draws, asks for nothing, errs not.

The map is the demo's commune preset with the stand-in coverage grid (``_coverage_fixtures``),
whose content is fixed: one road gap over 1 km (QL3B) and one dark spot, so that the counts in
the DOM can be checked exactly whatever the coverage engine predicts.

Needs the Debian packages ``chromium`` and ``chromium-driver`` and the ``selenium`` package (test
extra); skipped with the reason when one is missing (CI has them). The screenshot is written to
``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _browser import find_browser, missing_reason, open_page
from _report_case import commune_case
from conftest import requires_tool

from phusong.coverage.grid import ANY
from phusong.maps import COMMUNE_INDICATORS, write_web_map
from phusong.maps._style import text
from phusong.reports.report import fiber_for_map

pytestmark = requires_tool(find_browser() is not None,
                           f"headless Chromium not available: {missing_reason()}")

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    case = commune_case("vi", stand_in=True)
    reach, plan = fiber_for_map(case.province)
    path = write_web_map(tmp_path_factory.mktemp("web") / "map.html", case.province, case.results,
                         case.grid, lang="vi", fiber=reach, fiber_plan=plan)
    report = open_page(path, screenshot=ARTIFACTS / "map_commune.png")
    return case, report


def test_map_asks_for_nothing_and_logs_no_error(page) -> None:
    _, report = page
    assert report.requests, "the page itself was loaded"
    assert report.external_requests == [], report.external_requests
    assert report.failed == [], report.failed
    assert report.console_errors == [], report.console_errors
    assert report.load_ms is not None and report.load_ms > 0


def test_layers_are_drawn(page) -> None:
    case, report = page
    counts = report.counts
    assert counts["communes"] == len(case.province.communes)
    gaps = case.results.road_gaps
    over = gaps.loc[(gaps["operator"] == ANY) & gaps["over_limit"]]
    assert len(over) >= 1, "the commune preset has a road gap over 1 km"
    assert counts["road_gaps"] == len(over)
    assert len(case.results.dark_spots) >= 1
    assert counts["dark_spots"] == len(case.results.dark_spots)
    assert counts["hamlets"] == len(case.province.hamlets)
    assert counts["roads"] == len(case.province.roads)
    assert counts["layer_control"] == 1 and counts["legend"] == 1
    assert counts["rasters"] == 0, "coverage overlays start hidden"


def test_layer_control_lists_the_expected_layers(page) -> None:
    case, report = page
    labels = report.labels
    expected = [f"{text('commune_prefix', 'vi')}: {s.label('vi')}" for s in COMMUNE_INDICATORS.values()]
    expected += [text("communes_outline", "vi"), text("gaps_over", "vi", limit="1"),
                 text("gaps_under", "vi", limit="1"), text("dark_spots", "vi"), text("hamlets", "vi"),
                 text("pois", "vi"), text("roads", "vi"), text("rivers_dem", "vi"),
                 text("measurements", "vi"), text("fiber_places", "vi")]
    for (operator, tech) in case.grid.layers:
        who = text("any_operator", "vi") if operator == ANY else operator
        expected.append(text("coverage", "vi", tech=tech, operator=who))
    for operator in sorted(set(case.province.sites["operator"])):
        expected.append(text("sites", "vi", operator=operator, tech="4G"))
    for operator in sorted(set(case.province.fiber_routes["operator"])):
        expected += [text("fiber_routes", "vi", operator=operator),
                     text("fiber_nodes", "vi", operator=operator)]
    missing = [name for name in expected if name not in labels]
    assert missing == [], f"not in the layer control: {missing}; listed: {labels}"
    assert len(labels) == len(set(labels)), "each layer listed once"


def test_screenshot_is_saved(page) -> None:
    _, report = page
    assert report.screenshot is not None and report.screenshot.stat().st_size > 10_000


def test_a_page_that_reaches_out_is_caught(tmp_path: Path) -> None:
    """The harness itself: a CDN script fails (offline) and shows up as a failed request."""
    html = tmp_path / "bad.html"
    html.write_text('<!DOCTYPE html><html><head><script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/'
                    'dist/leaflet.js"></script></head><body><script>L.map("x");</script></body></html>',
                    encoding="utf-8")
    report = open_page(html, settle_s=0.2)
    assert report.external_requests and report.external_requests[0].startswith("https://cdn.jsdelivr")
    assert report.failed
    assert any("L is not defined" in e for e in report.console_errors)
