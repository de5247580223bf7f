"""Officers' pages of what the public site says: service guides and policy notices."""

from django.contrib import admin

from portal.public.models import PolicyNotice, ServiceGuide


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
    list_display = ["title", "kind", "number", "issuer", "area", "reference_only", "issued_on", "published"]
    list_filter = ["kind", "reference_only", "published"]
    search_fields = ["title", "number", "issuer"]
    date_hierarchy = "issued_on"
    readonly_fields = ["updated_at"]
