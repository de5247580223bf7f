"""Import widgets for the values every standard has: amounts in yuan, rates, yes/no and the
assistance category, with errors in Chinese that say what to write instead."""

from decimal import Decimal, InvalidOperation

from import_export import widgets

from portal.shared.money import to_cents
from portal.shared.vocabulary import AssistanceCategory

MAX_AMOUNT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2
RATE_PLACES = Decimal("0.0001")  # decimal_places=4


def text_of(value) -> str:
    return str(value if value is not None else "").strip()


class MoneyWidget(widgets.Widget):
    """Yuan with at most two decimals, never negative; exported as "300.00". ``required=False``
    for a cap that may be left empty (no cap)."""

    exports_as = "number"  # portal/spreadsheets/resources.py

    def __init__(self, label: str, required: bool = True):
        super().__init__()
        self.label, self.required = label, required

    def clean(self, value, row=None, **kwargs):
        text = text_of(value).replace(",", "")
        if not text:
            if self.required:
                raise ValueError(f"{self.label}不能为空")
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{self.label}“{text}”须为金额数字，如 300.00") from None
        if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
            raise ValueError(f"{self.label}“{text}”须为不小于 0 的金额")
        if amount != to_cents(amount):
            raise ValueError(f"{self.label}“{text}”最多两位小数（到分）")
        return to_cents(amount)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{to_cents(value):.2f}"


class RateWidget(widgets.Widget):
    """A fraction between 0 and 1 ("0.70"); "70%" is read as 0.70, since officers write it so.
    ``required=False`` for a rate that may be left empty (a chronic disease under the general rate)."""

    exports_as = "number"

    def __init__(self, label: str, required: bool = True):
        super().__init__()
        self.label, self.required = label, required

    def clean(self, value, row=None, **kwargs):
        text = text_of(value)
        if not text:
            if self.required:
                raise ValueError(f"{self.label}不能为空")
            return None
        percent = text.endswith("%")
        try:
            rate = Decimal(text[:-1] if percent else text)
        except InvalidOperation:
            raise ValueError(f"{self.label}“{text}”须为 0 到 1 之间的小数，如 0.70 表示 70%") from None
        if percent:
            rate /= 100
        if not rate.is_finite() or not Decimal("0") <= rate <= Decimal("1"):
            raise ValueError(f"{self.label}“{text}”须为 0 到 1 之间的小数，如 0.70 表示 70%")
        if rate != rate.quantize(RATE_PLACES):
            raise ValueError(f"{self.label}“{text}”最多四位小数（如 0.6525）")
        return rate.quantize(RATE_PLACES)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        # "0.7000" reads as "0.70": two places at least, four when they are needed.
        text = f"{value:.4f}".rstrip("0")
        return text + "0" * (2 - len(text.split(".")[1]))


class YesNoWidget(widgets.Widget):
    YES = ("是", "true", "1", "y", "yes")
    NO = ("否", "false", "0", "n", "no", "")

    def __init__(self, label: str):
        super().__init__()
        self.label = label

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = text_of(value).lower()
        if text.endswith(".0"):
            text = text[:-2]
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"{self.label}“{text}”须填“是”或“否”")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class AssistanceCategoryWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        try:
            return AssistanceCategory.from_label_or_code(text_of(value)).value
        except ValueError:
            choices = "、".join(f"{m.label}（{m.value}）" for m in AssistanceCategory)
            raise ValueError(f"困难类别“{text_of(value)}”无效，可填：{choices}") from None

    def render(self, value, obj=None, **kwargs):
        return value or ""
