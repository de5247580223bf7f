"""Officers' pages of special payment batches (特殊缴费单据): generate, push, mark paid, export."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from import_export.admin import ExportMixin

from assistance.batches.forms import BatchGenerateForm
from assistance.batches.resources import PaymentBatchItemResource
from assistance.batches.services import batch_generate, batch_mark_paid, batch_push, reversals_due_by_year
from assistance.models import PaymentBatch, PaymentBatchItem, SubsidyReversal
from portal.accounts.admin_site import admin_url, error_text
from portal.accounts.scopes import staff_scope
from portal.privacy.admin_mixins import (
    AccessLoggedAdminMixin,
    ReadOnlyAdminMixin,
    ScopedReadOnlyAdmin,
    VisibleToMixin,
)
from portal.privacy.models import access_log_write
from portal.spreadsheets.admin_forms import EXPORT_FORMATS, PolicyExportForm
from portal.spreadsheets.responses import spreadsheet_response

BATCH_EXPORT_HEADERS = ["批次号", "类型", "待遇享受年度", "姓名", "身份证号", "困难类别", "参保村(社区)", "金额（元）",
                        "收据号", "说明"]


class PaymentBatchItemInline(admin.TabularInline):
    model = PaymentBatchItem
    fields = ["enrollment", "amount", "payment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class SubsidyReversalInline(admin.TabularInline):
    """The subsidies taken back in the batch, as the negative lines they are on the batch's total."""

    model = SubsidyReversal
    verbose_name = verbose_name_plural = "冲销（死亡人员资助）"
    fields = ["enrollment", "negative_amount", "payment", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="金额")
    def negative_amount(self, reversal: SubsidyReversal):
        return -reversal.amount

    def has_view_permission(self, request, obj=None) -> bool:
        # Part of the batch: whoever may see the batch sees what it takes back.
        return request.user.has_perm("assistance.view_paymentbatch")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentBatch)
