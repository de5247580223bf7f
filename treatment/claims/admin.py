"""Officers' page of manual reimbursement claims: read here; reviewed, returned, rejected and paid
on the station's claim page, which enforces who may take which step."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from portal.privacy.admin_mixins import AccessLoggedAdminMixin, ScopedReadOnlyAdmin
from portal.privacy.id_numbers import mask_name
from treatment.claims.models import Claim, ClaimAttachment, ClaimStep, ClaimVisit


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        # Part of the claim: whoever may read the claim reads its visits, steps and documents.
        return request.user.has_perm("treatment.view_claim")


class ClaimVisitInline(_ReadOnlyInline):
    model = ClaimVisit
    fields = ["line", "kind", "visited_on", "left_on", "hospital", "level", "place", "treatment_city", "disease_code",
              "total", "policy_range", "invoice_number", "withdrawn", "basic", "catastrophic", "assistance", "reassistance",
              "out_of_pocket"]
    readonly_fields = fields


class ClaimStepInline(_ReadOnlyInline):
    model = ClaimStep
    fields = ["action", "to_status", "actor", "at", "notes"]
    readonly_fields = fields


class ClaimAttachmentInline(_ReadOnlyInline):
    model = ClaimAttachment
    fields = ["download", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description="文件")
    def download(self, obj) -> str:
        # Served by the station's view, which checks the scope and writes the access log.
        return format_html('<a href="{}">{}</a>', reverse("treatment:claim_attachment", args=[obj.pk]),
                           obj.original_name)


@admin.register(Claim)
class ClaimAdmin(AccessLoggedAdminMixin, ScopedReadOnlyAdmin):
    access_action, access_detail = "view_claim", "查看零星报销"
    list_display = ["claim_number", "resident_masked", "year", "status", "reimbursed", "paid_amount", "recorded_at"]
    list_filter = ["status", "year", "reason"]
    list_select_related = ["resident"]
    inlines = [ClaimVisitInline, ClaimStepInline, ClaimAttachmentInline]
    exclude = ["resident"]
    readonly_fields = ["resident_masked", "year", "reason", "status", "category", "assistance_category", "total",
                       "policy_range", "basic", "catastrophic", "assistance", "reassistance", "reimbursed",
                       "computed_at", "year_used", "paid_amount", "paid_on", "payment_voucher", "recorded_at", "recorded_by",
                       "service_point", "where_to_act"]

    @admin.display(description="编号", ordering="pk")
    def claim_number(self, obj) -> str:
        return obj.number

    @admin.display(description="申请人")
    def resident_masked(self, obj) -> str:
        return f"{mask_name(obj.resident.name)}（{obj.resident.id_masked}）"

    @admin.display(description="复审与支付")
    def where_to_act(self, obj):
        # Review and payment are steps of the workflow, taken on the station page that enforces
        # who may act on which step.
        return format_html(
            '<a href="{}">到复审页面办理（复审通过、退回、不予报销、登记支付）</a><br>'
            '<a href="{}">等待办理的零星报销和待支付名单导出</a>',
            reverse("treatment:claim", args=[obj.pk]), reverse("treatment:claims"))
