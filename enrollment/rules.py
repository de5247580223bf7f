"""Premium rules (个人缴费) of DESIGN.md section 5, as pure functions of Decimal and date.

The caller loads the ContributionStandard and its AssistanceSubsidy rows for (year, region) into
a ``ContributionSnapshot``; nothing here touches the database or reads the clock, so a premium
computed today and one recomputed years later from the stored snapshot are the same.
Checks that need the database (no standard, already enrolled, deceased, employee insurance
ended within 3 months) are the caller's.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType

from portal.shared.money import ZERO, format_yuan, to_cents
from portal.shared.vocabulary import AssistanceCategory, Category


@dataclass(frozen=True)
class AssistanceSubsidyRule:
    """How much of the personal contribution the assistance fund pays for one category.

    ``full`` pays it all (鲁医保发〔2022〕24号: 特困人员全额资助) and ignores ``amount``;
    otherwise ``amount`` is a fixed sum, never more than the contribution itself.
    """

    full: bool
    amount: Decimal | None = None

    def __post_init__(self):
        if not self.full:
            if self.amount is None:
                raise ValueError("a fixed assistance subsidy needs an amount")
            _require_money("amount", self.amount)

    def subsidy_for(self, standard: Decimal) -> Decimal:
        if self.full:
            return standard
        return min(to_cents(self.amount), standard)


@dataclass(frozen=True)
class ContributionSnapshot:
    """The standard of one coverage year and pooling region, as the rules need it."""

    year: int
    contribution_adult: Decimal
    contribution_student_child: Decimal
    fiscal_subsidy: Decimal
    window_start: date
    window_end: date
    waiting_days: int = 90
    newborn_grace_days: int = 90
    subsidies: Mapping[AssistanceCategory, AssistanceSubsidyRule] = field(
        default_factory=dict, hash=False
    )

    def __post_init__(self):
        for name in ("contribution_adult", "contribution_student_child", "fiscal_subsidy"):
            _require_money(name, getattr(self, name))
        if self.window_start > self.window_end:
            raise ValueError("the collection window starts after it ends")
        if self.waiting_days < 0 or self.newborn_grace_days < 0:
            raise ValueError("waiting and grace periods cannot be negative")
        # Read-only, so a snapshot stored on an enrollment cannot be changed behind its back.
        object.__setattr__(
            self,
            "subsidies",
            MappingProxyType(
                {AssistanceCategory(code): rule for code, rule in self.subsidies.items()}
            ),
        )

    @property
    def year_start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def year_end(self) -> date:
        return date(self.year, 12, 31)

    def contribution_for(self, category: Category) -> Decimal:
        if Category(category) is Category.ADULT:
            return to_cents(self.contribution_adult)
        return to_cents(self.contribution_student_child)


class PremiumRefused(ValueError):
    """A registration the rules do not allow; ``code`` for programs, the message for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Premium:
    year: int
    category: Category
    assistance: AssistanceCategory | None
    standard: Decimal
    subsidy: Decimal
    payable: Decimal
    late: bool
    newborn: bool
    transfer: bool
    coverage_start: date
    coverage_end: date
    explanation: tuple[str, ...]


