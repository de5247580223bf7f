"""Duplicate enrollments (清理重复参保, seeds 001 and 002): the lists of people insured elsewhere
that other departments share (the city's employee insurance, another province's resident
insurance) matched against the registry, and a clerk's resolution of each enrollment found on one.

An import records, for each listed person registered here and in the importer's scope, that they
are insured elsewhere for the list's year (so the participation rate no longer expects them,
enrollment/collection/progress.py), and puts their active enrollment of that year, if any, on the
duplicates list of the enrollment's region. Nothing is recorded twice: an import of the same list
again finds everything done. The officers' admin page and ``import_insured_elsewhere`` share this.

A city's list runs to a million rows: rows are matched set-based a chunk at a time and, on
PostgreSQL, written with COPY (benchmarks/README.md, "Insured-elsewhere import").
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Exists, FilteredRelation, OuterRef, Q

from enrollment.imports.checks import RowError
from enrollment.life_events.elsewhere_checks import SCHEMES, ElsewhereReport, ElsewhereRow, elsewhere_rows_check
from enrollment.life_events.models import DuplicateEnrollment, ElsewhereImport
from enrollment.models import Enrollment, InsuredElsewhere, Payment, Refund, Resident
from enrollment.services import refund_request
from portal.accounts.scopes import staff_scope
from portal.network.models import Region
from portal.shared.bulk import copy_rows
from portal.spreadsheets.lookups import rows_matching

# Rows matched and written per round trip (as the tax import: one array per lookup on
# PostgreSQL, lists of parameters under SQLite's limit elsewhere).
CHUNK_POSTGRESQL = 20_000
CHUNK_OTHER = 2_000
# A write refused by a constraint means a clerk recorded the same person as insured elsewhere, or
# another import ran, after this one looked; matching again sees what they wrote.
ATTEMPTS = 3
DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE
CHANGED_MEANWHILE = "写入时多次遇到其他人同时导入或登记，全部未导入；请稍后重新导入。"
NO_SCOPE = "您的账号还没有分配管辖区域，不能导入他处参保名单；请联系医保局管理员。"
SOURCE_LENGTH = ElsewhereImport._meta.get_field("source").max_length

# recorded_by is left empty: the list says who imported it (source_import.imported_by), and a
# million rows naming one officer cost a million foreign-key checks at the commit.
ELSEWHERE_COLUMNS = ("resident_id", "year", "scheme", "note", "recorded_at", "source_import_id")
DUPLICATE_COLUMNS = ("enrollment_id", "found_in_id", "elsewhere", "status", "resolution_note")


def insured_elsewhere_import(*, rows: Iterable[tuple[int, list]], filename: str, scheme: str, source: str, user,
                             today: date, now: datetime, dry_run: bool, limit: int | None = None) -> ElsewhereReport:
    """Check every row; unless ``dry_run`` or a row is refused, record the list in one
    transaction. Raises TableError for a file that cannot be read (or is longer than ``limit``)
    and ValidationError for a user without a scope, or a scheme or source that is not given."""
    scope = staff_scope(user)
    if scope is None:
        raise ValidationError(NO_SCOPE, code="no_scope")
    if scheme not in SCHEMES:
        raise ValidationError(f"参保险种应为{'或'.join(f'“{label}”' for label in SCHEMES.values())}。", code="scheme")
    source = source.strip()
    if not source or len(source) > SOURCE_LENGTH:
        raise ValidationError(f"请填写提供名单的部门（最多 {SOURCE_LENGTH} 个字），如“淄博市职工医保经办机构”。",
                              code="source")
    entries, errors, count = elsewhere_rows_check(rows, today=today, limit=limit)
    if errors:
        return ElsewhereReport(filename=filename, scheme=scheme, source=source, rows=count, errors=errors)
    for _ in range(ATTEMPTS):
        report = ElsewhereReport(filename=filename, scheme=scheme, source=source, rows=count, year=entries[0].year)
        try:
            with transaction.atomic():
                _Import(report, user=user, scope=scope, now=now, write=not dry_run).run(entries)
        except IntegrityError:
            continue
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED:
                continue
            raise
        report.committed = not dry_run
        return report
    return ElsewhereReport(filename=filename, scheme=scheme, source=source, rows=count,
                           errors=[RowError(None, CHANGED_MEANWHILE)])


class _Import:
    """One pass over the checked rows, chunk by chunk, inside the caller's transaction."""

    def __init__(self, report: ElsewhereReport, *, user, scope: Region, now: datetime, write: bool):
        self.report, self.user, self.scope, self.now, self.write = report, user, scope, now, write
        self.postgresql = connection.vendor == "postgresql"
        self.seen: set[str] = set()  # digests of the file so far: a person listed twice counts once
        self.batch: ElsewhereImport | None = None
        self.records: list[tuple[ElsewhereRow, int]] = []  # (row, resident id) to record as insured elsewhere
        self.duplicates: list[tuple[ElsewhereRow, int]] = []  # (row, enrollment id) to put on the list

    def run(self, entries: list[ElsewhereRow]) -> None:
        report = self.report
        if self.write:
            self.batch = ElsewhereImport.objects.create(
                scheme=report.scheme, source=report.source, year=report.year, filename=report.filename[:100],
                imported_by=self.user, rows=report.rows, matched=0, unknown=0, duplicates=0,
            )
        size = CHUNK_POSTGRESQL if self.postgresql else CHUNK_OTHER
        if self.postgresql:
            self._statistics_refresh()
        # Every chunk is matched before anything is written: the tables then look to PostgreSQL as
        # its statistics say, where rows written meanwhile made it hash all of them for each chunk.
        for start in range(0, len(entries), size):
            self._chunk(entries[start:start + size])
        if self.write:
            self._write(self.records, self.duplicates)
            batch = self.batch
            batch.matched, batch.unknown, batch.duplicates = report.matched, report.unknown, report.duplicates
            batch.save(update_fields=["matched", "unknown", "duplicates"])
            report.batch = batch

    @staticmethod
    def _statistics_refresh() -> None:
        """Fresh statistics of the two tables an import writes: right after a list of a million
        was imported (before autovacuum comes by) PostgreSQL took them for a thousand rows and
        hashed the whole table for every chunk, 0.4 s each (benchmarks/README.md)."""
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {quote(InsuredElsewhere._meta.db_table)}, "
                           f"{quote(DuplicateEnrollment._meta.db_table)}")

    @staticmethod
    def _people(year: int):
        """(digest, pk, village code, name, active enrollment of the year or None, already recorded
        as insured elsewhere that year, that enrollment already on the duplicates list, and kept
        there by a clerk who checked it) of each
        resident: one query per chunk, each a probe of a unique index per person."""
        here = FilteredRelation("enrollments", condition=Q(enrollments__year=year,
                                                           enrollments__status=Enrollment.Status.ACTIVE))
        return (
            Resident.objects.annotate(here=here)
            .annotate(recorded=Exists(InsuredElsewhere.objects.filter(resident=OuterRef("pk"), year=year)),
                      on_list=Exists(DuplicateEnrollment.objects.filter(enrollment=OuterRef("here__id"))),
                      kept=Exists(DuplicateEnrollment.objects.filter(enrollment=OuterRef("here__id"),
                                                                     status=DuplicateEnrollment.Status.CHECKED)))
            .values_list("id_digest", "pk", "region__code", "name", "here__id", "recorded", "on_list", "kept")
        )

    def _chunk(self, chunk: list[ElsewhereRow]) -> None:
        report, year, seen = self.report, self.report.year, self.seen
        fresh = []
        for entry in chunk:
            if entry.digest in seen:
                report.repeated += 1
            else:
                seen.add(entry.digest)
                fresh.append(entry)
        prefix, listed, new_records, new_duplicates = self.scope.prefix, 0, [], []
        found = {digest: rest for digest, *rest in rows_matching(self._people(year), "id_digest",
                                                                  [entry.digest for entry in fresh])}
        for entry in fresh:
            person = found.get(entry.digest)
            # Another county's resident is theirs to match with their own copy of the list, and
            # counted as unknown here: the counts must not tell who is registered elsewhere.
            if person is None or not person[1].startswith(prefix):
                report.unknown += 1
                continue
            resident_id, code, name, enrollment_id, recorded, on_list, kept = person
            if name != entry.name:
                # A mistyped number that is someone else's: never mark that person insured elsewhere.
                report.name_differs += 1
                continue
            listed += 1
            if recorded or kept:
                # Kept: a clerk found the person is insured here only (left the employer, say), and
                # the same list again does not undo it.
                report.already_recorded += 1
            else:
                new_records.append((entry, resident_id))
            if enrollment_id is not None:
                if on_list:
                    report.duplicates_known += 1
                else:
                    new_duplicates.append((entry, enrollment_id))
        report.matched += listed
        report.recorded += len(new_records)
        report.duplicates += len(new_duplicates)
        if self.write:
            self.records += new_records
            self.duplicates += new_duplicates

    def _write(self, records: list, duplicates: list) -> None:
        report, batch_id, now = self.report, self.batch.pk, self.now
        elsewhere = ((resident_id, report.year, report.scheme, entry.unit, now, batch_id)
                     for entry, resident_id in records)
        found = ((enrollment_id, batch_id, entry.unit, DuplicateEnrollment.Status.OPEN.value, "")
                 for entry, enrollment_id in duplicates)
        if self.postgresql:
            copy_rows(InsuredElsewhere, ELSEWHERE_COLUMNS, elsewhere)
            copy_rows(DuplicateEnrollment, DUPLICATE_COLUMNS, found)
            return
        # SQLite's writers wait for each other; recorded_at is set by auto_now_add here.
        InsuredElsewhere.objects.bulk_create(
            [InsuredElsewhere(**dict(zip(ELSEWHERE_COLUMNS, row))) for row in elsewhere], batch_size=500)
        DuplicateEnrollment.objects.bulk_create(
            [DuplicateEnrollment(**dict(zip(DUPLICATE_COLUMNS, row))) for row in found], batch_size=500)


