"""Money helpers shared by every rule: amounts are Decimal with two places, rounded half up."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(amount: Decimal) -> Decimal:
    """Round an amount to cents once, the way the fund's receipts do (四舍五入)."""
    if type(amount) is not Decimal:  # the engines call this in hot loops with Decimals already
        amount = Decimal(amount)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_yuan(amount: Decimal) -> str:
    """'1234.50' with two decimals, as the JSON API and receipts show money."""
    return f"{to_cents(amount):.2f}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ((1000, "仟"), (100, "佰"), (10, "拾"), (1, ""))
_SECTIONS = ("", "万", "亿", "万亿")


def yuan_in_capitals(amount: Decimal) -> str:
    """The amount in Chinese capitals as receipts write it (人民币大写), after 《支付结算办法》:
    410.00 → 肆佰壹拾元整, 1001.05 → 壹仟零壹元零伍分, 0.50 → 伍角. A run of zeros inside the
    number is one 零; 整 follows an amount that stops at 元."""
    cents = int(to_cents(amount) * 100)
    if cents < 0:
        raise ValueError(f"金额不能为负：{amount}")
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    text = f"{_integer_in_capitals(yuan)}元" if yuan else ""
    if not rest:
        return f"{text or '零元'}整"
    if jiao:
        text += f"{_DIGITS[jiao]}角"
    elif yuan:
        text += "零"  # 壹仟零壹元零伍分: the missing 角 is read as 零
    if fen:
        text += f"{_DIGITS[fen]}分"
    return text


def _integer_in_capitals(number: int) -> str:
    groups = []  # of four digits, lowest first
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    if len(groups) > len(_SECTIONS):
        raise ValueError("金额过大")
    parts, zero_pending = [], False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            zero_pending = bool(parts)
            continue
        if parts and (zero_pending or group < 1000):
            parts.append("零")  # 壹万零壹, 壹亿零壹拾万
        zero_pending = False
        parts.append(_group_in_capitals(group) + _SECTIONS[index])
    return "".join(parts)


def _group_in_capitals(group: int) -> str:
    """1-9999 with 仟佰拾, a run of zeros between digits read as one 零."""
    text, zero_pending = "", False
    for value, unit in _PLACES:
        digit = group // value % 10
        if digit == 0:
            zero_pending = bool(text)
            continue
        if zero_pending:
            text += "零"
            zero_pending = False
        text += _DIGITS[digit] + unit
    return text
