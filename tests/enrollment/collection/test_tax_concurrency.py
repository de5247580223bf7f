"""Two imports of one tax file at once, and two clerks resolving one voucher at once: each voucher
is recorded once and each enrollment paid once.

Real concurrency needs a database server: these run on PostgreSQL (CI) and skip on SQLite.
"""

import itertools
import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from enrollment import services
from enrollment.collection.tax_reconcile import tax_voucher_apply
from enrollment.models import Enrollment, Payment, Resident, TaxPaymentImport, TaxVoucher
from portal.privacy.id_vault import id_digest
from portal.shared.vocabulary import Category
from tests.enrollment.collection.test_tax_import import CHEN, LIU, STRANGER, ZHANG, ZHAO, row, run
from tests.enrollment.test_concurrency import THREADS, run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
]

ROWS = [row("K-1", LIU, "刘桂英"), row("K-2", CHEN, "陈志强"), row("K-3", ZHAO, "赵伟"), row("K-4", STRANGER, "无名氏"),
        row("K-5", ZHANG, "张建国")]


def test_twenty_imports_of_one_file_at_once_record_each_voucher_once(demo, officer):
    outcomes = run_at_once(lambda: run(ROWS, user=officer))

    assert not [o for o in outcomes if isinstance(o, Exception) or o.errors], outcomes
    assert sum(o.recorded for o in outcomes) == 2
    assert sum(o.unmatched for o in outcomes) == 3
    assert sum(o.already_imported for o in outcomes) == len(ROWS) * (THREADS - 1)
    assert TaxVoucher.objects.count() == len(ROWS)
    assert Payment.objects.filter(method=Payment.Method.TAX).count() == 2
    for number in (LIU, CHEN):
        assert Payment.objects.filter(enrollment__resident__id_digest=id_digest(number), enrollment__year=2022).count() == 1
    assert TaxPaymentImport.objects.count() == THREADS  # every committed file is on record


def test_imports_and_the_counter_paying_the_same_person_at_once_pay_once(demo, officer, clerk_chezhan):
    enrollment = Enrollment.objects.get(resident__id_digest=id_digest(LIU), year=2022)
    turns = itertools.count()  # next() on it is atomic: half the threads import, half pay at the counter

    def work():
        if next(turns) % 2:
            return run([row(f"Q-{uuid.uuid4().hex[:8]}", LIU, "刘桂英")], user=officer)
        return services.payment_record(enrollment=enrollment, amount=enrollment.payable, method="cash",
                                       token=uuid.uuid4(), clerk=clerk_chezhan)

    outcomes = run_at_once(work)

    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, ValidationError)]
    assert not unexpected, unexpected
    assert Payment.objects.filter(enrollment=enrollment).count() == 1
    vouchers = TaxVoucher.objects.filter(id_digest=id_digest(LIU))
    paid_by_tax = vouchers.filter(payment__isnull=False).count()
    assert paid_by_tax + vouchers.filter(problem="already_paid").count() == vouchers.count() == THREADS // 2
    assert paid_by_tax <= 1


def test_twenty_clerks_applying_one_voucher_record_one_payment(demo, officer, clerk_chezhan):
    run([row("A-1", ZHAO, "赵伟")], user=officer)
    zhao = Resident.objects.get(id_digest=id_digest(ZHAO))
    enrollment = services.enrollment_register(resident=zhao, year=2022, category=Category.ADULT, clerk=clerk_chezhan,
                                              on=date(2021, 10, 25))
    voucher = TaxVoucher.objects.get(voucher_number="A-1")

    outcomes = run_at_once(lambda: tax_voucher_apply(voucher=voucher, clerk=clerk_chezhan, now=timezone.now()))

    assert sum(isinstance(o, Payment) for o in outcomes) == 1
    assert sum(isinstance(o, ValidationError) and "已经处理过" in o.messages[0] for o in outcomes) == THREADS - 1
    assert enrollment.payments.count() == 1


def test_an_enrollment_paid_at_the_counter_after_the_import_read_it_is_not_paid_twice(demo, officer, clerk_chezhan,
                                                                                      monkeypatch):
    from enrollment.collection import tax_import

    enrollment = Enrollment.objects.get(resident__id_digest=id_digest(LIU), year=2022)
    claim = tax_import._Import._claim

    def counter_first(self, matched):
        # The clerk takes 刘桂英's money between the import's look-up and its claim.
        services.payment_record(enrollment=enrollment, amount=enrollment.payable, method="cash", token=uuid.uuid4(),
                                clerk=clerk_chezhan)
        return claim(self, matched)

    monkeypatch.setattr(tax_import._Import, "_claim", counter_first)

    report = run([row("L-1", LIU, "刘桂英"), row("L-2", CHEN, "陈志强")], user=officer)

    assert report.recorded == 1 and dict(report.problems) == {"already_paid": 1}
    assert enrollment.payments.get().method == Payment.Method.CASH
    assert TaxVoucher.objects.get(voucher_number="L-1").problem == TaxVoucher.Problem.ALREADY_PAID