class PaymentBatchAdmin(AccessLoggedAdminMixin, ScopedReadOnlyAdmin):
    # A batch's page lists the people it pays for: logged as one opening, with no one resident.
    access_action, access_detail, access_resident_path = "view_batch", "查看特殊缴费批次", None
    change_list_template = "admin/assistance/paymentbatch/change_list.html"
    change_form_template = "admin/assistance/paymentbatch/change_form.html"
    list_display = ["batch_number", "year", "region", "status", "total", "item_count", "reversed_total", "created_by",
                    "created_at", "pushed_at", "paid_at"]
    list_filter = ["year", "status"]
    list_select_related = ["region", "created_by"]
    fields = ["year", "region", "status", "total", "reversed_total", "created_by", "created_at", "pushed_by",
              "pushed_at", "paid_by", "paid_at"]
    readonly_fields = fields
    inlines = [PaymentBatchItemInline, SubsidyReversalInline]
    actions = ["push_selected", "mark_paid_selected"]

    @admin.display(description="单据号", ordering="pk")
    def batch_number(self, batch: PaymentBatch) -> int:
        return batch.pk

    @admin.display(description="单据数")
    def item_count(self, batch: PaymentBatch) -> int:
        return batch.items.count()

    def has_process_permission(self, request) -> bool:
        return request.user.has_perm("assistance.change_paymentbatch")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("generate/", self.admin_site.admin_view(self.generate_view), name="%s_%s_generate" % info),
            path("<int:pk>/export/", self.admin_site.admin_view(self.export_view), name="%s_%s_export" % info),
        ] + super().get_urls()

    def export_view(self, request, pk: int):
        """The batch as finance pays it: a line per special payment, and each reversal as a
        negative line, so that the file sums to what the fund pays."""
        batch = self.get_queryset(request).filter(pk=pk).first()
        if batch is None or not self.has_view_permission(request, batch):
            raise PermissionDenied
        export_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
        items = batch.items.select_related("enrollment__resident", "enrollment__region", "payment").order_by("pk")
        reversals = batch.reversals.select_related("enrollment__resident", "enrollment__region").order_by("pk")
        rows = [
            [batch.pk, "资助缴费", item.enrollment.year, item.enrollment.resident.name,
             item.enrollment.resident.id_masked, item.enrollment.get_assistance_category_display(),
             item.enrollment.region.name, item.amount, item.payment.receipt_number if item.payment else "", ""]
            for item in items
        ] + [
            [batch.pk, "冲销", reversal.enrollment.year, reversal.enrollment.resident.name,
             reversal.enrollment.resident.id_masked, reversal.enrollment.get_assistance_category_display(),
             reversal.enrollment.region.name, -reversal.amount, "", reversal.reason]
            for reversal in reversals
        ]
        access_log_write(request=request, action="export_batch_items",
                         detail=f"导出特殊缴费批次 {batch.pk}：单据 {len(items)} 条、冲销 {len(reversals)} 条（{export_format}）")
        return spreadsheet_response(headers=BATCH_EXPORT_HEADERS, rows=rows, filename=f"特殊缴费单据-批次{batch.pk}",
                                    export_format=export_format)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_generate": request.user.has_perm("assistance.add_paymentbatch")}
        return super().changelist_view(request, extra_context)

    def generate_view(self, request):
        if not request.user.has_perm("assistance.add_paymentbatch"):
            raise PermissionDenied
        form = BatchGenerateForm(request.POST or None, scope=staff_scope(request.user))
        if request.method == "POST" and form.is_valid():
            try:
                batch = batch_generate(year=form.cleaned_data["year"], region=form.cleaned_data["region"], officer=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, f"已生成 {batch.items.count()} 张单据，合计 {batch.total} 元。", messages.SUCCESS)
                return redirect(admin_url(self, "change", batch.pk))
        scope = staff_scope(request.user)
        context = {**self.admin_site.each_context(request), "title": "生成特殊缴费单据", "opts": self.opts, "form": form,
                   "reversals_due": reversals_due_by_year(region=scope) if scope else []}
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/assistance/paymentbatch/generate.html", context)

    def _each(self, request, queryset, service, done_text: str) -> None:
        for batch in queryset:
            try:
                result = service(batch=batch, officer=request.user)
            except ValidationError as error:
                self.message_user(request, f"批次 {batch.pk}：{error_text(error)}", messages.ERROR)
            else:
                self.message_user(request, f"批次 {batch.pk}：{done_text.format(result=result)}", messages.SUCCESS)

    @admin.action(description="推送所选批次", permissions=["process"])
    def push_selected(self, request, queryset):
        self._each(request, queryset, batch_push, "已推送。")

    @admin.action(description="确认所选批次已支付", permissions=["process"])
    def mark_paid_selected(self, request, queryset):
        self._each(request, queryset, batch_mark_paid, "已确认支付，本次记录 {result} 笔缴费。")


@admin.register(PaymentBatchItem)
class PaymentBatchItemAdmin(AccessLoggedAdminMixin, VisibleToMixin, ExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    access_action, access_detail, access_resident_path = "view_batch_item", "查看特殊缴费单据", "enrollment.resident"
    resource_classes = [PaymentBatchItemResource]
    export_form_class = PolicyExportForm  # "Select all" under the CSP (portal/spreadsheets/admin_forms.py)
    export_formats = EXPORT_FORMATS  # numbers typed in XLSX
    list_display = ["batch", "enrollment", "amount", "payment"]
    list_filter = ["batch__year", "batch__status", "batch"]
    list_select_related = ["batch", "enrollment__resident", "payment"]
    search_fields = ["enrollment__resident__name", "enrollment__resident__id_masked"]
    fields = ["batch", "enrollment", "amount", "payment"]
    readonly_fields = fields

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm("assistance.view_paymentbatchitem")

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        access_log_write(request=request, action="export_batch_items",
                         detail=f"导出特殊缴费单据 {queryset.count()} 条（{file_format.get_title()}）")
        return data
