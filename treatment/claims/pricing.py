"""The expected reimbursement of a manual claim, by the benefit engine (benefits.rules) after
what the person's year had already used: every settlement (就医结算) of the year imported so far,
and the claims of the year already approved or paid, whatever their dates.

A claim is priced when it is recorded and again at each review, inside the review's
transaction: settlements imported meanwhile, or another claim approved, change what is left of
the year's deductibles and caps. Where the care happened and the disease recognised are read
again each time too, as of each visit's day: a filing or a recognition recorded after the visit
(补办) but valid on its day counts.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from assistance.identities.rules import category_on
from assistance.identities.services import periods_held
from assistance.models import Settlement
from benefits.rules import UsedVisit, Visit, VisitKind, estimate
from benefits.services import PolicyNotFound, policy_in_force
from enrollment.models import Enrollment
from portal.shared.money import ZERO
from portal.shared.vocabulary import AssistanceCategory, Place
from treatment.chronic.models import ChronicRecognition
from treatment.claims.models import Claim, ClaimVisit
from treatment.claims.workflow import Status
from treatment.filings.services import place_for

# Claims whose amounts the fund has committed to: they used the year like a settlement.
COUNTED_STATUSES = (Status.APPROVED.value, Status.PAID.value)


@dataclass
class YearUsed:
    """What the year had used that a claim's pricing continued from: counts and sums of the
    settlements and claims."""

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
    def summary(self) -> str:
        """One sentence for the claim's page, stored with the amounts it explains."""
        if not self.anything:
            return "核算时本年度没有已导入的就医结算记录，也没有已复审通过的零星报销：起付线和年度限额从头计算。"
        counted = [f"{self.settlements} 条已导入的就医结算记录" if self.settlements else "",
                   f"{self.claims} 份已复审通过的零星报销" if self.claims else ""]
        return (f"核算时计入了本年度的{'和'.join(filter(None, counted))}：政策范围内费用 {self.policy_range} 元，"
                f"基本医保已支付 {self.basic} 元，大病保险 {self.catastrophic} 元，医疗救助 {self.assistance} 元"
                "（已用的起付线、住院次数和累计金额按此扣除）。")


def year_used_before(claim: Claim) -> tuple[list[UsedVisit], YearUsed]:
    """The visits of the year the claim is priced after (every one but its own), in date order,
    and their summary."""
    return year_used(claim.resident, claim.year, leaving_out=claim)


def year_used(resident, year: int, *, leaving_out: Claim | None = None) -> tuple[list[UsedVisit], YearUsed]:
    """What the resident's coverage year has used so far, in date order, and its summary: for
    pricing a claim (``leaving_out`` that claim) and for the year's standing in 我的医保.

    Every settlement of the year imported so far counts, whatever its date: the hospital has
    already paid it out of the year's deductibles and caps, and a claim priced as if it came
    first would give them a second time. So do the approved and paid claims of the year, which
    the fund pays apart from the settlement system. The engine takes them all as before the
    claim's visits; in date order among themselves."""
    summary = YearUsed()
    dated: list[tuple[date, int, UsedVisit]] = []
    settlements = Settlement.objects.for_year(year).filter(person_digest=resident.id_digest).values_list(
        "pk", "settled_on", "kind", "policy_range", "basic", "catastrophic", "assistance")
    for pk, settled_on, kind, policy_range, basic, catastrophic, assistance in settlements:
        dated.append((settled_on, pk, UsedVisit(kind, policy_range, basic, catastrophic, assistance)))
        _add(summary, policy_range, basic, catastrophic, assistance)
        summary.settlements += 1
    claimed = ClaimVisit.objects.filter(
        claim__resident_id=resident.pk, claim__year=year, claim__status__in=COUNTED_STATUSES,
    )
    if leaving_out is not None:
        claimed = claimed.exclude(claim_id=leaving_out.pk)
    claimed = claimed.values_list(
        "claim_id", "visited_on", "line", "kind", "policy_range", "basic", "catastrophic", "assistance", "disease_code")
    claims = set()
    for claim_id, visited_on, line, kind, policy_range, basic, catastrophic, assistance, disease in claimed:
        # A chronic visit priced with no recognition used no chronic deductible and no
        # catastrophic insurance: the engine is told so.
        unrecognised = kind == VisitKind.CHRONIC.value and not disease
        used = UsedVisit(kind, policy_range, basic, catastrophic, assistance, disease=disease or None,
                         recognised=False if unrecognised else None)
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
    claim's totals, what the year had used). Raises ValidationError (Chinese) when the year has
    no enrollment or no published policy, when a chronic visit's disease is not one recognised on
    its day (or several are and none was named), when a disease is not on the year's list, or
    when the visits fall under different assistance categories. Its ``message_dict`` keys a
    visit's problems ``visit-<line>``."""
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
    problems: dict[str, list[str]] = {}
    for visit in visits:
        if visit.place != Place.LOCAL.value:
            visit.place = Place(place_for(resident, visit.visited_on, outside=True, city=visit.treatment_city)).value
        found = _disease_problem(claim, visit)
        if not found and visit.disease_code and visit.disease_code not in snapshot.chronic_diseases:
            found = (f"第 {visit.line} 条就诊记录：认定病种（编码 {visit.disease_code}）不在 {claim.year} 年度门诊慢特病病种"
                     "目录中，请联系县(区)医保部门核实。")
        if found:
            problems[f"visit-{visit.line}"] = [found]
    assistance, mixed = _assistance_category(resident, visits)
    if mixed:
        problems[NON_FIELD_ERRORS] = [mixed]
    if problems:
        raise ValidationError(problems)
    earlier, used = year_used_before(claim)
    result = estimate(snapshot, category=enrollment.category, assistance=assistance,
                      visits=[_engine_visit(visit) for visit in visits], earlier=earlier)
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
    claim.year_used = used.summary
    claim.computed_at = timezone.now()
    claim.save(update_fields=["category", "assistance_category", "total", "policy_range", "basic", "catastrophic",
                              "assistance", "reassistance", "reimbursed", "year_used", "computed_at"])
    return claim


