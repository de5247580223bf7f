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
