"""The indicator registry: every plan target of ``docs/INDICATORS.md``, keyed by its stable ID.

One :class:`Indicator` per ID (``T1``, ``T6``, ``K1a``, ``N3`` …) knows its names in Vietnamese
and English, its unit, its target(s) with deadline, the plan document and section it comes from,
the family module that computes it, the layers it needs, and the function that computes it, or
``None`` with the reason when the tool does not compute it here (fiber indicators belong to the
fiber module). Report tables, the CLI and the tests iterate over :data:`REGISTRY`; adding an
indicator is adding one entry.

A computing function takes the :class:`~phusong.metrics.context.MetricContext` and returns an
:class:`~phusong.metrics.results.IndicatorValue`.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from phusong.metrics import darkspots, fiber, hamlets, measurements, places, population, reported, roads

if TYPE_CHECKING:  # pragma: no cover
    from phusong.metrics.context import MetricContext
    from phusong.metrics.results import IndicatorValue

__all__ = ["Target", "Indicator", "REGISTRY", "FAMILIES", "indicator", "ids", "deadline_text"]

log = logging.getLogger(__name__)

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    ">": operator.gt, ">=": operator.ge, "<=": operator.le, "<": operator.lt, "==": operator.eq,
}


@dataclass(frozen=True)
class Target:
    """One target of an indicator: ``value`` compared with ``comparison`` by ``deadline``.

    Attributes
    ----------
    value
        Target value, in the indicator's unit.
    comparison
        ``">"``, ``">="``, ``"<="``, ``"<"`` or ``"=="``: the computed value must stand in this
        relation to ``value`` (``value_computed > 95`` for T1).
    deadline
        ``"Q4/2026"``, ``"2030"`` or ``"ongoing"``.
    text_vi, text_en
        The target as the plans write it (``"> 95 %"``, ``"không còn"``).
    """

    value: float
    comparison: str
    deadline: str
    text_vi: str
    text_en: str

    def __post_init__(self) -> None:
        if self.comparison not in _COMPARE:
            msg = f"comparison {self.comparison!r} is not one of {sorted(_COMPARE)}"
            raise ValueError(msg)

    def met(self, value: float) -> bool:
        """Whether ``value`` meets the target."""
        return bool(_COMPARE[self.comparison](value, self.value))

    def met_many(self, values: ArrayLike) -> NDArray[np.bool_]:
        """Whether each of ``values`` meets the target (``False`` for NaN)."""
        return np.asarray(_COMPARE[self.comparison](np.asarray(values, dtype=float), self.value))

    @property
    def year(self) -> int:
        """Year of the deadline (``9999`` for ``"ongoing"``)."""
        digits = self.deadline.split("/")[-1]
        return int(digits) if digits.isdigit() else 9999

    def text(self, lang: str) -> str:
        """The target in ``lang``."""
        return self.text_vi if lang == "vi" else self.text_en


@dataclass(frozen=True)
class Indicator:
    """One plan indicator.

    Attributes
    ----------
    id
        Stable ID of docs/INDICATORS.md (``"T1"``).
    name_vi, name_en
        What it measures, as the plans word it.
    unit
        ``"%"``, ``"people"``, ``"count"``, ``"parks"`` … (of the value).
    targets
        One target, or one per deadline (N2: 70 % in 2026, > 80 % in 2030) in deadline order.
    source
        Plan document(s) and section (files in ``seeds/``: 000 … 004).
    family
        The module that computes it (``"population"``, ``"roads"``, ``"fiber"`` …).
    compute
        ``compute(ctx) -> IndicatorValue``, or ``None`` when not computed here.
    needs
        Layers the computation needs; a missing one makes the row "not computed (no … layer)".
    why_not
        Why ``compute`` is ``None`` (English; the report translates the known reasons).
    shortfall_unit_vi, shortfall_unit_en
        Unit words of the shortfall (``"người"`` / ``"people"``).
    """

    id: str
    name_vi: str
    name_en: str
    unit: str
    targets: tuple[Target, ...]
    source: str
    family: str
    compute: Callable[[MetricContext], IndicatorValue] | None
    needs: tuple[str, ...] = ()
    why_not: str = ""
    shortfall_unit_vi: str = ""
    shortfall_unit_en: str = ""

    def name(self, lang: str) -> str:
        """The indicator's name in ``lang``."""
        return self.name_vi if lang == "vi" else self.name_en

    def target_for(self, year: int | None = None) -> Target:
        """The first target whose deadline is in or after ``year`` (else the last one)."""
        if year is not None:
            for t in self.targets:
                if t.year >= year:
                    return t
        return self.targets[0] if year is None else self.targets[-1]

    @property
    def deadline(self) -> str:
        """Deadline of the first target."""
        return self.targets[0].deadline


