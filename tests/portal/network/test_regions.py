import pytest
from django.core.exceptions import ValidationError

from portal.network.codes import Level
from portal.network.models import Region, ServicePoint
from tests.factories import RegionFactory, ServicePointFactory, region_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """Two branches that share a province and city, one region per level in each, in a province
    the demo does not have (41 河南省)."""
    province, city, county, township, village = region_chain(
        "41", "4101", "410102", "410102001", "410102001001"
    )
    other_county = RegionFactory(code="410103000000", parent=city)
    other_township = RegionFactory(code="410103001000", parent=other_county)
    other_village = RegionFactory(code="410103001001", parent=other_township)
    # Same digits as the village at the start of the township part: must not leak across.
    lookalike_township = RegionFactory(code="410102010000", parent=county)
    return {
        "province": province, "city": city, "county": county, "township": township,
        "village": village, "other_county": other_county, "other_township": other_township,
        "other_village": other_village, "lookalike_township": lookalike_township,
    }


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        ("province", {"province", "city", "county", "township", "village", "other_county",
                      "other_township", "other_village", "lookalike_township"}),
        ("city", {"city", "county", "township", "village", "other_county", "other_township",
                  "other_village", "lookalike_township"}),
        ("county", {"county", "township", "village", "lookalike_township"}),
        ("township", {"township", "village"}),
        ("village", {"village"}),
    ],
)
def test_everything_under_a_region_at_any_depth(tree, root, expected, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = set(Region.objects.within(tree[root]).values_list("code", flat=True))
    assert codes == {tree[name].code for name in expected}


def test_level_is_derived_from_the_code(tree):
    assert [tree[name].level for name in ("province", "city", "county", "township", "village")] == [
        Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE,
    ]


def test_ancestors_come_top_first_in_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = [region.code for region in tree["village"].ancestors()]
    assert names == [tree[name].code for name in ("province", "city", "county", "township")]


def test_rows_of_other_models_are_filtered_through_their_region(tree):
    inside = ServicePointFactory(region=tree["village"])
    ServicePointFactory(region=tree["other_village"])
    assert list(ServicePoint.objects.within(tree["township"])) == [inside]


def test_a_parent_that_is_not_an_ancestor_by_code_is_refused(tree):
    region = Region(code="410102001002", name="错挂社区", parent=tree["other_township"])
    with pytest.raises(ValidationError) as caught:
        region.full_clean()
    assert "不是 410102001002 的上级" in str(caught.value)


def test_only_a_province_may_have_no_parent():
    region = Region(code="410102001002", name="无上级社区")
    with pytest.raises(ValidationError) as caught:
        region.full_clean()
    assert "每个区划都要有上级区划" in str(caught.value)
