"""Officers' pages of settlements and what follows from them: settlement imports, alert
thresholds and alerts, and re-assistance (compute, approve, export).

Officers see rows of their scope only; every write goes through a service.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from assistance.models import AlertThreshold, HighCostAlert, ReassistanceGrant, Settlement
from assistance.settlements.forms import MAX_SETTLEMENT_ROWS, PaymentConfirmationForm, SettlementImportForm
from assistance.settlements.imports import read_settlements, settlements_import
from assistance.settlements.services import (
    alerts_refresh,
    reassistance_approve,
    reassistance_compute,
    reassistance_mark_paid,
    reassistance_payments_confirm,
)
from portal.accounts.branches import BranchScopedAdminMixin
from portal.accounts.scopes import staff_scope
from portal.network.codes import Level, pooling_region_code
from portal.network.models import Region
from portal.privacy.admin_mixins import AccessLoggedAdminMixin, ScopedHistoryMixin, ScopedReadOnlyAdmin
from portal.spreadsheets.admin_exports import export_csv, export_xlsx
from portal.spreadsheets.reading import TableError


@admin.register(Settlement)
class SettlementAdmin(AccessLoggedAdminMixin, ScopedReadOnlyAdmin):
    access_action, access_detail = "view_settlements", "查看就医结算记录"
    list_display = ["id_masked", "resident", "settled_on", "institution", "kind", "policy_range", "basic",
                    "catastrophic", "assistance", "personal"]
    list_filter = ["year", "kind"]
    list_select_related = ["resident"]
    exclude = ["person_digest", "fingerprint"]
    change_list_template = "admin/assistance/settlement/change_list.html"
    actions = [export_xlsx, export_csv]
    export_headers = ["身份证号", "姓名", "年度", "结算日期", "医疗机构", "就诊类别", "医疗总费用（元）", "政策范围内费用（元）",
                      "基本医保支付（元）", "大病保险支付（元）", "医疗救助支付（元）", "个人负担（元）"]
    export_filename, export_log = "settlements", ("export_settlements", "就医结算记录")

    def export_rows(self, queryset):
        return (
            [row.id_masked, row.resident.name if row.resident else "", row.year, row.settled_on, row.institution,
             row.get_kind_display(), row.total, row.policy_range, row.basic, row.catastrophic, row.assistance,
             row.personal]
            for row in queryset.select_related("resident").order_by("settled_on", "pk")
        )

    def access_subject_digest(self, obj) -> str:
        return obj.person_digest

    # Settlements are imported, never edited, and keep no version history: simple_history's
    # pages would fail on them (HTTP 500), so Django's own change log is shown instead.
    object_history_template = "admin/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        response = admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        self._log_opened(request, response, object_id, "的修改历史")
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise Http404("就医结算记录没有历史版本。")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="%s_%s_import" % info),
        ] + super().get_urls()

    def import_view(self, request):
        if not request.user.has_perm("assistance.import_settlements"):
            raise PermissionDenied
        scope = staff_scope(request.user)
        if not request.user.is_superuser and (scope is None or scope.level > Level.CITY):
            # The settlement system exports a pooling region's file; the alerts it opens reach every
            # county of it, which is the city's officers' work, not one county's.
            raise PermissionDenied("就医结算记录按统筹区（市）导入，请由市级医保部门导入。")
        form = SettlementImportForm(request.POST or None, request.FILES or None)
        report = alerts = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = read_settlements(upload, upload.name)
                if len(rows) > MAX_SETTLEMENT_ROWS:
                    raise TableError(f"文件有 {len(rows):,} 行，网页导入最多 {MAX_SETTLEMENT_ROWS:,} 行；"
                                    "请分成几个文件，或请管理员用 manage.py import_settlements 导入。")
            except TableError as error:
                form.add_error("file", error.message)
            else:
                report = settlements_import(rows=rows, user=request.user, today=timezone.localdate(),
                                            dry_run=form.cleaned_data["dry_run"])
                if report.committed:
                    alerts = sum(alerts_refresh(year=year, resident_ids=report.resident_ids).opened
                                 for year in sorted(report.years))
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form, "report": report,
                   "alerts_opened": alerts, "title": "导入就医结算记录"}
        return TemplateResponse(request, "assistance/settlement_import.html", context)


@admin.register(AlertThreshold)
class AlertThresholdAdmin(BranchScopedAdminMixin, ScopedHistoryMixin, SimpleHistoryAdmin):
    """A threshold belongs to a pooling region (city): its officers set it, a county's read it."""

    list_display = ["year", "region", "for_assistance", "for_others", "updated_at"]
    list_filter = ["year"]
    fields = ["year", "region", "for_assistance", "for_others"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = Region.objects.filter(level=Level.CITY)  # narrowed to the writable ones
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(HighCostAlert)
class HighCostAlertAdmin(AccessLoggedAdminMixin, ScopedReadOnlyAdmin):
    access_action, access_detail = "view_alert", "查看高额费用预警"
    list_display = ["resident", "year", "township", "burden", "threshold", "status", "outcome"]
    list_filter = ["year", "status", "outcome"]
    list_select_related = ["resident", "township"]


class ReassistanceComputeForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


@admin.register(ReassistanceGrant)
class ReassistanceGrantAdmin(AccessLoggedAdminMixin, ScopedReadOnlyAdmin):
    access_action, access_detail = "view_reassistance", "查看再救助"
    list_display = ["reference", "resident", "year", "assistance_category", "base", "amount", "status", "approved_by",
                    "paid_on"]
    list_filter = ["year", "status", "assistance_category"]
    list_select_related = ["resident", "approved_by"]
    actions = ["approve", "mark_paid_today", export_xlsx, export_csv]
    change_list_template = "admin/assistance/reassistancegrant/change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("compute/", self.admin_site.admin_view(self.compute_view), name="%s_%s_compute" % info),
            path("confirm-payments/", self.admin_site.admin_view(self.confirm_payments_view),
                 name="%s_%s_confirm_payments" % info),
        ] + super().get_urls()

    @admin.display(description="业务编号")
    def reference(self, grant: ReassistanceGrant) -> str:
        return grant.reference

    @admin.action(description="登记所选已发放（今天）", permissions=["approve"])
    def mark_paid_today(self, request, queryset):
        count = reassistance_mark_paid(grant_ids=queryset.values_list("pk", flat=True), officer=request.user,
                                       paid_on=timezone.localdate())
        messages.success(request, f"已登记 {count} 条再救助为已发放（只登记已审批、未发放的）。")

    def confirm_payments_view(self, request):
        """Finance's confirmation file (业务编号、金额、发放日期、财务凭证号): all rows or none."""
        if not self.has_approve_permission(request):
            raise PermissionDenied
        form = PaymentConfirmationForm(request.POST or None, request.FILES or None)
        outcome = None
        if request.method == "POST" and form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            count, problems = reassistance_payments_confirm(rows=form.rows, officer=request.user,
                                                            today=timezone.localdate(), dry_run=dry_run)
            outcome = {"count": count, "problems": problems, "dry_run": dry_run}
            if not problems and not dry_run:
                messages.success(request, f"已按财务回执登记 {count} 条再救助为已发放。")
                return redirect(reverse("admin:assistance_reassistancegrant_changelist") + "?status__exact=paid")
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form, "outcome": outcome,
                   "title": "导入财务发放回执"}
        return TemplateResponse(request, "assistance/reassistance_confirm_payments.html", context)

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("assistance.approve_reassistance")

    @admin.action(description="批准所选再救助", permissions=["approve"])
    def approve(self, request, queryset):
        try:
            count = reassistance_approve(grant_ids=queryset.values_list("pk", flat=True), officer=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return
        messages.success(request, f"已批准 {count} 条再救助（已批准过的不重复办理）。")

    export_headers = ["业务编号", "收款人", "收款账号", "身份证号", "村(社区)", "年度", "困难类别", "医疗救助后个人负担（元）",
                      "再救助金额（元）", "用途", "状态", "发放日期", "财务凭证号"]
    export_filename, export_log = "reassistance", ("export_reassistance", "再救助名单")

    def export_rows(self, queryset):
        # What finance pays from: the payee and their account (the one full account anywhere, for
        # this file; the export is logged), the amount as a number, the purpose, and the 业务编号
        # its confirmation file names (confirm_payments_view).
        return (
            [grant.reference, grant.resident.name, grant.resident.payout_account, grant.resident.id_masked,
             grant.resident.region.name, grant.year,
             grant.get_assistance_category_display(), grant.base, grant.amount, f"{grant.year} 年度医疗再救助",
             grant.get_status_display(), grant.paid_on or "", grant.paid_voucher]
            for grant in queryset.select_related("resident__region").order_by("year", "pk")
        )

    def compute_view(self, request):
        if not self.has_approve_permission(request):
            raise PermissionDenied
        scope = staff_scope(request.user)
        if scope is None or scope.level < Level.CITY:
            messages.error(request, "再救助按统筹区计算，请使用市级或以下管辖范围的账号。")
            return redirect(reverse("admin:assistance_reassistancegrant_changelist"))
        city = Region.objects.get(code=pooling_region_code(scope.code))
        form = ReassistanceComputeForm(request.POST or None, initial={"year": timezone.localdate().year})
        if request.method == "POST" and form.is_valid():
            try:
                # For the officer's own scope only: a county officer leaves the other counties' grants alone.
                report = reassistance_compute(year=form.cleaned_data["year"], city=city, area=scope)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{scope.name} {form.cleaned_data['year']} 年度：计算再救助 {report.computed} 人，"
                                          f"已审批未重算 {report.approved_kept} 人。")
                return redirect(reverse("admin:assistance_reassistancegrant_changelist"))
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form, "city": city, "scope": scope,
                   "title": "计算再救助"}
        return TemplateResponse(request, "assistance/reassistance_compute.html", context)
