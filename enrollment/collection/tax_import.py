"""Payments through the tax office (税务代收): the checked rows of the tax office's file
(enrollment/collection/tax.py) matched to enrollments and written, all in one transaction.

A well-formed row is never refused for what the database holds: it becomes a payment of the
person's enrollment of its year, or it was imported before (its voucher number is known), or it
is kept as a voucher with the reason it could not be applied, on the reconciliation list of the
person's village (tax_reconcile.py). The officers' admin page and ``import_tax_payments`` share
this module.

A province's file runs to a million rows: rows are matched set-based a chunk at a time and, on
PostgreSQL, the matched enrollments claimed with one UPDATE of their paid_at per batch, then the
payments (under reserved ids) and vouchers written with COPY (benchmarks/README.md, "Tax-channel
payment import").
"""

import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import OuterRef, Subquery

from enrollment.collection.tax import Problem, TaxImportReport, TaxRow, tax_rows_check, year_closed
from enrollment.imports.checks import RowError
from enrollment.models import Enrollment, Payment, Resident, TaxPaymentImport, TaxVoucher
from enrollment.services import receipt_number
from portal.accounts.scopes import staff_scope
from portal.network.models import Region
from portal.shared.bulk import copy_rows, next_ids
from portal.shared.money import ZERO
from portal.spreadsheets.lookups import rows_matching

# Rows matched and written per round trip: a chunk's digests and voucher numbers go to the
# server as one array each. SQLite takes lists of parameters, kept under its limit.
CHUNK_POSTGRESQL = 20_000
CHUNK_OTHER = 2_000
CLAIM_BATCH = 5_000
# A write refused by a constraint means someone recorded the same voucher or paid the same
# enrollment after this import looked; matching again sees what they wrote.
ATTEMPTS = 3
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE
CHANGED_MEANWHILE = "写入时多次遇到其他人同时导入或收费，全部未导入；请稍后重新导入。"
NO_SCOPE = "您的账号还没有分配管辖区域，不能导入税务缴费文件；请联系医保局管理员。"


def tax_payments_import(*, rows: Iterable[tuple[int, list]], filename: str, user, now: datetime, dry_run: bool,
                        limit: int | None = None) -> TaxImportReport:
    """Check every row; unless ``dry_run`` or a row is refused, record the file in one
    transaction: payments for the rows that match, vouchers with their problem for the rest,
    nothing for voucher numbers imported before. Raises TableError for a file that cannot be
    read (or is longer than ``limit``) and ValidationError for a user without a scope."""
    scope = staff_scope(user)
    if scope is None:
        raise ValidationError(NO_SCOPE, code="no_scope")
    entries, errors, count = tax_rows_check(rows, now=now, limit=limit)
    if errors:
        return TaxImportReport(filename=filename, rows=count, errors=errors)
    for _ in range(ATTEMPTS):
        report = TaxImportReport(filename=filename, rows=count)
        try:
            with transaction.atomic():
                _Import(report, user=user, scope=scope, write=not dry_run).run(entries)
        except IntegrityError:
            continue
        except OperationalError as error:
            # Two imports of files that share people, each holding enrollments the other needs:
            # PostgreSQL ends one of them, which then starts again and finds the other's work done.
            if getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED:
                continue
            raise
        report.committed = not dry_run
        return report
    return TaxImportReport(filename=filename, rows=count, errors=[RowError(None, CHANGED_MEANWHILE)])


PAYMENT_COLUMNS = ("id", "enrollment_id", "payer", "amount", "method", "receipt_number", "verification_code",
                   "idempotency_token", "recorded_at", "recorded_by_id")
VOUCHER_COLUMNS = ("voucher_number", "batch_id", "id_digest", "id_masked", "name", "year", "amount", "paid_at",
                   "tax_office", "region_id", "resident_id", "payment_id", "problem", "resolution",
                   "resolution_note")