def deadline_text(deadline: str, lang: str) -> str:
    """``"Q4/2026"`` → ``"Quý IV/2026"`` (vi) or ``"Q4 2026"`` (en); ``"ongoing"`` translated."""
    if deadline == "ongoing":
        return "thường xuyên" if lang == "vi" else "ongoing"
    if deadline.startswith("Q") and "/" in deadline:
        q, year = deadline[1:].split("/")
        roman = {"1": "I", "2": "II", "3": "III", "4": "IV"}[q]
        return f"Quý {roman}/{year}" if lang == "vi" else f"Q{q} {year}"
    return (f"năm {deadline}" if lang == "vi" else deadline)


def _t(value: float, comparison: str, deadline: str, vi: str, en: str | None = None) -> Target:
    return Target(value, comparison, deadline, vi, en if en is not None else vi)


_PEOPLE = ("người", "people")
_HAMLETS = ("thôn", "hamlets")

_ENTRIES: tuple[Indicator, ...] = (
    Indicator("T1", "Tỷ lệ dân số được phủ sóng 5G (toàn tỉnh, từng xã/phường)",
              "Share of the population with 5G coverage (province, each commune/ward)", "%",
              (_t(95.0, ">", "Q4/2026", "> 95 %"),), "000 §II.1a, phụ lục I.1.1; 004",
              "population", population.t1, (), "", *_PEOPLE),
    Indicator("T1b", "Mạng băng rộng di động 5G phủ sóng 100% dân số",
              "5G mobile broadband covering 100 % of the population", "%",
              (_t(100.0, ">=", "Q4/2030", "100 %"),), "000 §II.2a; 004",
              "population", population.t1b, (), "", *_PEOPLE),
    Indicator("T2", "Tỷ lệ người sử dụng có khả năng truy nhập băng rộng cố định trên 1 Gb/s",
              "Share of users able to get fixed broadband above 1 Gb/s", "%",
              (_t(96.0, ">=", "Q4/2026", "≥ 96 % (tỉnh), 100 % (xã, KH 004)",
                  "≥ 96 % (province), 100 % (commune, plan 004)"),), "000; 004",
              "fiber", fiber.t2, ("hamlets", "roads", "fiber_nodes"), "", *_PEOPLE),
    Indicator("T2b", "100% người sử dụng có khả năng truy nhập cáp quang tốc độ 1 Gb/s trở lên",
              "Share of users with fiber access at 1 Gb/s or more", "%",
              (_t(100.0, ">=", "Q4/2030", "100 %"),), "000; 004",
              "fiber", fiber.t2b, ("hamlets", "roads", "fiber_nodes"), "", *_PEOPLE),
    Indicator("T3", "Tỷ lệ thôn, xóm, tổ dân phố được phủ sóng di động băng rộng",
              "Share of hamlets with mobile broadband", "%",
              (_t(100.0, ">=", "Q3/2026", "100 %"),), "000 phụ lục I.1.3; 004",
              "hamlets", hamlets.t3, ("hamlets",), "", *_HAMLETS),
    Indicator("T4", "Tỷ lệ thôn, xóm, tổ dân phố được phủ băng rộng cố định (cáp quang)",
              "Share of hamlets with fixed broadband (fiber)", "%",
              (_t(100.0, ">=", "Q3/2026", "100 %"),), "000 phụ lục I.1.4; 004",
              "fiber", fiber.t4, ("hamlets", "roads", "fiber_nodes"), "", *_HAMLETS),
    Indicator("T5", "Số trạm 5G phát triển mới", "New 5G stations built", "stations",
              (_t(7000.0, ">=", "Q4/2026", "7.000 trạm", "7,000 stations"),),
              "000 phụ lục I.1.5", "reported", reported.t5, (), "", "trạm", "stations"),
    Indicator("T6", "Tuyến cao tốc, quốc lộ, tỉnh lộ có sóng 4G/5G, không mất sóng liên tục quá 1 km",
              "Expressways, national and provincial roads with 4G/5G and no continuous loss of "
              "signal over 1 km", "%",
              (_t(100.0, ">=", "Q4/2025", "100 % tuyến, không đoạn mất sóng > 1 km",
                  "100 % of routes, no gap > 1 km"),), "002 §1.1.3",
              "roads", roads.t6, ("roads",), "", "tuyến", "routes"),
    Indicator("T7", "Bệnh viện, trường đại học có sóng 5G tốc độ tối thiểu 100 Mbps",
              "Hospitals and universities with 5G at 100 Mbit/s or more", "%",
              (_t(100.0, ">=", "Q4/2024", "100 %"),), "002 §1.1.1",
              "places", places.t7, ("pois",), "", "điểm", "places"),
    Indicator("T8", "Khu dân cư có sóng 5G: phường thuộc TP Thái Nguyên, Sông Công, Phổ Yên cũ; "
              "trung tâm các huyện cũ và điểm POI",
              "Residential areas with 5G: wards of the former cities Thái Nguyên, Sông Công, "
              "Phổ Yên; former district centres and listed POIs", "%",
              (_t(100.0, ">=", "Q4/2025", "100 %"),), "002 §1.1.2",
              "places", places.t8, (), "", "khu vực", "places"),
    Indicator("T9", "Hộ gia đình, cơ quan, trường học, doanh nghiệp có cáp quang (90 % đô thị, "
              "85 % toàn tỉnh, 100 % phường TP Thái Nguyên cũ, KCN, trung tâm hành chính)",
              "Households, offices, schools and firms with fiber (90 % urban, 85 % province, "
              "100 % of wards of former Thái Nguyên city, parks, administrative centres)", "%",
              (_t(85.0, ">=", "Q4/2025", "như kế hoạch (85–100 %)", "as stated (85–100 %)"),),
              "002 §1.1.4", "fiber", fiber.t9, ("hamlets", "roads", "fiber_nodes"), "", "hộ", "households"),
    Indicator("D1", "Xóa vùng lõm sóng, trắng sóng (số người còn sống trong vùng lõm/trắng sóng)",
              "Dark spots eliminated (people still living in dark spots)", "people",
              (_t(0.0, "<=", "ongoing", "không còn vùng lõm, trắng sóng", "none left"),),
              "000 §III.4, III.5, III.7; 004 §III.3", "darkspots", darkspots.d1, (), "",
              *_PEOPLE),
    Indicator("P1", "Điểm ưu tiên (UBND xã, cơ quan, trường học, trạm y tế) có kết nối tốc độ cao",
              "Priority places (commune offices, public offices, schools, health stations) with "
              "high-speed connection", "%",
              (_t(100.0, ">=", "ongoing", "100 %"),), "000 §III.7; 004 §III.4",
              "places", places.p1, ("pois",), "", "điểm", "places"),
    Indicator("Q1", "Đo kiểm tốc độ (i-SPEED) đối chiếu kế hoạch: số điểm đo yếu cần khắc phục",
              "Measured speeds (i-SPEED) against the plan: weak measured places to fix", "places",
              (_t(0.0, "<=", "ongoing", "rà soát thường xuyên, khắc phục điểm yếu",
                  "regular review, weak places fixed"),), "000 §V.7; 004 §V.2",
              "measurements", measurements.q1, ("measurements",), "", "điểm đo", "places"),
    Indicator("K1", "KCN đang hoạt động có hiện diện sóng 5G",
              "Operating industrial parks with 5G present", "%",
              (_t(100.0, ">=", "Q4/2026", "100 %"),), "003 §I.2, phụ lục 2026 mục 2",
              "places", places.k1, ("parks",), "", "KCN", "parks"),
    Indicator("K1a", "Phủ sóng 5G hoàn toàn KCN Yên Bình và KCN Điềm Thụy – Khu A",
              "Full 5G coverage of KCN Yên Bình and KCN Điềm Thụy – Khu A", "parks",
              (_t(2.0, ">=", "Q4/2026", "02 KCN được phủ sóng 5G", "2 parks covered"),),
              "003 §I.2, phụ lục 2026 mục 2", "places", places.k1a, ("parks",), "", "KCN",
              "parks"),
    Indicator("K1b", "KCN đang hoạt động có vùng phủ 5G ổn định, chất lượng cao",
              "Operating parks with stable, high-quality 5G coverage", "%",
              (_t(100.0, ">=", "Q4/2030", "100 %"),), "003 §II, phụ lục 2030 mục 1",
              "places", places.k1b, ("parks",), "", "KCN", "parks"),
    Indicator("K2", "KCN đang hoạt động có cáp quang đến chân hàng rào doanh nghiệp (≥ 1 Gb/s)",
              "Operating parks with fiber to the enterprise fence (≥ 1 Gb/s)", "%",
              (_t(100.0, ">=", "Q4/2026", "100 %"),), "003",
              "fiber", fiber.k2, ("parks", "roads", "fiber_nodes"), "", "KCN", "parks"),
    Indicator("K3", "KCN được rà soát, khảo sát vị trí lắp đặt trạm 5G",
              "Parks surveyed for 5G site locations", "%",
              (_t(100.0, ">=", "Q3/2026", "100 %"),), "003 phụ lục 2026 mục 1",
              "reported", reported.from_reported("K3"), ("reported",), "", "KCN", "parks"),
    Indicator("K4", "KCN đang hoạt động sẵn sàng hạ tầng IoT (KCN Sông Công II, Điềm Thụy – Khu A)",
              "Operating parks ready for IoT (KCN Sông Công II, Điềm Thụy – Khu A named)", "%",
              (_t(100.0, ">=", "Q4/2026", "sẵn sàng", "ready"),), "003",
              "reported", reported.from_reported("K4"), ("reported",), "", "KCN", "parks"),
    Indicator("N1", "Tỷ lệ sử dụng IPv6", "IPv6 usage", "%",
              (_t(90.0, ">", "2030", "> 90 %"),), "000 §II.2a",
              "reported", reported.from_reported("N1"), ("reported",)),
    Indicator("N2", "Tỷ lệ dân số trưởng thành có chữ ký số hoặc chữ ký điện tử cá nhân",
              "Adults with a personal digital or electronic signature", "%",
              (_t(70.0, ">=", "2026", "70 %"), _t(80.0, ">", "2030", "> 80 %")), "000",
              "reported", reported.from_reported("N2"), ("reported",)),
    Indicator("N3", "Tỷ lệ tên miền \".vn\" trên địa bàn tỉnh", "\".vn\" share of domains", "%",
              (_t(60.0, ">=", "2026", "60 %"), _t(80.0, ">=", "2030", "80 %")), "000",
              "reported", reported.from_reported("N3"), ("reported",)),
    Indicator("N4", "Người lao động KCN sử dụng chữ ký số", "KCN workers using digital signatures",
              "%", (_t(50.0, ">=", "2030", "≥ 50 %"),), "003",
              "reported", reported.from_reported("N4"), ("reported",)),
    Indicator("N5", "Doanh nghiệp FDI trong KCN sử dụng tên miền \".vn\"",
              "FDI firms in parks using \".vn\" domains", "%",
              (_t(50.0, ">=", "2030", "≥ 50 %"),), "003",
              "reported", reported.from_reported("N5"), ("reported",)),
    Indicator("N6", "Doanh nghiệp sản xuất lớn trong KCN ứng dụng giải pháp 5G, IoT",
              "Large manufacturers in parks using 5G / IoT solutions", "%",
              (_t(20.0, ">=", "2026", "20 %"), _t(30.0, ">=", "2030", "30 %")), "003",
              "reported", reported.from_reported("N6"), ("reported",)),
    Indicator("N7", "Tăng trưởng doanh thu dịch vụ di động (không dùng tần số) của khu vực tư nhân",
              "Private mobile (no spectrum) revenue growth", "%/yr",
              (_t(12.0, ">=", "2030", "12–15 %/năm (cố định: 10–12 %/năm)",
                  "12–15 %/yr (fixed: 10–12 %/yr)"),), "001",
              "reported", reported.from_reported("N7"), ("reported",)),
)

REGISTRY: Mapping[str, Indicator] = MappingProxyType({e.id: e for e in _ENTRIES})
"""Every indicator, by ID, in the order of docs/INDICATORS.md."""

FAMILIES: tuple[str, ...] = ("population", "hamlets", "roads", "places", "darkspots",
                             "measurements", "reported", "fiber")
"""Indicator families, in report order."""


def indicator(indicator_id: str) -> Indicator:
    """The registry entry of an ID (``KeyError`` lists the valid IDs)."""
    try:
        return REGISTRY[indicator_id]
    except KeyError:
        msg = f"unknown indicator {indicator_id!r}; valid: {', '.join(REGISTRY)}"
        raise KeyError(msg) from None


def ids(family: str | None = None) -> list[str]:
    """Indicator IDs in registry order, optionally of one family."""
    return [k for k, v in REGISTRY.items() if family is None or v.family == family]
