"""Officer pages of the enrollment app: contribution standards (versioned, imported and exported)
and read-mostly look-ups of residents, households, enrollments, payments and refunds.

Residents and what they paid are written by the station (enrollment.services), never here; the
look-ups show only rows inside the officer's scope, and never the encrypted ID number.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from enrollment.collection import (
    reminders_admin,  # noqa: F401  (registers the 缴费提醒 page)
    tax_admin,  # noqa: F401  (registers the 税务缴费导入 pages)
)
from enrollment.life_events import (
    death_admin,  # noqa: F401  (registers the 死亡名单导入 pages)
    duplicates_admin,  # noqa: F401  (registers the 他处参保名单导入 pages)
)
from enrollment.models import (
    AssistanceSubsidy,
    ContributionFloor,
    ContributionStandard,
    Enrollment,
    Household,
    Payment,
    Refund,
    Resident,
)
from enrollment.resources import AssistanceSubsidyResource, ContributionStandardResource
from enrollment.services import refund_approve
from portal.accounts.admin_site import error_text
from portal.accounts.branches import BranchScopedAdminMixin
from portal.privacy.admin_mixins import AccessLoggedAdminMixin, VisibleToMixin
from portal.privacy.id_search import IdNumberFindMixin
from portal.standards.admin import VERSION_FIELDSET, StandardPartAdmin, StandardPartInline, VersionedStandardAdmin


class AssistanceSubsidyInline(StandardPartInline):
    model = AssistanceSubsidy
    fields = ["category", "full", "amount"]


@admin.register(ContributionStandard)
class ContributionStandardAdmin(VersionedStandardAdmin):
    resource_classes = [ContributionStandardResource]
    inlines = [AssistanceSubsidyInline]
    fieldsets = [
        VERSION_FIELDSET,
        ("个人缴费", {"fields": [("contribution_adult", "contribution_student_child"), "fiscal_subsidy"]}),
        ("集中缴费期", {"fields": [("window_start", "window_end"), ("waiting_days", "newborn_grace_days")]}),
        ("参保率", {"fields": ["participation_target"]}),
    ]


@admin.register(ContributionFloor)
class ContributionFloorAdmin(BranchScopedAdminMixin, SimpleHistoryAdmin):
    """The province's floors, checked when a pooling region publishes its standard."""

    branch_lookup = "province"
    list_display = ["year", "province", "fiscal_subsidy", "personal_contribution", "source"]
    list_filter = ["year"]
    fields = ["year", "province", "fiscal_subsidy", "personal_contribution", "source"]


@admin.register(AssistanceSubsidy)
class AssistanceSubsidyAdmin(StandardPartAdmin):
    resource_classes = [AssistanceSubsidyResource]
    list_display = ["standard", "category", "full", "amount"]
    list_filter = ["standard__year", "standard__status", "category"]
    list_select_related = ["standard__region"]
    fields = ["standard", "category", "full", "amount"]


class ScopedLookupAdmin(AccessLoggedAdminMixin, VisibleToMixin, IdNumberFindMixin, admin.ModelAdmin):
    """Look-ups for officers: rows of their scope only, no adding, no deleting; a full ID number
    finds its resident by the keyed hash through 按身份证号查找 (portal/privacy/id_search.py).
    Every record and list opened is in the access log."""

    resident_lookup = "resident__"  # path from the model to Resident, "" for Resident itself

    @property
    def id_digest_lookup(self) -> str:
        return f"{self.resident_lookup}id_digest"

    @property
    def access_resident_path(self) -> str:
        return ".".join(self.resident_lookup.split("__")[:-1])
    # What an officer may change here; everything else is written by the station's services.
    editable_fields: tuple[str, ...] = ()
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # A record outside the officer's scope is never theirs to change, wherever it is asked.
        in_scope = obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()
        return bool(self.editable_fields) and in_scope and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if not self.editable_fields:
            return super().get_readonly_fields(request, obj)
        return [name for name in self.fields if name not in self.editable_fields]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Resident)
