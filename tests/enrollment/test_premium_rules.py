from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrollment.rules import (
    AssistanceSubsidyRule,
    ContributionSnapshot,
    Premium,
    PremiumRefused,
    premium_for,
)
from portal.shared.money import to_cents
from portal.shared.vocabulary import AssistanceCategory, Category

A = AssistanceCategory
FULL = AssistanceSubsidyRule(full=True, amount=None)


def fixed(amount: str) -> AssistanceSubsidyRule:
    return AssistanceSubsidyRule(full=False, amount=Decimal(amount))


# Demo policy of DESIGN.md section 7, pooling region 370300.
DEMO_SUBSIDIES = {
    A.EXTREME_POVERTY: FULL,
    A.MINIMUM_LIVING: fixed("200"),
    A.RETURNED_TO_POVERTY: fixed("200"),
    A.LOW_INCOME_EDGE: fixed("100"),
    A.MONITORED: fixed("100"),
}
STANDARD_2022 = ContributionSnapshot(
    year=2022,
    contribution_adult=Decimal("410"),
    contribution_student_child=Decimal("310"),
    fiscal_subsidy=Decimal("610"),
    window_start=date(2021, 9, 1),
    window_end=date(2021, 12, 31),
    waiting_days=90,
    newborn_grace_days=90,
    subsidies=DEMO_SUBSIDIES,
)
STANDARD_2021 = ContributionSnapshot(
    year=2021,
    contribution_adult=Decimal("370"),
    contribution_student_child=Decimal("270"),
    fiscal_subsidy=Decimal("580"),
    window_start=date(2020, 9, 1),
    window_end=date(2020, 12, 31),
    subsidies=DEMO_SUBSIDIES,
)

ADULT_BIRTH = date(1965, 4, 12)
CHILD_BIRTH = date(2012, 9, 3)
IN_WINDOW = date(2021, 10, 15)


def premium(
    on: date,
    *,
    category=Category.ADULT,
    assistance=None,
    birth_date=None,
    standard=STANDARD_2022,
    transfer=False,
) -> Premium:
    if birth_date is None:
        birth_date = ADULT_BIRTH if category == Category.ADULT else CHILD_BIRTH
    return premium_for(
        standard,
        category=category,
        assistance=assistance,
        birth_date=birth_date,
        on=on,
        transfer_from_employee=transfer,
    )


def refusal(on: date, **kwargs) -> PremiumRefused:
    with pytest.raises(PremiumRefused) as caught:
        premium(on, **kwargs)
    return caught.value


# Inside the collection window


def test_adult_in_the_window_pays_the_full_contribution_and_is_covered_all_year():
    result = premium(IN_WINDOW)

    assert (result.standard, result.subsidy, result.payable) == (
        Decimal("410.00"), Decimal("0.00"), Decimal("410.00"),
    )
    assert not result.late and not result.newborn and not result.transfer
    assert (result.coverage_start, result.coverage_end) == (date(2022, 1, 1), date(2022, 12, 31))
    assert result.year == 2022 and result.category is Category.ADULT and result.assistance is None


def test_student_child_in_the_window_pays_the_student_child_contribution():
    result = premium(IN_WINDOW, category=Category.STUDENT_CHILD)

    assert result.standard == Decimal("310.00")
    assert result.payable == Decimal("310.00")


def test_2021_standard_uses_its_own_amounts_and_window():
    adult = premium(date(2020, 11, 2), standard=STANDARD_2021)
    child = premium(date(2020, 11, 2), category=Category.STUDENT_CHILD, standard=STANDARD_2021)

    assert (adult.payable, child.payable) == (Decimal("370.00"), Decimal("270.00"))
    assert (adult.coverage_start, adult.coverage_end) == (date(2021, 1, 1), date(2021, 12, 31))


def test_first_and_last_day_of_the_window_are_inside_it():
    first = premium(date(2021, 9, 1))
    last = premium(date(2021, 12, 31))

    assert not first.late and not last.late
    assert first.coverage_start == last.coverage_start == date(2022, 1, 1)


def test_explanation_names_the_contribution_the_payable_and_the_coverage():
    assert premium(IN_WINDOW).explanation == (
        "成年居民 2022 年度个人缴费标准 410.00 元",
        "个人应缴 410.00 元",
        "待遇享受期 2022-01-01 至 2022-12-31",
    )


# Assistance categories


