import pytest
from django.contrib.auth.models import AnonymousUser

from portal.network.models import Region, ServicePoint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_township_clerk_sees_the_township_and_its_villages_only(clerk_chezhan):
    codes = set(Region.objects.visible_to(clerk_chezhan).values_list("code", flat=True))
    assert codes == {"370303001000", "370303001001", "370303001002", "370303001003"}


def test_a_township_clerk_sees_nothing_of_another_township(clerk_chezhan):
    other = Region.objects.get(code="370303002000")
    assert not Region.objects.visible_to(clerk_chezhan).within(other).exists()
    assert not ServicePoint.objects.visible_to(clerk_chezhan).filter(region__code__startswith="370303002").exists()


def test_service_points_in_scope_include_the_township_station_and_village_points(clerk_chezhan):
    names = set(ServicePoint.objects.visible_to(clerk_chezhan).values_list("name", flat=True))
    assert "车站街道医保工作站" in names
    assert "华光路社区医保服务点" in names
    assert "公园街道医保工作站" not in names
    assert "张店区医疗保障服务大厅" not in names


def test_the_officer_of_the_city_sees_the_whole_city(officer):
    assert Region.objects.visible_to(officer).count() == Region.objects.filter(code__startswith="3703").count()


def test_a_user_without_a_scope_sees_nothing(demo_network):
    assert not Region.objects.visible_to(UserFactory()).exists()
    assert not ServicePoint.objects.visible_to(UserFactory(is_superuser=True)).exists()


def test_anonymous_and_deactivated_users_see_nothing(clerk_chezhan):
    assert not Region.objects.visible_to(AnonymousUser()).exists()
    clerk_chezhan.is_active = False
    assert not Region.objects.visible_to(clerk_chezhan).exists()
