"""Requests at once for one person: wrong tries typed together all count, and codes asked for
together stay within the limit with one live code. Real concurrency needs a database server:
these run on PostgreSQL and skip on SQLite."""

import threading

import pytest
from django.db import connection, connections

from my_insurance.signin.models import SignInCode
from my_insurance.signin.rules import CODE_TRIES, Outcome
from my_insurance.signin.services import CodesExhausted, sign_in_code_check, sign_in_code_send

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
]

AT_ONCE = 8


def run_at_once(work, count: int) -> list:
    """Run work() in ``count`` threads released together; what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = work()
        except Exception as error:  # collected and asserted on below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_wrong_tries_typed_at_once_all_count_and_void_the_code_after_five(wang, outbox, clock):
    row = sign_in_code_send(resident=wang, now=clock.moment)
    checks = run_at_once(lambda: sign_in_code_check(code_id=row.pk, code="not-it", now=clock.moment), AT_ONCE)
    assert not [c for c in checks if isinstance(c, Exception)], checks
    wrong = sorted(c.verdict.tries_left for c in checks if c.verdict.outcome is Outcome.WRONG)
    assert wrong == list(range(CODE_TRIES))  # 4, 3, 2, 1, 0 left: each try saw the one before
    assert sum(c.verdict.outcome is Outcome.VOID for c in checks) == AT_ONCE - CODE_TRIES
    row.refresh_from_db()
    assert row.wrong_tries == CODE_TRIES and row.voided_at is not None


def test_codes_asked_for_at_once_stay_within_the_limit_with_one_live_code(wang, outbox, settings, clock):
    settings.SIGN_IN_CODES_PER_HOUR = 3
    sends = run_at_once(lambda: sign_in_code_send(resident=wang, now=clock.moment), AT_ONCE)
    assert sum(isinstance(s, SignInCode) for s in sends) == 3
    assert sum(isinstance(s, CodesExhausted) for s in sends) == AT_ONCE - 3
    assert SignInCode.objects.filter(resident=wang).count() == 3
    assert SignInCode.objects.filter(resident=wang).live().count() == 1
    assert len([n for n in outbox if n.kind == "sign_in_code"]) == 3
