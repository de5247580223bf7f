"""Clerks recording one person's application, and officers deciding one, at the same moment: the
row locks let one through and the others are told why.

Real concurrency needs a database server: these run on PostgreSQL and skip on SQLite.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.enrollment.test_concurrency import THREADS, run_at_once
from tests.treatment.chronic.conftest import TODAY, apply
from treatment.chronic.models import ChronicRecognition
from treatment.chronic.services import recognition_decide

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
]


def test_simultaneous_applications_for_one_disease_record_one(wang, clerk_chezhan):
    outcomes = run_at_once(lambda: apply(wang, clerk_chezhan))
    recorded = [o for o in outcomes if isinstance(o, ChronicRecognition)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(recorded) == 1 and len(refused) == THREADS - 1, outcomes
    assert all("已有待认定的申请" in r.messages[0] for r in refused)
    assert ChronicRecognition.objects.filter(resident=wang).count() == 1


def test_simultaneous_decisions_on_one_application_make_one(wang, clerk_chezhan, officer):
    recognition = apply(wang, clerk_chezhan)
    counter = iter(range(THREADS))

    def decide():
        recognise = next(counter) % 2 == 1
        return recognition_decide(recognition_id=recognition.pk, officer=officer, recognise=recognise,
                                  valid_from=TODAY, notes="" if recognise else "材料不全")

    outcomes = run_at_once(decide)
    decided = [o for o in outcomes if isinstance(o, ChronicRecognition)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(decided) == 1 and len(refused) == THREADS - 1, outcomes
    assert all("已经办结" in r.messages[0] for r in refused)
    assert ChronicRecognition.objects.get(pk=recognition.pk).status == decided[0].status
