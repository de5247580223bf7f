import io

import pytest
from django.contrib.auth.models import Group, User
from django.core import serializers
from django.core.management import call_command

from portal.accounts.models import StaffProfile
from portal.network.models import Region, ServicePoint

pytestmark = pytest.mark.django_db

DEMO_MODELS = (Region, ServicePoint, StaffProfile, User, Group)


def snapshot() -> str:
    return "".join(
        serializers.serialize("json", model.objects.order_by("pk"), use_natural_foreign_keys=False)
        for model in DEMO_MODELS
    )


def test_load_demo_twice_changes_nothing():
    call_command("load_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("load_demo", stdout=io.StringIO())
    assert snapshot() == first


def test_demo_network_has_the_regions_points_and_accounts_of_the_issue(demo_network):
    codes = set(Region.objects.values_list("code", flat=True))
    counties = {"370302", "370303", "370304", "370305", "370306", "370321", "370322", "370323"}
    assert {code.ljust(12, "0") for code in counties} <= codes
    assert {"370303001000", "370303001001", "370303001002"} <= codes
    assert Region.objects.filter(level=4, code__startswith="370303").count() >= 3
    assert Region.objects.filter(level=4).exclude(code__startswith="370303").count() >= 2
    for township in Region.objects.filter(level=4):
        assert township.children.count() >= 2
    # A point for the city, every county, every township and every village.
    covered = set(ServicePoint.objects.values_list("region__code", flat=True))
    assert codes - {"370000000000"} <= covered
    clerk = StaffProfile.objects.get(user__username="clerk_chezhan")
    assert clerk.scope.code == "370303001000"
    assert clerk.home_service_point.kind == ServicePoint.Kind.TOWNSHIP_STATION
    other = StaffProfile.objects.get(user__username="clerk_other")
    assert not other.scope.code.startswith("370303001")


def test_demo_passwords_work(demo_network):
    for username in ("officer", "clerk_chezhan", "clerk_other"):
        assert User.objects.get(username=username).check_password("portal-demo-2022")


def test_roles_are_groups_with_real_permissions(demo_network):
    clerk = User.objects.get(username="clerk_chezhan")
    officer = User.objects.get(username="officer")
    assert clerk.has_perm("portal.use_station") and not clerk.has_perm("portal.change_region")
    assert officer.has_perm("portal.change_region") and officer.has_perm("portal.change_servicepoint")
    assert not officer.has_perm("portal.use_station")
