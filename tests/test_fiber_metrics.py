"""Fixed-broadband indicators T4, T2, T2b, T9, K2: known answers, registry shape, tables."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pytest
from _fiber_fixtures import CRS, communes, hamlets, line, nodes, province, pt, rect, roads

from phusong.config import FiberConfig
from phusong.metrics import fiber
from phusong.metrics.compute import _status, evaluate
from phusong.metrics.labels import OUTPUT_COLUMNS, VALUES, header
from phusong.metrics.registry import REGISTRY
from phusong.metrics.results import IndicatorValue


def _communes() -> gpd.GeoDataFrame:
    layer = communes(splits=(5000.0,))
    layer["kind"] = ["phuong", "xa"]
    layer["name"] = ["Phan Đình Phùng", "Phú Xuyên"]
    layer["former_district"] = ["Thành phố Thái Nguyên", "Huyện Đại Từ"]
    return layer


def _province(**fiber_kwargs):
    """Four hamlets: gigabit (C1), unserved (C1), GPON (C2), waiting at a full node (C2)."""
    parks = gpd.GeoDataFrame(
        {"park_id": ["K1", "K2"], "name": ["Yên Bình", "Trung Thành"],
         "status": ["operating", "building"], "enterprises": [30, 10]},
        geometry=[rect(6000, 50, 6200, 250), rect(12_000, 50, 12_200, 250)], crs=CRS)
    pois = gpd.GeoDataFrame(
        {"poi_id": ["O1", "S1"], "name": ["UBND phường", "Trường THCS"],
         "kind": ["commune_office", "school"], "commune_code": ["C1", "C1"]},
        geometry=[pt(200, 20), pt(2600, 20)], crs=CRS)
    return province(
        roads=roads(line((0, 0), (13_000, 0))), commune_layer=_communes(),
        hamlets=hamlets([pt(100, 20), pt(2500, 20), pt(6000, 20), pt(9000, 20)],
                        households=[100, 300, 100, 100], commune=["C1", "C1", "C2", "C2"]),
        parks=parks, pois=pois,
        fiber_nodes=nodes([{"xy": (0, 0), "technology": "XGS-PON"},
                           {"xy": (6100, 0), "technology": "GPON", "operator": "Viettel"},
                           {"xy": (9100, 0), "ports_total": 8, "ports_used": 8}]),
        fiber=FiberConfig(**fiber_kwargs))


def test_t4_counts_hamlets_with_fiber() -> None:
    ctx = fiber.fiber_context(_province(), "en")
    value = fiber.t4(ctx)
    assert value.value == pytest.approx(50.0)
    assert value.shortfall == 2 and value.count == 2 and value.total == 4
    assert value.by_operator == pytest.approx({"VNPT": 25.0, "Viettel": 25.0})
    assert "1 waiting for ports" in value.detail


def test_t2_and_t2b_count_people_with_gigabit() -> None:
    ctx = fiber.fiber_context(_province(), "vi")
    t2, t2b = fiber.t2(ctx), fiber.t2b(ctx)
    assert t2.value == pytest.approx(100 * 800 / 2400)  # people = 4 × households
    assert t2b.value == t2.value
    assert t2.shortfall == pytest.approx(np.ceil(0.96 * 2400 - 800))
    assert t2b.shortfall == pytest.approx(1600)
    no_gpon = fiber.fiber_context(_province(gpon_gigabit=False), "vi")
    assert fiber.t2(no_gpon).value == pytest.approx(100 * 400 / 2400)


def test_t9_parts() -> None:
    ctx = fiber.fiber_context(_province(), "en")
    table = fiber.t9_table(ctx).set_index("part")
    assert table.loc["province", "value_pct"] == pytest.approx(100 * 200 / 600)
    assert table.loc["urban", "value_pct"] == pytest.approx(100 * 100 / 400)  # C1 is a ward
    assert table.loc["tn_wards", "value_pct"] == pytest.approx(25.0)
    assert table.loc["offices_schools", "value_pct"] == pytest.approx(50.0)
    assert table.loc["admin_centres", "value_pct"] == pytest.approx(100.0)
    assert table.loc["parks", "value_pct"] == pytest.approx(100.0)
    assert table.loc["firms", "value_pct"] == pytest.approx(100 * 30 / 40)
    assert table.loc["firms", "basis"] == "enterprises"
    assert table["meets"].tolist() == [v >= t for v, t in zip(table["value_pct"],
                                                               table["target_pct"], strict=True)]
    value = fiber.t9(ctx)
    assert value.value == pytest.approx(100 * 200 / 600)
    # the household part that misses most: the province (85 % of 600 households, 200 with fiber)
    need = np.ceil(table["target_pct"] / 100 * table["total"] - table["count"])
    households = (table["basis"] == "households") & ~table["meets"]
    assert value.shortfall == pytest.approx(need[households].max()) == np.ceil(0.85 * 600 - 200)
    assert value.met is False and "parts not met" in value.detail


def test_t9_is_met_only_when_every_part_is(monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = fiber.fiber_context(_province(), "en")
    table = fiber.t9_table(ctx).copy()
    # the province-wide share passes (90 % ≥ 85 %) but the former city's wards miss 100 %
    table["count"], table["total"] = table["total"].astype(float), table["total"].astype(float)
    table.loc[table["part"] == "province", ["count", "total"]] = [540.0, 600.0]
    table.loc[table["part"] == "tn_wards", ["count", "total"]] = [190.0, 200.0]
    table["value_pct"] = 100 * table["count"] / table["total"]
    table["meets"] = table["value_pct"] >= table["target_pct"]
    monkeypatch.setattr(fiber, "t9_table", lambda _ctx: table)
    value = fiber.t9(ctx)
    assert value.value == pytest.approx(90.0) and value.met is False
    assert value.shortfall == 10  # the wards' 10 households, not the province's 0
    entry = dataclasses.replace(REGISTRY["T9"], compute=fiber.t9)
    assert _status(entry, evaluate(entry, ctx))[0] == "not_met"  # the registry's 85 % alone would pass
    summary = fiber.summary_values(ctx).set_index("indicator_id")
    assert summary.loc["T9", "status_code"] == "not_met"
    # every part met: met
    table["count"] = table["total"]
    table["value_pct"], table["meets"] = 100.0, True
    value = fiber.t9(ctx)
    assert value.met is True and value.shortfall == 0
    assert fiber.summary_values(ctx).set_index("indicator_id").loc["T9", "status_code"] == "met"


def test_k2_counts_operating_parks_with_gigabit() -> None:
    ctx = fiber.fiber_context(_province(), "vi")
    value = fiber.k2(ctx)
    assert value.value == pytest.approx(100.0) and value.total == 1
    ctx = fiber.fiber_context(_province(gpon_gigabit=False), "vi")
    value = fiber.k2(ctx)
    assert value.value == 0.0 and "Yên Bình" in value.detail


def test_commune_table() -> None:
    table = fiber.commune_table(fiber.fiber_context(_province(), "vi")).set_index("commune_code")
    assert table.loc["C1", "hamlets_total"] == 2 and table.loc["C1", "hamlets_fiber"] == 1
    assert table.loc["C2", "hamlets_full_node"] == 1
    assert table.loc["C2", "households_fiber_pct"] == pytest.approx(50.0)
    pct = table.filter(like="_pct").to_numpy(dtype=float)
    assert ((pct >= 0) & (pct <= 100)).all()
    assert set(fiber.commune_columns(fiber.fiber_context(_province())).columns) >= {
        "commune_code", "hamlets_fiber_pct", "pop_gigabit_pct"}


def test_functions_have_the_registry_shape() -> None:
    ctx = fiber.fiber_context(_province(), "vi")
    for key, func in (("T2", fiber.t2), ("T2b", fiber.t2b), ("T4", fiber.t4), ("T9", fiber.t9),
                      ("K2", fiber.k2)):
        entry = dataclasses.replace(REGISTRY[key], compute=func)
        value = evaluate(entry, ctx)
        assert isinstance(value, IndicatorValue) and value.value is not None
        assert 0.0 <= value.value <= 100.0
    # no roads: an error the evaluator turns into "not computed", with the reason
    bare = province(hamlets=hamlets([pt(0, 0)]), fiber_nodes=nodes([{"xy": (0, 0)}]))
    value = evaluate(dataclasses.replace(REGISTRY["T4"], compute=fiber.t4),
                     fiber.fiber_context(bare, "en"))
    assert value.value is None and "no roads layer" in value.reason


def test_summary_values_and_labels() -> None:
    table = fiber.summary_values(fiber.fiber_context(_province(), "vi"))
    assert table["indicator_id"].tolist() == ["T2", "T2b", "T4", "T9", "K2"]
    assert table.set_index("indicator_id").loc["T4", "status_text"] == "chưa đạt"
    assert table.set_index("indicator_id").loc["K2", "status_code"] == "met"
    for name in ("fiber_status", "cable_km", "hamlets_fiber_pct"):
        assert header(name, "vi", "fiber_places") != header(name, "en", "fiber_places")
        assert name in OUTPUT_COLUMNS
    assert header("served__VNPT", "en", "fiber_places") == "Fiber – VNPT"
    # from the input column registry
    assert header("households", "vi", "fiber_places") == "Số hộ"
    assert {"gigabit", "unserved", "route", "add_ports"} <= set(VALUES)


def test_inputs_are_not_modified() -> None:
    prov = _province()
    before = {k: getattr(prov, k).copy() for k in ("hamlets", "parks", "pois", "fiber_nodes")}
    ctx = fiber.fiber_context(prov)
    fiber.summary_values(ctx)
    fiber.place_table(ctx)["name"] = "x"  # a caller editing a table does not reach the layers
    for k, frame in before.items():
        assert getattr(prov, k).equals(frame)
