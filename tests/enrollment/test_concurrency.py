"""Two clerks at once, double clicks and retries: the database decides, nothing is doubled.

Real concurrency needs a database server: these run on PostgreSQL (CI) and skip on SQLite.
"""

import threading
import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from enrollment import services
from enrollment.models import Enrollment, Payment, Resident
from portal.shared.vocabulary import Category

THREADS = 20

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
]


def run_at_once(work) -> list:
    """Run work() in THREADS threads released together; return what each returned or raised."""
    barrier = threading.Barrier(THREADS)
    outcomes: list = [None] * THREADS

    def worker(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = work()
        except Exception as error:  # collected and asserted on below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_twenty_clerks_enrolling_one_person_make_one_enrollment(demo, clerk_chezhan):
    resident = Resident.objects.get(name="赵伟")  # not enrolled for 2022 in the demo

    outcomes = run_at_once(lambda: services.enrollment_register(
        resident=resident, year=2022, category=Category.ADULT, clerk=clerk_chezhan, on=date(2021, 10, 15)
    ))

    created = [o for o in outcomes if isinstance(o, Enrollment)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(created) == 1
    assert len(refused) == THREADS - 1, [o for o in outcomes if not isinstance(o, (Enrollment, ValidationError))]
    assert all("同一人同一年度只能参保一次" in r.messages[0] for r in refused)
    assert Enrollment.objects.filter(resident=resident, year=2022).count() == 1


def test_twenty_submissions_of_one_payment_form_record_one_payment(demo, clerk_chezhan):
    enrollment = Enrollment.objects.get(resident__name="刘桂英", year=2022)
    token = uuid.uuid4()

    outcomes = run_at_once(lambda: services.payment_record(
        enrollment=enrollment, amount=enrollment.payable, method="cash", token=token, clerk=clerk_chezhan
    ))

    assert all(isinstance(o, Payment) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert Payment.objects.filter(enrollment=enrollment).count() == 1


def test_twenty_payments_with_different_tokens_still_record_one(demo, clerk_chezhan):
    enrollment = Enrollment.objects.get(resident__name="陈志强", year=2022)

    outcomes = run_at_once(lambda: services.payment_record(
        enrollment=enrollment, amount=enrollment.payable, method="cash", token=uuid.uuid4(), clerk=clerk_chezhan
    ))

    assert sum(isinstance(o, Payment) for o in outcomes) == 1
    assert sum(isinstance(o, ValidationError) and "已缴费" in o.messages[0] for o in outcomes) == THREADS - 1
    assert Payment.objects.filter(enrollment=enrollment).count() == 1