class ResidentAdmin(ScopedLookupAdmin):
    resident_lookup = ""
    access_action, access_detail = "view_resident", "查看居民信息"
    list_display = ["name", "id_masked", "gender", "birth_date", "region", "assistance_category", "date_of_death"]
    list_filter = ["assistance_category", "gender", "residence_permit"]
    search_fields = ["name", "id_masked"]
    search_help_text = "按姓名或脱敏身份证号（如 1223）查找；完整身份证号请用“按身份证号查找”"
    ordering = ["name", "pk"]  # pages of a list, and the autocomplete's, in a stable order
    list_select_related = ["region"]
    # Listed explicitly so that the encrypted number and its digest can never appear.
    fields = [
        "name", "id_masked", "gender", "birth_date", "phone", "region", "household", "residence_permit",
        "payout_account_masked", "assistance_category", "date_of_death", "created_at", "created_by",
    ]


@admin.register(Household)
class HouseholdAdmin(ScopedLookupAdmin):
    resident_lookup = "members__"
    access_action, access_detail, access_resident_path = "view_household", "查看户信息", "head"
    list_display = ["number", "region", "head", "address", "created_at"]
    search_fields = ["number", "address", "head__name", "head__id_masked"]
    list_select_related = ["region", "head"]
    fields = ["number", "region", "head", "address", "created_at"]


@admin.register(Enrollment)
class EnrollmentAdmin(ScopedLookupAdmin):
    access_action, access_detail = "view_enrollment", "查看参保记录"
    list_display = [
        "resident", "year", "region", "category", "assistance_category", "payable", "paid_at", "late",
        "coverage_start", "status",
    ]
    list_filter = ["year", "status", "category", "assistance_category", "late", "newborn"]
    search_fields = ["resident__name", "resident__id_masked"]
    search_help_text = "按姓名、脱敏身份证号或完整身份证号查找"
    list_select_related = ["resident", "region"]


@admin.register(Payment)
class PaymentAdmin(ScopedLookupAdmin):
    resident_lookup = "enrollment__resident__"
    access_action, access_detail = "view_receipt", "查看缴费记录"
    list_display = ["receipt_number", "enrollment", "payer", "amount", "method", "recorded_at", "recorded_by"]
    list_filter = ["enrollment__year", "payer", "method"]
    search_fields = ["receipt_number", "enrollment__resident__name", "enrollment__resident__id_masked"]
    search_help_text = "按收据号、姓名、脱敏身份证号或完整身份证号查找"
    list_select_related = ["enrollment__resident", "recorded_by"]
    fields = ["enrollment", "payer", "amount", "method", "receipt_number", "verification_code", "recorded_at", "recorded_by"]


class RefundApprovalFilter(admin.SimpleListFilter):
    title = "审批状态"
    parameter_name = "approved"

    def lookups(self, request, model_admin):
        return [("no", "待审批"), ("yes", "已审批")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(approved_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(approved_at__isnull=False)
        return queryset


@admin.register(Refund)
class RefundAdmin(ScopedLookupAdmin):
    resident_lookup = "enrollment__resident__"
    access_action, access_detail = "view_refund", "查看退费记录"
    list_display = ["enrollment", "amount", "reason", "requested_by", "requested_at", "approved_by", "approved_at"]
    list_filter = [RefundApprovalFilter, "reason", "enrollment__year"]
    search_fields = ["enrollment__resident__name", "enrollment__resident__id_masked"]
    search_help_text = "按姓名、脱敏身份证号或完整身份证号查找"
    list_select_related = ["enrollment__resident", "requested_by", "approved_by"]
    fields = ["enrollment", "amount", "reason", "note", "requested_by", "requested_at", "approved_by", "approved_at"]
    editable_fields = ("note",)  # amounts and approvals change only through the services
    actions = ["approve_selected"]

    def has_approve_permission(self, request) -> bool:
        return request.user.has_perm("enrollment.approve_refund")

    @admin.action(description="审批退费", permissions=["approve"])
    def approve_selected(self, request, queryset):
        approved = 0
        for refund in queryset.select_related("enrollment__resident"):
            try:
                refund_approve(refund=refund, approver=request.user)
            except ValidationError as error:
                self.message_user(request, f"{refund.enrollment}：{error_text(error)}", messages.ERROR)
            else:
                approved += 1
        if approved:
            self.message_user(request, f"已审批 {approved} 笔退费，对应参保登记已注销。", messages.SUCCESS)
