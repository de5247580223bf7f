"""Officers' pages of special payment batches (特殊缴费单据): generate, push, mark paid, export."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from import_export.admin import ExportMixin

from assistance.batches.forms import BatchGenerateForm
from assistance.batches.resources import PaymentBatchItemResource
from assistance.batches.services import batch_generate, batch_mark_paid, batch_push
from assistance.models import PaymentBatch, PaymentBatchItem
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


class PaymentBatchItemInline(admin.TabularInline):
    model = PaymentBatchItem
    fields = ["enrollment", "amount", "payment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentBatch)
class PaymentBatchAdmin(AccessLoggedAdminMixin, ScopedReadOnlyAdmin):
    # A batch's page lists the people it pays for: logged as one opening, with no one resident.
    access_action, access_detail, access_resident_path = "view_batch", "查看特殊缴费批次", None
    change_list_template = "admin/assistance/paymentbatch/change_list.html"
    list_display = ["batch_number", "year", "region", "status", "total", "item_count", "created_by", "created_at", "pushed_at", "paid_at"]
    list_filter = ["year", "status"]
    list_select_related = ["region", "created_by"]
    fields = ["year", "region", "status", "total", "created_by", "created_at", "pushed_by", "pushed_at", "paid_by", "paid_at"]
    readonly_fields = fields
    inlines = [PaymentBatchItemInline]
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
        ] + super().get_urls()

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
        context = {**self.admin_site.each_context(request), "title": "生成特殊缴费单据", "opts": self.opts, "form": form}
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
