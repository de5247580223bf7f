"""The policy snapshot the benefit engine computes with: plain frozen dataclasses of every
parameter of one BenefitPolicy (DESIGN.md section 6), checked and normalised to cents when built.
Pure: no Django import; benefits.models builds snapshots from database rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache

from portal.shared.money import ZERO, to_cents
from portal.shared.vocabulary import POOREST_ASSISTANCE_CATEGORIES, AssistanceCategory, Category, Place

ONE = Decimal("1")
LEVEL_NAMES = {1: "一级医院", 2: "二级医院", 3: "三级医院"}
_STUDENT_CHILD = Category.STUDENT_CHILD


@lru_cache(maxsize=256)
def format_rate(rate: Decimal) -> str:
    """A rate as people read it: Decimal("0.70") -> "70%", Decimal("0.725") -> "72.5%"."""
    return f"{plain_number(rate * 100)}%"


def plain_number(number: Decimal) -> str:
    """A factor without trailing zeros or exponent: 0.50 -> "0.5", 1 -> "1"."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cents(name: str, amount: object, *, optional: bool = False) -> Decimal | None:
    """Check an amount of money and return it with exactly two places."""
    if amount is None and optional:
        return None
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ValueError(f"{name} must be a finite Decimal, not {amount!r}")
    if amount < 0:
        raise ValueError(f"{name} must not be negative, got {amount}")
    cents = to_cents(amount)
    if cents != amount:
        raise ValueError(f"{name} must be a whole number of cents, got {amount}")
    return cents


def _check_rate(name: str, rate: object) -> None:
    if not isinstance(rate, Decimal) or not ZERO <= rate <= ONE:
        raise ValueError(f"{name} must be a Decimal fraction between 0 and 1, not {rate!r}")


def normalise_money(owner: object, *names: str, optional: bool = False) -> None:
    """Store money fields of a frozen dataclass as cents, so that every figure shows two places."""
    for name in names:
        value = _cents(f"{type(owner).__name__}.{name}", getattr(owner, name), optional=optional)
        object.__setattr__(owner, name, value)


# --- the policy snapshot ------------------------------------------------------------------


@dataclass(frozen=True)
class InpatientLevel:
    level: int
    deductible_adult: Decimal
    deductible_student_child: Decimal
    rate: Decimal

    def __post_init__(self) -> None:
        normalise_money(self, "deductible_adult", "deductible_student_child")
        _check_rate(f"level {self.level} rate", self.rate)

    def deductible_for(self, category: Category) -> Decimal:
        if category is _STUDENT_CHILD:
            return self.deductible_student_child
        return self.deductible_adult

    @property
    def name(self) -> str:
        return LEVEL_NAMES.get(self.level) or f"{self.level}级医院"


@dataclass(frozen=True)
class CatastrophicTier:
    """A tier's rate applies to the above-deductible amount up to ``upper`` (None: beyond)."""

    upper: Decimal | None
    rate: Decimal

    def __post_init__(self) -> None:
        normalise_money(self, "upper", optional=True)
        _check_rate("catastrophic tier rate", self.rate)


Slice = tuple[Decimal, Decimal]  # (amount inside one catastrophic tier, the tier's rate)


@dataclass(frozen=True)
class CatastrophicTerms:
    """The catastrophic deductible, tiers and cap that apply to one resident: F of DESIGN.md 6.3."""

    deductible: Decimal
    tiers: tuple[CatastrophicTier, ...]
    cap: Decimal | None

    def slices(self, accumulated: Decimal) -> list[Slice]:
        """(slice, rate) of the above-deductible part of ``accumulated``, tier by tier."""
        above = accumulated - self.deductible
        slices = []
        lower = ZERO
        for tier in self.tiers:
            if above <= lower:
                break
            upper = above if tier.upper is None or above < tier.upper else tier.upper
            slices.append((upper - lower, tier.rate))
            lower = upper
        return slices

    def breakdown(self, accumulated: Decimal) -> tuple[list[Slice], Decimal, Decimal]:
        """The slices, F before the cap, and F: what the year's ``accumulated`` burden earns."""
        slices = self.slices(accumulated)
        raw = ZERO
        for part, rate in slices:
            raw += part * rate
        raw = to_cents(raw)
        return slices, raw, raw if self.cap is None or raw <= self.cap else self.cap

    def payable_for(self, accumulated: Decimal) -> Decimal:
        return self.breakdown(accumulated)[2]


