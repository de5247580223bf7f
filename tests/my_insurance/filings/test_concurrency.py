"""A form sent many times at once (a double tap, a retry over a slow network) makes one filing.

Real concurrency needs a database server: this runs on PostgreSQL and skips on SQLite, which
serialises all writers.
"""

import pytest
from django.db import connection

from enrollment.models import Resident
from tests.enrollment.test_concurrency import THREADS, run_at_once
from tests.my_insurance.filings.conftest import TODAY
from treatment.filings.models import Filing, FilingKind
from treatment.filings.services import FilingAlreadyMade, filing_create_online

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
]


def test_identical_online_submissions_at_once_make_one_filing(demo):
    wang = Resident.objects.get(name="王秀兰")

    outcomes = run_at_once(lambda: filing_create_online(
        resident=wang, kind=FilingKind.EMERGENCY, province="北京市", city="北京市", valid_from=TODAY, today=TODAY,
    ))

    made = [o for o in outcomes if isinstance(o, Filing)]
    already = [o for o in outcomes if isinstance(o, FilingAlreadyMade)]
    assert len(made) == 1, outcomes
    assert len(already) == THREADS - 1, [o for o in outcomes if not isinstance(o, (Filing, FilingAlreadyMade))]
    assert all(o.filing.pk == made[0].pk for o in already)
    assert Filing.objects.filter(resident=wang).count() == 1
