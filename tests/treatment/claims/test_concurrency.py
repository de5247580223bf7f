"""Clerks recording one invoice at the same moment: one claim, and the rest told where the
invoice went. Real concurrency needs a database server: these run on PostgreSQL and skip on
SQLite."""

from itertools import count

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.enrollment.test_concurrency import THREADS, run_at_once
from tests.treatment.claims.conftest import submit, visit
from treatment.claims.models import Claim, ClaimStep, ClaimVisit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
]


def _outcomes(work) -> tuple[list, list]:
    outcomes = run_at_once(work)
    claims = [o for o in outcomes if isinstance(o, Claim)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(claims) + len(refused) == THREADS, outcomes
    return claims, refused


def test_clerks_recording_one_persons_invoice_at_once_make_one_claim(zhang, clerk_chezhan):
    claims, refused = _outcomes(lambda: submit(zhang, clerk_chezhan, visit(invoice_number="SAME-1")))
    assert len(claims) == 1 and len(refused) == THREADS - 1
    assert all(f"已在零星报销 {claims[0].number}" in r.messages[0] for r in refused)
    assert ClaimVisit.objects.filter(invoice_number="SAME-1").count() == 1 and ClaimStep.objects.count() == 1


def test_one_invoice_recorded_for_two_people_at_once_is_claimed_once(zhang, wang, clerk_chezhan):
    turn = count()
    claims, refused = _outcomes(
        lambda: submit(zhang if next(turn) % 2 else wang, clerk_chezhan, visit(invoice_number="SAME-2")))
    assert len(claims) == 1 and len(refused) == THREADS - 1
    # Whether the row lock or the unique constraint stopped it, each is told which claim has it.
    assert all(f"已在零星报销 {claims[0].number}" in r.messages[0] for r in refused)
    assert Claim.objects.count() == 1 and ClaimVisit.objects.count() == 1
