"""Exports of special payment batches (django-import-export): masked ID numbers, no formulas;
the year and the amount as numbers, so that finance can sum the file it pays from."""

from import_export import fields, widgets

from assistance.models import PaymentBatchItem
from portal.spreadsheets.resources import PortalResource


class PaymentBatchItemResource(PortalResource):
    batch = fields.Field(attribute="batch_id", column_name="批次号")
    year = fields.Field(attribute="enrollment__year", column_name="待遇享受年度",
                        widget=widgets.IntegerWidget(coerce_to_string=False))
    name = fields.Field(attribute="enrollment__resident__name", column_name="姓名")
    id_masked = fields.Field(attribute="enrollment__resident__id_masked", column_name="身份证号")
    category = fields.Field(column_name="困难类别")
    village = fields.Field(attribute="enrollment__region__name", column_name="参保村(社区)")
    amount = fields.Field(attribute="amount", column_name="资助金额（元）",
                          widget=widgets.DecimalWidget(coerce_to_string=False))
    receipt = fields.Field(attribute="payment__receipt_number", column_name="收据号")

    class Meta(PortalResource.Meta):
        model = PaymentBatchItem
        fields = ["batch", "year", "name", "id_masked", "category", "village", "amount", "receipt"]
        export_order = fields

    def dehydrate_category(self, item: PaymentBatchItem) -> str:
        return item.enrollment.get_assistance_category_display()
