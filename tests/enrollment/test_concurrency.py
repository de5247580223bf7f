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


def test_twenty_confirmations_of_one_roll_import_it_once(demo, clerk_chezhan, settings, tmp_path):
    from enrollment.imports.confirmation import roll_confirm
    from enrollment.imports.rolls import RollRow
    from enrollment.imports.staging import roll_stage
    from enrollment.models import RollImport
    from portal.privacy.id_numbers import make_id_number

    settings.ROLL_UPLOAD_DIR = tmp_path
    today = date(2021, 10, 15)
    people = [RollRow(2 + n, make_id_number("370303", date(1990, 1, 1 + n), 700 + n), f"并发{n}", "", "370303001002",
                      "成年居民") for n in range(3)]
    token = roll_stage(rows=people, year=2022, filename="名单.csv", user=clerk_chezhan, on=today)

    outcomes = run_at_once(lambda: roll_confirm(token=token, user=clerk_chezhan, today=today, address=None))

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o.done is not None and not o.already for o in outcomes) == 1
    assert sum(o.already for o in outcomes) == THREADS - 1
    assert RollImport.objects.get(token=token).enrollments == 3
    assert Enrollment.objects.filter(year=2022, resident__name__startswith="并发").count() == 3
