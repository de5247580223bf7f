"""Two officers deciding one application at the same moment: the row lock lets one through.

Real concurrency needs a database server: these run on PostgreSQL and skip on SQLite.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from assistance.models import Application, ApplicationStep
from tests.assistance.case_helpers import step, submit
from tests.enrollment.test_concurrency import THREADS, run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
]


def test_simultaneous_decisions_on_one_application_make_one_step(wang, village_clerk, clerk_chezhan, officer,
                                                                   on_2022_window):
    application = submit(wang, village_clerk)
    step(application, "review", clerk_chezhan, on_2022_window)
    counter = iter(range(THREADS))

    def decide():
        # Half approve, half reject: whichever locks the row first decides, the rest are refused.
        if next(counter) % 2:
            return step(application, "approve", officer, on_2022_window, approved_amount=Decimal("100.00"))
        return step(application, "reject", officer, on_2022_window, notes="收入超标。")

    outcomes = run_at_once(decide)
    decided = [o for o in outcomes if isinstance(o, Application)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(decided) == 1 and len(refused) == THREADS - 1, outcomes
    assert all("不能办理" in r.messages[0] for r in refused)
    assert ApplicationStep.objects.filter(application=application, action__in=["approve", "reject"]).count() == 1
    assert Application.objects.get(pk=application.pk).status == decided[0].status
