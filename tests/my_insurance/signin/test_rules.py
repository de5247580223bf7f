"""The rules of sign-in codes without a database: tries, expiry, and codes per person."""

from datetime import UTC, datetime, timedelta

import pytest

from my_insurance.signin.rules import (
    CODE_TRIES,
    CodeVerdict,
    Outcome,
    code_allowance,
    code_verdict,
    mobile_number,
    window_of,
)

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


def verdict(*, matches=False, wrong_tries=0, void=False, expires_at=LATER, now=NOW) -> CodeVerdict:
    return code_verdict(matches=matches, wrong_tries=wrong_tries, void=void, expires_at=expires_at, now=now)


def test_a_wrong_code_says_how_many_tries_are_left():
    assert [verdict(wrong_tries=n).tries_left for n in range(CODE_TRIES)] == [4, 3, 2, 1, 0]
    assert "还可以再试 4 次" in verdict().message


def test_the_fifth_wrong_try_voids_the_code_and_asks_for_a_new_one():
    fifth = verdict(wrong_tries=CODE_TRIES - 1)
    assert fifth.outcome is Outcome.WRONG and fifth.voids_the_code and "请重新获取验证码" in fifth.message
    # After it, even the right code opens nothing.
    assert verdict(matches=True, wrong_tries=CODE_TRIES).outcome is Outcome.VOID


def test_the_right_code_opens_until_it_expires():
    assert verdict(matches=True, wrong_tries=4).outcome is Outcome.RIGHT
    expired = verdict(matches=True, now=LATER)
    assert expired.outcome is Outcome.EXPIRED and expired.voids_the_code and "已过期" in expired.message


def test_a_used_or_voided_code_opens_nothing():
    assert verdict(matches=True, void=True).outcome is Outcome.VOID


def test_codes_per_person_are_counted_in_aligned_windows():
    hour_start, hour_end = window_of(NOW, timedelta(hours=1))
    assert (hour_start, hour_end) == (datetime(2026, 3, 2, 10, tzinfo=UTC), datetime(2026, 3, 2, 11, tzinfo=UTC))
    this_hour = [hour_start + timedelta(minutes=m) for m in (1, 2, 3)]
    refused = code_allowance(sent=this_hour, now=NOW, per_hour=3, per_day=10)
    assert not refused.allowed and refused.period == "每小时" and refused.window_end == hour_end
    # The hour before does not count against this hour, but against the day.
    earlier = [hour_start - timedelta(minutes=m) for m in range(1, 8)]
    assert code_allowance(sent=earlier, now=NOW, per_hour=3, per_day=10).allowed
    day = code_allowance(sent=earlier + this_hour, now=NOW, per_hour=5, per_day=10)
    assert not day.allowed and day.period == "每天"


@pytest.mark.parametrize(("phone", "mobile"), [
    ("13905335122", "13905335122"), ("139 0533 5122", "13905335122"), ("+86-139-0533-5122", "13905335122"),
    ("0533-2345678", ""), ("5122", ""), ("", ""), ("12905335122", ""),
])
def test_only_a_mobile_number_can_receive_a_code(phone, mobile):
    assert mobile_number(phone) == mobile
