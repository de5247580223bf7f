"""Two senders of collection reminders at once on the same day (the daily command and an officer's
click, or two clicks): each person is reminded once and logged once.

Real concurrency needs a database server: these run on PostgreSQL (CI) and skip on SQLite.
"""

import threading

import pytest
from django.db import connection, connections

from enrollment.collection import reminders
from enrollment.collection.reminders import reminders_send
from enrollment.models import CollectionReminder
from tests.enrollment.collection.test_reminders import TODAY, person, reminder_village

SENDERS = 6

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
]


def run_at_once(work, count: int) -> list:
    """Run work(index) in ``count`` threads released together; return what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = work(index)
        except Exception as error:  # collected and asserted on below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_senders_at_once_the_same_day_remind_each_person_once(demo, clerk_chezhan, officer, outbox, monkeypatch):
    # Small chunks, so that the senders overlap on the same people chunk after chunk.
    monkeypatch.setattr(reminders, "CHUNK", 3)
    village = reminder_village()
    people = [person(clerk_chezhan, n, phone=f"1390533{n:04d}") for n in range(1, 31)]

    outcomes = run_at_once(
        lambda index: reminders_send(scope=village, today=TODAY, sender=officer if index % 2 else None), SENDERS,
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o.sent for o in outcomes) == len(people)
    # Each sender either sent to a person, found them reminded when it read its chunk, or lost the
    # race for them at the unique row: nobody is counted twice by one sender, nobody missed.
    assert all(o.sent + o.sent_by_another <= len(people) for o in outcomes)
    assert sorted(n.phone for n in outbox) == sorted(p.phone for p in people)
    assert CollectionReminder.objects.filter(sent_on=TODAY).count() == len(people)
    assert set(CollectionReminder.objects.values_list("enrollment__resident", flat=True)) == {p.pk for p in people}
