"""The civil-affairs or public-security death list (death_list.py checks its rows) matched to
residents and recorded, all in one transaction: the officers' admin page and ``import_deaths``
share this module.

A well-formed row is never refused for what the registry holds. It records a death (with the
effects of deaths.py), or finds the same death recorded before (a clerk's or an earlier list's:
importing the same file again records nothing new), or is kept with the reason it recorded
nothing (an unknown person, a name that differs, a different date recorded, someone outside the
officer's scope), listed for the officer. The same person twice in one file is one death, of the
first row's date.

A province's list runs to a million rows: rows are matched set-based a chunk at a time and, on
PostgreSQL, the residents claimed with one UPDATE per batch (which locks them, as a clerk's
death record does, so the two never record one death twice), then the deaths, refunds and
problem rows written with COPY (benchmarks/README.md, "Death list import").
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from enrollment.imports.checks import RowError
from enrollment.life_events.death_list import DeathImportReport, DeathRow, Problem, death_rows_check
from enrollment.life_events.deaths import HISTORY_REASON_IMPORT, death_effects_apply, history_write, source_label
from enrollment.life_events.models import Death, DeathImport, DeathImportProblem
from enrollment.models import Resident
from portal.accounts.scopes import staff_scope
from portal.network.models import Region
from portal.privacy.id_numbers import mask_name
from portal.shared.bulk import copy_rows
from portal.spreadsheets.lookups import rows_matching

CHUNK_POSTGRESQL = 20_000
CHUNK_OTHER = 2_000
CLAIM_BATCH = 5_000
# A write refused because someone recorded one of these deaths after this import looked:
# matching again sees what they wrote.
ATTEMPTS = 3
DEADLOCK_DETECTED = "40P01"
CHANGED_MEANWHILE = "写入时多次遇到其他人同时登记死亡或导入名单，全部未导入；请稍后重新导入。"
NO_SCOPE = "您的账号还没有分配管辖区域，不能导入死亡人员名单；请联系医保局管理员。"
DEATH_COLUMNS = ("resident_id", "date_of_death", "source", "recorded_by_id", "recorded_at", "death_import_id")
PROBLEM_COLUMNS = ("death_import_id", "row", "id_masked", "name", "date_of_death", "source", "problem", "detail")


class _ChangedMeanwhile(Exception):
    """A resident of the file died in the registry between this import's read and its write."""


def deaths_import(*, rows: Iterable[tuple[int, list]], filename: str, user, today: date, dry_run: bool,
                  limit: int | None = None) -> DeathImportReport:
    """Check every row; unless ``dry_run`` or a row is refused, record the list in one
    transaction. Raises TableError for a file that cannot be read (or is longer than ``limit``)
    and ValidationError for a user without a scope."""
    scope = staff_scope(user)
    if scope is None:
        raise ValidationError(NO_SCOPE, code="no_scope")
    entries, errors, count = death_rows_check(rows, today=today, limit=limit)
    if errors:
        return DeathImportReport(filename=filename, rows=count, errors=errors)
    for _ in range(ATTEMPTS):
        report = DeathImportReport(filename=filename, rows=count)
        try:
            with transaction.atomic():
                _Import(report, user=user, scope=scope, write=not dry_run, now=timezone.now()).run(entries)
        except (IntegrityError, _ChangedMeanwhile):
            continue
        except OperationalError as error:
            # Two imports (or an import and a clerk) waiting on each other's residents:
            # PostgreSQL ends one, which starts again and finds the other's deaths recorded.
            if getattr(error.__cause__, "sqlstate", None) == DEADLOCK_DETECTED:
                continue
            raise
        report.committed = not dry_run
        return report
    return DeathImportReport(filename=filename, rows=count, errors=[RowError(None, CHANGED_MEANWHILE)])