# -- A clerk's resolution --------------------------------------------------------------------

CANCEL, KEEP = "cancel", "keep"
NOTE_LENGTH = DuplicateEnrollment._meta.get_field("resolution_note").max_length


@transaction.atomic
def duplicate_resolve(*, duplicate: DuplicateEnrollment, action: str, note: str, clerk, now: datetime
                      ) -> DuplicateEnrollment:
    """Resolve an open duplicate: ``cancel`` the resident enrollment (退费注销: a refund request of
    what the person paid, which the refund approval turns into the cancellation; with nothing
    paid, the enrollment is cancelled now), or ``keep`` it (核实保留) with the reason. The row
    is locked first, so of two clerks at once the second waits and is then told it is done."""
    # The lock alone, without joins: PostgreSQL re-reads a locked row once its holder commits,
    # but not the rows joined to it, so a joined resolver would still read as nobody.
    duplicate = DuplicateEnrollment.objects.select_for_update().get(pk=duplicate.pk)
    scope = staff_scope(clerk)
    enrollment = duplicate.enrollment
    if scope is None or not enrollment.region.code.startswith(scope.prefix):
        raise ValidationError("这条参保登记不在您的管辖范围内。", code="out_of_scope")
    if duplicate.status != DuplicateEnrollment.Status.OPEN:
        who = duplicate.resolved_by.get_full_name() or duplicate.resolved_by.get_username()
        raise ValidationError(f"这条重复参保已由{who}处理为“{duplicate.get_status_display()}”，不能再次处理。",
                              code="already_resolved")
    note = note.strip()
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": f"处理说明最多 {NOTE_LENGTH} 个字。"})
    if action == KEEP:
        if not note:
            raise ValidationError({"note": "核实保留时，请写明原因（如已从单位离职、职工医保已停保）。"})
        duplicate.status = DuplicateEnrollment.Status.CHECKED
        # Insured here after all: counted again among those expected to enrol (and enrolled).
        InsuredElsewhere.objects.filter(resident=enrollment.resident_id, year=enrollment.year,
                                        source_import__isnull=False).delete()
    elif action == CANCEL:
        _cancel(duplicate, enrollment, note=note, clerk=clerk)
        duplicate.status = DuplicateEnrollment.Status.CANCELLED
    else:
        raise ValidationError("请选择处理方式：退费注销或核实保留。", code="action")
    duplicate.resolution_note, duplicate.resolved_by, duplicate.resolved_at = note, clerk, now
    duplicate.save(update_fields=["status", "resolution_note", "resolved_by", "resolved_at"])
    return duplicate


def _cancel(duplicate: DuplicateEnrollment, enrollment: Enrollment, *, note: str, clerk) -> None:
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if not enrollment.is_active:
        return  # cancelled meanwhile (a death, an approved refund): nothing left to cancel
    if hasattr(enrollment, "refund"):
        return  # already on the refund list (a death's refund, say): its approval cancels it
    if enrollment.payments.filter(payer=Payment.Payer.RESIDENT, amount__gt=0).exists():
        # DESIGN.md section 5: a duplicate enrollment is refunded as a death before coverage is.
        where = duplicate.elsewhere or duplicate.found_in.source
        refund_request(enrollment=enrollment, reason=Refund.Reason.DUPLICATE, clerk=clerk,
                       note=f"与{duplicate.found_in.get_scheme_display()}（{where}）重复参保" + (f"；{note}" if note else ""))
        return
    enrollment.status = Enrollment.Status.CANCELLED
    enrollment.save(update_fields=["status"])