@pytest.mark.parametrize(
    ("assistance", "subsidy", "payable", "line"),
    [
        (A.EXTREME_POVERTY, "410.00", "0.00", "特困人员 全额资助 410.00 元"),
        (A.MINIMUM_LIVING, "200.00", "210.00", "低保对象 定额资助 200.00 元"),
        (A.RETURNED_TO_POVERTY, "200.00", "210.00", "返贫致贫人口 定额资助 200.00 元"),
        (A.LOW_INCOME_EDGE, "100.00", "310.00", "低保边缘家庭成员 定额资助 100.00 元"),
        (A.MONITORED, "100.00", "310.00", "防止返贫监测帮扶对象 定额资助 100.00 元"),
    ],
)
def test_each_assistance_category_gets_its_subsidy_for_an_adult(assistance, subsidy, payable, line):
    result = premium(IN_WINDOW, assistance=assistance)

    assert result.assistance is assistance
    assert result.subsidy == Decimal(subsidy)
    assert result.payable == Decimal(payable)
    assert line in result.explanation
    assert result.coverage_start == date(2022, 1, 1)


def test_minimum_living_student_child_pays_contribution_less_fixed_subsidy():
    result = premium(IN_WINDOW, category=Category.STUDENT_CHILD, assistance=A.MINIMUM_LIVING)

    assert (result.standard, result.subsidy, result.payable) == (
        Decimal("310.00"), Decimal("200.00"), Decimal("110.00"),
    )


def test_full_subsidy_covers_the_whole_contribution_so_nothing_is_payable():
    result = premium(IN_WINDOW, category=Category.STUDENT_CHILD, assistance=A.EXTREME_POVERTY)

    assert result.subsidy == result.standard == Decimal("310.00")
    assert result.payable == Decimal("0.00")


def test_fixed_subsidy_larger_than_the_contribution_is_capped_at_the_contribution():
    generous = replace(STANDARD_2022, subsidies={A.MINIMUM_LIVING: fixed("500")})

    result = premium(
        IN_WINDOW, category=Category.STUDENT_CHILD, assistance=A.MINIMUM_LIVING, standard=generous
    )

    assert result.subsidy == Decimal("310.00")
    assert result.payable == Decimal("0.00")
    assert "低保对象 定额资助 500.00 元，以个人缴费 310.00 元为限，资助 310.00 元" in (
        result.explanation
    )


def test_assistance_category_without_a_subsidy_rule_that_year_gets_nothing():
    without_monitored = replace(
        STANDARD_2022, subsidies={A.MINIMUM_LIVING: fixed("200")}
    )

    result = premium(IN_WINDOW, assistance=A.MONITORED, standard=without_monitored)

    assert result.subsidy == Decimal("0.00")
    assert result.payable == Decimal("410.00")
    assert "防止返贫监测帮扶对象 2022 年度未设参保资助，资助 0.00 元" in result.explanation


def test_codes_as_strings_are_accepted_as_the_api_passes_them():
    result = premium_for(
        STANDARD_2022,
        category="student_child",
        assistance="low_income_edge",
        birth_date=CHILD_BIRTH,
        on=IN_WINDOW,
    )

    assert result.category is Category.STUDENT_CHILD
    assert result.assistance is A.LOW_INCOME_EDGE
    assert result.payable == Decimal("210.00")


# Late enrollment


def test_late_adult_pays_the_fiscal_subsidy_too_and_waits_90_days():
    result = premium(date(2022, 3, 15))

    assert result.late
    assert result.payable == Decimal("1020.00")
    assert result.coverage_start == date(2022, 6, 13)
    assert result.coverage_end == date(2022, 12, 31)
    assert "集中缴费期后参保，另缴财政补助 610.00 元，等待期 90 天" in result.explanation
    assert "个人应缴 1020.00 元" in result.explanation


def test_late_on_the_day_after_the_window_is_covered_from_1_april():
    result = premium(date(2022, 1, 1))

    assert result.late
    assert result.coverage_start == date(2022, 4, 1)


def test_late_student_child_in_2021_pays_270_plus_580():
    result = premium(date(2021, 2, 1), category=Category.STUDENT_CHILD, standard=STANDARD_2021)

    assert result.late
    assert result.payable == Decimal("850.00")
    assert result.coverage_start == date(2021, 5, 2)


def test_late_before_the_year_starts_is_still_covered_from_1_january_but_pays_the_surcharge():
    early_close = replace(STANDARD_2022, window_end=date(2021, 9, 30))

    result = premium(date(2021, 10, 1), standard=early_close)

    assert result.late
    assert result.payable == Decimal("1020.00")
    # 2021-10-01 + 90 days = 2021-12-30, before the year begins.
    assert result.coverage_start == date(2022, 1, 1)


