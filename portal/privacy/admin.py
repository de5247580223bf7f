"""The officer's page of the access log (个人信息访问记录): read-only for everyone, searchable by
staff member, by resident and by date range.

A resident is found by typing the ID number into a POST form; the page converts it to the keyed
digest and filters by that, so the number never enters a URL and nobody types a digest.
"""

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from portal.accounts.scopes import staff_scope
from portal.privacy.admin_mixins import ReadOnlyAdminMixin
from portal.privacy.id_numbers import IdNumberError, parse_id_number
from portal.privacy.id_vault import id_digest
from portal.privacy.models import AccessLogEntry

ACTION_LABELS = {
    "login": "登录成功", "login_failed": "登录失败", "view_resident": "查看居民完整信息",
    "view_application": "查看救助申请", "view_attachment": "查看申请材料", "view_settlements": "查看就医结算",
    "view_identity": "查看困难群众身份", "export_follow_up": "导出追缴名单", "export_uninsured": "导出应保尽保名单",
    "export_reassistance": "导出再救助名单", "export_settlements": "导出就医结算记录",
    "export_identities": "导出困难群众身份名单", "export_batch_items": "导出特殊缴费单据", "import_roll": "导入参保名册",
    "issue_binding_code": "发放身份验证器绑定码",
    "issue_enrolment_code": "发放身份验证器绑定码",  # the same action, as entries before its rename name it
    "start_authenticator": "凭绑定码开始添加身份验证器",
    "add_authenticator": "添加身份验证器",
    "search_residents": "查找居民", "view_enrollment": "查看参保记录", "view_receipt": "查看缴费凭证",
    "view_follow_up": "查看追缴名单", "view_uninsured": "查看应保尽保名单", "view_alerts": "查看高额费用预警",
    "view_applications": "查看救助申请列表", "check_roll": "预检参保名单", "view_import_result": "查看名单导入结果",
    "view_household": "查看户信息", "view_refund": "查看退费记录", "view_alert": "查看高额费用预警",
    "view_reassistance": "查看再救助", "view_batch": "查看特殊缴费批次", "view_batch_item": "查看特殊缴费单据",
    "view_list": "查看人员列表（管理后台）", "unlock_login": "解除登录锁定", "delete_authenticator": "删除身份验证器",
    "login_password": "密码正确，待验证身份验证器", "find_by_id_number": "按身份证号查找（管理后台）",
    "check_out_of_scope": "查询管辖范围以外登记的身份证号", "out_of_scope_limit": "辖区外查询达每日上限被拒绝",
    # Life events (enrollment/life_events).
    "find_parent": "按身份证号查找新生儿父母", "view_newborns": "查看新生儿参保", "move_lookup": "按身份证号查找迁入居民",
    "view_moves": "查看迁移记录", "view_duplicates": "查看重复参保", "resolve_duplicate": "处理重复参保",
    "import_deaths": "导入死亡人员名单", "view_death": "查看死亡记录", "view_death_import_problem": "查看死亡名单未记录行",
    # 我的医保 (my_insurance/overview): the resident reading their own pages.
    "my_view_years": "居民查看本人参保缴费", "my_view_care": "居民查看本人就医结算和待遇余额",
    "my_view_assistance": "居民查看本人救助、认定和备案", "my_view_household": "居民查看本户成员（隐去信息）",
    # 我的医保 参保证明 (my_insurance/proofs): what the resident did with their own proofs.
    "view_proof_years": "居民查看可开具参保证明的年度", "issue_proof": "居民开具参保证明",
    "view_proof": "居民查看参保证明", "download_proof": "居民下载参保证明 PDF",
    # 我的医保 异地就医备案 (my_insurance/filings): what the resident did with their own filings.
    "my_view_filings": "居民查看本人异地就医备案", "my_view_filing_form": "居民打开网上备案表单",
    "my_create_filing": "居民网上办理异地就医备案", "my_view_filing": "居民查看本人备案（撤销前）",
    "my_cancel_filing": "居民网上撤销异地就医备案", "my_print_filing": "居民打印本人备案凭证",
    # 我的医保 sign-in (my_insurance/signin): every attempt with its outcome, failed codes, sign-in and out.
    "my_sign_in_attempt": "居民申请我的医保登录验证码", "my_sign_in_code_failed": "居民登录验证码未通过",
    "my_sign_in": "居民登录我的医保", "my_sign_out": "居民退出我的医保",
}


