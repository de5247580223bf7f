"""Forms of settlements and what follows from them: the officers' settlement import, the handling
of a high-cost alert at the station, and finance's confirmation of re-assistance paid."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import forms

from assistance.settlements.models import HighCostAlert
from assistance.settlements.services import PaymentConfirmation
from portal.spreadsheets.reading import TableError, cell_text, table_records, table_rows


class AlertAcknowledgeForm(forms.Form):
    notes = forms.CharField(label="核查安排（可选）", max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class AlertResolveForm(forms.Form):
    outcome = forms.ChoiceField(label="处理结果", choices=HighCostAlert.Outcome.choices)
    notes = forms.CharField(label="处理说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


# What the officer page takes in one request; a whole province's month goes through
# manage.py import_settlements, which has no request time limit.
MAX_SETTLEMENT_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_SETTLEMENT_ROWS = 100_000


class SettlementImportForm(forms.Form):
    file = forms.FileField(label="结算文件（CSV 或 XLSX）", help_text="不超过 20 MB、100,000 行。")
    dry_run = forms.BooleanField(label="只检查，不导入", required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SETTLEMENT_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件有 {upload.size / 1024 / 1024:.1f} MB，超过 20 MB；请按月份或区县分成几个文件导入。")
        return upload


CONFIRMATION_COLUMNS = ("业务编号", "金额", "发放日期", "财务凭证号")
MAX_CONFIRMATION_BYTES = 5 * 1024 * 1024
MAX_CONFIRMATION_ROWS = 20_000


class PaymentConfirmationForm(forms.Form):
    """Finance's confirmation of re-assistance paid: the export's 业务编号 with the amount paid,
    the day and the voucher, as CSV or XLSX. Each row is read into a PaymentConfirmation."""

    file = forms.FileField(label="财务发放回执（CSV 或 XLSX）",
                           help_text="表头：业务编号、金额、发放日期、财务凭证号；不超过 5 MB、20,000 行。")
    dry_run = forms.BooleanField(label="只检查，不登记", required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CONFIRMATION_BYTES:
            raise forms.ValidationError("文件超过 5 MB；请分成几个文件导入。")
        try:
            self.rows = [
                PaymentConfirmation(number, cell_text(reference), _amount(amount), _day(paid_on), cell_text(voucher))
                for number, (reference, amount, paid_on, voucher) in table_rows(
                    table_records(upload, upload.name), CONFIRMATION_COLUMNS)
            ]
        except TableError as error:
            raise forms.ValidationError(error.message) from error
        if not self.rows:
            raise forms.ValidationError("文件中只有表头，没有回执行。")
        if len(self.rows) > MAX_CONFIRMATION_ROWS:
            raise forms.ValidationError(f"文件有 {len(self.rows):,} 行，最多 {MAX_CONFIRMATION_ROWS:,} 行；请分开导入。")
        return upload


def _amount(value) -> Decimal | None:
    try:
        return Decimal(cell_text(value).replace(",", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(cell_text(value).replace("/", "-"))
    except ValueError:
        return None
