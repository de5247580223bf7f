"""Issuing a 参保证明 (the one write of this part)."""

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.models import Enrollment, Resident
from my_insurance.proofs import selectors
from my_insurance.proofs.models import InsuranceProof
from portal.network.codes import Level

# More years than anyone has: the form offers only the person's own, the field holds 100 characters.
MOST_YEARS = 15


def statement_entry(enrollment: Enrollment) -> dict:
    """One year of a proof as it stands now: what the proof shows, and the enrollment the public
    check compares it with later."""
    path = [*enrollment.region.ancestors(), enrollment.region]
    city = next((region.name for region in path if region.level == Level.CITY), "")
    return {
        "year": enrollment.year,
        "enrollment": enrollment.pk,
        "pooling_region": city,
        "place": "".join(region.name for region in path),
        "category": enrollment.category,
        "paid_on": timezone.localdate(enrollment.paid_at).isoformat(),
        "coverage_start": enrollment.coverage_start.isoformat(),
        "coverage_end": enrollment.coverage_end.isoformat(),
    }


def _chosen_years(years: Iterable) -> list[int]:
    chosen = set()
    for year in years:
        if isinstance(year, bool) or not isinstance(year, int):
            raise ValidationError("请从列表中选择年度。", code="bad_year")
        chosen.add(year)
    if not chosen:
        raise ValidationError("请至少选择一个年度。", code="no_year")
    if len(chosen) > MOST_YEARS:
        raise ValidationError(f"一份证明最多包含 {MOST_YEARS} 个年度。", code="too_many")
    return sorted(chosen)


@transaction.atomic
def proof_issue(*, resident: Resident, years: Iterable[int], now: datetime) -> InsuranceProof:
    """A proof of ``resident``'s chosen years, each of which must be enrolled, paid and not
    refunded today. The same years stating the same on the same day give the proof issued
    before: a double submit or a reload makes one proof, not a pile of identical ones."""
    chosen = _chosen_years(years)
    # The person's row is the lock: two submissions at once wait for each other, and the second
    # finds the first's proof below.
    resident = Resident.objects.select_for_update().select_related("region").get(pk=resident.pk)
    today = timezone.localdate(now)
    by_year = {choice.year: choice for choice in selectors.year_choices(resident, today)}
    problems = []
    for year in chosen:
        choice = by_year.get(year)
        if choice is None:
            problems.append(f"{year} 年度没有您的参保记录，不能开具参保证明。")
        elif not choice.provable:
            problems.append(f"{year} 年度{choice.reason}，不能开具参保证明。")
    if problems:
        raise ValidationError(problems, code="not_provable")
    statement = [statement_entry(by_year[year].enrollment) for year in chosen]
    label = ",".join(str(year) for year in chosen)
    for earlier in InsuranceProof.objects.filter(resident=resident, years=label, issued_at__date=today):
        if earlier.statement == statement:
            return earlier
    return InsuranceProof.objects.create(
        resident=resident, years=label, statement=statement,
        verification_code=secrets.token_urlsafe(16), issued_at=now,
    )