class ActionFilter(admin.SimpleListFilter):
    """The actions by their Chinese names, those to watch first: who reached the out-of-scope limit."""

    title = "操作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        first = ("out_of_scope_limit", "check_out_of_scope")
        return [(action, ACTION_LABELS[action]) for action in first] + [
            (action, label) for action, label in ACTION_LABELS.items()
            if action not in first and action != "issue_enrolment_code"
        ]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class DateRangeFilter(admin.FieldListFilter):
    """From and to dates (both included), typed in; wrong dates are ignored with no error page."""

    template = "admin/portal/accesslogentry/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.from_key, self.to_key = f"{field_path}_from", f"{field_path}_to"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = "时间范围"

    def expected_parameters(self):
        return [self.from_key, self.to_key]

    def _day(self, key) -> date | None:
        values = self.used_parameters.get(key) or [""]
        value = values[-1] if isinstance(values, list) else values
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return None

    def queryset(self, request, queryset):
        start, end = self._day(self.from_key), self._day(self.to_key)
        zone = timezone.get_current_timezone()
        if start:
            queryset = queryset.filter(**{f"{self.field_path}__gte": datetime.combine(start, time.min, zone)})
        if end:
            next_day = datetime.combine(end + timedelta(days=1), time.min, zone)
            queryset = queryset.filter(**{f"{self.field_path}__lt": next_day})
        return queryset

    def choices(self, changelist):
        # The template draws a small form instead of links; it needs the current values.
        yield {
            "from_key": self.from_key, "to_key": self.to_key,
            "from_value": self._day(self.from_key) or "", "to_value": self._day(self.to_key) or "",
            "other_params": {
                key: value[-1] if isinstance(value, list) else value
                for key, value in changelist.params.items() if key not in (self.from_key, self.to_key)
            },
            "clear_url": changelist.get_query_string(remove=[self.from_key, self.to_key]),
        }


class ResidentFilter(admin.SimpleListFilter):
    """Set by the ID-number form (never typed): shows the one resident being looked at."""

    title = "居民"
    parameter_name = "subject_digest"

    def lookups(self, request, model_admin):
        return [(self.value(), "所查居民")] if self.value() else []

    def queryset(self, request, queryset):
        return queryset.filter(subject_digest=self.value()) if self.value() else queryset


class ResidentIdForm(forms.Form):
    id_number = forms.CharField(label="居民身份证号", max_length=18, min_length=15)

    def clean_id_number(self) -> str:
        try:
            return parse_id_number(self.cleaned_data["id_number"].strip(), today=timezone.localdate()).number
        except IdNumberError as error:
            raise forms.ValidationError(f"身份证号有误：{error}") from error


# Append-only, for superusers too: the record must outlive whoever it records.
@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    change_list_template = "admin/portal/accesslogentry/change_list.html"
    list_display = ["at", "staff", "address", "action_label", "detail", "resident_marker"]
    list_filter = [("at", DateRangeFilter), ActionFilter, ResidentFilter]
    search_fields = ["username", "user__last_name", "user__first_name"]
    search_help_text = "按工作人员用户名或姓名查找；按居民查找请用上方的身份证号查询"
    list_select_related = ["user"]
    list_per_page = 100
    date_hierarchy = "at"


    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        scope = staff_scope(request.user)
        if scope is None:
            return queryset.none()
        # Staff of the officer's scope; a failed login has no user, and is shown to the officers
        # of the account whose name was typed (a name that is no account: to superusers).
        in_scope = get_user_model().objects.filter(staff_profile__scope__code__startswith=scope.prefix)
        return queryset.filter(Q(user__in=in_scope) | Q(user__isnull=True, username__in=in_scope.values("username")))

    @admin.display(description="工作人员", ordering="username")
    def staff(self, entry: AccessLogEntry) -> str:
        if entry.user is None:
            return f"{entry.username}（未登录）"
        full_name = f"{entry.user.last_name}{entry.user.first_name}"
        return f"{entry.user.get_username()} {full_name}".strip()

    @admin.display(description="操作", ordering="action")
    def action_label(self, entry: AccessLogEntry) -> str:
        return ACTION_LABELS.get(entry.action, entry.action)

    @admin.display(description="涉及居民")
    def resident_marker(self, entry: AccessLogEntry) -> str:
        # A short stretch of the digest lets an officer see that two rows concern the same person.
        return f"居民#{entry.subject_digest[:8]}" if entry.subject_digest else "—"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("resident/", self.admin_site.admin_view(self.resident_view), name="%s_%s_resident" % info),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "resident_form": ResidentIdForm()}
        return super().changelist_view(request, extra_context)

    def resident_view(self, request):
        """POST of an ID number -> the list filtered by its digest."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = reverse(f"{self.admin_site.name}:portal_accesslogentry_changelist")
        form = ResidentIdForm(request.POST or None)
        if request.method != "POST":
            return redirect(changelist)
        if not form.is_valid():
            # The reason beside the box, and no list: the whole log under a search would mislead.
            return TemplateResponse(request, "admin/id_find.html", {
                **self.admin_site.each_context(request), "opts": self.opts, "title": "按身份证号查找访问记录",
                "matches": None, "error": " ".join(form.errors["id_number"]),
            })
        return redirect(f"{changelist}?subject_digest={id_digest(form.cleaned_data['id_number'])}")