@dataclass(frozen=True)
class AssistanceRule:
    """G of DESIGN.md 6.4: min(max(accumulated − deductible, 0) × rate, cap), cap None = none."""

    deductible: Decimal
    rate: Decimal
    cap: Decimal | None

    def __post_init__(self) -> None:
        normalise_money(self, "deductible")
        normalise_money(self, "cap", optional=True)
        _check_rate("assistance rate", self.rate)

    def payable_for(self, accumulated: Decimal) -> Decimal:
        return rate_above(accumulated, self.deductible, self.rate, self.cap)[1]


@dataclass(frozen=True)
class ReassistanceRule:
    """H of DESIGN.md 6.5, for the assistance categories listed in ``categories`` only."""

    categories: frozenset[AssistanceCategory]
    threshold: Decimal
    rate: Decimal
    cap: Decimal | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", frozenset(map(AssistanceCategory, self.categories)))
        normalise_money(self, "threshold")
        normalise_money(self, "cap", optional=True)
        _check_rate("re-assistance rate", self.rate)

    def payable_for(self, accumulated: Decimal) -> Decimal:
        return rate_above(accumulated, self.threshold, self.rate, self.cap)[1]


@dataclass(frozen=True)
class ChronicDiseaseRule:
    """One recognised chronic or special disease (门诊慢特病病种): its own annual deductible and
    ratio, or None where the general chronic rule applies."""

    code: str
    name: str
    deductible: Decimal | None = None
    rate: Decimal | None = None

    def __post_init__(self) -> None:
        normalise_money(self, "deductible", optional=True)
        if self.rate is not None:
            _check_rate(f"chronic disease {self.code} rate", self.rate)


def rate_above(accumulated: Decimal, threshold: Decimal, rate: Decimal,
                cap: Decimal | None) -> tuple[Decimal, Decimal]:
    """max(accumulated − threshold, 0) × rate rounded to cents, before and after the cap."""
    if accumulated <= threshold:
        return ZERO, ZERO
    raw = to_cents((accumulated - threshold) * rate)
    return raw, raw if cap is None or raw <= cap else cap


