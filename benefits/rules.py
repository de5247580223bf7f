"""The three-layer benefit engine of DESIGN.md section 6 (三重保障).

Each visit of a coverage year goes, in date order, through basic insurance ``B`` (基本医保),
catastrophic insurance ``C`` (大病保险), medical assistance ``A`` (医疗救助) and re-assistance
``R`` (再救助). The later layers pay on running totals of the year, so a visit's amounts depend
on the visits before it and never on those after it.

Pure: the policy is a snapshot of plain dataclasses (``benefits.policy``, built from database
rows by the benefits app, from ``benefits.demo`` by tests); amounts are ``Decimal`` rounded to cents once per rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from benefits.policy import (
    ONE,
    BenefitPolicySnapshot,
    format_rate,
    normalise_money,
    plain_number,
    rate_above,
)
from portal.shared.money import ZERO, to_cents
from portal.shared.vocabulary import AssistanceCategory, Category, LabelledEnum, Place

SHARE_PLACES = Decimal("0.0001")


class VisitKind(LabelledEnum):
    INPATIENT = "inpatient", "住院"
    CHRONIC = "chronic", "门诊慢特病"
    OUTPATIENT = "outpatient", "普通门诊"
    TWO_DISEASES = "two_diseases", "两病门诊用药"
    MATERNITY = "maternity", "生育"


# Only inpatient and chronic burdens count towards catastrophic insurance (DESIGN.md 6.3).
CATASTROPHIC_KINDS = frozenset({VisitKind.INPATIENT, VisitKind.CHRONIC})
# Reading an enum member from its class is slow in Python 3.11; the per-visit code uses these.
_MATERNITY = VisitKind.MATERNITY
_CHRONIC = VisitKind.CHRONIC
_LOCAL = Place.LOCAL
_STUDENT_CHILD = Category.STUDENT_CHILD


# --- visits and results -------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """One visit or stay: inpatient needs ``level``, maternity needs ``child_order``.

    ``place`` is where the care happened (outside the pooling region the basic ratios are
    reduced). For a chronic visit, ``disease`` is the code of the person's recognised disease;
    ``recognised=False`` says the person has none, so basic insurance pays nothing; with neither
    (an anonymous estimate) the general chronic rule applies and the lines say that recognition
    comes first."""

    kind: VisitKind
    total: Decimal
    policy_range: Decimal
    level: int | None = None
    child_order: int | None = None
    place: Place = Place.LOCAL
    disease: str | None = None
    recognised: bool | None = None

    def __post_init__(self) -> None:
        try:
            kind = VisitKind(self.kind)
        except ValueError:
            raise ValueError(f"unknown visit kind {self.kind!r}") from None
        object.__setattr__(self, "kind", kind)
        try:
            object.__setattr__(self, "place", Place(self.place))
        except ValueError:
            raise ValueError(f"unknown place {self.place!r}") from None
        if kind is not VisitKind.CHRONIC and (self.disease is not None or self.recognised is not None):
            raise ValueError("disease and recognised apply to chronic visits only")
        if self.disease is not None and self.recognised is False:
            raise ValueError("a visit under a recognised disease cannot be unrecognised")
        normalise_money(self, "total", "policy_range")
        if self.policy_range > self.total:
            raise ValueError(
                f"policy_range {self.policy_range} must not exceed total {self.total}"
            )
        for name, needed_by in (("level", VisitKind.INPATIENT),
                                ("child_order", VisitKind.MATERNITY)):
            value = getattr(self, name)
            if kind is needed_by:
                if type(value) is not int or value < 1:
                    raise ValueError(f"a {kind.value} visit needs {name} >= 1, got {value!r}")
            elif value is not None:
                raise ValueError(f"{name} applies to {needed_by.value} visits only, not {kind}")


@dataclass(frozen=True)
class UsedVisit:
    """A visit of the same year already paid (a settlement record, an earlier claim): what it
    used of the year's deductibles, caps and running totals, which the visits estimated after
    it continue from."""

    kind: VisitKind
    policy_range: Decimal
    basic: Decimal
    catastrophic: Decimal = ZERO
    assistance: Decimal = ZERO
    disease: str | None = None
    # False: a chronic visit of someone with no recognition (as Visit.recognised): it used no
    # chronic deductible and no catastrophic insurance, only the assistance layers.
    recognised: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", VisitKind(self.kind))
        normalise_money(self, "policy_range", "basic", "catastrophic", "assistance")


# Results are plain (not frozen) dataclasses: a frozen one costs five times as much to build,
# and building them is a tenth of an estimate's time.
@dataclass(slots=True)
class VisitResult:
    visit: Visit
    basic: Decimal
    catastrophic: Decimal
    assistance: Decimal
    reassistance: Decimal
    out_of_pocket: Decimal
    explanation: tuple[str, ...]

    @property
    def reimbursed(self) -> Decimal:
        return self.basic + self.catastrophic + self.assistance + self.reassistance


@dataclass(slots=True)
class Totals:
    total: Decimal
    policy_range: Decimal
    basic: Decimal
    catastrophic: Decimal
    assistance: Decimal
    reassistance: Decimal
    reimbursed: Decimal
    out_of_pocket: Decimal

    @property
    def reimbursed_share(self) -> Decimal:
        """Reimbursed / total as a fraction with four places (0.4950 shows as 49.50%)."""
        if not self.total:
            return Decimal("0.0000")
        return (self.reimbursed / self.total).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class Estimate:
    visits: tuple[VisitResult, ...]
    totals: Totals


def estimate(
    policy: BenefitPolicySnapshot,
    *,
    category: Category,
    assistance: AssistanceCategory | None,
    visits: Sequence[Visit],
    earlier: Sequence[UsedVisit] = (),
) -> Estimate:
    """Amounts of every layer for the visits of one coverage year, given in date order, after
    the ``earlier`` visits of the year that were already paid (their amounts are not in the
    result, only what they used of the year)."""
    if assistance is not None:
        assistance = AssistanceCategory(assistance)
    year = _Year(policy, Category(category), assistance)
    for used in earlier:
        year.use(used)
    results = tuple(year.add(number, visit) for number, visit in enumerate(visits, 1))
    return Estimate(results, _totals(results))


def _totals(results: Sequence[VisitResult]) -> Totals:
    total = policy_range = basic = catastrophic = assistance = reassistance = ZERO
    for result in results:
        total += result.visit.total
        policy_range += result.visit.policy_range
        basic += result.basic
        catastrophic += result.catastrophic
        assistance += result.assistance
        reassistance += result.reassistance
    reimbursed = basic + catastrophic + assistance + reassistance
    return Totals(total, policy_range, basic, catastrophic, assistance, reassistance, reimbursed,
                  total - reimbursed)


# --- where the year stands ----------------------------------------------------------------


@dataclass(frozen=True)
class StandingRow:
    """One annual deductible or limit of the year: ``used`` of ``annual``, ``left`` of it.

    A deductible (``is_deductible``) is what the person pays before a layer pays; a limit is what
    the layer pays at most. ``annual`` None: no such limit for this person (the poorest
    categories' catastrophic insurance has no cap); ``left`` is then None too. ``used`` never
    exceeds ``annual``: a year's records that paid past a limit have used all of it."""

    name: str
    annual: Decimal | None
    used: Decimal
    left: Decimal | None
    is_deductible: bool = False


@dataclass(frozen=True)
class YearStanding:
    rows: tuple[StandingRow, ...]
    admissions: int  # inpatient stays so far: the next one's deductible factor follows from it


def year_standing(
    policy: BenefitPolicySnapshot,
    *,
    category: Category,
    assistance: AssistanceCategory | None,
    earlier: Sequence[UsedVisit],
    diseases: Sequence[str] = (),
) -> YearStanding:
    """Where a coverage year stands after the ``earlier`` visits (in date order): each annual
    deductible and limit with what is used and what is left, read from the running totals the
    engine prices the next visit with. ``diseases``: the person's recognised chronic diseases,
    whose own annual deductibles (where the policy sets one) get a row each."""
    if assistance is not None:
        assistance = AssistanceCategory(assistance)
    year = _Year(policy, Category(category), assistance)
    for used in earlier:
        year.use(used)
    rows = [
        _limit("基本医保年度封顶线（住院和门诊慢特病合计）", policy.basic_annual_cap, year.basic_paid),
        _deductible("普通门诊统筹年度起付线", policy.outpatient_deductible, year.outpatient_deductible_left),
        _limit("普通门诊统筹年度限额", policy.outpatient_cap, year.outpatient_paid),
        _limit("两病门诊用药年度限额", policy.two_diseases_cap, year.two_diseases_paid),
        _deductible("门诊慢特病年度起付线", policy.chronic_deductible, year.chronic_deductible_left),
    ]
    for code in dict.fromkeys(diseases):
        if code in year.disease_deductible_left:
            rows.append(_deductible(f"门诊慢特病（{policy.chronic_diseases[code].name}）年度起付线",
                                    policy.chronic_diseases[code].deductible, year.disease_deductible_left[code]))
    terms = year.catastrophic.terms
    rows.append(_burden_deductible("大病保险起付线（基本医保后个人负担累计）", terms.deductible,
                                   year.catastrophic.burden))
    rows.append(_limit("大病保险年度封顶线", terms.cap, year.catastrophic.paid))
    layers = ((year.assistance_layer, "医疗救助起付线（大病保险后个人负担累计）", "医疗救助年度限额"),
              (year.reassistance_layer, "再救助起点（医疗救助后个人负担累计）", "再救助年度限额"))
    for layer, threshold_name, cap_name in layers:
        if isinstance(layer, _ThresholdLayer):  # not _NoLayer: the person has a right to it
            rows.append(_burden_deductible(threshold_name, layer.threshold, layer.burden))
            rows.append(_limit(cap_name, layer.cap, layer.paid))
    # A deductible of nothing (the poorest categories' assistance, a disease without one) is no
    # step the person has to take: no row.
    return YearStanding(tuple(row for row in rows if row.annual or not row.is_deductible), year.admissions)


def _limit(name: str, annual: Decimal | None, paid: Decimal) -> StandingRow:
    if annual is None:
        return StandingRow(name, None, paid, None)
    used = min(paid, annual)
    return StandingRow(name, annual, used, annual - used)


def _deductible(name: str, annual: Decimal, left: Decimal) -> StandingRow:
    return StandingRow(name, annual, annual - left, left, is_deductible=True)


def _burden_deductible(name: str, annual: Decimal, burden: Decimal) -> StandingRow:
    """A deductible met by the year's accumulated burden, which may run past it."""
    used = min(burden, annual)
    return StandingRow(name, annual, used, annual - used, is_deductible=True)


# --- the running year ---------------------------------------------------------------------

# Every amount inside the engine has exactly two places: visits and policies are normalised by
# _cents, computed amounts by to_cents, and sums of two-place Decimals keep two places. For such
# a Decimal str() prints what portal.shared.money.format_yuan prints at a fraction of the cost, and
# explanation lines are much of the engine's work.
_y = str
_pct = format_rate

_MATERNITY_LINES = (
    "大病保险：生育不属大病保险支付范围，0.00 元",
    "医疗救助：生育不属医疗救助范围，0.00 元",
    "再救助：生育不属再救助范围，0.00 元",
)


class _Year:
    """Running totals of one resident's coverage year, fed one visit at a time in date order."""

    def __init__(self, policy: BenefitPolicySnapshot, category: Category,
                 assistance: AssistanceCategory | None) -> None:
        self.policy = policy
        self.category = category
        self.assistance = assistance
        self.deductible_exempt = assistance in policy.deductible_exempt_categories
        self.admissions = 0
        self.basic_paid = ZERO  # inpatient and chronic share the basic annual cap
        self.chronic_deductible_left = policy.chronic_deductible
        # Diseases with their own annual deductible consume it apart from the general one.
        self.disease_deductible_left = {
            code: rule.deductible for code, rule in policy.chronic_diseases.items() if rule.deductible is not None
        }
        self.outpatient_deductible_left = policy.outpatient_deductible
        self.outpatient_paid = self.two_diseases_paid = self.maternity_paid = ZERO
        poorest = assistance in policy.poorest_categories
        self.catastrophic = _Catastrophic(policy, assistance if poorest else None)
        self.assistance_layer = _assistance_layer(policy, assistance)
        self.reassistance_layer = _reassistance_layer(policy, assistance)

    def add(self, number: int, visit: Visit) -> VisitResult:
        if not isinstance(visit, Visit):
            raise ValueError(f"visit {number} is not a Visit: {visit!r}")
        lines: list[str] = []
        kind = visit.kind
        basic = self._BASIC[kind](self, visit, lines)
        if kind is _MATERNITY:
            # The maternity lump sum is the whole benefit: it feeds no running total below.
            catastrophic = assistance = reassistance = ZERO
            lines += _MATERNITY_LINES
        else:
            burden = visit.policy_range - basic
            # An unrecognised chronic visit is outside the insured chronic service altogether;
            # medical assistance, which helps with every kind of care but childbirth, still counts it.
            if kind in CATASTROPHIC_KINDS and visit.recognised is not False:
                catastrophic = self.catastrophic.add(burden, lines)
            else:
                catastrophic = ZERO
                unrecognised = "未经认定的" if visit.recognised is False else ""
                lines.append(f"大病保险：{unrecognised}{kind.label}不属大病保险支付范围，0.00 元")
            burden -= catastrophic
            assistance = self.assistance_layer.add(burden, lines)
            reassistance = self.reassistance_layer.add(burden - assistance, lines)
        total = visit.total
        out_of_pocket = total - basic - catastrophic - assistance - reassistance
        lines.append(
            f"个人负担：{_y(total)} − {_y(basic)} − {_y(catastrophic)} − {_y(assistance)}"
            f" − {_y(reassistance)} = {_y(out_of_pocket)} 元"
            f"（其中政策范围外自费 {_y(total - visit.policy_range)} 元）"
        )
        return VisitResult(
            visit, basic, catastrophic, assistance, reassistance, out_of_pocket, tuple(lines)
        )

    def use(self, used: UsedVisit) -> None:
        """Take in a visit already paid: what it used of deductibles and caps, and its burdens.
        The later layers continue from F, G and H of the accumulated burdens under this policy,
        so the next visit is paid the difference those rules give."""
        kind, policy_range, basic = used.kind, used.policy_range, used.basic
        if kind is VisitKind.INPATIENT:
            self.admissions += 1
            self.basic_paid += basic
        elif kind is _CHRONIC and used.recognised is False:
            pass  # paid by no basic insurance, so it met no deductible
        elif kind is _CHRONIC:
            self.basic_paid += basic
            if used.disease in self.disease_deductible_left:
                left = self.disease_deductible_left[used.disease]
                self.disease_deductible_left[used.disease] = left - min(left, policy_range)
            else:
                self.chronic_deductible_left -= min(self.chronic_deductible_left, policy_range)
        elif kind is VisitKind.OUTPATIENT:
            self.outpatient_deductible_left -= min(self.outpatient_deductible_left, policy_range)
            self.outpatient_paid += basic
        elif kind is VisitKind.TWO_DISEASES:
            self.two_diseases_paid += basic
        else:
            self.maternity_paid += basic
            return
        burden = max(policy_range - basic, ZERO)
        if kind in CATASTROPHIC_KINDS and used.recognised is not False:
            self.catastrophic.use(burden)
        burden = max(burden - used.catastrophic, ZERO)
        self.assistance_layer.use(burden)
        self.reassistance_layer.use(max(burden - used.assistance, ZERO))

    # Basic insurance B, one method per kind.

    def _inpatient(self, visit: Visit, lines: list[str]) -> Decimal:
        policy = self.policy
        level = policy.inpatient_level(visit.level)
        self.admissions += 1
        head = f"基本医保：{level.name} 第{self.admissions}次住院 起付线 "
        if self.deductible_exempt:
            deductible = ZERO
            head += f"0.00 元（{self.assistance.label}免起付线），"
        else:
            base = level.deductible_for(self.category)
            factor = policy.admission_factor(self.admissions)
            if factor == ONE:
                deductible = base
                head += f"{_y(base)} 元，"
            else:
                deductible = to_cents(base * factor)
                head += f"{_y(deductible)} 元（{_y(base)} × {plain_number(factor)}），"
        raw = _rated(head, visit.policy_range, deductible, self._rate(level.rate, visit, lines), lines)
        return self._within_basic_cap(raw, lines)

    def _chronic(self, visit: Visit, lines: list[str]) -> Decimal:
        policy, code = self.policy, visit.disease
        if visit.recognised is False:
            lines.append("基本医保：未办理门诊慢特病认定，本次不予支付，0.00 元；"
                         "请先到乡镇（街道）医保工作站申请认定，认定后发生的费用按病种报销")
            return ZERO
        disease = None
        if code is not None:
            disease = policy.chronic_diseases.get(code)
            if disease is None:
                raise ValueError(f"the policy has no chronic disease {code!r}")
        elif policy.chronic_diseases:
            lines.append("门诊慢特病须先经医保经办机构认定；未选认定病种，按门诊慢特病通用标准估算")
        name = "门诊慢特病" if disease is None else f"门诊慢特病（{disease.name}）"
        if disease is not None and disease.deductible is not None:
            annual, left = disease.deductible, self.disease_deductible_left[code]
            deductible = min(left, visit.policy_range)
            self.disease_deductible_left[code] = left - deductible
        else:
            annual, left = policy.chronic_deductible, self.chronic_deductible_left
            deductible = min(left, visit.policy_range)
            self.chronic_deductible_left = left - deductible
        head = _annual_deductible_head(name, annual, left, deductible)
        rate = policy.chronic_rate if disease is None or disease.rate is None else disease.rate
        raw = _rated(head, visit.policy_range, deductible, self._rate(rate, visit, lines), lines)
        return self._within_basic_cap(raw, lines)

    def _rate(self, rate: Decimal, visit: Visit, lines: list[str]) -> Decimal:
        """The ratio for the visit's place: outside the pooling region it is reduced."""
        place = visit.place
        if place is _LOCAL:
            return rate
        reduction = self.policy.reduction_for(place)
        reduced = max(rate - reduction, ZERO)
        if reduction:
            lines.append(f"{place.label}：基本医保支付比例 {_pct(rate)} 降低 "
                         f"{plain_number(reduction * 100)} 个百分点，按 {_pct(reduced)} 支付")
        else:
            lines.append(f"{place.label}：基本医保支付比例不调减，按 {_pct(rate)} 支付")
        return reduced

    def _outpatient(self, visit: Visit, lines: list[str]) -> Decimal:
        policy = self.policy
        annual, left = policy.outpatient_deductible, self.outpatient_deductible_left
        deductible = min(left, visit.policy_range)
        self.outpatient_deductible_left = left - deductible
        head = _annual_deductible_head("普通门诊统筹", annual, left, deductible)
        raw = _rated(head, visit.policy_range, deductible, self._rate(policy.outpatient_rate, visit, lines), lines)
        paid = _within_cap(raw, self.outpatient_paid, policy.outpatient_cap, "普通门诊统筹", lines)
        self.outpatient_paid += paid
        return paid

    def _two_diseases(self, visit: Visit, lines: list[str]) -> Decimal:
        policy = self.policy
        raw = _rated("基本医保：两病门诊用药不设起付线，", visit.policy_range, ZERO,
                     self._rate(policy.two_diseases_rate, visit, lines), lines)
        paid = _within_cap(raw, self.two_diseases_paid, policy.two_diseases_cap, "两病门诊用药", lines)
        self.two_diseases_paid += paid
        return paid

    def _maternity(self, visit: Visit, lines: list[str]) -> Decimal:
        order, sums = visit.child_order, self.policy.maternity_lump_sums
        lump_sum = self.policy.maternity_lump_sum(order)
        order_text = f"第{order}孩" if order <= len(sums) else f"第{order}孩（按第{len(sums)}孩及以上）"
        paid = min(lump_sum, visit.policy_range)
        lines.append(
            f"基本医保：生育 {order_text} 定额 {_y(lump_sum)} 元，政策范围内费用 "
            f"{_y(visit.policy_range)} 元，取较小者支付 {_y(paid)} 元"
        )
        self.maternity_paid += paid
        return paid

    _BASIC = {
        VisitKind.INPATIENT: _inpatient,
        VisitKind.CHRONIC: _chronic,
        VisitKind.OUTPATIENT: _outpatient,
        VisitKind.TWO_DISEASES: _two_diseases,
        VisitKind.MATERNITY: _maternity,
    }

    def _within_basic_cap(self, raw: Decimal, lines: list[str]) -> Decimal:
        paid = _within_cap(raw, self.basic_paid, self.policy.basic_annual_cap, "基本医保", lines,
                           "（住院和门诊慢特病合计）")
        self.basic_paid += paid
        return paid


def _annual_deductible_head(name: str, annual: Decimal, left: Decimal, deductible: Decimal) -> str:
    if annual and not left:
        return f"基本医保：{name} 年度起付线 {_y(annual)} 元已扣完，"
    return (f"基本医保：{name} 年度起付线 {_y(annual)} 元，本次扣除 {_y(deductible)} 元"
            f"（尚余 {_y(left - deductible)} 元），")


def _rated(head: str, policy_range: Decimal, deductible: Decimal, rate: Decimal,
           lines: list[str]) -> Decimal:
    """(policy range − deductible) × rate, rounded, with its explanation line."""
    if not deductible:
        amount = to_cents(policy_range * rate)
        lines.append(f"{head}{_y(policy_range)} × {_pct(rate)} = {_y(amount)} 元")
        return amount
    if policy_range <= deductible:
        lines.append(f"{head}政策范围内费用 {_y(policy_range)} 元未超过起付线，0.00 元")
        return ZERO
    amount = to_cents((policy_range - deductible) * rate)
    lines.append(f"{head}({_y(policy_range)} − {_y(deductible)}) × {_pct(rate)} = {_y(amount)} 元")
    return amount


def _within_cap(raw: Decimal, paid_so_far: Decimal, cap: Decimal, name: str,
                lines: list[str], note: str = "") -> Decimal:
    """What an annual cap leaves of ``raw``, with a line when the cap cuts it."""
    left = cap - paid_so_far
    if raw <= left:
        return raw
    left = max(left, ZERO)
    lines.append(f"已达{name}年度封顶线 {_y(cap)} 元{note}，本次支付 {_y(left)} 元")
    return left


class _Catastrophic:
    """C of DESIGN.md 6.3: F of the year's accumulated burden after basic, less F before."""

    def __init__(self, policy: BenefitPolicySnapshot, poorest: AssistanceCategory | None) -> None:
        self.terms = terms = policy.catastrophic_terms(poorest=poorest is not None)
        self.burden = self.paid = ZERO
        deductible = _y(terms.deductible)
        self.below = f"未超过起付线 {deductible} 元，0.00 元"
        self.above = f"超过起付线 {deductible} 元部分 "
        self.note = None
        if poorest is not None:
            self.note = (
                f"大病保险：{poorest.label}起付线 {_y(policy.catastrophic_deductible)} × "
                f"{plain_number(policy.poorest_deductible_factor)} = {deductible} 元，"
                f"各段比例提高 {plain_number(policy.poorest_rate_bonus * 100)} 个百分点"
                + ("，不设年度封顶线" if terms.cap is None else "")
            )

    def use(self, burden: Decimal) -> None:
        self.burden += burden
        self.paid = self.terms.payable_for(self.burden)

    def add(self, burden: Decimal, lines: list[str]) -> Decimal:
        terms = self.terms
        if self.note:
            lines.append(self.note)
        self.burden = accumulated = self.burden + burden
        head = f"大病保险：本年累计基本医保后自付 {_y(accumulated)} 元（本次 {_y(burden)} 元），"
        slices, raw, paid = terms.breakdown(accumulated)
        if not slices:
            lines.append(head + self.below)
            return ZERO
        parts = " + ".join([f"{_y(part)} × {_pct(rate)}" for part, rate in slices])
        capped = "" if paid == raw else f"，已达大病保险年度封顶线 {_y(terms.cap)} 元"
        before, self.paid = self.paid, paid
        lines.append(
            f"{head}{self.above}{_y(accumulated - terms.deductible)} 元按段支付 {parts} = "
            f"{_y(raw)} 元{capped}，此前已付 {_y(before)} 元，本次 {_y(paid - before)} 元"
        )
        return paid - before


class _ThresholdLayer:
    """G of medical assistance or H of re-assistance (DESIGN.md 6.4, 6.5) over the year:
    min(max(accumulated − threshold, 0) × rate, cap), and this visit's share of it."""

    def __init__(self, head: str, threshold_name: str, cap_name: str, threshold: Decimal,
                 rate: Decimal, cap: Decimal | None) -> None:
        self.head, self.threshold, self.rate, self.cap = head, threshold, rate, cap
        self.burden = self.paid = ZERO
        # The texts that stay the same all year, built once: "(acc − 3000.00) × 50% = " or
        # "不设起付线，acc × 70% = " around the accumulated amount.
        self.below = f"未超过{threshold_name} {_y(threshold)} 元，0.00 元"
        if threshold:
            self.before_acc, self.after_acc = "(", f" − {_y(threshold)}) × {_pct(rate)} = "
        else:
            self.before_acc, self.after_acc = f"不设{threshold_name}，", f" × {_pct(rate)} = "
        self.capped = "" if cap is None else f"，已达{cap_name} {_y(cap)} 元"

    def use(self, burden: Decimal) -> None:
        self.burden += burden
        self.paid = rate_above(self.burden, self.threshold, self.rate, self.cap)[1]

    def add(self, burden: Decimal, lines: list[str]) -> Decimal:
        self.burden = accumulated = self.burden + burden
        if accumulated <= self.threshold:
            lines.append(f"{self.head} {_y(accumulated)} 元（本次 {_y(burden)} 元），{self.below}")
            return ZERO
        raw, paid = rate_above(accumulated, self.threshold, self.rate, self.cap)
        capped = "" if paid == raw else self.capped
        before, self.paid = self.paid, paid
        acc = _y(accumulated)
        lines.append(
            f"{self.head} {acc} 元（本次 {_y(burden)} 元），{self.before_acc}{acc}{self.after_acc}"
            f"{_y(raw)} 元{capped}，此前已付 {_y(before)} 元，本次 {_y(paid - before)} 元"
        )
        return paid - before


class _NoLayer:
    """A layer the resident has no right to: pays nothing, and says why on every visit."""

    paid = ZERO

    def __init__(self, line: str) -> None:
        self.line = line

    def use(self, burden: Decimal) -> None:
        pass

    def add(self, burden: Decimal, lines: list[str]) -> Decimal:
        lines.append(self.line)
        return ZERO


def _assistance_layer(policy: BenefitPolicySnapshot, assistance: AssistanceCategory | None):
    if assistance is None:
        return _NoLayer("医疗救助：未认定医疗救助身份，0.00 元")
    rule = policy.assistance_rules.get(assistance)
    if rule is None:
        return _NoLayer(f"医疗救助：本年度政策未设{assistance.label}救助标准，0.00 元")
    # Outpatient and inpatient assistance share one annual cap (医保发〔2022〕20号).
    return _ThresholdLayer(f"医疗救助（{assistance.label}）：本年累计大病保险后自付", "起付线",
                           "医疗救助年度限额", rule.deductible, rule.rate, rule.cap)


def _reassistance_layer(policy: BenefitPolicySnapshot, assistance: AssistanceCategory | None):
    rule = policy.reassistance
    if assistance is None:
        return _NoLayer("再救助：未认定医疗救助身份，0.00 元")
    if rule is None:
        return _NoLayer("再救助：本年度政策未设再救助，0.00 元")
    if assistance not in rule.categories:
        return _NoLayer(f"再救助：{assistance.label}不属再救助对象，0.00 元")
    return _ThresholdLayer(f"再救助（{assistance.label}）：本年累计医疗救助后自付", "再救助起点",
                           "再救助年度限额", rule.threshold, rule.rate, rule.cap)
