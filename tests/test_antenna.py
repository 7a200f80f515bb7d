"""3GPP TR 38.901 Table 7.3-1 sector pattern: reference points, tilt convention, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phusong.coverage.models.antenna import (
    elevation_angle_deg,
    horizontal_pattern_db,
    sector_pattern_db,
    vertical_pattern_db,
    zenith_from_elevation_deg,
)
from phusong.errors import InputError


def table_7_3_1(theta_zenith_deg: float, phi_deg: float, theta_3db: float = 65.0,
                phi_3db: float = 65.0, sla_v: float = 30.0, a_max: float = 30.0) -> float:
    """Table 7.3-1 written literally in 38.901's zenith angle θ'' (90° on the horizon)."""
    a_v = -min(12.0 * ((theta_zenith_deg - 90.0) / theta_3db) ** 2, sla_v)
    a_h = -min(12.0 * (phi_deg / phi_3db) ** 2, a_max)
    return -min(-(a_v + a_h), a_max)


def test_boresight_is_zero() -> None:
    assert float(sector_pattern_db(120.0, 0.0, boresight_azimuth_deg=120.0)) == 0.0
    assert float(sector_pattern_db(120.0, -6.0, 120.0, downtilt_deg=6.0)) == 0.0


@pytest.mark.parametrize("offset", [32.5, -32.5])
def test_half_power_points(offset: float) -> None:
    # 12 (φ/φ3dB)² = 3 dB at φ = ±φ3dB/2
    assert float(horizontal_pattern_db(offset)) == pytest.approx(-3.0)
    assert float(sector_pattern_db(200.0 + offset, 0.0, 200.0)) == pytest.approx(-3.0)
    assert float(vertical_pattern_db(offset)) == pytest.approx(-3.0)
    # a sector row with 90° beamwidth
    assert float(horizontal_pattern_db(offset * 90 / 65, hpbw_deg=90.0)) == pytest.approx(-3.0)


def test_full_beamwidth_and_back() -> None:
    assert float(horizontal_pattern_db(65.0)) == pytest.approx(-12.0)
    assert float(horizontal_pattern_db(180.0)) == pytest.approx(-30.0)   # front-to-back A_m
    assert float(horizontal_pattern_db(-180.0)) == pytest.approx(-30.0)
    assert float(horizontal_pattern_db(180.0, front_to_back_db=25.0)) == pytest.approx(-25.0)
    # back lobe at a steep angle: A_H + A_V would be −60, the table floors it at −A_max
    assert float(sector_pattern_db(180.0, -60.0, 0.0)) == pytest.approx(-30.0)
    # SLA_V caps the vertical cut (with 65° it is not reached within ±90°; with 10° it is)
    assert float(vertical_pattern_db(-80.0)) == pytest.approx(-12.0 * (80.0 / 65.0) ** 2)
    assert float(vertical_pattern_db(-80.0, hpbw_deg=10.0)) == pytest.approx(-30.0)
    assert float(vertical_pattern_db(-80.0, hpbw_deg=10.0, sla_db=20.0)) == pytest.approx(-20.0)


def test_azimuth_wraps() -> None:
    # boresight 10°, direction 350°: 20° off, not 340°
    got = float(sector_pattern_db(350.0, 0.0, 10.0))
    assert got == pytest.approx(-12.0 * (20.0 / 65.0) ** 2)
    assert float(horizontal_pattern_db(340.0)) == pytest.approx(-12.0 * (20.0 / 65.0) ** 2)


def test_tilt_is_positive_down() -> None:
    # 6° downtilt: the beam points 6° below the horizon
    on_beam = float(vertical_pattern_db(-6.0, downtilt_deg=6.0))
    horizon = float(vertical_pattern_db(0.0, downtilt_deg=6.0))
    above = float(vertical_pattern_db(6.0, downtilt_deg=6.0))
    assert on_beam == 0.0
    assert horizon == pytest.approx(-12.0 * (6.0 / 65.0) ** 2)   # −0.102 dB
    assert above == pytest.approx(-12.0 * (12.0 / 65.0) ** 2)    # −0.409 dB
    assert above < horizon < on_beam
    # half-power points of the tilted beam at −6° ± 32.5°
    assert float(vertical_pattern_db(-38.5, 6.0)) == pytest.approx(-3.0)
    assert float(vertical_pattern_db(26.5, 6.0)) == pytest.approx(-3.0)


def test_matches_table_in_zenith_angles() -> None:
    rng = np.random.default_rng(7)
    az = rng.uniform(0, 360, 500)
    el = rng.uniform(-90, 90, 500)
    tilt = rng.uniform(0, 15, 500)
    bore = rng.uniform(0, 360, 500)
    got = sector_pattern_db(az, el, bore, tilt)
    # θ'' = 90° − ε − τ: the zenith angle in a frame whose horizon is the tilted boresight
    theta = zenith_from_elevation_deg(el) - tilt
    phi = (az - bore + 180.0) % 360.0 - 180.0
    expected = [table_7_3_1(t, p) for t, p in zip(theta, phi, strict=True)]
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_omni_ignores_azimuth() -> None:
    az = np.arange(0.0, 360.0, 15.0)
    got = sector_pattern_db(az, -3.0, 0.0, downtilt_deg=3.0, omni=True)
    np.testing.assert_array_equal(got, np.zeros_like(az))
    got = sector_pattern_db(az, 10.0, 0.0, omni=True)
    np.testing.assert_allclose(got, -12.0 * (10.0 / 65.0) ** 2)


def test_zenith_and_elevation_angles() -> None:
    assert float(zenith_from_elevation_deg(0.0)) == 90.0
    assert float(zenith_from_elevation_deg(-90.0)) == 180.0
    # 30 m above the receiver at 1 km: atan(30/1000) = 1.718° below the horizon (flat earth);
    # the effective earth adds d²/(2kR) = 0.0589 m of drop at 1 km
    flat = float(elevation_angle_deg(1000.0, 31.5, 1.5, k_factor=None))
    assert flat == pytest.approx(-math.degrees(math.atan(0.03)))
    curved = float(elevation_angle_deg(1000.0, 31.5, 1.5))
    drop = 1000.0**2 / (2 * 4 / 3 * 6371e3)
    assert curved == pytest.approx(-math.degrees(math.atan((30.0 + drop) / 1000.0)))


def test_bad_parameters() -> None:
    with pytest.raises(InputError, match="hpbw_deg must be a positive number"):
        horizontal_pattern_db(10.0, hpbw_deg=0.0)
    with pytest.raises(InputError, match="front_to_back_db"):
        sector_pattern_db(0.0, 0.0, front_to_back_db=-3.0)


@settings(max_examples=200, deadline=None)
@given(az=st.floats(-720, 720), el=st.floats(-90, 90), bore=st.floats(0, 360),
       tilt=st.floats(-10, 20), hpbw_h=st.floats(10, 360), hpbw_v=st.floats(3, 90),
       fb=st.floats(10, 40))
def test_pattern_bounded_and_symmetric(az: float, el: float, bore: float, tilt: float,
                                       hpbw_h: float, hpbw_v: float, fb: float) -> None:
    a = float(sector_pattern_db(az, el, bore, tilt, hpbw_h, hpbw_v, front_to_back_db=fb))
    assert -fb - 1e-9 <= a <= 0.0
    mirrored = float(sector_pattern_db(2 * bore - az, el, bore, tilt, hpbw_h, hpbw_v,
                                       front_to_back_db=fb))
    assert mirrored == pytest.approx(a, abs=1e-9)
