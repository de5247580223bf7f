from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from import_export.admin import ImportExportModelAdmin

from portal.models import Region, ServiceItem, ServicePoint, StaffProfile
from portal.resources import RegionResource, ServicePointResource


@admin.register(Region)
class RegionAdmin(ImportExportModelAdmin):
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

    @admin.display(description="管辖区域")
    def scope(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.scope if profile else "—"