def _disease_problem(claim: Claim, visit: ClaimVisit) -> str:
    """Settle the disease of a chronic visit from the recognitions valid on its day, or say what
    the clerk must fix ("" when nothing). A code kept on the visit (the clerk's, or the one found
    when it was last priced) must be one of them; without one, a single recognition is taken and
    several must be chosen from; with none the visit is priced as unrecognised."""
    if visit.kind != VisitKind.CHRONIC.value:
        visit.disease_code = ""
        return ""
    recognised: dict[str, str] = {}
    for code, name in (ChronicRecognition.objects.filter(resident_id=claim.resident_id).valid_on(visit.visited_on)
                       .order_by("recorded_at", "pk").values_list("disease_code", "disease_name")):
        recognised.setdefault(code, name)
    head = f"第 {visit.line} 条就诊记录："
    day = f"{visit.visited_on:%Y年%-m月%-d日}"
    listing = "、".join(f"{code} {name}" for code, name in recognised.items())
    if visit.disease_code:
        if visit.disease_code in recognised:
            return ""
        if not recognised:
            return (head + f"认定病种 {visit.disease_code} 不是申请人在{day}有效的门诊慢特病认定，当天没有有效的认定；"
                    "请核对病种编码，或不填认定病种（按未认定核算，基本医保不予支付）。")
        return head + f"认定病种 {visit.disease_code} 不是申请人在{day}有效的门诊慢特病认定；当天有效的认定：{listing}。"
    if len(recognised) > 1:
        return (head + f"申请人在{day}有 {len(recognised)} 个有效的门诊慢特病认定（{listing}），"
                "请在“认定病种”中填写本次就诊所属病种的编码。")
    visit.disease_code = next(iter(recognised), "")
    return ""


def _assistance_category(resident, visits: list[ClaimVisit]) -> tuple[AssistanceCategory | None, str]:
    """The one assistance category held on every visit's day, or a refusal when they differ: the
    engine prices a claim under one category, and a visit must not get another day's."""
    periods = periods_held([resident.id_digest]).get(resident.id_digest, [])
    runs: list[tuple[AssistanceCategory | None, list[date]]] = []
    for visit in visits:
        category = category_on(periods, visit.visited_on)
        if runs and runs[-1][0] == category:
            runs[-1][1].append(visit.visited_on)
        else:
            runs.append((category, [visit.visited_on]))
    if len(runs) <= 1:
        return (runs[0][0] if runs else None), ""
    described = "；".join(
        "、".join(f"{day:%Y年%-m月%-d日}" for day in sorted(set(days))) + f"的就诊：{category.label if category else '无困难类别'}"
        for category, days in runs)
    changes = "、".join(f"{days[0]:%Y年%-m月%-d日}" for _, days in runs[1:])
    return None, (f"本申请各次就诊时申请人的困难类别不同（{described}），一份申请只能按一个困难类别核算。"
                  f"请以 {changes} 为界，把就诊记录分成 {len(runs)} 份申请分别受理。")


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
