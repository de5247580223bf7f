"""Officers' pages of the service network: regions and service points, imported and exported as
spreadsheets (django-import-export)."""

from django.contrib import admin

from portal.accounts.branches import BranchScopedAdminMixin
from portal.network.models import Region, ServiceItem, ServicePoint
from portal.network.resources import RegionResource, ServicePointResource
from portal.spreadsheets.admin_base import PortalImportExportAdmin


@admin.register(Region)
class RegionAdmin(BranchScopedAdminMixin, PortalImportExportAdmin):
    branch_lookup = ""  # a region belongs to itself
    resource_classes = [RegionResource]
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["level"]
    list_select_related = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a region under another belongs above it: a county officer edits their county's
        # name, not the city it is in (which they may not write, so it is no choice of theirs).
        if obj is not None and not request.user.is_superuser:
            return [*self.readonly_fields, "parent"]
        return self.readonly_fields


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "code"]

    def has_add_permission(self, request) -> bool:
        return False  # the list is part of the portal's vocabulary, fixed by a migration

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServicePoint)
class ServicePointAdmin(BranchScopedAdminMixin, PortalImportExportAdmin):
    resource_classes = [ServicePointResource]
    list_display = ["name", "kind", "region", "phone", "active"]
    list_filter = ["kind", "active", "region__level"]
    search_fields = ["name", "region__name", "region__code", "address"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["services"]
    list_select_related = ["region"]
