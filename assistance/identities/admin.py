"""Officers' pages of assistance identities: department lists imported (dry run, then confirm),
verified by a second officer, revoked. Writes go through the services, never the forms."""

import io
import secrets
from pathlib import Path

from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from assistance.identities.forms import MAX_LIST_ROWS, IdentityListUploadForm, RevokeForm
from assistance.identities.imports import ListFileError, identities_import, read_identity_list
from assistance.identities.services import identity_import_verify, identity_revoke, identity_verify
from assistance.models import AssistanceIdentity, IdentityImport
from portal.accounts.admin_site import admin_url, error_text
from portal.accounts.branches import branch_visible
from portal.privacy.admin_mixins import AccessLoggedAdminMixin, ReadOnlyAdminMixin, ScopedHistoryMixin, VisibleToMixin
from portal.privacy.id_search import IdNumberFindMixin
from portal.privacy.sealed import seal, unseal
from portal.spreadsheets.admin_exports import export_csv, export_xlsx

# An uploaded list waits here between its dry run and the officer's confirmation.
PENDING_UPLOAD_SECONDS = 30 * 60


@admin.register(AssistanceIdentity)
class AssistanceIdentityAdmin(
    VisibleToMixin, IdNumberFindMixin, AccessLoggedAdminMixin, ScopedHistoryMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin
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
    actions = ["verify_selected", "revoke_selected", export_xlsx, export_csv]
    export_headers = ["身份证号", "姓名", "困难类别", "认定部门", "认定文号", "有效期起", "有效期止", "状态"]
    export_filename, export_log = "identities", ("export_identities", "困难群众身份名单")

    def export_rows(self, queryset):
        return (
            [row.id_masked, row.name, row.get_category_display(), row.get_department_display(), row.document_number,
             row.valid_from, row.valid_to or "", row.get_status_display()]
            for row in queryset.order_by("valid_from", "pk")
        )

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
                refused.append(error_text(error))
        if done:
            self.message_user(request, f"已核实 {done} 条身份。", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description="撤销所选身份…", permissions=["verify"])
    def revoke_selected(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{admin_url(self, 'revoke')}?ids={ids}")

    def revoke_view(self, request):
        if not self.has_verify_permission(request):
            raise PermissionDenied
        raw = request.POST.get("ids") or request.GET.get("ids", "")
        ids = [int(part) for part in raw.split(",") if part.isdigit()]
        identities = list(self.get_queryset(request).filter(pk__in=ids))
        if not identities:
            self.message_user(request, "请先在列表中勾选要撤销的身份。", messages.WARNING)
            return redirect(admin_url(self, "changelist"))
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            done, refused = 0, []
            for identity in identities:
                try:
                    identity_revoke(identity=identity, officer=request.user, reason=form.cleaned_data["reason"], on=timezone.localdate())
                    done += 1
                except ValidationError as error:
                    refused.append(error_text(error))
            if done:
                self.message_user(request, f"已撤销 {done} 条身份。", messages.SUCCESS)
            for message in refused:
                self.message_user(request, message, messages.ERROR)
            return redirect(admin_url(self, "changelist"))
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
                self.message_user(request, "没有找到待确认的名单：上传后 30 分钟内有效，或缓存服务暂时不可用。请重新上传。", messages.ERROR)
                return redirect(admin_url(self, "import"))
            file_name = pending[0]
            report = self._run_import(request, file_name, data, dry_run=False)
            if report is not None and report.committed:
                cache.delete(self._cache_key(request, token))
                self.message_user(
                    request,
                    f"已导入“{file_name}”：新增 {report.created} 条，更新 {report.updated} 条，均为待核实；"
                    "请另一名经办人员核实。", messages.SUCCESS,
                )
                return redirect(admin_url(self, "changelist") + f"?source__id__exact={report.source.pk}")
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
                    if not cache.add(key, (file_name, seal(data, bound_to=key)), PENDING_UPLOAD_SECONDS):
                        # The shared cache is down (portal/web/cache.py): a confirmation would not find it.
                        self.message_user(request, "暂时无法暂存这份名单（缓存服务不可用），什么都没有导入；请稍后再上传。",
                                          messages.ERROR)
                        report = None
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
class IdentityImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["file_name", "imported_at", "imported_by", "rows", "created", "updated", "matched_residents", "unregistered", "pending"]
    list_select_related = ["imported_by"]
    fields = list_display
    readonly_fields = fields
    actions = ["verify_imports"]

    def get_queryset(self, request):
        # A list belongs to the region of the officer who imported it: a county officer reads
        # their city's lists (and verifies them), never another county's.
        visible = branch_visible(request.user, "imported_by__staff_profile__scope")
        queryset = super().get_queryset(request)
        return queryset.none() if visible is None else queryset.filter(visible)

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
                self.message_user(request, error_text(error), messages.ERROR)
            else:
                self.message_user(request, f"“{source.file_name}”：已核实 {count} 条身份。", messages.SUCCESS)
