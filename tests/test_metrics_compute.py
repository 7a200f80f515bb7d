"""The whole indicator run: registry order, reasons, languages, inputs untouched, golden table."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _coverage_fixtures import grid_from_masks
from _metrics_province import SHAPE, tiny_grid, tiny_masks, tiny_province
from conftest import Y0
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phusong.errors import CRSError, InputError
from phusong.metrics import REGISTRY, compute_indicators

GOLDEN = Path(__file__).parent / "data" / "metrics_summary_golden.csv"
GOLDEN_COLUMNS = ["tt", "indicator_id", "result_text", "target_text", "deadline_text",
                  "status_text", "shortfall_text"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    return tiny_province(tmp_path_factory.mktemp("tiny"))


def test_summary_lists_every_indicator_in_registry_order(tiny) -> None:
    res = compute_indicators(tiny, tiny_grid())
    assert res.summary["indicator_id"].tolist() == list(REGISTRY)
    assert res.summary["tt"].tolist() == list(range(1, len(REGISTRY) + 1))
    assert set(res.summary["status_text"]) <= {"đạt", "chưa đạt", "không tính được"}
    assert res.info() == {"met": 3, "not_met": 11, "not_computed": 13}
    computed = res.summary["status_code"] != "not_computed"
    assert res.summary.loc[computed, "result_text"].str.len().gt(0).all()
    assert res.summary.loc[~computed, "detail"].str.len().gt(0).all()
    fiber = res.summary[res.summary["family"] == "fiber"]
    assert (fiber["status_code"] == "not_computed").all()
    assert "T1" in res.to_text() and res.seconds["population"] >= 0


def test_golden_summary(tiny) -> None:
    """The plan-layout columns of the tiny province (checked by hand, see _metrics_province)."""
    table = compute_indicators(tiny, tiny_grid()).summary[GOLDEN_COLUMNS]
    if os.environ.get("PHUSONG_UPDATE_GOLDEN"):
        table.to_csv(GOLDEN, index=False, encoding="utf-8")
    expected = pd.read_csv(GOLDEN, dtype=str, keep_default_na=False, encoding="utf-8")
    pd.testing.assert_frame_equal(table.astype(str).reset_index(drop=True), expected)


def test_the_hand_made_answers(tiny) -> None:
    res = compute_indicators(tiny, tiny_grid())
    # 5G over x 0-2 km (Trần Phú, 3,350 people on its cells) and a 300 m band through Yên Lạc
    assert res.value("T1") == pytest.approx(38.5, abs=0.05)
    assert res.communes["pop_5g_pct"].iloc[0] == pytest.approx(100.0)
    assert res.value("T6") == 0.0
    gap = res.road_gaps[res.road_gaps["operator"] == "ANY"].iloc[0]
    assert gap["gap_km"] == pytest.approx(1.5, abs=0.016) and gap["communes"] == "Phú Xuyên"
    assert res.value("D1") == pytest.approx(2500.0, rel=0.01)
    assert res.dark_spots["kind"].tolist() == ["trang_song"]
    assert res.parks["share_5g_pct"].iloc[0] == pytest.approx(50.0)
    assert res.hamlets.loc[~res.hamlets["covered"], "hamlet_id"].tolist() == ["H3", "H4"]


def test_missing_layers_are_not_computed_with_the_reason(tiny) -> None:
    from _coverage_fixtures import province_from

    bare = province_from(tiny.communes, population_path=tiny.population_path)
    res = compute_indicators(bare, tiny_grid(), lang="en")
    detail = res.summary.set_index("indicator_id")["detail"]
    assert detail["T3"] == "no hamlets layer" and detail["T6"] == "no roads layer"
    assert detail["K1"] == "no parks layer" and detail["Q1"] == "no measurements layer"
    assert res.status("T1") == "not_met" and res.hamlets is None and res.routes is None
    assert set(res.summary["status_text"]) <= {"met", "not met", "not computed"}
    assert res.summary["indicator_name"].iloc[0].startswith("Share of the population")


def test_inputs_are_not_modified(tiny) -> None:
    before = {name: copy.deepcopy(getattr(tiny, name)) for name in
              ("communes", "hamlets", "roads", "parks", "pois", "sites", "sectors",
               "measurements", "reported")}
    grid = tiny_grid()
    arrays = {k: (v.rsrp_dbm.copy(), v.dl_mbps.copy()) for k, v in grid.layers.items()}
    compute_indicators(tiny, grid)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(tiny, name), frame)
    for key, (rsrp, dl) in arrays.items():
        np.testing.assert_array_equal(grid.layers[key].rsrp_dbm, rsrp)
        np.testing.assert_array_equal(grid.layers[key].dl_mbps, dl)


def test_bad_language_and_crs(tiny) -> None:
    with pytest.raises(InputError, match="lang = 'fr'"):
        compute_indicators(tiny, tiny_grid(), lang="fr")
    grid = tiny_grid()
    other = type(grid)(grid.transform, "EPSG:32647", grid.shape, grid.layers,
                       grid.rsrp_threshold_dbm, grid.min_dl_mbps, grid.settings)
    with pytest.raises(CRSError, match="EPSG:32648.*EPSG:32647"):
        compute_indicators(tiny, other)


def test_methodology_prints_every_setting(tiny) -> None:
    res = compute_indicators(tiny, tiny_grid())
    items = set(res.methodology["item"])
    for name in ("rsrp_4g_dbm", "hamlet_covered_share", "road_gap_km", "hamlet_radius_m",
                 "usable_rsrp_dbm", "model", "resolution_m", "rsrp_threshold_4G", "source",
                 "T3", "T6", "D1"):
        assert name in items, name
    source = res.methodology.set_index("item").loc["source"]
    assert source["value"] == "lưới dân số" and source["note"].endswith("population.tif")


_BETTER = {">": 1, ">=": 1, "<=": -1, "<": -1}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), p=st.floats(0.1, 0.9), extra=st.floats(0.05, 0.6))
def test_covering_more_never_lowers_an_indicator(tiny, seed: int, p: float, extra: float) -> None:
    rng = np.random.default_rng(seed)
    keys = list(tiny_masks())
    base = {k: rng.random(SHAPE) < p for k in keys}
    more = {k: base[k] | (rng.random(SHAPE) < extra) for k in keys}
    a = compute_indicators(tiny, grid_from_masks(SHAPE, base, y0=Y0 + 2010.0))
    b = compute_indicators(tiny, grid_from_masks(SHAPE, more, y0=Y0 + 2010.0))
    for key, entry in REGISTRY.items():
        va, vb = a.value(key), b.value(key)
        if va is None or vb is None:
            assert va is None and vb is None, key
            continue
        sign = _BETTER[entry.targets[0].comparison]
        assert sign * (vb - va) >= -1e-9, (key, va, vb)
        for op, v in a.values[key].by_operator.items():
            assert sign * (b.values[key].by_operator[op] - v) >= -1e-9, (key, op)
    for col in [c for c in a.communes.columns if c.endswith("_pct")]:
        assert ((a.communes[col].dropna() >= 0) & (a.communes[col].dropna() <= 100)).all(), col
    assert ((a.hamlets["broadband_share_pct"] >= 0) & (a.hamlets["broadband_share_pct"] <= 100)).all()


def test_empty_layers_are_reported_not_crashed_on(tiny, tmp_path: Path) -> None:
    from _coverage_fixtures import province_from

    from phusong.reports import write_indicator_tables

    empty = {n: getattr(tiny, n).iloc[0:0] for n in ("hamlets", "roads", "parks", "pois",
                                                     "measurements", "reported", "sites",
                                                     "sectors")}
    res = compute_indicators(province_from(tiny.communes, population_path=tiny.population_path,
                                           **empty), tiny_grid())
    detail = res.summary.set_index("indicator_id")["detail"]
    assert detail["T3"] == "lớp hamlets trống" and detail["Q1"] == "lớp measurements trống"
    assert res.status("T6") == "not_computed" and res.status("K1") == "not_computed"
    assert res.value("T5") == 0.0 and res.status("T1") == "not_met"
    assert write_indicator_tables(res, tmp_path)["xlsx"].exists()
