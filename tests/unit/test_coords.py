"""GCJ-02 conversion against reference values published with wandergis/coordtransform."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch.core.coords import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02


def test_wgs84_to_gcj02_matches_the_published_reference():
    assert wgs84_to_gcj02(116.404, 39.915) == pytest.approx(
        (116.41024449916938, 39.91640428150164), abs=1e-9)


def test_gcj02_to_wgs84_is_close_to_the_published_one_step_approximation():
    # the reference inverts in one step; ours iterates, so it agrees to about a metre
    assert gcj02_to_wgs84(116.404, 39.915) == pytest.approx(
        (116.39775550083061, 39.91359571849836), abs=2e-5)


@given(st.floats(73.7, 135.0), st.floats(3.9, 53.5))
def test_the_inverse_round_trips_to_centimetres(lon, lat):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert back == pytest.approx((lon, lat), abs=1e-7)


def test_points_outside_china_are_not_shifted():
    assert out_of_china(2.35, 48.85)
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_the_shift_in_chongqing_is_a_few_hundred_metres():
    lon, lat = 106.5262, 29.5768
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert 0.002 < glon - lon < 0.006 and -0.004 < glat - lat < 0.0
