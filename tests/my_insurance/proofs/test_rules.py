"""Which years a 参保证明 may state, and when a stated year stops holding: plain functions, no database."""

from datetime import date

from my_insurance.proofs.rules import (
    DIED,
    YearFacts,
    proof_filename,
    why_no_longer_holds,
    why_not_provable,
)

START, END = date(2022, 1, 1), date(2022, 12, 31)


def paid(**changes) -> YearFacts:
    return YearFacts(**{"year": 2022, "status": "active", "paid": True, "coverage_start": START,
                        "coverage_end": END, **changes})


def test_an_active_paid_year_can_be_proven():
    assert why_not_provable(paid()) == ""


def test_each_kind_of_year_that_cannot_be_proven_says_why():
    assert why_not_provable(YearFacts(year=2022)) == "未参保"
    assert why_not_provable(paid(paid=False)) == "未缴费"
    assert why_not_provable(paid(status="cancelled", paid=False)) == "已注销"
    assert why_not_provable(paid(refund="requested")) == "已申请退费"
    # An approved refund also cancels the enrollment; the person knows it as the refund.
    assert why_not_provable(paid(status="cancelled", refund="approved")) == "已退费"


def test_a_death_before_the_end_of_coverage_ends_what_can_be_proven():
    assert why_not_provable(paid(date_of_death=date(2022, 6, 1))) == DIED
    # Died on the last day covered: the year was covered to its end.
    assert why_not_provable(paid(date_of_death=END)) == ""
    assert why_not_provable(paid(date_of_death=date(2023, 2, 1))) == ""


def test_a_stated_year_holds_while_the_enrollment_is_as_stated():
    assert why_no_longer_holds(stated_start=START, stated_end=END, today=paid()) == ""


def test_a_stated_year_no_longer_holds_after_a_cancellation_refund_death_or_new_dates():
    def reason(facts):
        return why_no_longer_holds(stated_start=START, stated_end=END, today=facts)

    assert reason(paid(status="cancelled")) == "该年度已注销"
    assert reason(paid(refund="requested")) == "该年度已申请退费"
    assert reason(paid(status="cancelled", refund="approved")) == "该年度已退费"
    assert reason(YearFacts(year=2022)) == "该年度参保登记已不存在"
    assert reason(paid(date_of_death=date(2022, 3, 3))) == DIED
    assert reason(paid(coverage_start=date(2022, 4, 1))) == "该年度待遇享受期已变更，与证明所载不符"


def test_the_changed_coverage_is_reported_without_its_new_dates():
    # The public check shows the reason: it says that the dates changed, not what they are now.
    text = why_no_longer_holds(stated_start=START, stated_end=END, today=paid(coverage_end=date(2022, 8, 31)))
    assert "2022-08-31" not in text and "08" not in text


def test_the_pdf_is_named_after_its_years_in_order():
    assert proof_filename([2022]) == "参保证明-2022.pdf"
    assert proof_filename([2023, 2021]) == "参保证明-2021-2023.pdf"
