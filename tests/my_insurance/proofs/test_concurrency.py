"""Many submissions of one 参保证明 at once make one proof: the person's row is locked while the
proof is looked for and made. Real concurrency needs PostgreSQL; skipped on SQLite."""

import pytest
from django.db import connection

from my_insurance.proofs.models import InsuranceProof
from my_insurance.proofs.services import proof_issue
from tests.enrollment.test_concurrency import THREADS, run_at_once
from tests.my_insurance.proofs.helpers import NOW, person

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
]


def test_twenty_submissions_at_once_of_the_same_years_make_one_proof(demo):
    wang = person("王秀兰")

    outcomes = run_at_once(lambda: proof_issue(resident=wang, years=[2021, 2022], now=NOW))

    assert all(isinstance(outcome, InsuranceProof) for outcome in outcomes), outcomes
    assert len({outcome.pk for outcome in outcomes}) == 1 and len(outcomes) == THREADS
    assert InsuranceProof.objects.filter(resident=wang).count() == 1
