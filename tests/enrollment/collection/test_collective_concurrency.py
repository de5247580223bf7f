"""集体代缴 under real concurrency: a double submit or a retry records one payment, and two
groups that share people are never both recorded, nor one in part.

Real concurrency needs a database server: these run on PostgreSQL (CI) and skip on SQLite.
"""

import itertools
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from enrollment.models import CollectivePayment, Enrollment, Payment
from tests.enrollment.collection.test_collective import record, unpaid_people
from tests.enrollment.test_concurrency import THREADS, run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
]


def test_twenty_submissions_of_one_collective_form_record_it_once(demo, clerk_chezhan):
    people = unpaid_people(clerk_chezhan, 5)
    token = uuid.uuid4()

    outcomes = run_at_once(lambda: record(people, clerk_chezhan, token=token))

    assert all(isinstance(o, CollectivePayment) for o in outcomes), outcomes
    assert len({o.pk for o in outcomes}) == 1
    assert CollectivePayment.objects.count() == 1
    assert Payment.objects.filter(enrollment__in=people).count() == 5
    assert not Enrollment.objects.filter(pk__in=[e.pk for e in people], paid_at__isnull=True).exists()


def test_overlapping_groups_under_different_tokens_one_wins_and_the_others_record_nothing(demo, clerk_chezhan):
    people = unpaid_people(clerk_chezhan, 6)
    # Two classes of a school that share two pupils, each submitted ten times with its own token.
    first, second = people[:4], people[2:]

    turns = itertools.count()  # next() is atomic under the GIL: half the threads each

    outcomes = run_at_once(lambda: record(first if next(turns) % 2 else second, clerk_chezhan))

    recorded = [o for o in outcomes if isinstance(o, CollectivePayment)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(recorded) == 1, outcomes
    assert len(refused) == THREADS - 1, [o for o in outcomes if not isinstance(o, (CollectivePayment, ValidationError))]
    assert all("已缴费" in " ".join(r.messages) for r in refused)
    winner = recorded[0]
    paid = set(Payment.objects.filter(enrollment__in=people).values_list("enrollment_id", flat=True))
    # Exactly the winner's people paid, each once: the loser's own two were not paid in part.
    assert paid == set(winner.payments.values_list("enrollment_id", flat=True))
    assert len(paid) == 4 and winner.total == Decimal("1640.00")
    assert Payment.objects.filter(enrollment__in=people).count() == 4
    assert set(Enrollment.objects.filter(pk__in=[e.pk for e in people], paid_at__isnull=False)
               .values_list("pk", flat=True)) == paid