def test_late_with_a_waiting_period_ending_on_31_december_is_covered_for_that_one_day():
    result = premium(date(2022, 10, 2))

    assert result.late
    assert result.coverage_start == result.coverage_end == date(2022, 12, 31)


def test_late_with_a_waiting_period_running_past_the_year_is_refused():
    error = refusal(date(2022, 10, 3))

    assert error.code == "coverage_after_year_end"
    assert "2023-01-01" in error.message
    assert "已超出 2022 年度" in error.message
    assert "请参加 2023 年度集中缴费" in error.message


def test_waiting_period_follows_the_standard():
    short_wait = replace(STANDARD_2022, waiting_days=30)

    result = premium(date(2022, 3, 15), standard=short_wait)

    assert result.coverage_start == date(2022, 4, 14)
    assert "等待期 30 天" in result.explanation[-3]


# Newborns


def test_newborn_in_the_coverage_year_is_covered_from_birth_without_surcharge():
    result = premium(
        date(2022, 4, 15), category=Category.STUDENT_CHILD, birth_date=date(2022, 3, 1)
    )

    assert result.newborn and not result.late
    assert result.payable == Decimal("310.00")
    assert result.coverage_start == date(2022, 3, 1)
    assert any(line.startswith("新生儿出生 45 天内参保") for line in result.explanation)


def test_newborn_registered_on_the_day_of_birth():
    result = premium(
        date(2022, 7, 9), category=Category.STUDENT_CHILD, birth_date=date(2022, 7, 9)
    )

    assert result.newborn
    assert result.coverage_start == date(2022, 7, 9)


def test_newborn_on_day_90_of_the_grace_period_is_still_a_newborn():
    result = premium(
        date(2022, 5, 2), category=Category.STUDENT_CHILD, birth_date=date(2022, 2, 1)
    )

    assert result.newborn and not result.late
    assert result.coverage_start == date(2022, 2, 1)


def test_newborn_on_day_91_is_late_with_surcharge_and_waiting_period():
    result = premium(
        date(2022, 5, 3), category=Category.STUDENT_CHILD, birth_date=date(2022, 2, 1)
    )

    assert not result.newborn and result.late
    assert result.payable == Decimal("920.00")
    assert result.coverage_start == date(2022, 8, 1)


def test_newborn_may_register_before_the_window_opens_and_is_covered_from_1_january():
    result = premium(
        date(2021, 8, 15), category=Category.STUDENT_CHILD, birth_date=date(2021, 7, 1)
    )

    assert result.newborn and not result.late
    assert result.payable == Decimal("310.00")
    assert result.coverage_start == date(2022, 1, 1)


def test_baby_outside_the_grace_period_cannot_register_before_the_window_opens():
    error = refusal(date(2021, 8, 15), category=Category.STUDENT_CHILD, birth_date=date(2021, 4, 1))

    assert error.code == "window_not_open"


def test_newborn_born_in_december_registering_in_february_is_covered_from_1_january():
    result = premium(
        date(2022, 2, 10), category=Category.STUDENT_CHILD, birth_date=date(2021, 12, 20)
    )

    assert result.newborn and not result.late
    assert result.coverage_start == date(2022, 1, 1)


def test_newborn_with_an_assistance_category_gets_the_subsidy_and_coverage_from_birth():
    result = premium(
        date(2022, 3, 1),
        category=Category.STUDENT_CHILD,
        assistance=A.MINIMUM_LIVING,
        birth_date=date(2022, 2, 1),
    )

    assert result.newborn
    assert result.payable == Decimal("110.00")
    assert result.coverage_start == date(2022, 2, 1)


def test_newborn_grace_period_follows_the_standard():
    short_grace = replace(STANDARD_2022, newborn_grace_days=30)

    result = premium(
        date(2022, 3, 4), category=Category.STUDENT_CHILD, birth_date=date(2022, 2, 1),
        standard=short_grace,
    )

    assert result.late and not result.newborn


# Assistance categories and transfers after the window


def test_assistance_category_after_the_window_is_covered_from_registration_without_surcharge():
    result = premium(date(2022, 5, 20), assistance=A.MINIMUM_LIVING)

    assert not result.late
    assert result.payable == Decimal("210.00")
    assert result.coverage_start == date(2022, 5, 20)
    assert "低保对象 集中缴费期后参保，不另缴财政补助，无等待期，自 2022-05-20 起享受待遇" in (
        result.explanation
    )


