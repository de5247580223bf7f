"""Duplicate enrollments (重复参保) on the station: the clerk of the enrollment's region sees the
open ones, masked, and resolves each once: 退费注销 (a refund request when the person paid, which
the officers' refund approval turns into the cancellation; the cancellation itself when nothing
was paid) or 核实保留 with a reason."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enrollment.life_events.duplicates import duplicate_resolve
from enrollment.life_events.models import DuplicateEnrollment
from enrollment.models import Enrollment, InsuredElsewhere, Refund
from enrollment.services import refund_approve
from tests.enrollment.life_events.test_elsewhere_import import EMPLOYER, LIU, ROWS, SUN, ZHANG, row, run
from tests.logins import otp_login

LIST = reverse("station:duplicates")


def resolve_url(duplicate) -> str:
    return reverse("station:duplicate_resolve", args=[duplicate.pk])


def duplicate_of(name: str) -> DuplicateEnrollment:
    return DuplicateEnrollment.objects.select_related("enrollment").get(enrollment__resident__name=name)


@pytest.fixture
def found(demo, officer):
    """张建国 (paid) and 刘桂英 (unpaid) of 车站街道 and 孙丽 (paid) of 公园街道 on the employee list."""
    run([*ROWS, row(SUN, "孙丽")], user=officer)


@pytest.mark.django_db
def test_the_list_shows_the_open_duplicates_of_the_scope_masked(found, clerk_chezhan):
    client = otp_login(Client(), clerk_chezhan)

    page = client.get(LIST).content.decode()

    assert "张建国" in page and "刘桂英" in page and "孙丽" not in page
    assert ZHANG not in page and LIU not in page and ZHANG[:6] + "********" + ZHANG[-4:] in page
    assert EMPLOYER in page and "职工基本医疗保险" in page and "淄博市职工医保" in page
    assert "退费注销" in page and "核实保留" in page


@pytest.mark.django_db
def test_the_nav_leads_the_clerks_who_resolve_them_to_the_list(found, clerk_chezhan):
    page = otp_login(Client(), clerk_chezhan).get(reverse("station:home")).content.decode()

    assert f'href="{LIST}"' in page and "重复参保" in page


@pytest.mark.django_db
def test_the_residents_page_shows_an_open_duplicate(found, clerk_chezhan):
    client = otp_login(Client(), clerk_chezhan)
    liu = duplicate_of("刘桂英").enrollment.resident

    page = client.get(reverse("station:resident", args=[liu.pk])).content.decode()

    assert "重复参保待处理" in page and EMPLOYER in page


@pytest.mark.django_db
def test_cancelling_a_paid_duplicate_puts_a_refund_on_the_refund_list_and_its_approval_cancels(
        found, clerk_chezhan, officer):
    client = otp_login(Client(), clerk_chezhan)
    duplicate = duplicate_of("张建国")

    response = client.post(resolve_url(duplicate), {"action": "cancel"}, follow=True)

    assert "已申请退还个人缴费 410.00 元" in response.content.decode()
    refund = Refund.objects.get(enrollment=duplicate.enrollment)
    assert refund.reason == Refund.Reason.DUPLICATE and refund.amount == duplicate.enrollment.payable
    assert EMPLOYER in refund.note
    duplicate.refresh_from_db()
    assert duplicate.status == "cancelled" and duplicate.resolved_by == clerk_chezhan
    assert "张建国" not in client.get(LIST).content.decode()
    refunds = otp_login(Client(), officer).get(reverse("admin:enrollment_refund_changelist") + "?approved=no")
    assert "重复参保" in refunds.content.decode() and "张建国" in refunds.content.decode()
    refund_approve(refund=refund, approver=officer)
    assert Enrollment.objects.get(pk=duplicate.enrollment.pk).status == Enrollment.Status.CANCELLED


@pytest.mark.django_db
def test_cancelling_an_unpaid_duplicate_cancels_the_enrollment_without_a_refund(found, clerk_chezhan):
    client = otp_login(Client(), clerk_chezhan)
    duplicate = duplicate_of("刘桂英")

    response = client.post(resolve_url(duplicate), {"action": "cancel"}, follow=True)

    assert "个人未缴费，参保登记已注销" in response.content.decode()
    assert Enrollment.objects.get(pk=duplicate.enrollment.pk).status == Enrollment.Status.CANCELLED
    assert not Refund.objects.filter(enrollment=duplicate.enrollment).exists()


@pytest.mark.django_db
def test_cancelling_an_enrollment_already_on_the_refund_list_asks_no_second_refund(found, clerk_chezhan):
    from enrollment.services import refund_request

    duplicate = duplicate_of("张建国")
    refund_request(enrollment=duplicate.enrollment, reason=Refund.Reason.OTHER, note="本人申请", clerk=clerk_chezhan)

    done = duplicate_resolve(duplicate=duplicate, action="cancel", note="", clerk=clerk_chezhan, now=timezone.now())

    assert done.status == "cancelled"
    assert Refund.objects.get(enrollment=duplicate.enrollment).reason == Refund.Reason.OTHER


@pytest.mark.django_db
def test_a_kept_person_counts_as_expected_again_and_the_same_list_again_does_not_undo_it(found, clerk_chezhan,
                                                                                          officer):
    duplicate = duplicate_of("刘桂英")
    person, year = duplicate.enrollment.resident, duplicate.enrollment.year
    assert InsuredElsewhere.objects.filter(resident=person, year=year).exists()

    duplicate_resolve(duplicate=duplicate, action="keep", note="已离职，职工医保停保", clerk=clerk_chezhan,
                      now=timezone.now())

    assert not InsuredElsewhere.objects.filter(resident=person, year=year).exists()
    run([*ROWS, row(SUN, "孙丽")], user=officer)
    assert not InsuredElsewhere.objects.filter(resident=person, year=year).exists()
    assert DuplicateEnrollment.objects.get(pk=duplicate.pk).status == "checked"


@pytest.mark.django_db
def test_keeping_a_duplicate_needs_a_reason(found, clerk_chezhan):
    client = otp_login(Client(), clerk_chezhan)
    duplicate = duplicate_of("刘桂英")

    refused = client.post(resolve_url(duplicate), {"action": "keep", "note": " "}, follow=True).content.decode()
    assert "请写明原因" in refused
    duplicate.refresh_from_db()
    assert duplicate.status == "open"

    kept = client.post(resolve_url(duplicate), {"action": "keep", "note": "2021 年底已离职，职工医保停保"}, follow=True)
    assert "已核实保留本地参保" in kept.content.decode()
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.resolution_note) == ("checked", "2021 年底已离职，职工医保停保")
    assert Enrollment.objects.get(pk=duplicate.enrollment.pk).status == Enrollment.Status.ACTIVE


@pytest.mark.django_db
def test_a_resolved_duplicate_cannot_be_resolved_again(found, clerk_chezhan):
    client = otp_login(Client(), clerk_chezhan)
    duplicate = duplicate_of("张建国")
    client.post(resolve_url(duplicate), {"action": "keep", "note": "已核实"})

    again = client.post(resolve_url(duplicate), {"action": "cancel"}, follow=True).content.decode()

    assert "已由" in again and "不能再次处理" in again
    assert not Refund.objects.filter(enrollment=duplicate.enrollment).exists()


@pytest.mark.django_db
def test_a_clerk_of_another_township_cannot_resolve_ours(found, clerk_other):
    client = otp_login(Client(), clerk_other)
    duplicate = duplicate_of("张建国")

    assert client.post(resolve_url(duplicate), {"action": "cancel"}).status_code == 404
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        duplicate_resolve(duplicate=duplicate, action="cancel", note="", clerk=clerk_other, now=timezone.now())
    duplicate.refresh_from_db()
    assert duplicate.status == "open"


@pytest.mark.django_db
def test_an_officer_without_the_permission_is_refused_the_list(found, officer):
    assert otp_login(Client(), officer).get(LIST).status_code == 403


@pytest.mark.django_db
def test_the_list_is_access_logged(found, clerk_chezhan):
    from portal.privacy.models import AccessLogEntry

    otp_login(Client(), clerk_chezhan).get(LIST)

    assert AccessLogEntry.objects.filter(user=clerk_chezhan, action="view_duplicates").exists()


# -- Two clerks at once (PostgreSQL) ---------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers")
def test_two_clerks_resolving_one_duplicate_at_once_make_one_resolution_and_one_refund(demo, officer, clerk_chezhan):
    from tests.factories import staff_user

    run(ROWS, user=officer)
    second = staff_user(role="clerk", scope=clerk_chezhan.staff_profile.scope)
    duplicate = duplicate_of("张建国")
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def clerk_resolves(index: int, clerk) -> None:
        try:
            barrier.wait()
            outcomes[index] = duplicate_resolve(duplicate=duplicate, action="cancel", note="", clerk=clerk,
                                                now=timezone.now())
        except Exception as error:  # collected and asserted on below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk_resolves, args=(index, clerk))
               for index, clerk in enumerate((clerk_chezhan, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    resolved = [o for o in outcomes if isinstance(o, DuplicateEnrollment)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(resolved) == 1 and len(refused) == 1, outcomes
    assert "不能再次处理" in refused[0].messages[0]
    assert Refund.objects.filter(enrollment=duplicate.enrollment, reason=Refund.Reason.DUPLICATE).count() == 1
