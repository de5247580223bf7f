"""Officers' page of cross-region treatment filings: read here; filed, cancelled and changed at
the stations (treatment/filings/views.py), which check the clerk's scope."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from portal.privacy.admin_mixins import AccessLoggedAdminMixin, ScopedReadOnlyAdmin
from portal.privacy.id_numbers import mask_name
from treatment.filings.models import Filing, FilingAttachment


class FilingAttachmentInline(admin.TabularInline):
    model = FilingAttachment
    fields = ["download", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="文件")
    def download(self, obj) -> str:
        # Served by the station's view, which checks the scope and writes the access log.
        return format_html('<a href="{}">{}</a>', reverse("treatment:filing_attachment", args=[obj.pk]),
                           obj.original_name)


@admin.register(Filing)
class FilingAdmin(AccessLoggedAdminMixin, ScopedReadOnlyAdmin):
    access_action, access_detail = "view_filing", "查看异地就医备案"
    list_display = ["filing_number", "resident_masked", "kind", "place", "valid_from", "valid_until", "status",
                    "recorded_at", "recorder"]
    list_filter = ["status", "filed_online", "cancelled_online", "long_term", "kind", "province"]
    list_select_related = ["resident", "recorded_by"]
    inlines = [FilingAttachmentInline]
    exclude = ["resident", "recorded_by"]  # shown as recorder, which names the resident's own online filing
    readonly_fields = ["resident_masked", "kind", "province", "city", "hospital", "referring_hospital",
                       "referral_number", "valid_from", "valid_until", "status", "cancelled_at", "cancelled_by",
                       "cancel_reason", "recorded_at", "recorder", "service_point", "filed_online", "cancelled_online",
                       "station_page"]

    @admin.display(description="编号", ordering="pk")
    def filing_number(self, obj) -> str:
        return obj.number

    @admin.display(description="参保人")
    def resident_masked(self, obj) -> str:
        return f"{mask_name(obj.resident.name)}（{obj.resident.id_masked}）"

    @admin.display(description="经办人")
    def recorder(self, obj) -> str:
        # A filing the resident made online has no clerk: say so rather than leave the cell empty.
        return obj.recorder_name

    @admin.display(description="就医地")
    def place(self, obj) -> str:
        return obj.place

    @admin.display(description="工作站页面")
    def station_page(self, obj):
        return format_html('<a href="{}">在工作站查看（材料、打印凭证）</a>', reverse("treatment:filing", args=[obj.pk]))