def test_extreme_poverty_after_the_window_pays_nothing_and_is_covered_from_registration():
    result = premium(date(2022, 11, 30), assistance=A.EXTREME_POVERTY)

    assert result.payable == Decimal("0.00")
    assert result.coverage_start == date(2022, 11, 30)


def test_assistance_category_after_the_window_but_before_the_year_is_covered_from_1_january():
    early_close = replace(STANDARD_2022, window_end=date(2021, 11, 30))

    result = premium(date(2021, 12, 10), assistance=A.MONITORED, standard=early_close)

    assert not result.late
    assert result.coverage_start == date(2022, 1, 1)


def test_transfer_from_employee_insurance_is_not_late_and_covered_from_registration():
    result = premium(date(2022, 6, 15), transfer=True)

    assert result.transfer and not result.late
    assert result.payable == Decimal("410.00")
    assert result.coverage_start == date(2022, 6, 15)
    assert any(line.startswith("职工医保终止后 3 个月内转入") for line in result.explanation)


def test_transfer_late_in_the_year_is_allowed_because_there_is_no_waiting_period():
    result = premium(date(2022, 12, 20), transfer=True)

    assert result.coverage_start == date(2022, 12, 20)


def test_transfer_inside_the_window_is_covered_from_1_january():
    result = premium(IN_WINDOW, transfer=True)

    assert result.transfer
    assert result.coverage_start == date(2022, 1, 1)


# Refusals


def test_registration_before_the_window_opens_is_refused_saying_when_it_opens():
    error = refusal(date(2021, 8, 31))

    assert error.code == "window_not_open"
    assert error.message == "2022 年度集中缴费期 2021-09-01 起才开始，请届时再来登记"
    assert str(error) == error.message


def test_assistance_category_does_not_open_the_window_early():
    assert refusal(date(2021, 8, 31), assistance=A.EXTREME_POVERTY).code == "window_not_open"


def test_registration_after_the_coverage_year_is_refused():
    error = refusal(date(2023, 1, 1), transfer=True)

    assert error.code == "year_over"
    assert "2022 年度已于 2022-12-31 结束" in error.message
    assert "2023 年度" in error.message


def test_birth_after_registration_is_refused():
    error = refusal(date(2022, 4, 1), category=Category.STUDENT_CHILD, birth_date=date(2022, 5, 1))

    assert error.code == "born_after_registration"
    assert "出生日期 2022-05-01 晚于登记日期 2022-04-01" in error.message


def test_premium_refused_is_a_value_error():
    assert isinstance(refusal(date(2021, 8, 31)), ValueError)


# Amounts and the snapshot


def test_amounts_are_rounded_half_up_to_cents():
    odd = ContributionSnapshot(
        year=2022,
        contribution_adult=Decimal("410.005"),
        contribution_student_child=Decimal("310.004"),
        fiscal_subsidy=Decimal("610.125"),
        window_start=date(2021, 9, 1),
        window_end=date(2021, 12, 31),
        subsidies={A.MINIMUM_LIVING: fixed("200.005")},
    )

    adult = premium(IN_WINDOW, assistance=A.MINIMUM_LIVING, standard=odd)
    child = premium(IN_WINDOW, category=Category.STUDENT_CHILD, standard=odd)
    late = premium(date(2022, 2, 1), standard=odd)

    assert (adult.standard, adult.subsidy, adult.payable) == (
        Decimal("410.01"), Decimal("200.01"), Decimal("210.00"),
    )
    assert child.payable == Decimal("310.00")
    assert late.payable == Decimal("1020.14")


def test_amounts_always_have_two_decimal_places():
    result = premium(date(2022, 2, 1), assistance=A.LOW_INCOME_EDGE)

    for amount in (result.standard, result.subsidy, result.payable):
        assert amount.as_tuple().exponent == -2


def test_snapshot_refuses_float_amounts():
    with pytest.raises(TypeError):
        replace(STANDARD_2022, contribution_adult=410.0)
    with pytest.raises(TypeError):
        AssistanceSubsidyRule(full=False, amount=200.0)


def test_snapshot_refuses_negative_amounts_and_a_backwards_window():
    with pytest.raises(ValueError):
        replace(STANDARD_2022, fiscal_subsidy=Decimal("-1"))
    with pytest.raises(ValueError):
        replace(STANDARD_2022, window_start=date(2022, 1, 1))


def test_fixed_subsidy_rule_needs_an_amount():
    with pytest.raises(ValueError):
        AssistanceSubsidyRule(full=False, amount=None)


def test_snapshot_subsidies_cannot_be_changed_after_the_fact():
    with pytest.raises(TypeError):
        STANDARD_2022.subsidies[A.MONITORED] = FULL


