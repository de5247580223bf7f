"""The expected reimbursement of a manual claim, by the benefit engine (benefits.rules) after
what the person's year had already used: their imported settlements (就医结算) dated before the
claim's first visit, and the claims of the year already approved or paid.

A claim is priced when it is recorded and again at each review, inside the review's
transaction: settlements imported meanwhile, or another claim approved, change what is left of
the year's deductibles and caps. Where the care happened and the disease recognised are read
again each time too, as of each visit's day: a filing or a recognition recorded after the visit
(补办) but valid on its day counts.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from assistance.identities.rules import category_on, strongest_category
from assistance.identities.services import periods_held
from assistance.models import Settlement
from benefits.rules import UsedVisit, Visit, VisitKind, estimate
from benefits.services import PolicyNotFound, policy_in_force
from enrollment.models import Enrollment
from portal.shared.money import ZERO
from portal.shared.vocabulary import Place
from treatment.chronic.services import recognised_disease_on
from treatment.claims.models import Claim, ClaimVisit
from treatment.claims.workflow import Status
from treatment.filings.services import place_for

# Claims whose amounts the fund has committed to: they used the year like a settlement.
COUNTED_STATUSES = (Status.APPROVED.value, Status.PAID.value)


@dataclass
class YearUsed:
    """What the year had used before a claim: counts and sums of the settlements and claims the
    engine continued from."""

    settlements: int = 0
    claims: int = 0
    policy_range: Decimal = ZERO
    basic: Decimal = ZERO
    catastrophic: Decimal = ZERO
    assistance: Decimal = ZERO

    @property
    def anything(self) -> bool:
        return bool(self.settlements or self.claims)

    @property
    def reimbursed(self) -> Decimal:
        return self.basic + self.catastrophic + self.assistance


def year_used_before(claim: Claim) -> tuple[list[UsedVisit], YearUsed]:
    """The visits the year had used before ``claim``, in date order, and their summary.

    Settlements count when dated before the claim's first visit: the engine's running totals
    are of the year in date order. Approved and paid claims of the year count whatever their
    dates, since the fund pays them apart from the settlement system: counting them only when
    earlier would give two claims of one year the same deductible twice."""
    visits = list(claim.visits.all())
    first_day = min((visit.visited_on for visit in visits), default=date(claim.year, 12, 31))
    summary = YearUsed()
    dated: list[tuple[date, int, UsedVisit]] = []
    settlements = Settlement.objects.for_year(claim.year).filter(
        person_digest=claim.resident.id_digest, settled_on__lt=first_day,
    ).values_list("pk", "settled_on", "kind", "policy_range", "basic", "catastrophic", "assistance")
    for pk, settled_on, kind, policy_range, basic, catastrophic, assistance in settlements:
        dated.append((settled_on, pk, UsedVisit(kind, policy_range, basic, catastrophic, assistance)))
        _add(summary, policy_range, basic, catastrophic, assistance)
        summary.settlements += 1
    claimed = ClaimVisit.objects.filter(
        claim__resident_id=claim.resident_id, claim__year=claim.year, claim__status__in=COUNTED_STATUSES,
    ).exclude(claim_id=claim.pk).values_list(
        "claim_id", "visited_on", "line", "kind", "policy_range", "basic", "catastrophic", "assistance", "disease_code")
    claims = set()
    for claim_id, visited_on, line, kind, policy_range, basic, catastrophic, assistance, disease in claimed:
        used = UsedVisit(kind, policy_range, basic, catastrophic, assistance, disease=disease or None)
        dated.append((visited_on, line, used))
        _add(summary, policy_range, basic, catastrophic, assistance)
        claims.add(claim_id)
    summary.claims = len(claims)
    dated.sort(key=lambda entry: (entry[0], entry[1]))
    return [used for _, _, used in dated], summary


def _add(summary: YearUsed, policy_range: Decimal, basic: Decimal, catastrophic: Decimal, assistance: Decimal) -> None:
    summary.policy_range += policy_range
    summary.basic += basic
    summary.catastrophic += catastrophic
    summary.assistance += assistance


def price_claim(claim: Claim) -> Claim:
    """Compute and store the claim's expected reimbursement (each visit's layers and lines, the
    claim's totals). Raises ValidationError (Chinese) when the year has no enrollment or no
    published policy, or a recognised disease is not on the year's list."""
    resident = claim.resident
    enrollment = Enrollment.objects.active().filter(resident=resident, year=claim.year).first()
    if enrollment is None:
        raise ValidationError(f"{resident.name} 没有 {claim.year} 年度的有效参保登记，无法核算报销金额。")
    try:
        policy = policy_in_force(year=claim.year, region_code=resident.region.code)
    except PolicyNotFound as error:
        raise ValidationError(f"无法核算报销金额：{error}") from None
    snapshot = policy.snapshot()
    visits = sorted(claim.visits.all(), key=lambda visit: (visit.visited_on, visit.line))
    periods = periods_held([resident.id_digest]).get(resident.id_digest, [])
    assistance = strongest_category(
        category for visit in visits if (category := category_on(periods, visit.visited_on)) is not None)
    engine_visits = []
    for visit in visits:
        _place_and_disease(claim, visit)
        if visit.disease_code and visit.disease_code not in snapshot.chronic_diseases:
            raise ValidationError(
                f"第 {visit.line} 条就诊记录：认定病种（编码 {visit.disease_code}）不在 {claim.year} 年度门诊慢特病病种目录中，"
                "请联系县(区)医保部门核实。")
        engine_visits.append(_engine_visit(visit))
    earlier, _ = year_used_before(claim)
    result = estimate(snapshot, category=enrollment.category, assistance=assistance, visits=engine_visits,
                      earlier=earlier)
    for visit, priced in zip(visits, result.visits, strict=True):
        visit.basic, visit.catastrophic = priced.basic, priced.catastrophic
        visit.assistance, visit.reassistance = priced.assistance, priced.reassistance
        visit.out_of_pocket = priced.out_of_pocket
        visit.explanation = "\n".join(priced.explanation)
        visit.save(update_fields=["place", "disease_code", "basic", "catastrophic", "assistance", "reassistance",
                                  "out_of_pocket", "explanation"])
    totals = result.totals
    claim.category = enrollment.category
    claim.assistance_category = assistance.value if assistance else ""
    claim.total, claim.policy_range = totals.total, totals.policy_range
    claim.basic, claim.catastrophic = totals.basic, totals.catastrophic
    claim.assistance, claim.reassistance = totals.assistance, totals.reassistance
    claim.reimbursed = totals.reimbursed
    claim.computed_at = timezone.now()
    claim.save(update_fields=["category", "assistance_category", "total", "policy_range", "basic", "catastrophic",
                              "assistance", "reassistance", "reimbursed", "computed_at"])
    return claim


def _place_and_disease(claim: Claim, visit: ClaimVisit) -> None:
    if visit.place != Place.LOCAL.value:
        visit.place = Place(place_for(claim.resident, visit.visited_on, outside=True)).value
    if visit.kind == VisitKind.CHRONIC.value:
        visit.disease_code = recognised_disease_on(claim.resident, visit.visited_on) or ""


def _engine_visit(visit: ClaimVisit) -> Visit:
    chronic = visit.kind == VisitKind.CHRONIC.value
    return Visit(
        kind=visit.kind, total=visit.total, policy_range=visit.policy_range,
        level=visit.level if visit.kind == VisitKind.INPATIENT.value else None,
        child_order=visit.child_order if visit.kind == VisitKind.MATERNITY.value else None,
        place=Place(visit.place),
        disease=(visit.disease_code or None) if chronic else None,
        # Someone with no recognition on the day: basic insurance pays nothing, and says why.
        recognised=False if chronic and not visit.disease_code else None,
    )
