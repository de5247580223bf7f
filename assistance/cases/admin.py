"""Officers' page of applications for assistance (依申请救助): read here, decided on the station's
application page, which enforces who may take which step."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from assistance.models import Application, ApplicationStep
from portal.privacy.admin_mixins import AccessLoggedAdminMixin, ScopedReadOnlyAdmin


class ApplicationStepInline(admin.TabularInline):
    model = ApplicationStep
    fields = ["action", "to_status", "actor", "at", "notes"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(AccessLoggedAdminMixin, ScopedReadOnlyAdmin):
    access_action, access_detail = "view_application", "查看救助申请"
    list_display = ["application_number", "resident", "category_claimed", "status", "approved_amount", "recorded_at"]
    list_filter = ["status", "category_claimed"]
    list_select_related = ["resident"]
    inlines = [ApplicationStepInline]
    exclude = ["resident"]
    readonly_fields = ["resident_masked", "category_claimed", "household_income", "medical_costs", "reason",
                       "status", "approved_amount", "publicity_days", "publicity_start", "publicity_end",
                       "recorded_by", "service_point", "where_to_act"]

    @admin.display(description="编号", ordering="pk")
    def application_number(self, obj) -> str:
        return obj.number

    @admin.display(description="申请人")
    def resident_masked(self, obj) -> str:
        return str(obj.resident)

    @admin.display(description="审批")
    def where_to_act(self, obj):
        # Approval, rejection and payment are steps of the workflow, taken on the station page
        # that enforces who may act on which step.
        url = reverse("assistance:application", args=[obj.pk])
        return format_html('<a href="{}">到审批页面办理（批准、不予救助、退回、发放）</a>', url)
