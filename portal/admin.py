from importlib import import_module

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_variables
from import_export.admin import ImportExportModelAdmin

from portal import enrolment_codes
from portal.export_form import PolicyExportForm
from portal.models import PolicyNotice, Region, ServiceGuide, ServiceItem, ServicePoint, StaffProfile, access_log_write
from portal.resources import RegionResource, ServicePointResource
from portal.upload_limits import IMPORT_FORMATS, LimitedImportForm


@admin.register(Region)
class RegionAdmin(ImportExportModelAdmin):
    import_form_class = LimitedImportForm  # size, row and content checks (portal/upload_limits.py)
    import_formats = IMPORT_FORMATS  # XLSX rows limited as they are read
    export_form_class = PolicyExportForm  # "Select all" under the CSP (portal/export_form.py)
    resource_classes = [RegionResource]
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["level"]
    list_select_related = ["parent"]


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "code"]

    def has_add_permission(self, request) -> bool:
        return False  # the list is part of the portal's vocabulary, fixed by a migration

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServicePoint)
class ServicePointAdmin(ImportExportModelAdmin):
    import_form_class = LimitedImportForm
    import_formats = IMPORT_FORMATS  # XLSX rows limited as they are read
    export_form_class = PolicyExportForm  # "Select all" under the CSP (portal/export_form.py)
    resource_classes = [ServicePointResource]
    list_display = ["name", "kind", "region", "phone", "active"]
    list_filter = ["kind", "active", "region__level"]
    search_fields = ["name", "region__name", "region__code", "address"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["services"]
    list_select_related = ["region"]


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["scope", "home_service_point"]
    verbose_name_plural = "管辖范围"


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "last_name", "first_name", "is_staff", "is_active", "scope"]
    list_select_related = ["staff_profile__scope"]
    actions = ["issue_enrolment_codes"]

    @admin.action(description="发放身份验证器绑定码", permissions=["change"])
    @method_decorator(sensitive_variables("issued"))
    def issue_enrolment_codes(self, request, queryset):
        """A 绑定码 for each selected user who must have an authenticator and has none yet
        (portal/enrolment_codes.py), shown on this page only; the others are listed apart."""
        issued, skipped = [], []
        for user in queryset.order_by("username"):
            if reason := enrolment_codes.refusal(user):
                skipped.append((user, reason))
            else:
                issued.append((user, enrolment_codes.shown(enrolment_codes.issue(user, by=request.user))))
                access_log_write(request=request, action="issue_enrolment_code", detail=f"为 {user.username} 发放")
        return TemplateResponse(request, "admin/portal/enrolment_codes.html", {
            **self.admin_site.each_context(request), "title": "身份验证器绑定码", "issued": issued,
            "skipped": skipped, "valid_hours": enrolment_codes.VALID_HOURS,
        })

    @admin.display(description="管辖区域")
    def scope(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.scope if profile else "—"


@admin.register(ServiceGuide)
class ServiceGuideAdmin(admin.ModelAdmin):
    list_display = ["item", "summary", "online", "time_limit", "updated_at"]
    list_select_related = ["item"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["item", "summary"]}),
        ("办理要素", {"fields": ["eligibility", "documents", "where", "time_limit", "fees"]}),
        ("网上办理", {"fields": ["online", "online_channels"]}),
        ("说明", {"fields": ["steps", "notes", "basis", "updated_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The item of an existing guide stays put: one guide per item, moved by nobody.
        return [*self.readonly_fields, "item"] if obj else self.readonly_fields


@admin.register(PolicyNotice)
class PolicyNoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "number", "issuer", "issued_on", "published"]
    list_filter = ["kind", "published"]
    search_fields = ["title", "number", "issuer"]
    date_hierarchy = "issued_on"
    readonly_fields = ["updated_at"]


# The access log's page has its own module; importing it registers it with this site.
import_module("portal.access_log_admin")
