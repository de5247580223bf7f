"""Confirming a staged roll: the import and its record in one transaction.

The record's unique token is the claim on the roll. Of two confirmations at once (a double
click, a retried request, two tabs) the second waits on the token until the first ends and is
then refused as already imported. A confirmation that is refused, fails or dies commits
nothing, record included, so the staged roll stays confirmable; it is discarded only once its
import has committed.
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction

from enrollment.imports.checks import CHANGED_MEANWHILE, ImportReport, RowError, enrollees_import
from enrollment.imports.staging import StagedRoll, roll_discard, roll_peek
from enrollment.models import RollImport


@dataclass(frozen=True)
class Confirmation:
    """What one confirmation did: ``done`` after a commit (this one's or an earlier one's, then
    ``already``); else the ``staged`` roll and the ``report`` that refused it, or neither when
    no roll waits under the token."""

    done: RollImport | None = None
    already: bool = False
    staged: StagedRoll | None = None
    report: ImportReport | None = None


class _Refused(Exception):
    def __init__(self, report: ImportReport):
        self.report = report


def roll_confirm(*, token: str, user, today: date, address: str | None) -> Confirmation:
    done = import_done(token=token, user=user)
    if done is not None:
        return Confirmation(done=done, already=True)
    staged = roll_peek(token=token, user=user, today=today)
    if staged is None:  # none waits, or a confirmation of it has just committed and discarded it
        done = import_done(token=token, user=user)
        return Confirmation(done=done, already=True) if done is not None else Confirmation()
    try:
        with transaction.atomic():
            record = RollImport.objects.create(
                token=token, imported_by=user, year=staged.year, filename=staged.filename, rows=len(staged.rows),
                new_residents=0, existing_residents=0, enrollments=0, payable_total=0,
            )
            report = enrollees_import(rows=staged.rows, year=staged.year, user=user, on=staged.on, dry_run=False,
                                      address=address, roll_import=record)
            if not report.committed:
                raise _Refused(report)  # rolls the record back with the rest
            record.new_residents, record.existing_residents = report.new_residents, report.existing_residents
            record.enrollments, record.payable_total = report.enrollments, report.payable_total
            record.save()
    except _Refused as refused:
        return Confirmation(staged=staged, report=_checked_again(staged, user=user, address=address,
                                                                  otherwise=refused.report))
    except IntegrityError:
        done = import_done(token=token, user=user)
        if done is not None:  # another confirmation of this roll committed first
            return Confirmation(done=done, already=True)
        # A constraint checked at commit: someone registered or enrolled one of these people
        # meanwhile. Nothing was written; the roll stays for the clerk to check again.
        changed = ImportReport(rows=len(staged.rows), errors=[RowError(None, CHANGED_MEANWHILE)])
        return Confirmation(staged=staged, report=_checked_again(staged, user=user, address=address, otherwise=changed))
    roll_discard(token=token)
    return Confirmation(done=record)


def import_done(*, token: str, user) -> RollImport | None:
    """The committed import of the roll staged under ``token``, if this user made it."""
    return RollImport.objects.filter(token=token, imported_by=user).first()


def _checked_again(staged: StagedRoll, *, user, address: str | None, otherwise: ImportReport) -> ImportReport:
    """The refused roll checked again after the rollback, naming the rows to fix (``otherwise``
    where the check finds none). Outside the rolled-back transaction, what the check writes
    (the access log of numbers registered elsewhere, and their daily count) is kept."""
    again = enrollees_import(rows=staged.rows, year=staged.year, user=user, on=staged.on, dry_run=True,
                             address=address)
    return again if again.errors else otherwise
