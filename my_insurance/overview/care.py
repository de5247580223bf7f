"""A coverage year's care on 我的医保: the settlements (就医结算) and manual claims (零星报销) of
the year with what each layer paid, the year's totals, and where the year stands against its
deductibles and caps (benefits.rules.year_standing, fed what the claims pricing counts as used)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from assistance.identities.rules import category_on
from assistance.identities.services import periods_held
from assistance.models import ReassistanceGrant, Settlement
from benefits.rules import VisitKind, YearStanding, year_standing
from benefits.services import PolicyNotFound, policy_in_force
from enrollment.models import Enrollment, Resident
from portal.shared.money import ZERO
from portal.shared.vocabulary import Category
from treatment.chronic.models import ChronicRecognition
from treatment.claims.models import Claim
from treatment.claims.pricing import COUNTED_STATUSES, year_used
from treatment.claims.workflow import STATUS_LABELS, Status

KIND_LABELS = dict(VisitKind.choices())
# Claims that will never be paid: shown with their state, without amounts.
NOT_PAID_STATUSES = (Status.REJECTED.value, Status.WITHDRAWN.value)
LAYERS = ("total", "policy_range", "basic", "catastrophic", "assistance", "reassistance", "personal")


@dataclass(frozen=True)
class CareEntry:
    """A settlement or a claim, as one line of the year."""

    day: date
    title: str  # "就医结算" / "零星报销 2022-000012"
    kind: str
    institution: str
    state: str
    final: bool  # settled, or a claim approved or paid: the amounts hold
    has_amounts: bool  # False for a claim rejected or withdrawn
    total: Decimal
    policy_range: Decimal
    basic: Decimal
    catastrophic: Decimal
    assistance: Decimal
    reassistance: Decimal
    personal: Decimal
    paid_note: str = ""


@dataclass
class LayerTotals:
    total: Decimal = ZERO
    policy_range: Decimal = ZERO
    basic: Decimal = ZERO
    catastrophic: Decimal = ZERO
    assistance: Decimal = ZERO
    reassistance: Decimal = ZERO
    personal: Decimal = ZERO

    def add(self, entry: CareEntry) -> None:
        for name in LAYERS:
            setattr(self, name, getattr(self, name) + getattr(entry, name))

    @property
    def reimbursed(self) -> Decimal:
        return self.basic + self.catastrophic + self.assistance + self.reassistance


@dataclass(frozen=True)
class Standing:
    """Where the year stands, or why it is not computed (``refusal``)."""

    standing: YearStanding | None
    category: str = ""
    assistance: str = ""
    on: date | None = None
    refusal: str = ""


@dataclass
class YearOfCare:
    year: int
    entries: list[CareEntry]
    totals: LayerTotals = field(default_factory=LayerTotals)  # settled and approved or paid
    expected: LayerTotals = field(default_factory=LayerTotals)  # claims still under review
    grants: list[ReassistanceGrant] = field(default_factory=list)
    standing: Standing | None = None


def care_years(resident: Resident) -> list[int]:
    """The years the page offers: every year the resident has an enrollment for, newest first."""
    return sorted(set(Enrollment.objects.filter(resident=resident).values_list("year", flat=True)), reverse=True)


def year_in_force(years: list[int], today: date) -> int | None:
    """This year if enrolled for it, else the latest enrolled year before it, else the first."""
    past = [year for year in years if year <= today.year]
    return max(past) if past else min(years, default=None)


def year_of_care(resident: Resident, year: int, *, today: date) -> YearOfCare:
    entries = [*_settlements(resident, year), *_claims(resident, year)]
    entries.sort(key=lambda entry: entry.day)
    care = YearOfCare(year=year, entries=entries)
    for entry in entries:
        if entry.final:
            care.totals.add(entry)
        elif entry.has_amounts:
            care.expected.add(entry)
    care.grants = list(ReassistanceGrant.objects.filter(resident=resident, year=year))
    care.standing = _standing(resident, year, today=today)
    return care


def _settlements(resident: Resident, year: int) -> list[CareEntry]:
    return [
        CareEntry(day=s.settled_on, title="就医结算", kind=KIND_LABELS.get(s.kind, s.kind), institution=s.institution,
                  state="医院已直接结算", final=True, has_amounts=True, total=s.total, policy_range=s.policy_range,
                  basic=s.basic, catastrophic=s.catastrophic, assistance=s.assistance, reassistance=ZERO,
                  personal=s.personal)
        for s in Settlement.objects.for_year(year).filter(person_digest=resident.id_digest)
    ]


def _claims(resident: Resident, year: int) -> list[CareEntry]:
    entries = []
    for claim in Claim.objects.filter(resident=resident, year=year).prefetch_related("visits"):
        visits = sorted(claim.visits.all(), key=lambda visit: (visit.visited_on, visit.line))
        if not visits:
            continue
        final = claim.status in COUNTED_STATUSES
        paid_note = ""
        if claim.status == Status.PAID.value:
            paid_note = f"已于 {claim.paid_on:%Y年%-m月%-d日} 支付 {claim.paid_amount} 元"
        entries.append(CareEntry(
            day=visits[0].visited_on, title=f"零星报销 {claim.number}",
            kind="、".join(dict.fromkeys(KIND_LABELS.get(visit.kind, visit.kind) for visit in visits)),
            institution="、".join(dict.fromkeys(visit.hospital for visit in visits)),
            state=STATUS_LABELS[Status(claim.status)], final=final,
            has_amounts=claim.status not in NOT_PAID_STATUSES,
            total=claim.total, policy_range=claim.policy_range, basic=claim.basic, catastrophic=claim.catastrophic,
            assistance=claim.assistance, reassistance=claim.reassistance, personal=claim.out_of_pocket,
            paid_note=paid_note,
        ))
    return entries


def _standing(resident: Resident, year: int, *, today: date) -> Standing:
    """As a claim of the year would be priced today (treatment/claims/pricing.py): the year's
    enrollment category, the assistance category held on the day (the year's last day for a
    past year), after every settlement and approved or paid claim of the year."""
    enrollment = Enrollment.objects.active().filter(resident=resident, year=year).first()
    if enrollment is None:
        return Standing(None, refusal=f"{year} 年度没有有效的参保登记，不计算待遇余额。")
    try:
        policy = policy_in_force(year=year, region_code=resident.region.code)
    except PolicyNotFound as error:
        return Standing(None, refusal=f"暂时不能计算待遇余额：{error}")
    on = min(today, date(year, 12, 31))
    assistance = category_on(periods_held([resident.id_digest]).get(resident.id_digest, []), on)
    diseases = ChronicRecognition.objects.filter(resident=resident).valid_on(on).values_list("disease_code", flat=True)
    earlier, _ = year_used(resident, year)
    standing = year_standing(policy.snapshot(), category=Category(enrollment.category), assistance=assistance,
                             earlier=earlier, diseases=list(diseases))
    return Standing(standing, category=Category(enrollment.category).label,
                    assistance=assistance.label if assistance else "", on=on)