# Properties


def money(max_value: int = 2000):
    return st.decimals(min_value=0, max_value=max_value, places=3, allow_nan=False)


subsidy_rules = st.one_of(
    st.just(FULL),
    money(1000).map(lambda amount: AssistanceSubsidyRule(full=False, amount=amount)),
)


@st.composite
def snapshots(draw):
    year = draw(st.integers(min_value=2015, max_value=2030))
    window_start = draw(st.dates(min_value=date(year - 1, 6, 1), max_value=date(year - 1, 12, 1)))
    window_end = draw(st.dates(min_value=window_start, max_value=date(year, 2, 28)))
    return ContributionSnapshot(
        year=year,
        contribution_adult=draw(money()),
        contribution_student_child=draw(money()),
        fiscal_subsidy=draw(money()),
        window_start=window_start,
        window_end=window_end,
        waiting_days=draw(st.integers(min_value=0, max_value=200)),
        newborn_grace_days=draw(st.integers(min_value=0, max_value=200)),
        subsidies=draw(st.dictionaries(st.sampled_from(list(A)), subsidy_rules)),
    )


@st.composite
def registrations(draw):
    snapshot = draw(snapshots())
    on = draw(st.dates(min_value=snapshot.window_start - timedelta(days=120),
                       max_value=date(snapshot.year + 1, 1, 31)))
    birth_date = draw(
        st.one_of(
            st.integers(min_value=-5, max_value=250).map(lambda days: on - timedelta(days=days)),
            st.dates(min_value=date(1920, 1, 1), max_value=on),
        )
    )
    return snapshot, {
        "category": draw(st.sampled_from(list(Category))),
        "assistance": draw(st.one_of(st.none(), st.sampled_from(list(A)))),
        "birth_date": birth_date,
        "on": on,
        "transfer_from_employee": draw(st.booleans()),
    }


def premium_or_none(snapshot, kwargs):
    try:
        return premium_for(snapshot, **kwargs)
    except PremiumRefused:
        return None


@given(registrations())
def test_property_subsidy_is_between_zero_and_the_standard(registration):
    result = premium_or_none(*registration)
    if result is not None:
        assert Decimal("0") <= result.subsidy <= result.standard


@given(registrations())
def test_property_payable_is_standard_less_subsidy_plus_fiscal_subsidy_when_late(registration):
    snapshot, _ = registration
    result = premium_or_none(*registration)
    if result is not None:
        fiscal = to_cents(snapshot.fiscal_subsidy) if result.late else 0
        assert result.payable == result.standard - result.subsidy + fiscal
        assert result.payable >= 0


@given(registrations())
def test_property_coverage_lies_inside_the_coverage_year(registration):
    snapshot, _ = registration
    result = premium_or_none(*registration)
    if result is not None:
        assert date(snapshot.year, 1, 1) <= result.coverage_start <= result.coverage_end
        assert result.coverage_end == date(snapshot.year, 12, 31)


@given(registrations())
def test_property_late_means_no_assistance_no_newborn_and_no_transfer(registration):
    result = premium_or_none(*registration)
    if result is not None and result.late:
        assert result.assistance is None
        assert not result.newborn
        assert not result.transfer


@given(registrations())
def test_property_refusals_happen_only_for_the_listed_reasons(registration):
    snapshot, kwargs = registration
    on, birth_date = kwargs["on"], kwargs["birth_date"]
    try:
        premium_for(snapshot, **kwargs)
    except PremiumRefused as error:
        if error.code == "born_after_registration":
            assert birth_date > on
        elif error.code == "year_over":
            assert on > date(snapshot.year, 12, 31)
        elif error.code == "window_not_open":
            assert on < snapshot.window_start
            assert not 0 <= (on - birth_date).days <= snapshot.newborn_grace_days
        else:
            assert error.code == "coverage_after_year_end"
            assert on + timedelta(days=snapshot.waiting_days) > date(snapshot.year, 12, 31)
        assert error.message


@given(registrations(), st.integers(min_value=1, max_value=200))
def test_property_registering_later_never_costs_less_or_starts_coverage_earlier(
    registration, delay
):
    snapshot, kwargs = registration
    earlier = premium_or_none(snapshot, kwargs)
    later = premium_or_none(snapshot, {**kwargs, "on": kwargs["on"] + timedelta(days=delay)})
    if earlier is not None and later is not None:
        assert later.payable >= earlier.payable
        assert later.coverage_start >= earlier.coverage_start
