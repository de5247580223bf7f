"""Officers' page of 门诊慢特病认定: read here; recorded and decided on the station's pages
(treatment/chronic/views.py), which check who may act on which application."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from portal.privacy.admin_mixins import AccessLoggedAdminMixin, ScopedReadOnlyAdmin
from portal.privacy.id_numbers import mask_name
from treatment.chronic.models import ChronicRecognition, RecognitionAttachment


class RecognitionAttachmentInline(admin.TabularInline):
    model = RecognitionAttachment
    fields = ["download", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="文件")
    def download(self, obj) -> str:
        # Served by the station's view, which checks the scope and writes the access log.
        return format_html('<a href="{}">{}</a>', reverse("treatment:recognition_attachment", args=[obj.pk]),
                           obj.original_name)


@admin.register(ChronicRecognition)
class ChronicRecognitionAdmin(AccessLoggedAdminMixin, ScopedReadOnlyAdmin):
    access_action, access_detail = "view_recognition", "查看门诊慢特病认定"
    list_display = ["recognition_number", "resident_masked", "disease_name", "status", "valid_from", "valid_until",
                    "recorded_at"]
    list_filter = ["status", "disease_name"]
    list_select_related = ["resident"]
    inlines = [RecognitionAttachmentInline]
    exclude = ["resident"]
    readonly_fields = ["resident_masked", "disease_code", "disease_name", "diagnosis", "status", "valid_from",
                       "valid_until", "decision_notes", "decided_at", "decided_by", "recorded_at", "recorded_by",
                       "service_point", "station_page"]

    @admin.display(description="编号", ordering="pk")
    def recognition_number(self, obj) -> str:
        return obj.number

    @admin.display(description="申请人")
    def resident_masked(self, obj) -> str:
        return f"{mask_name(obj.resident.name)}（{obj.resident.id_masked}）"

    @admin.display(description="认定")
    def station_page(self, obj):
        # Recognising and refusing are taken on the station page, which checks who may decide.
        return format_html('<a href="{}">到认定页面办理（认定、不予认定、材料）</a>',
                           reverse("treatment:recognition", args=[obj.pk]))