@dataclass(frozen=True)
class BenefitPolicySnapshot:
    """Every parameter of one BenefitPolicy (coverage year, pooling region), DESIGN.md 6."""

    inpatient_levels: tuple[InpatientLevel, ...]
    # Factor of the nth admission of the year; the last one repeats for later admissions.
    admission_factors: tuple[Decimal, ...]
    deductible_exempt_categories: frozenset[AssistanceCategory]
    basic_annual_cap: Decimal  # shared by inpatient and chronic
    outpatient_deductible: Decimal
    outpatient_rate: Decimal
    outpatient_cap: Decimal
    two_diseases_rate: Decimal
    two_diseases_cap: Decimal
    chronic_deductible: Decimal
    chronic_rate: Decimal
    # Lump sum of the 1st, 2nd, ... child; the last one repeats for later children.
    maternity_lump_sums: tuple[Decimal, ...]
    catastrophic_deductible: Decimal
    catastrophic_tiers: tuple[CatastrophicTier, ...]
    catastrophic_cap: Decimal | None
    assistance_rules: Mapping[AssistanceCategory, AssistanceRule]
    reassistance: ReassistanceRule | None
    # Shandong's 2022 rules for the three poorest groups (seed 004): 大病保险年度起付线降低50%，
    # 分段报销比例提高5个百分点，取消年度封顶线. Settings, so that officers can change them.
    poorest_categories: frozenset[AssistanceCategory] = POOREST_ASSISTANCE_CATEGORIES
    poorest_deductible_factor: Decimal = Decimal("0.5")
    poorest_rate_bonus: Decimal = Decimal("0.05")
    poorest_uncapped: bool = True
    # Percentage points off every basic-insurance ratio by place of care; a place not named: none.
    outside_reductions: Mapping[Place, Decimal] = field(default_factory=dict)
    # The year's recognised chronic and special diseases by code (门诊慢特病病种).
    chronic_diseases: Mapping[str, ChronicDiseaseRule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        normalise_money(
            self, "basic_annual_cap", "outpatient_deductible", "outpatient_cap",
            "two_diseases_cap", "chronic_deductible", "catastrophic_deductible",
        )
        normalise_money(self, "catastrophic_cap", optional=True)
        for name in ("deductible_exempt_categories", "poorest_categories"):
            object.__setattr__(self, name, frozenset(map(AssistanceCategory, getattr(self, name))))
        object.__setattr__(self, "assistance_rules", {
            AssistanceCategory(category): rule for category, rule in self.assistance_rules.items()})
        for name in ("outpatient_rate", "two_diseases_rate", "chronic_rate",
                     "poorest_deductible_factor", "poorest_rate_bonus"):
            _check_rate(name, getattr(self, name))
        for name in ("admission_factors", "maternity_lump_sums", "inpatient_levels",
                     "catastrophic_tiers"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
            if not getattr(self, name):
                raise ValueError(f"{name} must not be empty")
        for factor in self.admission_factors:
            _check_rate("admission factor", factor)
        object.__setattr__(self, "maternity_lump_sums", tuple(
            _cents("maternity lump sum", amount) for amount in self.maternity_lump_sums))
        if len({level.level for level in self.inpatient_levels}) != len(self.inpatient_levels):
            raise ValueError("inpatient levels must be distinct")
        uppers = [tier.upper for tier in self.catastrophic_tiers]
        if uppers[-1] is not None or None in uppers[:-1] or uppers[:-1] != sorted(set(uppers[:-1])):
            raise ValueError("catastrophic tier bounds must increase and the last one be None")
        if max(tier.rate for tier in self.catastrophic_tiers) + self.poorest_rate_bonus > ONE:
            raise ValueError("a catastrophic tier rate plus the poorest bonus exceeds 100%")
        reductions = {Place(place): reduction for place, reduction in self.outside_reductions.items()}
        for place, reduction in reductions.items():
            _check_rate(f"{place.value} reduction", reduction)
        if reductions.get(Place.LOCAL, ZERO):
            raise ValueError("care inside the pooling region has no reduction")
        if reductions.get(Place.OUTSIDE_UNFILED, ZERO) < reductions.get(Place.OUTSIDE_FILED, ZERO):
            raise ValueError("the reduction without a filing must not be less than with one")
        object.__setattr__(self, "outside_reductions", reductions)
        object.__setattr__(self, "chronic_diseases", dict(self.chronic_diseases))

    def reduction_for(self, place: Place) -> Decimal:
        return self.outside_reductions.get(place, ZERO)

    @cached_property
    def _levels(self) -> dict[int, InpatientLevel]:
        return {level.level: level for level in self.inpatient_levels}

    def inpatient_level(self, level: int) -> InpatientLevel:
        try:
            return self._levels[level]
        except KeyError:
            raise ValueError(f"the policy has no inpatient level {level!r}") from None

    def admission_factor(self, admission: int) -> Decimal:
        """Factor of the ``admission``-th inpatient stay of the year (1-based)."""
        return self.admission_factors[min(admission, len(self.admission_factors)) - 1]

    def maternity_lump_sum(self, child_order: int) -> Decimal:
        return self.maternity_lump_sums[min(child_order, len(self.maternity_lump_sums)) - 1]

    @cached_property
    def _catastrophic_standard(self) -> CatastrophicTerms:
        return CatastrophicTerms(
            self.catastrophic_deductible, self.catastrophic_tiers, self.catastrophic_cap
        )

    @cached_property
    def _catastrophic_poorest(self) -> CatastrophicTerms:
        bonus = self.poorest_rate_bonus
        return CatastrophicTerms(
            deductible=to_cents(self.catastrophic_deductible * self.poorest_deductible_factor),
            tiers=tuple(CatastrophicTier(t.upper, t.rate + bonus) for t in self.catastrophic_tiers),
            cap=None if self.poorest_uncapped else self.catastrophic_cap,
        )

    def catastrophic_terms(self, *, poorest: bool) -> CatastrophicTerms:
        return self._catastrophic_poorest if poorest else self._catastrophic_standard