def premium_for(
    standard: ContributionSnapshot,
    *,
    category: Category,
    assistance: AssistanceCategory | None,
    birth_date: date,
    on: date,
    transfer_from_employee: bool = False,
) -> Premium:
    """What a resident registering on ``on`` pays for ``standard.year`` and from when they are
    covered (DESIGN.md section 5, steps 1-7). Raises ``PremiumRefused``."""
    category = Category(category)
    assistance = AssistanceCategory(assistance) if assistance else None
    year = standard.year
    _refuse_impossible_dates(standard, birth_date=birth_date, on=on)

    # Step 1-2: the personal contribution and what the assistance fund pays of it.
    amount = standard.contribution_for(category)
    explanation = [f"{category.label} {year} 年度个人缴费标准 {format_yuan(amount)} 元"]
    subsidy = ZERO
    if assistance is not None:
        subsidy, line = _assistance_subsidy(standard, assistance, amount)
        explanation.append(line)

    # Step 3-4. A newborn registering within the grace period may do so before the window
    # opens; otherwise nobody registers for a year whose collection has not started.
    newborn = 0 <= (on - birth_date).days <= standard.newborn_grace_days
    if on < standard.window_start and not newborn:
        raise PremiumRefused(
            "window_not_open",
            f"{year} 年度集中缴费期 {standard.window_start.isoformat()} 起才开始，"
            "请届时再来登记",
        )
    after_window = on > standard.window_end
    late = after_window and not newborn and assistance is None and not transfer_from_employee

    # Step 5.
    payable = amount - subsidy
    if late:
        fiscal = to_cents(standard.fiscal_subsidy)
        payable += fiscal
        explanation.append(
            f"集中缴费期后参保，另缴财政补助 {format_yuan(fiscal)} 元，"
            f"等待期 {standard.waiting_days} 天"
        )

    # Step 6: the first branch that applies decides the start.
    if newborn:
        coverage_start = max(birth_date, standard.year_start)
        explanation.append(
            f"新生儿出生 {(on - birth_date).days} 天内参保（宽限期 {standard.newborn_grace_days} 天），"
            f"不受集中缴费期限制，无等待期，自 {coverage_start.isoformat()} 起享受待遇"
        )
    elif late:
        coverage_start = max(standard.year_start, on + timedelta(days=standard.waiting_days))
        if coverage_start > standard.year_end:
            raise PremiumRefused(
                "coverage_after_year_end",
                f"{year} 年度集中缴费期已于 {standard.window_end.isoformat()} 结束，"
                f"现在参保要等待 {standard.waiting_days} 天，待遇最早 "
                f"{coverage_start.isoformat()} 才开始，已超出 {year} 年度，"
                f"请参加 {year + 1} 年度集中缴费",
            )
    elif transfer_from_employee:
        coverage_start = max(standard.year_start, on)
        explanation.append(
            "职工医保终止后 3 个月内转入居民医保，不算集中缴费期后参保，无等待期，"
            f"自 {coverage_start.isoformat()} 起享受待遇"
        )
    elif assistance is not None and after_window:
        coverage_start = max(standard.year_start, on)
        explanation.append(
            f"{assistance.label} 集中缴费期后参保，不另缴财政补助，无等待期，"
            f"自 {coverage_start.isoformat()} 起享受待遇"
        )
    else:
        coverage_start = standard.year_start
    coverage_end = standard.year_end

    explanation.append(f"个人应缴 {format_yuan(payable)} 元")
    explanation.append(f"待遇享受期 {coverage_start.isoformat()} 至 {coverage_end.isoformat()}")
    return Premium(
        year=year,
        category=category,
        assistance=assistance,
        standard=amount,
        subsidy=subsidy,
        payable=to_cents(payable),
        late=late,
        newborn=newborn,
        transfer=transfer_from_employee,
        coverage_start=coverage_start,
        coverage_end=coverage_end,
        explanation=tuple(explanation),
    )


def _refuse_impossible_dates(standard: ContributionSnapshot, *, birth_date: date, on: date):
    if birth_date > on:
        raise PremiumRefused(
            "born_after_registration",
            f"出生日期 {birth_date.isoformat()} 晚于登记日期 {on.isoformat()}，请核对出生日期",
        )
    if on > standard.year_end:
        raise PremiumRefused(
            "year_over",
            f"{standard.year} 年度已于 {standard.year_end.isoformat()} 结束，不能再参保该年度，"
            f"请登记 {standard.year + 1} 年度",
        )


def _assistance_subsidy(
    standard: ContributionSnapshot, assistance: AssistanceCategory, amount: Decimal
) -> tuple[Decimal, str]:
    rule = standard.subsidies.get(assistance)
    if rule is None:
        return ZERO, f"{assistance.label} {standard.year} 年度未设参保资助，资助 0.00 元"
    subsidy = rule.subsidy_for(amount)
    if rule.full:
        return subsidy, f"{assistance.label} 全额资助 {format_yuan(subsidy)} 元"
    fixed = to_cents(rule.amount)
    if fixed > amount:
        return subsidy, (
            f"{assistance.label} 定额资助 {format_yuan(fixed)} 元，"
            f"以个人缴费 {format_yuan(amount)} 元为限，资助 {format_yuan(subsidy)} 元"
        )
    return subsidy, f"{assistance.label} 定额资助 {format_yuan(subsidy)} 元"


def _require_money(name: str, value) -> None:
    # Floats would carry binary rounding into receipts (STYLE.md: money is Decimal, never float).
    if isinstance(value, float) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} cannot be negative")