class _Import:
    """One pass over the checked rows, chunk by chunk, inside the caller's transaction."""

    def __init__(self, report: TaxImportReport, *, user, scope: Region, write: bool):
        self.report, self.user, self.scope, self.write = report, user, scope, write
        self.postgresql = connection.vendor == "postgresql"
        self.paid_in_file: set[int] = set()  # enrollments an earlier row of this file pays
        self.region_codes: dict[int, str] = {}
        self.batch: TaxPaymentImport | None = None

    def run(self, entries: list[TaxRow]) -> None:
        report = self.report
        if self.write:
            self.batch = TaxPaymentImport.objects.create(
                filename=report.filename[:100], imported_by=self.user, rows=report.rows, recorded=0,
                already_imported=0, unmatched=0, amount_recorded=ZERO,
            )
        size = CHUNK_POSTGRESQL if self.postgresql else CHUNK_OTHER
        for start in range(0, len(entries), size):
            self._chunk(entries[start:start + size])
        if self.write:
            batch = self.batch
            batch.recorded, batch.already_imported = report.recorded, report.already_imported
            batch.unmatched, batch.amount_recorded = report.unmatched, report.amount_recorded
            batch.save(update_fields=["recorded", "already_imported", "unmatched", "amount_recorded"])
            report.batch = batch

    def _chunk(self, chunk: list[TaxRow]) -> None:
        known = set(rows_matching(TaxVoucher.objects.values_list("voucher_number", flat=True), "voucher_number",
                                  [entry.voucher for entry in chunk]))
        fresh = [entry for entry in chunk if entry.voucher not in known]
        self.report.already_imported += len(chunk) - len(fresh)
        if not fresh:
            return
        residents = {digest: (pk, region_id, code) for digest, pk, region_id, code in rows_matching(
            Resident.objects.values_list("id_digest", "pk", "region_id", "region__code"), "id_digest",
            {e.digest for e in fresh},
        )}
        enrolled = {(resident_id, year): rest for resident_id, year, *rest in rows_matching(
            Enrollment.objects.active().filter(year__in={e.year for e in fresh})
            .values_list("resident_id", "year", "pk", "payable", "paid_at", "region_id"),
            "resident", {person[0] for person in residents.values()},
        )}
        matched, unmatched = [], []
        for entry in fresh:
            person = residents.get(entry.digest)
            if person and not person[2].startswith(self.scope.prefix):
                # Someone of another county's: their payment is that county's to record, and
                # nothing of them goes on a list of theirs from here.
                unmatched.append((entry, None, Problem.OUTSIDE_SCOPE))
                continue
            enrollment = enrolled.get((person[0], entry.year)) if person else None
            problem = self._problem(entry, person, enrollment)
            if problem is None:
                self.paid_in_file.add(enrollment[0])
                matched.append((entry, person, enrollment))
            else:
                unmatched.append((entry, person, problem))
        if self.write and self.postgresql:
            matched, lost = self._claim(matched)
            unmatched += lost
        report = self.report
        report.recorded += len(matched)
        report.amount_recorded += sum((entry.amount for entry, _, _ in matched), ZERO)
        report.problems.update(problem.value for _, _, problem in unmatched)
        if self.write:
            self._write(matched, unmatched)

    def _problem(self, entry: TaxRow, person, enrollment) -> str | None:
        # A closed year first: whoever the person is, the money can only be refunded.
        if year_closed(entry.year, entry.paid_at):
            return Problem.YEAR_CLOSED
        if person is None:
            return Problem.UNKNOWN_PERSON
        if enrollment is None:
            return Problem.NOT_ENROLLED
        pk, payable, paid_at, _ = enrollment
        if payable == 0:
            return Problem.NOTHING_DUE
        if paid_at is not None or pk in self.paid_in_file:
            return Problem.ALREADY_PAID
        if entry.amount != payable:
            return Problem.AMOUNT_DIFFERS
        return None

    def _claim(self, matched: list) -> tuple[list, list]:
        """Set the matched enrollments' paid_at, unless someone paid or cancelled one since it was
        read: (the rows still matched, the rest as unmatched rows). The UPDATE locks each
        enrollment, as the counter's payment_record does before it writes a payment, so a clerk
        taking the same person's money waits for this import, or it for the clerk, and they never
        deadlock; locked in id order, two imports of one file do not deadlock either."""
        matched = sorted(matched, key=lambda row: row[2][0])
        claimed: set[int] = set()
        quote = connection.ops.quote_name
        sql = (f"UPDATE {quote(Enrollment._meta.db_table)} AS e SET paid_at = i.paid_at "
               "FROM unnest(%s::bigint[], %s::timestamptz[]) AS i(id, paid_at) "
               "WHERE e.id = i.id AND e.paid_at IS NULL AND e.status = %s RETURNING e.id")
        with connection.cursor() as cursor:
            # In batches small enough that PostgreSQL probes the primary key for each row: for
            # 20,000 it hashed the whole table instead, 0.7 s a batch (benchmarks/README.md).
            for start in range(0, len(matched), CLAIM_BATCH):
                batch = matched[start:start + CLAIM_BATCH]
                cursor.execute(sql, [[enrollment[0] for _, _, enrollment in batch],
                                     [entry.paid_at for entry, _, _ in batch], Enrollment.Status.ACTIVE.value])
                claimed.update(pk for (pk,) in cursor.fetchall())
        if len(claimed) == len(matched):
            return matched, []
        cancelled = set(Enrollment.objects.filter(pk__in={row[2][0] for row in matched} - claimed,
                                                  status=Enrollment.Status.CANCELLED).values_list("pk", flat=True))
        return ([row for row in matched if row[2][0] in claimed],
                [(entry, person, Problem.NOT_ENROLLED if enrollment[0] in cancelled else Problem.ALREADY_PAID)
                 for entry, person, enrollment in matched if enrollment[0] not in claimed])

    def _write(self, matched: list, unmatched: list) -> None:
        codes = self.region_codes
        missing = {enrollment[3] for _, _, enrollment in matched} - codes.keys()
        codes.update(Region.objects.filter(pk__in=missing).values_list("pk", "code"))
        user_id, batch_id, scope_id = self.user.pk, self.batch.pk, self.scope.pk
        payments = [
            # The receipt number's year and township until the id is known (_write_payments); a random
            # code for the public check; a token of its own.
            [None, enrollment[0], Payment.Payer.RESIDENT.value, entry.amount, Payment.Method.TAX.value,
             (entry.year, codes[enrollment[3]]), secrets.token_urlsafe(16), uuid.uuid4(), entry.paid_at,
             user_id]
            for entry, _, enrollment in matched
        ]
        self._write_payments(payments)
        vouchers = [
            (entry.voucher, batch_id, entry.digest, entry.id_masked, entry.name, entry.year, entry.amount,
             entry.paid_at, entry.tax_office, person[1], person[0], payment[0], "", "", "")
            for (entry, person, _), payment in zip(matched, payments, strict=True)
        ] + [
            (entry.voucher, batch_id, entry.digest, entry.id_masked, entry.name, entry.year, entry.amount,
             entry.paid_at, entry.tax_office, person[1] if person else scope_id, person[0] if person else None,
             None, problem.value, "", "")
            for entry, person, problem in unmatched
        ]
        if self.postgresql:
            copy_rows(TaxVoucher, VOUCHER_COLUMNS, vouchers)
            return
        TaxVoucher.objects.bulk_create([TaxVoucher(**dict(zip(VOUCHER_COLUMNS, row))) for row in vouchers],
                                       batch_size=500)
        if payments:
            # One UPDATE for the chunk: each enrollment takes its payment's time. (PostgreSQL's
            # writers set it as they claim the enrollments, above.)
            Enrollment.objects.filter(pk__in=[payment[1] for payment in payments]).update(paid_at=Subquery(
                Payment.objects.filter(enrollment=OuterRef("pk"), payer=Payment.Payer.RESIDENT).values("recorded_at")
            ))

    def _write_payments(self, payments: list[list]) -> None:
        """Give each payment its id and receipt number, and write them."""
        if not payments:
            return
        if self.postgresql:
            for payment, pk in zip(payments, next_ids(Payment, len(payments)), strict=True):
                payment[0], payment[5] = pk, receipt_number(*payment[5], pk)
            copy_rows(Payment, PAYMENT_COLUMNS, payments)
            return
        created = Payment.objects.bulk_create([
            Payment(**dict(zip(PAYMENT_COLUMNS[1:], (*payment[1:5], f"T{payment[7].hex}", *payment[6:]))))
            for payment in payments
        ], batch_size=500)
        for payment, row in zip(created, payments, strict=True):
            row[0], row[5] = payment.pk, receipt_number(*row[5], payment.pk)
            payment.receipt_number = row[5]
        Payment.objects.bulk_update(created, ["receipt_number"], batch_size=500)
