"""Reference tests: every propagation model against published or hand-worked values.

Sources of the reference values
-------------------------------
* ITU-R P.525-4 eq. (4): 1 km at 1000 MHz = 92.45 dB (the textbook value; P.525 rounds the
  constant to 32.4, the exact constant is 32.448 dB).
* Okumura–Hata / COST-231: the ns-3 propagation test suite
  (``src/propagation/test/okumura-hata-test-suite.cc``, values from the Octave scripts in
  ``src/propagation/test/reference/``, tolerance 0.1 dB there), and hand-worked cases below.
* 3GPP TR 38.901 Table 7.4.1-1: the ns-3 test suite
  (``src/propagation/test/three-gpp-propagation-loss-model-test-suite.cc``: received power for
  0 dBm sent, no shadowing, h_UT = 1.5 m; tolerance 0.05 dB there), and hand-worked cases.
* ITU-R P.526-15: J(v) of eq. (31) against its definition by Fresnel integrals (eq. (30) form,
  ``scipy.special.fresnel``), and hand-worked knife-edge, Bullington and Deygout profiles.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy.special import fresnel

from phusong.coverage.models import (
    bullington_loss_db,
    cost231_hata_loss_db,
    deygout_edges,
    deygout_loss_db,
    earth_bulge_m,
    fresnel_parameter,
    fresnel_zone_radius_m,
    fspl_db,
    hata_loss_db,
    knife_edge_loss_db,
    los_probability,
    okumura_hata_loss_db,
    tr38901_loss_db,
)
from phusong.coverage.models.tr38901 import breakpoint_distance_m
from phusong.errors import InputError, ModelRangeError, ModelRangeWarning

C = 299_792_458.0
LAMBDA_1GHZ = C / 1e9  # 0.2998 m


def jv(v: float) -> float:
    """P.526-15 eq. (31), written out again for the hand-worked examples."""
    if v <= -0.78:
        return 0.0
    return 6.9 + 20.0 * math.log10(math.sqrt((v - 0.1) ** 2 + 1.0) + v - 0.1)


# ------------------------------------------------------------------------------------------
# ITU-R P.525 free space
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("distance_m", "freq_mhz", "expected_db"),
    [
        (1_000.0, 1_000.0, 92.45),    # textbook value of eq. (4)
        (10_000.0, 2_000.0, 118.47),  # 92.448 + 20 (×10 d) + 6.021 (×2 f)
        (100.0, 2_400.0, 80.05),      # 32.448 + 67.604 − 20
        (25_000.0, 900.0, 119.49),    # 32.448 + 59.085 + 27.959
    ],
)
def test_fspl_reference_values(distance_m: float, freq_mhz: float, expected_db: float) -> None:
    assert float(fspl_db(distance_m, freq_mhz)) == pytest.approx(expected_db, abs=0.01)


def test_fspl_is_friis_and_broadcasts() -> None:
    d = np.array([10.0, 100.0, 1e3, 1e4, 5e4])
    f = np.array([[700.0], [1800.0], [3500.0]])
    friis = 20 * np.log10(4 * np.pi * d / (C / (f * 1e6)))
    out = fspl_db(d, f)
    assert out.shape == (3, 5)
    np.testing.assert_allclose(out, friis, atol=1e-9)
    # 6.02 dB per doubling of distance or frequency
    assert float(fspl_db(2000.0, 900.0) - fspl_db(1000.0, 900.0)) == pytest.approx(6.0206, 1e-4)


def test_fspl_bad_inputs_and_no_mutation() -> None:
    d = np.array([100.0, 200.0])
    before = d.copy()
    fspl_db(d, 900.0)
    np.testing.assert_array_equal(d, before)
    with pytest.raises(InputError, match="distance_m must be > 0"):
        fspl_db(0.0, 900.0)
    with pytest.raises(InputError, match="NaN or infinite"):
        fspl_db(np.nan, 900.0)
    with pytest.raises(InputError, match="freq_mhz must be > 0"):
        fspl_db(100.0, -5.0)


# ------------------------------------------------------------------------------------------
# Okumura–Hata and COST-231 Hata
# ------------------------------------------------------------------------------------------

# ns-3 okumura-hata test suite: f = 869 MHz (Okumura-Hata) and 2114 MHz (COST-231), d = 2 km,
# h_b = 30 m, h_m = 1 m. ns-3's "small city" is our "medium"; its suburban case uses the
# small-city urban loss. Two ns-3 references are not used: its open-area script has 4.70
# (log f)² where Hata (1980) has 4.78, and its COST-231 large-city script drops the −4.97 of
# a(h_m); with Hata's formulas those cases give 109.52 and 153.52 dB (checked below by hand).
NS3_HATA = [
    (869.0, "urban", "large", 137.93),
    (869.0, "urban", "medium", 137.88),
    (869.0, "suburban", "medium", 128.03),
]


@pytest.mark.parametrize(("freq_mhz", "environment", "city", "expected_db"), NS3_HATA)
def test_okumura_hata_against_ns3(freq_mhz: float, environment: str, city: str,
                                  expected_db: float) -> None:
    loss = okumura_hata_loss_db(2000.0, freq_mhz, 30.0, 1.0, environment, city)  # type: ignore[arg-type]
    assert float(loss) == pytest.approx(expected_db, abs=0.1)


def test_cost231_against_ns3_small_city() -> None:
    # 2114 MHz is above COST-231's 2000 MHz: ns-3 does not check, we warn with the value
    with pytest.warns(ModelRangeWarning, match=r"freq_mhz = 2114 MHz .* 1500 … 2000 MHz"):
        loss = cost231_hata_loss_db(2000.0, 2114.0, 30.0, 1.0, "urban", "medium")
    assert float(loss) == pytest.approx(150.64, abs=0.1)


def test_hata_hand_worked_brief_case() -> None:
    # f = 900 MHz, h_b = 30 m, h_m = 1.5 m, d = 1 km, large city (a(h_m) ≈ 0 at 1.5 m):
    # 69.55 + 26.16·2.95424 − 13.82·1.47712 − a + (44.9 − 6.55·1.47712)·0 = 126.42 dB
    a_large = 3.2 * math.log10(11.75 * 1.5) ** 2 - 4.97
    expected = 69.55 + 26.16 * math.log10(900) - 13.82 * math.log10(30) - a_large
    assert expected == pytest.approx(126.42, abs=0.01)
    got = okumura_hata_loss_db(1000.0, 900.0, 30.0, 1.5, "urban", "large")
    assert float(got) == pytest.approx(expected, abs=1e-9)


def test_hata_hand_worked_step_by_step() -> None:
    # f = 900 MHz, h_b = 50 m, h_m = 1.5 m, d = 10 km, medium city, urban:
    lf = math.log10(900.0)                                   # 2.954243
    a_hm = (1.1 * lf - 0.7) * 1.5 - (1.56 * lf - 0.8)       # 0.015882 dB
    assert a_hm == pytest.approx(0.015882, abs=1e-6)
    urban = (69.55 + 26.16 * lf                              # 146.8330
             - 13.82 * math.log10(50.0)                      # −23.4798
             - a_hm
             + (44.9 - 6.55 * math.log10(50.0)) * 1.0)       # +33.7717 (log10 10 km = 1)
    assert urban == pytest.approx(157.109, abs=0.001)
    suburban = urban - 2 * math.log10(900 / 28) ** 2 - 5.4   # −9.9426 → 147.17
    rural = urban - 4.78 * lf**2 + 18.33 * lf - 40.94        # −28.5064 → 128.60
    for env, expected in (("urban", urban), ("suburban", suburban), ("rural", rural),
                          ("open", rural)):
        got = okumura_hata_loss_db(10_000.0, 900.0, 50.0, 1.5, env)  # type: ignore[arg-type]
        assert float(got) == pytest.approx(expected, abs=1e-9)
    assert suburban == pytest.approx(147.17, abs=0.01)
    assert rural == pytest.approx(128.60, abs=0.01)


def test_hata_ns3_cases_where_ns3_differs_from_hata() -> None:
    # open area, 869 MHz, d = 2 km, h_b = 30 m, h_m = 1 m (ns-3: 109.66 with 4.70 (log f)²)
    lf = math.log10(869.0)
    urban = 137.8766  # ns-3's small-city urban value, recomputed
    expected = urban - 4.78 * lf**2 + 18.33 * lf - 40.94
    assert expected == pytest.approx(109.52, abs=0.01)
    got = okumura_hata_loss_db(2000.0, 869.0, 30.0, 1.0, "rural", "medium")
    assert float(got) == pytest.approx(expected, abs=1e-3)
    # COST-231 metropolitan centre, 1800 MHz, d = 2 km, h_b = 30 m, h_m = 1 m:
    # 46.3 + 33.9 log f − 13.82 log h_b + (44.9 − 6.55 log h_b) log 2 − a_large(1 m) + 3
    a_large = 3.2 * math.log10(11.75) ** 2 - 4.97           # −1.3060 dB
    expected = (46.3 + 33.9 * math.log10(1800.0) - 13.82 * math.log10(30.0)
                + (44.9 - 6.55 * math.log10(30.0)) * math.log10(2.0) - a_large + 3.0)
    got = cost231_hata_loss_db(2000.0, 1800.0, 30.0, 1.0, "urban", "large")
    assert float(got) == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx(151.14, abs=0.01)


def test_hata_dispatch_and_monotonicity() -> None:
    d = np.array([1e3, 2e3, 5e3, 1e4, 2e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # all in range: no warning at all
        both = hata_loss_db(d[:, None], np.array([900.0, 1500.0, 1800.0]), 40.0, 1.5)
    np.testing.assert_allclose(both[:, 0], okumura_hata_loss_db(d, 900.0, 40.0, 1.5))
    np.testing.assert_allclose(both[:, 1], okumura_hata_loss_db(d, 1500.0, 40.0, 1.5))
    np.testing.assert_allclose(both[:, 2], cost231_hata_loss_db(d, 1800.0, 40.0, 1.5))
    assert np.all(np.diff(both, axis=0) > 0)  # loss grows with distance
    higher = hata_loss_db(d, 900.0, 60.0, 1.5)
    assert np.all(higher < both[:, 0])  # and falls with a higher mast


def test_hata_range_policy() -> None:
    with pytest.warns(ModelRangeWarning, match=r"distance_m = 25000 m .* 1000 … 20000 m"):
        hata_loss_db(25_000.0, 900.0, 30.0, 1.5)
    with pytest.raises(ModelRangeError, match=r"tx_height_m = 20 m .* 30 … 200 m"):
        hata_loss_db(5_000.0, 900.0, 20.0, 1.5, strict=True)
    with pytest.raises(ModelRangeError, match=r"freq_mhz = 2600 MHz"):
        hata_loss_db(5_000.0, 2600.0, 30.0, 1.5, strict=True)
    with pytest.raises(InputError, match="environment 'forest'"):
        hata_loss_db(5_000.0, 900.0, 30.0, 1.5, environment="forest")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="distance_m must be > 0"):
        hata_loss_db(0.0, 900.0, 30.0, 1.5)


# ------------------------------------------------------------------------------------------
# 3GPP TR 38.901
# ------------------------------------------------------------------------------------------

# ns-3 three-gpp-propagation-loss-model test suite, f = 5 GHz, h_UT = 1.5 m; loss = −P_r.
NS3_38901 = [
    ("rma", 35.0, "los", 10.0, 77.3784), ("rma", 35.0, "los", 100.0, 87.2965),
    ("rma", 35.0, "los", 1000.0, 108.5577), ("rma", 35.0, "los", 10000.0, 140.3896),
    ("rma", 35.0, "nlos", 10.0, 77.3784), ("rma", 35.0, "nlos", 100.0, 95.7718),
    ("rma", 35.0, "nlos", 1000.0, 133.5223), ("rma", 35.0, "nlos", 5000.0, 160.5169),
    ("uma", 25.0, "los", 10.0, 72.9380), ("uma", 25.0, "los", 100.0, 86.2362),
    ("uma", 25.0, "los", 1000.0, 109.7252), ("uma", 25.0, "los", 5000.0, 137.6794),
    ("uma", 25.0, "nlos", 10.0, 82.5131), ("uma", 25.0, "nlos", 100.0, 106.1356),
    ("uma", 25.0, "nlos", 1000.0, 144.7641), ("uma", 25.0, "nlos", 5000.0, 172.0753),
    # ns-3 lists these UMi vectors; its test only checks the first two (a missing Add())
    ("umi", 10.0, "los", 10.0, 69.8591), ("umi", 10.0, "los", 100.0, 88.4122),
    ("umi", 10.0, "los", 1000.0, 119.3114), ("umi", 10.0, "los", 5000.0, 147.2696),
    ("umi", 10.0, "nlos", 10.0, 76.7563), ("umi", 10.0, "nlos", 100.0, 107.9432),
    ("umi", 10.0, "nlos", 1000.0, 143.1886), ("umi", 10.0, "nlos", 5000.0, 167.8617),
]


@pytest.mark.parametrize(("scenario", "h_bs", "condition", "d2d", "expected_db"), NS3_38901)
def test_38901_against_ns3(scenario: str, h_bs: float, condition: str, d2d: float,
                           expected_db: float) -> None:
    loss = tr38901_loss_db(d2d, 5000.0, h_bs, 1.5, scenario, condition)  # type: ignore[arg-type]
    assert float(loss) == pytest.approx(expected_db, abs=0.05)


def test_38901_rma_hand_worked() -> None:
    # RMa LOS, f_c = 3.5 GHz, h_BS = 35 m, h_UT = 1.5 m, h = 5 m, d_2D = 1 km and 6 km
    fc, hb, hu, h = 3.5, 35.0, 1.5, 5.0
    d_bp = 2 * math.pi * hb * hu * fc * 1e9 / 3e8           # 3848.45 m (note 5)
    assert d_bp == pytest.approx(3848.45, abs=0.01)

    def pl1(d3: float) -> float:
        return (20 * math.log10(40 * math.pi * d3 * fc / 3) + min(0.03 * h**1.72, 10)
                * math.log10(d3) - min(0.044 * h**1.72, 14.77) + 0.002 * math.log10(h) * d3)

    d3 = math.hypot(1000.0, hb - hu)                          # 1000.561 m
    # below d_BP: PL1 = 20 log10(146 690) + 0.4779 · 3.0002 − 0.7009 + 0.002 · 0.699 · 1000.56
    #                 = 103.328 + 1.434 − 0.701 + 1.399 = 105.46 dB
    expected_1km = pl1(d3)
    assert expected_1km == pytest.approx(105.46, abs=0.01)
    d3 = math.hypot(6000.0, hb - hu)
    expected_6km = pl1(d_bp) + 40 * math.log10(d3 / d_bp)   # above d_BP: PL2
    got = tr38901_loss_db([1000.0, 6000.0], 3500.0, hb, hu, "rma", "los")
    np.testing.assert_allclose(got, [expected_1km, expected_6km], atol=1e-9)
    # NLOS at 1 km: PL' = 161.04 − 7.1 log W + 7.5 log h − (24.37 − 3.7 (h/h_BS)²) log h_BS
    #               + (43.42 − 3.1 log h_BS)(log d_3D − 3) + 20 log f_c − (3.2 (log 11.75 h_UT)² − 4.97)
    d3 = math.hypot(1000.0, hb - hu)
    prime = (161.04 - 7.1 * math.log10(20) + 7.5 * math.log10(h)
             - (24.37 - 3.7 * (h / hb) ** 2) * math.log10(hb)
             + (43.42 - 3.1 * math.log10(hb)) * (math.log10(d3) - 3) + 20 * math.log10(fc)
             - (3.2 * math.log10(11.75 * hu) ** 2 - 4.97))
    got_nlos = float(tr38901_loss_db(1000.0, 3500.0, hb, hu, "rma", "nlos"))
    assert got_nlos == pytest.approx(max(prime, expected_1km), abs=1e-9)
    # 161.04 − 9.2373 + 5.2423 − 24.2945 · 1.5441 + 38.6334 · 0.000244 + 10.8814 + 0.0009
    assert got_nlos == pytest.approx(130.42, abs=0.01)


def test_38901_uma_umi_hand_worked_heights() -> None:
    # UMa at h_UT = 10 m (h'_UT = 9 m), f_c = 2.6 GHz, d_2D = 300 m: d'_BP = 4·24·9·2.6e9/3e8
    # = 7488 m, so PL1 = 28 + 22 log d_3D + 20 log f_c; NLOS PL' with −0.6 (h_UT − 1.5)
    d3 = math.hypot(300.0, 15.0)
    assert float(breakpoint_distance_m(2600.0, 25.0, 10.0, "uma")) == pytest.approx(7488.0)
    los = 28 + 22 * math.log10(d3) + 20 * math.log10(2.6)
    nlos = max(los, 13.54 + 39.08 * math.log10(d3) + 20 * math.log10(2.6) - 0.6 * 8.5)
    got = tr38901_loss_db(300.0, 2600.0, 25.0, 10.0, "uma", "los")
    assert float(got) == pytest.approx(los, abs=1e-9)
    got = tr38901_loss_db(300.0, 2600.0, 25.0, 10.0, "uma", "nlos")
    assert float(got) == pytest.approx(nlos, abs=1e-9)
    # UMi NLOS at 2 km, 3.5 GHz, h_UT = 1.5 m: 35.3 log d_3D + 22.4 + 21.3 log f_c
    d3 = math.hypot(2000.0, 8.5)
    umi = 35.3 * math.log10(d3) + 22.4 + 21.3 * math.log10(3.5)
    got = tr38901_loss_db(2000.0, 3500.0, 10.0, 1.5, "umi", "nlos")
    assert float(got) == pytest.approx(umi, abs=1e-9)


@pytest.mark.parametrize(("scenario", "h_bs", "h_ut", "f_mhz"),
                         [("rma", 35.0, 1.5, 700.0), ("rma", 25.0, 1.5, 2600.0),
                          ("uma", 25.0, 1.5, 3500.0), ("uma", 25.0, 2.0, 3500.0),
                          ("umi", 10.0, 1.5, 2600.0), ("umi", 10.0, 5.0, 6000.0)])
def test_38901_los_continuous_at_breakpoint(scenario: str, h_bs: float, h_ut: float,
                                            f_mhz: float) -> None:
    d_bp = float(breakpoint_distance_m(f_mhz, h_bs, h_ut, scenario))  # type: ignore[arg-type]
    assert 10.0 < d_bp < 5_000.0  # 156 m … 2880 m for these cases
    below, above = tr38901_loss_db([d_bp * (1 - 1e-9), d_bp * (1 + 1e-9)], f_mhz, h_bs, h_ut,
                                   scenario)  # type: ignore[arg-type]
    # RMa's PL2 evaluates PL1 at d_BP (not at the 3-D distance): a few 1e-3 dB at most
    assert abs(float(above - below)) < 0.01


def test_38901_nlos_never_below_los_and_blends_between() -> None:
    d = np.geomspace(10.0, 5000.0, 60)
    for scenario, hb in (("rma", 35.0), ("uma", 25.0), ("umi", 10.0)):
        los = tr38901_loss_db(d, 3500.0, hb, 1.5, scenario)  # type: ignore[arg-type]
        nlos = tr38901_loss_db(d, 3500.0, hb, 1.5, scenario, "nlos")  # type: ignore[arg-type]
        power = tr38901_loss_db(d, 3500.0, hb, 1.5, scenario, "expected")  # type: ignore[arg-type]
        db = tr38901_loss_db(d, 3500.0, hb, 1.5, scenario, "expected",  # type: ignore[arg-type]
                             blend="db")
        assert np.all(nlos >= los - 1e-12)
        assert np.all((power >= los - 1e-9) & (power <= nlos + 1e-9))
        assert np.all((db >= los - 1e-9) & (db <= nlos + 1e-9))
        assert np.all(power <= db + 1e-9)  # mean power is dominated by the stronger LOS path


def test_38901_los_probability_table_7_4_2_1() -> None:
    assert float(los_probability(10.0, "rma")) == 1.0
    assert float(los_probability(1010.0, "rma")) == pytest.approx(math.exp(-1.0))
    assert float(los_probability(18.0, "umi")) == 1.0
    assert float(los_probability(100.0, "umi")) == pytest.approx(
        0.18 + math.exp(-100 / 36) * 0.82)
    assert float(los_probability(100.0, "uma", 1.5)) == pytest.approx(
        0.18 + math.exp(-100 / 63) * 0.82)
    c_prime = ((18.0 - 13.0) / 10.0) ** 1.5
    assert float(los_probability(100.0, "uma", 18.0)) == pytest.approx(
        (0.18 + math.exp(-100 / 63) * 0.82) * (1 + c_prime * 1.25 * 1.0 * math.exp(-100 / 150)))
    p = los_probability(np.linspace(0, 5000, 101), "uma")
    assert np.all((p >= 0) & (p <= 1)) and np.all(np.diff(p) <= 1e-12)


def test_38901_range_policy() -> None:
    with pytest.warns(ModelRangeWarning, match=r"distance_2d_m \(NLOS\) = 6000 m .* 10 … 5000 m"):
        tr38901_loss_db(6000.0, 3500.0, 35.0, 1.5, "rma", "nlos")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr38901_loss_db(8000.0, 3500.0, 35.0, 1.5, "rma", "los")  # RMa LOS holds to 10 km
    with pytest.raises(ModelRangeError, match=r"tx_height_m = 30 m .* 25 … 25 m"):
        tr38901_loss_db(500.0, 3500.0, 30.0, 1.5, "uma", strict=True)
    with pytest.raises(ModelRangeError, match=r"freq_mhz / 1000 = 35 GHz .* 0.5 … 30 GHz"):
        tr38901_loss_db(500.0, 35000.0, 35.0, 1.5, "rma", strict=True)
    with pytest.raises(InputError, match="scenario 'inh'"):
        tr38901_loss_db(500.0, 3500.0, 35.0, 1.5, "inh")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# ITU-R P.526 diffraction
# ------------------------------------------------------------------------------------------


def test_knife_edge_reference_values() -> None:
    assert float(knife_edge_loss_db(0.0)) == pytest.approx(6.03, abs=0.005)
    assert float(knife_edge_loss_db(-0.78)) == 0.0
    assert float(knife_edge_loss_db(-0.7799)) == pytest.approx(0.0, abs=0.01)
    assert float(knife_edge_loss_db(1.0)) == pytest.approx(13.93, abs=0.005)
    # J(2.4) = 6.9 + 20 log10(√(2.3² + 1) + 2.3) = 6.9 + 20 log10(4.808) = 20.54 dB
    assert float(knife_edge_loss_db(2.4)) == pytest.approx(20.54, abs=0.005)
    assert float(knife_edge_loss_db(-2.0)) == 0.0


def test_knife_edge_close_to_fresnel_integrals() -> None:
    # exact J(v) = −20 log10( √((1 − C − S)² + (C − S)²) / 2 ); eq. (31) approximates it
    v = np.linspace(-0.7, 10.0, 2001)
    s, c = fresnel(v)
    exact = -20 * np.log10(np.sqrt((1 - c - s) ** 2 + (c - s) ** 2) / 2)
    assert float(np.max(np.abs(knife_edge_loss_db(v) - exact))) < 0.15


def test_fresnel_parameter_and_zone() -> None:
    # h = 10 m, d1 = d2 = 5 km, 1 GHz: v = 10 √(2/λ · 2/5000) = 0.5166
    v = fresnel_parameter(10.0, 5000.0, 5000.0, LAMBDA_1GHZ)
    assert float(v) == pytest.approx(10 * math.sqrt(2 / LAMBDA_1GHZ * 2 / 5000), rel=1e-12)
    assert float(v) == pytest.approx(0.5166, abs=1e-4)
    # first Fresnel zone at mid path: √(λ d1 d2 / d) = √(0.2998 · 2500) = 27.38 m; v = √2 there
    r1 = fresnel_zone_radius_m(5000.0, 5000.0, 1000.0)
    assert float(r1) == pytest.approx(27.38, abs=0.01)
    assert float(fresnel_parameter(r1, 5000.0, 5000.0, LAMBDA_1GHZ)) == pytest.approx(
        math.sqrt(2))


def test_earth_bulge_midpoint_50km() -> None:
    # 25e3 · 25e3 / (2 · 4/3 · 6371e3) = 36.79 m
    assert float(earth_bulge_m(25_000.0, 25_000.0)) == pytest.approx(36.79, abs=0.01)
    assert float(earth_bulge_m(25_000.0, 25_000.0, k_factor=math.inf)) == 0.0


def test_single_isolated_edge_both_methods_give_its_jv() -> None:
    # flat earth; tx 30 m at 0, rx 10 m at 10 km, one 60 m edge at 3 km on flat ground.
    # ray at 3 km: 30 + (10 − 30)·0.3 = 24 m, h = 36 m, v = 36 √(2/λ (1/3000 + 1/7000)) = 2.029
    d = np.array([0.0, 1000.0, 3000.0, 5000.0, 10000.0])
    z = np.array([0.0, 0.0, 60.0, 0.0, 0.0])
    v = 36.0 * math.sqrt(2 / LAMBDA_1GHZ * (1 / 3000 + 1 / 7000))
    assert v == pytest.approx(2.0291, abs=1e-4)
    expected = jv(v)  # 19.16 dB
    assert expected == pytest.approx(19.16, abs=0.01)
    for method in (bullington_loss_db, deygout_loss_db):
        assert method(d, z, 30.0, 10.0, 1000.0, k_factor=math.inf) == pytest.approx(expected,
                                                                                  abs=1e-9)


def test_single_edge_with_earth_bulge() -> None:
    # 50 km path, k = 4/3, antennas 100 m AMSL, one 80 m edge at mid path on flat ground at 0:
    # bulge 36.79 m → edge 116.79 m effective, h = 16.79 m, v = 16.79 √(2/λ · 2/25000) = 0.3878
    d = np.arange(0.0, 50_001.0, 5000.0)
    z = np.zeros_like(d)
    z[5] = 80.0
    h = 80.0 + 25e3 * 25e3 / (2 * 4 / 3 * 6371e3) - 100.0
    v = h * math.sqrt(2 / LAMBDA_1GHZ * 2 / 25000)
    assert v == pytest.approx(0.3878, abs=1e-4)
    for method in (bullington_loss_db, deygout_loss_db):
        assert method(d, z, 100.0, 100.0, 1000.0) == pytest.approx(jv(v), abs=1e-9)
    assert jv(v) == pytest.approx(9.37, abs=0.01)


def test_two_edge_deygout_and_bullington_hand_worked() -> None:
    # Flat earth, 1000 MHz (λ = 0.29979 m, 2/λ = 6.6713 /m), 10 km path, tx = rx = 10 m AMSL,
    # ground at 0 m; edge A 50 m at 2 km, edge B 40 m at 6 km.
    d = np.array([0.0, 2000.0, 6000.0, 10000.0])
    z = np.array([0.0, 50.0, 40.0, 0.0])
    k = 2 / LAMBDA_1GHZ
    # Deygout step 1: over the whole path the ray is at 10 m.
    v_a = 40 * math.sqrt(k * (1 / 2000 + 1 / 8000))   # 2.5829
    v_b = 30 * math.sqrt(k * (1 / 6000 + 1 / 4000))   # 1.5817
    assert (v_a, v_b) == pytest.approx((2.5829, 1.5817), abs=1e-4)
    # A is the principal edge. Step 2: sub-path A (2 km, 50 m) → rx (10 km, 10 m); the line
    # is at 50 − 40·4000/8000 = 30 m over B, so h = 10 m with d1 = d2 = 4 km.
    v_b2 = 10 * math.sqrt(k * (2 / 4000))            # 0.5776
    assert v_b2 == pytest.approx(0.5776, abs=1e-4)
    # the sub-path tx → A has no point in between
    expected = jv(v_a) + jv(v_b2)                     # 21.15 + 10.90 = 32.06 dB
    assert expected == pytest.approx(32.06, abs=0.01)
    edges = deygout_edges(d, z, 10.0, 10.0, 1000.0, k_factor=math.inf)
    assert [(e.index, e.level) for e in edges] == [(1, 1), (2, 2)]
    assert [e.v for e in edges] == pytest.approx([v_a, v_b2], abs=1e-9)
    assert deygout_loss_db(d, z, 10.0, 10.0, 1000.0, k_factor=math.inf) == pytest.approx(
        expected, abs=1e-9)
    assert deygout_loss_db(d, z, 10.0, 10.0, 1000.0, k_factor=math.inf,
                           max_depth=1) == pytest.approx(jv(v_a), abs=1e-9)
    # Bullington (P.526 §4.5.1): S_tim = max(40/2000, 30/6000) = 0.02, S_tr = 0,
    # S_rim = max(40/8000, 30/4000) = 0.0075, d_b = (10 − 10 + 0.0075·10000)/0.0275 = 2727.3 m,
    # h_b = 0.02 · 2727.3 = 54.55 m, v_b = h_b √(2 d / (λ d_b (d − d_b))) = 3.1634
    d_b = 75 / 0.0275
    v_bull = 0.02 * d_b * math.sqrt(2 * 10000 / (LAMBDA_1GHZ * d_b * (10000 - d_b)))
    assert v_bull == pytest.approx(3.1634, abs=1e-4)
    got = bullington_loss_db(d, z, 10.0, 10.0, 1000.0, k_factor=math.inf)
    assert got == pytest.approx(jv(v_bull), abs=1e-9)  # 22.87 dB
    assert got == pytest.approx(22.87, abs=0.01)
    # with P.526's empirical term: + (1 − exp(−L/6)) (10 + 0.02 · 10 km)
    corrected = bullington_loss_db(d, z, 10.0, 10.0, 1000.0, k_factor=math.inf,
                                   empirical_correction=True)
    assert corrected == pytest.approx(got + (1 - math.exp(-got / 6)) * 10.2, abs=1e-9)


def test_three_edge_deygout_hand_worked() -> None:
    # Flat earth, 1000 MHz, 10 km, tx = rx = 10 m AMSL; edges 35 m at 2 km, 60 m at 5 km,
    # 40 m at 8 km.
    d = np.array([0.0, 2000.0, 5000.0, 8000.0, 10000.0])
    z = np.array([0.0, 35.0, 60.0, 40.0, 0.0])
    k = 2 / LAMBDA_1GHZ
    # Step 1, whole path (ray at 10 m): v = 1.6143 (2 km), 2.5829 (5 km), 1.9372 (8 km)
    v1 = [25 * math.sqrt(k * (1 / 2000 + 1 / 8000)), 50 * math.sqrt(k * (2 / 5000)),
          30 * math.sqrt(k * (1 / 8000 + 1 / 2000))]
    assert v1 == pytest.approx([1.6143, 2.5829, 1.9372], abs=1e-4)
    # principal: 5 km. Step 2, left sub-path tx (0, 10) → P (5000, 60): line at 2 km is
    # 10 + 50·2/5 = 30 m, h = 5 m, d1 = 2 km, d2 = 3 km → v = 0.3728.
    v_left = 5 * math.sqrt(k * (1 / 2000 + 1 / 3000))
    # right sub-path P (5000, 60) → rx (10000, 10): line at 8 km is 60 − 50·3/5 = 30 m,
    # h = 10 m, d1 = 3 km, d2 = 2 km → v = 0.7456.
    v_right = 10 * math.sqrt(k * (1 / 3000 + 1 / 2000))
    assert (v_left, v_right) == pytest.approx((0.3728, 0.7456), abs=1e-4)
    expected = jv(v1[1]) + jv(v_left) + jv(v_right)   # 21.15 + 9.24 + 12.18 = 42.57 dB
    assert expected == pytest.approx(42.57, abs=0.01)
    edges = deygout_edges(d, z, 10.0, 10.0, 1000.0, k_factor=math.inf)
    assert sorted((e.index, e.level) for e in edges) == [(1, 2), (2, 1), (3, 2)]
    assert deygout_loss_db(d, z, 10.0, 10.0, 1000.0, k_factor=math.inf) == pytest.approx(
        expected, abs=1e-9)
    # Bullington gives less for the same profile (one equivalent edge)
    assert bullington_loss_db(d, z, 10.0, 10.0, 1000.0, k_factor=math.inf) < expected


def test_clear_profile_has_no_diffraction_loss() -> None:
    # 10 km over flat ground at 0 m, antennas 100 m AMSL: v at mid path =
    # −(100 − 1.47 bulge) √(2/λ · 2/5000) = −5.09, J = 0
    d = np.linspace(0.0, 10_000.0, 101)
    z = np.zeros_like(d)
    assert bullington_loss_db(d, z, 100.0, 100.0, 1000.0) == 0.0
    assert deygout_loss_db(d, z, 100.0, 100.0, 1000.0) == 0.0
    assert deygout_edges(d, z, 100.0, 100.0, 1000.0) == []


def test_profile_inputs_checked_and_not_modified() -> None:
    d = np.array([0.0, 500.0, 1000.0])
    z = np.array([10.0, 50.0, 10.0])
    before = (d.copy(), z.copy())
    bullington_loss_db(d, z, 40.0, 12.0, 900.0)
    deygout_loss_db(d, z, 40.0, 12.0, 900.0)
    np.testing.assert_array_equal(d, before[0])
    np.testing.assert_array_equal(z, before[1])
    with pytest.raises(InputError, match="increase strictly"):
        bullington_loss_db([0.0, 500.0, 500.0], z, 40.0, 12.0, 900.0)
    with pytest.raises(InputError, match="tx_height_amsl_m = 5.0 m is below the terrain"):
        deygout_loss_db(d, z, 5.0, 12.0, 900.0)
    with pytest.raises(InputError, match="same length"):
        bullington_loss_db(d, z[:2], 40.0, 12.0, 900.0)
    with pytest.raises(InputError, match="k_factor must be > 0"):
        bullington_loss_db(d, z, 40.0, 12.0, 900.0, k_factor=0.0)
