import pytest

from portal.network.codes import (
    Level,
    RegionCodeError,
    is_within,
    level_of,
    normalize_code,
    pooling_region_code,
    prefix_of,
)


@pytest.mark.parametrize(
    ("code", "level", "prefix"),
    [
        ("370000000000", Level.PROVINCE, "37"),
        ("370300000000", Level.CITY, "3703"),
        ("370303000000", Level.COUNTY, "370303"),
        ("370303001000", Level.TOWNSHIP, "370303001"),
        ("370303001001", Level.VILLAGE, "370303001001"),
        # A village numbered 100 ends in zeros but is still a village: it is not all zeros.
        ("370303001100", Level.VILLAGE, "370303001100"),
    ],
)
def test_level_and_prefix_follow_from_the_code(code, level, prefix):
    assert level_of(code) == level
    assert prefix_of(code) == prefix


@pytest.mark.parametrize(("short", "full"), [("37", "370000000000"), ("370300", "370300000000"), ("370303001", "370303001000")])
def test_short_codes_are_padded_with_zeros(short, full):
    assert normalize_code(short) == full


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("3703031", "有 7 位"),
        ("37030300100A", "只能由数字组成"),
        ("", "不能为空"),
        ("000000000000", "省级代码不能为 00"),
        ("３７０３００", "只能由数字组成"),
    ],
)
def test_bad_codes_say_what_is_wrong(raw, message):
    with pytest.raises(RegionCodeError, match=message):
        normalize_code(raw)


def test_a_village_is_within_its_township_county_city_and_province_but_not_a_neighbour():
    village = "370303001001"
    for ancestor in ("370303001000", "370303000000", "370300000000", "370000000000"):
        assert is_within(village, ancestor)
    assert not is_within(village, "370303002000")
    assert not is_within(village, "370302000000")


def test_pooling_region_is_the_city_of_any_code_below_it():
    assert pooling_region_code("370303001001") == "370300000000"
    assert pooling_region_code("370300000000") == "370300000000"
    with pytest.raises(RegionCodeError):
        pooling_region_code("370000000000")
