"""Every station URL answers 404 for another township's objects and sends strangers to login.

The URL patterns are read from enrollment.urls: a new URL with an object id and no entry in
OBJECT_OF_URL makes this test fail until someone says which object it shows.
"""

import uuid

import pytest
from django.urls import URLPattern, reverse

from enrollment import urls as station_urls
from enrollment.collection.collective import collective_payment_record
from enrollment.life_events.models import DuplicateEnrollment
from enrollment.models import CollectivePayment, Enrollment, Payment, Resident, TaxVoucher
from tests.test_scope_everywhere import _duplicate, _tax_voucher

pytestmark = pytest.mark.django_db

OBJECT_OF_URL = {
    "resident": Resident,
    "resident_edit": Resident,
    "resident_death": Resident,
    "resident_move_out": Resident,
    "enroll": Resident,
    "insured_elsewhere": Resident,
    "resident_id_number": Resident,
    "newborn": Resident,  # a newborn is a Resident registered with its birth certificate
    "enrollment": Enrollment,
    "payment_create": Enrollment,
    "refund_create": Enrollment,
    "receipt": Payment,
    "collective_detail": CollectivePayment,
    "tax_voucher_resolve": TaxVoucher,
    "duplicate_resolve": DuplicateEnrollment,
}


def station_patterns() -> list[URLPattern]:
    return [p for p in station_urls.urlpatterns if isinstance(p, URLPattern)]


def object_patterns() -> list[URLPattern]:
    return [p for p in station_patterns() if "pk" in p.pattern.converters]


def test_every_station_url_with_an_object_id_is_covered():
    missing = {p.name for p in object_patterns()} - set(OBJECT_OF_URL)
    assert not missing, f"add these station URLs to OBJECT_OF_URL: {missing}"


@pytest.fixture
def chezhan_objects(demo, clerk_chezhan, officer):
    """One object of each kind in 车站街道, the other clerk's neighbour township."""
    resident = Resident.objects.get(name="王秀兰")
    enrollment = Enrollment.objects.get(resident=resident, year=2022)
    unpaid = Enrollment.objects.get(resident__name="陈志强", year=2022)
    collective = collective_payment_record(enrollment_ids=[unpaid.pk], payer_name="共青团路社区居委会", method="cash",
                                           confirmed_total=unpaid.payable, token=uuid.uuid4(), clerk=clerk_chezhan)
    return {Resident: resident, Enrollment: enrollment, Payment: enrollment.payments.get(), CollectivePayment: collective,
            TaxVoucher: _tax_voucher(officer), DuplicateEnrollment: _duplicate(officer)}


@pytest.mark.parametrize("pattern", object_patterns(), ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_clerk_of_another_township_gets_404(client, clerk_other, chezhan_objects, pattern, method):
    client.force_login(clerk_other)
    url = reverse(f"station:{pattern.name}", kwargs={"pk": chezhan_objects[OBJECT_OF_URL[pattern.name]].pk})
    response = getattr(client, method)(url)
    assert response.status_code in (404, 405), (url, response.status_code)
    if response.status_code == 405:  # the method is not allowed here; the other one must 404
        other = client.post(url) if method == "get" else client.get(url)
        assert other.status_code == 404


@pytest.mark.parametrize("pattern", station_patterns(), ids=lambda p: p.name)
def test_anonymous_visitors_are_sent_to_login(client, chezhan_objects, pattern):
    kwargs = {"pk": chezhan_objects[OBJECT_OF_URL[pattern.name]].pk} if pattern.name in OBJECT_OF_URL else {}
    response = client.get(reverse(f"station:{pattern.name}", kwargs=kwargs))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_nothing_changed_after_the_other_clerk_tried(client, clerk_other, chezhan_objects):
    client.force_login(clerk_other)
    resident = chezhan_objects[Resident]
    client.post(f"/station/residents/{resident.pk}/death/", {"date_of_death": "2021-11-30"})
    client.post(f"/station/residents/{resident.pk}/edit/", {"name": "改名", "region": resident.region_id})
    resident.refresh_from_db()
    assert resident.name == "王秀兰" and resident.date_of_death is None
