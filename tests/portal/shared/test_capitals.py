"""Amounts in Chinese capitals (人民币大写) as receipts write them: worked examples after 《支付结算
办法》, and a property test that reads every amount back."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.shared.money import yuan_in_capitals

D = Decimal


@pytest.mark.parametrize(("amount", "capitals"), [
    ("410.00", "肆佰壹拾元整"),
    ("210.00", "贰佰壹拾元整"),
    ("0.00", "零元整"),
    ("0.50", "伍角"),
    ("0.05", "伍分"),
    ("10.00", "壹拾元整"),
    ("10.10", "壹拾元壹角"),
    ("1001.05", "壹仟零壹元零伍分"),
    ("1010.00", "壹仟零壹拾元整"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("10001.00", "壹万零壹元整"),
    ("100000.00", "壹拾万元整"),
    ("100010.00", "壹拾万零壹拾元整"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("1004000.00", "壹佰万肆仟元整"),
    ("100000001.00", "壹亿零壹元整"),
    ("100100000.00", "壹亿零壹拾万元整"),
    ("12345678.90", "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角"),
])
def test_worked_examples(amount, capitals):
    assert yuan_in_capitals(D(amount)) == capitals


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError):
        yuan_in_capitals(D("-1.00"))


DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def read_back(text: str) -> Decimal:
    """The capitals read back, by the rules of the written form (below 1 亿 yuan)."""
    yuan, section, digit, cents = 0, 0, 0, 0
    for character in text:
        if character in DIGITS:
            digit = DIGITS.index(character)
        elif character in UNITS:
            section += digit * UNITS[character]
            digit = 0
        elif character == "万":
            yuan += (section + digit) * 10000
            section = digit = 0
        elif character == "元":
            yuan += section + digit
            section = digit = 0
        elif character == "角":
            cents += digit * 10
            digit = 0
        elif character == "分":
            cents += digit
            digit = 0
    return D(yuan) + D(cents) / 100


@given(st.decimals(min_value=0, max_value=D("99999999.99"), places=2))
def test_every_amount_reads_back_and_has_no_doubled_or_trailing_zero(amount):
    text = yuan_in_capitals(amount)
    assert read_back(text) == amount
    assert "零零" not in text and not text.endswith("零") and "零元" not in text[1:] or text == "零元整"
    assert text.endswith(("整", "角", "分"))
