"""Officer pages of the assistance app: identities (import, verify, revoke) and special payment
batches (generate, push, mark paid, export). Writes go through the services, never the forms.

The cases part (applications, settlements, alerts) registers its pages in admin_cases.py.
"""

import io
import secrets
from importlib import import_module
from pathlib import Path

from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from assistance.batch_services import batch_generate, batch_mark_paid, batch_push
from assistance.forms import MAX_LIST_ROWS, BatchGenerateForm, IdentityListUploadForm, RevokeForm
from assistance.identity_imports import ListFileError, identities_import, read_identity_list
from assistance.identity_services import identity_import_verify, identity_revoke, identity_verify
from assistance.models import AssistanceIdentity, IdentityImport, PaymentBatch, PaymentBatchItem
from assistance.resources import PaymentBatchItemResource
from portal.admin_id_search import IdNumberFindMixin
from portal.admin_scope import AccessLoggedAdminMixin, ReadOnlyAdminMixin, ScopedHistoryMixin, VisibleToMixin
from portal.export_form import PolicyExportForm
from portal.models import access_log_write, staff_scope
from portal.sealed import seal, unseal

# An uploaded list waits here between its dry run and the officer's confirmation.
PENDING_UPLOAD_SECONDS = 30 * 60


def _admin_url(model_admin, name: str, *args) -> str:
    opts = model_admin.opts
    return reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=args)


