"""The station's 应保尽保 list, and the subsidy a verified identity brings at enrollment."""

from datetime import date
from decimal import Decimal

import pytest

from assistance.identities.services import categories_refresh
from enrollment.models import Resident
from enrollment.services import enrollment_register
from portal.network.models import Region
from portal.privacy.id_numbers import make_id_number
from portal.privacy.id_vault import id_digest
from portal.shared.vocabulary import Category
from tests.assistance.identity_helpers import NOBODY, SUN_LI, WANG, identity, second_officer
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

ZHAO_WEI = make_id_number("370303", date(1990, 3, 3), 55)  # 车站街道, enrolled 2021, not 2022
ZHOU_QIANG = make_id_number("370303", date(1972, 7, 7), 77)  # 公园街道, not enrolled for 2022
URL = "/station/assistance/uninsured/?year=2022"


@pytest.fixture
def lists(demo, officer, on_2022_window):
    checker = second_officer()
    identity(ZHAO_WEI, name="赵伟", document="张民低7号", imported_by=officer, verified_by=checker)
    identity(WANG, imported_by=officer, verified_by=checker)  # enrolled for 2022: not listed
    identity(NOBODY, name="马春兰", category="extreme_poverty", document="张民特3号", imported_by=officer, verified_by=checker)
    identity(SUN_LI, name="孙丽", document="张民低8号", imported_by=officer)  # pending: not listed
    identity(ZHOU_QIANG, name="周强", category="monitored", department="rural_revitalization", document="张振监1号",
             valid_to=date(2021, 6, 30), imported_by=officer, verified_by=checker)  # ended: not listed
    categories_refresh(on=on_2022_window)


def test_a_clerk_sees_people_of_their_township_with_a_current_identity_and_no_enrollment(lists, client, clerk_chezhan):
    client.force_login(clerk_chezhan)
    response = client.get(URL)
    page = response.content.decode()
    rows = response.context["page"].object_list
    assert [(row.name, row.category.value) for row in rows] == [("赵伟", "minimum_living")]
    assert ZHAO_WEI not in page and ZHAO_WEI[:6] + "********" + ZHAO_WEI[-4:] in page
    assert "马春兰" not in page  # not registered: a township clerk cannot tell where she lives


def test_a_clerk_of_another_township_sees_nothing_of_chezhan(lists, client, clerk_other):
    client.force_login(clerk_other)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["page"].object_list == []
    assert "赵伟" not in response.content.decode()


def test_county_staff_also_see_people_not_registered_yet(lists, client):
    county_clerk = staff_user(role="clerk", scope=Region.objects.get(code="370303000000"), username="county_clerk")
    client.force_login(county_clerk)
    rows = client.get(URL).context["page"].object_list
    assert [(row.name, row.village) for row in rows] == [("赵伟", Resident.objects.get(name="赵伟").region.name), ("马春兰", "未登记")]
    assert rows[1].resident_id is None and rows[1].id_masked == NOBODY[:6] + "********" + NOBODY[-4:]


def test_the_export_has_masked_numbers_only(lists, client, clerk_chezhan):
    client.force_login(clerk_chezhan)
    response = client.get(URL + "&format=csv")
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "赵伟" in body and "低保对象" in body
    assert ZHAO_WEI not in body and ZHAO_WEI[-4:] in body


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get("/station/assistance/uninsured/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_station_nav_links_to_the_list(demo, client, clerk_chezhan):
    client.force_login(clerk_chezhan)
    page = client.get("/station/").content.decode()
    assert 'href="/station/assistance/uninsured/"' in page and "应保尽保名单" in page


# -- the subsidy at enrollment (DESIGN.md sections 5 and 7: 低保对象 200 yuan in 2022) -----------

def test_a_verified_current_minimum_living_identity_gives_the_subsidy(demo, officer, clerk_chezhan, on_2022_window):
    identity(ZHAO_WEI, name="赵伟", document="张民低7号", imported_by=officer, verified_by=second_officer())
    categories_refresh(on=on_2022_window)
    zhao = Resident.objects.get(id_digest=id_digest(ZHAO_WEI))
    enrollment = enrollment_register(resident=zhao, year=2022, category=Category.ADULT, clerk=clerk_chezhan, on=on_2022_window)
    assert (enrollment.assistance_category, enrollment.subsidy, enrollment.payable) == (
        "minimum_living", Decimal("200.00"), Decimal("210.00"),
    )


def test_an_identity_that_ended_gives_no_subsidy(demo, officer, clerk_chezhan, on_2022_window):
    identity(ZHAO_WEI, name="赵伟", document="张民低7号", valid_to=date(2021, 9, 30), imported_by=officer,
             verified_by=second_officer())
    categories_refresh(on=date(2021, 9, 30))
    assert Resident.objects.get(id_digest=id_digest(ZHAO_WEI)).assistance_category == "minimum_living"
    categories_refresh(on=on_2022_window)  # the daily refresh the morning after it ended
    zhao = Resident.objects.get(id_digest=id_digest(ZHAO_WEI))
    enrollment = enrollment_register(resident=zhao, year=2022, category=Category.ADULT, clerk=clerk_chezhan, on=on_2022_window)
    assert (enrollment.assistance_category, enrollment.subsidy, enrollment.payable) == ("", Decimal("0.00"), Decimal("410.00"))


def test_a_pending_identity_gives_no_subsidy(demo, officer, clerk_chezhan, on_2022_window):
    identity(ZHAO_WEI, name="赵伟", document="张民低7号", imported_by=officer)
    categories_refresh(on=on_2022_window)
    zhao = Resident.objects.get(id_digest=id_digest(ZHAO_WEI))
    enrollment = enrollment_register(resident=zhao, year=2022, category=Category.ADULT, clerk=clerk_chezhan, on=on_2022_window)
    assert enrollment.subsidy == Decimal("0.00")