class _Import:
    """One pass over the checked rows, chunk by chunk, inside the caller's transaction."""

    def __init__(self, report: DeathImportReport, *, user, scope: Region, write: bool, now: datetime):
        self.report, self.user, self.scope, self.write, self.now = report, user, scope, write, now
        self.postgresql = connection.vendor == "postgresql"
        self.first: dict[str, tuple[int, date]] = {}  # digest -> (row, date) of its first row in the file
        self.batch: DeathImport | None = None
        self.regions_in_scope = set(Region.objects.within(scope).values_list("pk", flat=True))

    def run(self, entries: list[DeathRow]) -> None:
        report = self.report
        if self.write:
            self.batch = DeathImport.objects.create(
                filename=report.filename[:100], imported_by=self.user, rows=report.rows, recorded=0,
                already_recorded=0, problems=0, refunds=0, cancelled=0)
        size = CHUNK_POSTGRESQL if self.postgresql else CHUNK_OTHER
        for start in range(0, len(entries), size):
            self._chunk(entries[start:start + size])
        if self.write:
            batch = self.batch
            batch.recorded, batch.already_recorded, batch.problems = (
                report.recorded, report.already_recorded, report.problem_count)
            batch.refunds, batch.cancelled = report.refunds, report.cancelled
            batch.save(update_fields=["recorded", "already_recorded", "problems", "refunds", "cancelled"])
            report.batch = batch

    def _chunk(self, chunk: list[DeathRow]) -> None:
        # The region's id, not its code: the scope is a set of ids read once, and a million rows
        # need no join to the regions.
        residents = {digest: rest for digest, *rest in rows_matching(
            Resident.objects.values_list("id_digest", "pk", "name", "region_id", "birth_date", "date_of_death"),
            "id_digest", {entry.digest for entry in chunk},
        )}
        dead = [person[0] for person in residents.values() if person[4] is not None]
        recorded = {resident_id: (day, source) for resident_id, day, source in rows_matching(
            Death.objects.values_list("resident_id", "date_of_death", "source"), "resident", dead)}
        in_scope = self.regions_in_scope
        new: dict[int, DeathRow] = {}
        problems = []
        for entry in chunk:
            problem = detail = None
            person = residents.get(entry.digest)
            earlier = self.first.get(entry.digest)
            if person is None or person[2] not in in_scope:
                # Someone of another county's is theirs to record, and answered as unknown: the list
                # must not tell an officer who is registered elsewhere from an ID number alone.
                problem = Problem.UNKNOWN_PERSON
            elif person[1] != entry.name:
                problem, detail = Problem.NAME_DIFFERS, f"登记姓名为“{mask_name(person[1])}”"
            elif entry.day < person[3]:
                problem, detail = Problem.BEFORE_BIRTH, f"登记的出生日期为 {person[3]}"
            elif earlier is not None:
                if earlier[1] != entry.day:
                    problem, detail = Problem.DATE_DIFFERS, f"与本名单第 {earlier[0]} 行的死亡日期 {earlier[1]} 不同"
                else:
                    self.report.already_recorded += 1
            elif person[4] is not None:
                # Resident.date_of_death repeats the Death's date; without a Death (a record older
                # than Death itself) it is the clerk's.
                day, source = recorded.get(person[0], (person[4], "clerk"))
                if day != entry.day:
                    problem, detail = Problem.DATE_DIFFERS, f"已记录死亡日期 {day}（来源：{source_label(source)}）"
                else:
                    self.report.already_recorded += 1
            else:
                new[person[0]] = entry
            if person is not None and earlier is None and problem is None:
                self.first[entry.digest] = (entry.row, entry.day)
            if problem is not None:
                problems.append((entry, problem, detail or ""))
        self.report.recorded += len(new)
        self.report.problems.update(problem.value for _, problem, _ in problems)
        self.report.problem_rows += [
            (entry.row, entry.id_masked, entry.name, entry.day, entry.source, problem, detail)
            for entry, problem, detail in problems
        ]
        deaths = {resident_id: entry.day for resident_id, entry in new.items()}
        if self.write and deaths:
            self._claim(deaths)
            history_write(deaths.keys(), user=self.user, now=self.now, reason=HISTORY_REASON_IMPORT)
            self._write_deaths(new)
        effects = death_effects_apply(deaths=deaths, user=self.user, now=self.now, copy=self.postgresql,
                                      dry_run=not self.write)
        self.report.refunds += effects.refunds
        self.report.cancelled += effects.cancelled
        if self.write and problems:
            self._write_problems(problems)

    def _claim(self, deaths: dict[int, date]) -> None:
        """Set the residents' date of death, unless someone recorded a death since they were
        read. The UPDATE locks each resident, as a clerk's death record does before it writes,
        so the two wait for each other and the second sees the first's death; in id order, two
        imports of one list do not deadlock either."""
        ids = sorted(deaths)
        if not self.postgresql:
            Resident.objects.bulk_update([Resident(pk=pk, date_of_death=deaths[pk]) for pk in ids],
                                         ["date_of_death"], batch_size=500)
            return
        quote = connection.ops.quote_name
        sql = (f"UPDATE {quote(Resident._meta.db_table)} AS r SET date_of_death = i.day "
               "FROM unnest(%s::bigint[], %s::date[]) AS i(id, day) "
               "WHERE r.id = i.id AND r.date_of_death IS NULL")
        claimed = 0
        with connection.cursor() as cursor:
            for start in range(0, len(ids), CLAIM_BATCH):
                batch = ids[start:start + CLAIM_BATCH]
                cursor.execute(sql, [batch, [deaths[pk] for pk in batch]])
                claimed += cursor.rowcount
        if claimed != len(ids):
            raise _ChangedMeanwhile

    def _write_deaths(self, new: dict[int, DeathRow]) -> None:
        # No recorded_by: the import's imported_by says who, and a million rows then have one
        # foreign key fewer to check at commit.
        rows = [(resident_id, entry.day, entry.source, None, self.now, self.batch.pk)
                for resident_id, entry in new.items()]
        if self.postgresql:
            copy_rows(Death, DEATH_COLUMNS, rows)
        else:
            Death.objects.bulk_create([Death(**dict(zip(DEATH_COLUMNS, row))) for row in rows], batch_size=500)

    def _write_problems(self, problems: list) -> None:
        batch_id = self.batch.pk
        rows = [(batch_id, entry.row, entry.id_masked, entry.name, entry.day, entry.source, problem.value, detail)
                for entry, problem, detail in problems]
        if self.postgresql:
            copy_rows(DeathImportProblem, PROBLEM_COLUMNS, rows)
        else:
            DeathImportProblem.objects.bulk_create(
                [DeathImportProblem(**dict(zip(PROBLEM_COLUMNS, row))) for row in rows], batch_size=500)