def _service_error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Pages that show what the services wrote; nothing is added, changed or deleted here."""


@admin.register(AssistanceIdentity)
class AssistanceIdentityAdmin(
    VisibleToMixin, IdNumberFindMixin, AccessLoggedAdminMixin, ScopedHistoryMixin, ReadOnlyAdmin, SimpleHistoryAdmin
):
    access_action, access_detail = "view_identity", "查看困难群众身份"
    change_list_template = "admin/assistance/assistanceidentity/change_list.html"
    list_display = ["name", "id_masked", "category", "department", "document_number", "valid_from", "valid_to", "status", "source"]
    list_filter = ["status", "category", "department", "source"]
    search_fields = ["name", "id_masked", "document_number"]
    search_help_text = "按姓名、脱敏身份证号或认定文号查找；完整身份证号请用“按身份证号查找”"
    list_select_related = ["source"]
    # Listed explicitly so that the encrypted number and its digest never appear.
    fields = [
        "name", "id_masked", "category", "department", "document_number", ("valid_from", "valid_to"), "status",
        "source", "imported_by", ("verified_by", "verified_at"), ("revoked_by", "revoked_at"), "revoke_reason",
    ]
    readonly_fields = [
        "name", "id_masked", "category", "department", "document_number", "valid_from", "valid_to", "status",
        "source", "imported_by", "verified_by", "verified_at", "revoked_by", "revoked_at", "revoke_reason",
    ]
    actions = ["verify_selected", "revoke_selected"]

    def has_verify_permission(self, request) -> bool:
        return request.user.has_perm("assistance.verify_assistanceidentity")

    def access_subject_digest(self, obj) -> str:
        return obj.id_digest

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="%s_%s_import" % info),
            path("revoke/", self.admin_site.admin_view(self.revoke_view), name="%s_%s_revoke" % info),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": request.user.has_perm("assistance.add_assistanceidentity")}
        return super().changelist_view(request, extra_context)

    # --- verify and revoke ---
    @admin.action(description="核实所选身份", permissions=["verify"])
    def verify_selected(self, request, queryset):
        done, refused = 0, []
        for identity in queryset:
            try:
                identity_verify(identity=identity, officer=request.user, on=timezone.localdate())
                done += 1
            except ValidationError as error:
                refused.append(_service_error_text(error))
        if done:
            self.message_user(request, f"已核实 {done} 条身份。", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description="撤销所选身份…", permissions=["verify"])
    def revoke_selected(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{_admin_url(self, 'revoke')}?ids={ids}")

    def revoke_view(self, request):
        if not self.has_verify_permission(request):
            raise PermissionDenied
        raw = request.POST.get("ids") or request.GET.get("ids", "")
        ids = [int(part) for part in raw.split(",") if part.isdigit()]
        identities = list(self.get_queryset(request).filter(pk__in=ids))
        if not identities:
            self.message_user(request, "请先在列表中勾选要撤销的身份。", messages.WARNING)
            return redirect(_admin_url(self, "changelist"))
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            done, refused = 0, []
            for identity in identities:
                try:
                    identity_revoke(identity=identity, officer=request.user, reason=form.cleaned_data["reason"], on=timezone.localdate())
                    done += 1
                except ValidationError as error:
                    refused.append(_service_error_text(error))
            if done:
                self.message_user(request, f"已撤销 {done} 条身份。", messages.SUCCESS)
            for message in refused:
                self.message_user(request, message, messages.ERROR)
            return redirect(_admin_url(self, "changelist"))
        context = {
            **self.admin_site.each_context(request), "title": "撤销困难群众身份", "opts": self.opts,
            "form": form, "identities": identities, "ids": ",".join(str(i.pk) for i in identities),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/assistance/assistanceidentity/revoke.html", context)

    # --- import: upload -> dry-run report -> confirm ---
    def import_view(self, request):
        if not request.user.has_perm("assistance.add_assistanceidentity"):
            raise PermissionDenied
        report, token, file_name = None, request.POST.get("token", ""), ""
        form = IdentityListUploadForm()
        if request.method == "POST" and "confirm" in request.POST:
            pending = cache.get(self._cache_key(request, token)) if token else None
            data = unseal(pending[1], bound_to=self._cache_key(request, token)) if pending else None
            if data is None:
                self.message_user(request, "上传的名单已过期，请重新上传。", messages.ERROR)
                return redirect(_admin_url(self, "import"))
            file_name = pending[0]
            report = self._run_import(request, file_name, data, dry_run=False)
            if report is not None and report.committed:
                cache.delete(self._cache_key(request, token))
                self.message_user(
                    request,
                    f"已导入“{file_name}”：新增 {report.created} 条，更新 {report.updated} 条，均为待核实；"
                    "请另一名经办人员核实。", messages.SUCCESS,
                )
                return redirect(_admin_url(self, "changelist") + f"?source__id__exact={report.source.pk}")
        elif request.method == "POST":
            form = IdentityListUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                file_name, data = Path(upload.name).name, upload.read()
                report = self._run_import(request, file_name, data, dry_run=True)
                if report is not None and not report.errors:
                    token = secrets.token_urlsafe(16)
                    # The list holds full ID numbers: the cache only ever sees it sealed.
                    key = self._cache_key(request, token)
                    cache.set(key, (file_name, seal(data, bound_to=key)), PENDING_UPLOAD_SECONDS)
        context = {
            **self.admin_site.each_context(request), "title": "导入困难群众身份名单", "opts": self.opts,
            "form": form, "report": report, "token": token if report and not report.errors else "",
            "file_name": file_name,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/assistance/assistanceidentity/import.html", context)

    def _cache_key(self, request, token: str) -> str:
        # Bound to the user: another account cannot confirm someone else's upload.
        return f"assistance:identity-upload:{request.user.pk}:{token}"

    def _run_import(self, request, file_name: str, data: bytes, *, dry_run: bool):
        try:
            rows = read_identity_list(io.BytesIO(data), filename=file_name)
        except ListFileError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        if len(rows) > MAX_LIST_ROWS:
            self.message_user(request, f"名单有 {len(rows):,} 行，网页导入最多 {MAX_LIST_ROWS:,} 行；请分成几个文件导入。",
                              messages.ERROR)
            return None
        return identities_import(rows=rows, file_name=file_name, officer=request.user, dry_run=dry_run)


@admin.register(IdentityImport)
class IdentityImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "imported_at", "imported_by", "rows", "created", "updated", "matched_residents", "unregistered", "pending"]
    list_select_related = ["imported_by"]
    fields = list_display
    readonly_fields = fields
    actions = ["verify_imports"]

    @admin.display(description="待核实")
    def pending(self, source: IdentityImport) -> int:
        return source.identities.pending().count()

    def has_verify_permission(self, request) -> bool:
        return request.user.has_perm("assistance.verify_assistanceidentity")

    @admin.action(description="核实所选批次的全部待核实身份", permissions=["verify"])
    def verify_imports(self, request, queryset):
        for source in queryset:
            try:
                count = identity_import_verify(source=source, officer=request.user, on=timezone.localdate())
            except ValidationError as error:
                self.message_user(request, _service_error_text(error), messages.ERROR)
            else:
                self.message_user(request, f"“{source.file_name}”：已核实 {count} 条身份。", messages.SUCCESS)


class PaymentBatchItemInline(admin.TabularInline):
    model = PaymentBatchItem
    fields = ["enrollment", "amount", "payment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentBatch)
class PaymentBatchAdmin(VisibleToMixin, ScopedHistoryMixin, ReadOnlyAdmin, SimpleHistoryAdmin):
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
                return redirect(_admin_url(self, "change", batch.pk))
        context = {**self.admin_site.each_context(request), "title": "生成特殊缴费单据", "opts": self.opts, "form": form}
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/assistance/paymentbatch/generate.html", context)

    def _each(self, request, queryset, service, done_text: str) -> None:
        for batch in queryset:
            try:
                result = service(batch=batch, officer=request.user)
            except ValidationError as error:
                self.message_user(request, f"批次 {batch.pk}：{_service_error_text(error)}", messages.ERROR)
            else:
                self.message_user(request, f"批次 {batch.pk}：{done_text.format(result=result)}", messages.SUCCESS)

    @admin.action(description="推送所选批次", permissions=["process"])
    def push_selected(self, request, queryset):
        self._each(request, queryset, batch_push, "已推送。")

    @admin.action(description="确认所选批次已支付", permissions=["process"])
    def mark_paid_selected(self, request, queryset):
        self._each(request, queryset, batch_mark_paid, "已确认支付，本次记录 {result} 笔缴费。")


@admin.register(PaymentBatchItem)
class PaymentBatchItemAdmin(VisibleToMixin, ExportMixin, ReadOnlyAdmin):
    resource_classes = [PaymentBatchItemResource]
    export_form_class = PolicyExportForm  # "Select all" under the CSP (portal/export_form.py)
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


# Applications, settlements, alerts and re-assistance have their own module; importing it
# registers them with this site.
import_module("assistance.admin_cases")
