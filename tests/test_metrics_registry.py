"""The indicator registry: every ID of docs/INDICATORS.md, each complete and consistent."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import SHARED

from phusong.metrics import FAMILIES, REGISTRY, Target, deadline_text, ids, indicator

DOC = SHARED / "docs" / "INDICATORS.md"
EXPECTED = ["T1", "T1b", "T2", "T2b", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "D1", "P1", "Q1",
            "K1", "K1a", "K1b", "K2", "K3", "K4", "N1", "N2", "N3", "N4", "N5", "N6", "N7"]


def test_every_catalogue_id_is_registered_in_order() -> None:
    assert list(REGISTRY) == EXPECTED
    if DOC.exists():
        documented = re.findall(r"^\| ([TDPQKN]\d[a-z]?) \|", DOC.read_text(encoding="utf-8"),
                                flags=re.MULTILINE)
        assert set(documented) == set(EXPECTED)


@pytest.mark.parametrize("key", EXPECTED)
def test_entry_is_complete(key: str) -> None:
    e = indicator(key)
    assert e.id == key and e.name_vi and e.name_en and e.unit and e.source
    assert e.family in FAMILIES
    assert e.targets and all(t.text_vi and t.text_en for t in e.targets)
    assert all(re.fullmatch(r"Q[1-4]/20\d\d|20\d\d|ongoing", t.deadline) for t in e.targets)
    if e.compute is None:
        assert e.why_not, f"{key} is not computed and does not say why"
        assert e.family == "fiber"
    else:
        assert callable(e.compute)


def test_families_and_lookup() -> None:
    assert ids("roads") == ["T6"]
    assert set(ids("fiber")) == {"T2", "T2b", "T4", "T9", "K2"}
    with pytest.raises(KeyError, match="valid: T1"):
        indicator("T99")


def test_targets_compare_and_pick_the_year() -> None:
    t1 = indicator("T1").targets[0]
    assert not t1.met(95.0) and t1.met(95.01)
    np.testing.assert_array_equal(t1.met_many([94.0, 96.0, np.nan]), [False, True, False])
    n2 = indicator("N2")
    assert n2.target_for(2025).value == 70.0 and n2.target_for(2026).value == 70.0
    assert n2.target_for(2027).value == 80.0 and n2.target_for(2035).value == 80.0
    assert indicator("D1").targets[0].met(0.0) and not indicator("D1").targets[0].met(1.0)
    with pytest.raises(ValueError, match="comparison"):
        Target(1.0, "~", "2030", "", "")


def test_deadline_text() -> None:
    assert deadline_text("Q4/2026", "vi") == "Quý IV/2026"
    assert deadline_text("Q3/2026", "en") == "Q3 2026"
    assert deadline_text("ongoing", "vi") == "thường xuyên"
    assert deadline_text("2030", "vi") == "năm 2030"
