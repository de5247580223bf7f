"""What the officer pages of personal data share: history pages that keep to the officer's
scope, and the access-log entry written when a record is opened.

django-simple-history looks rows up past `get_queryset`: its history list falls back to the
historical rows of an object the officer cannot see, and a single historical version is fetched
with `get_object_or_404` on the history table. Both would show another region's resident.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from portal.privacy.models import access_log_write


class ScopedHistoryMixin:
    """Put before SimpleHistoryAdmin in the bases: history pages only for rows in scope."""

    def _require_in_scope(self, request, object_id) -> None:
        try:
            visible = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):  # a malformed id in the address
            visible = False
        if not visible:
            raise Http404("没有找到这条记录，或它不在您的管辖范围内。")

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        if request.method == "POST":
            # simple_history saves a posted version without asking the admin's change permission:
            # a past version is for reading here, never a way to write.
            raise PermissionDenied("历史版本只能查看，不能恢复或修改。")
        return super().history_form_view(request, object_id, version_id, extra_context)


class AccessLoggedAdminMixin:
    """Writes an access-log entry each time an officer opens one record of personal data, and
    one for each page of a list of them (with its filter and count, not one per row).

    Subclasses name the action and the path from a record to its resident (or override
    ``access_subject_digest``)."""

    access_action = ""
    access_detail = ""
    # Attributes from a record to its Resident: "" for a Resident, None for a record of many people.
    access_resident_path: str | None = "resident"

    def access_subject_digest(self, obj) -> str:
        if self.access_resident_path is None:
            return ""
        for name in filter(None, self.access_resident_path.split(".")):
            obj = getattr(obj, name)
        return obj.id_digest if obj is not None else ""

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if request.method == "GET":  # the list shown; a POST runs an action, logged by the action
            filters = "&".join(f"{key}={value}" for key, value in request.GET.items() if key not in ("p", "o"))
            access_log_write(request=request, action="view_list", detail=(
                f"{self.opts.verbose_name_plural}列表（{filters or '全部'}）：第 {changelist.page_num} 页 "
                f"{len(changelist.result_list)} 条，共 {changelist.result_count} 条（管理后台）"
            ))
        return changelist

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete":
            # The admin's autocomplete answers with the people it finds: a list shown, logged.
            access_log_write(request=request, action="view_list",
                             detail=f"{self.opts.verbose_name_plural}自动补全（“{search_term[:20]}”）（管理后台）")
        return queryset, may_have_duplicates

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        self._log_opened(request, response, object_id, "")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        self._log_opened(request, response, object_id, "的修改历史")
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # One past version of the record shows as much as the record itself.
        response = super().history_form_view(request, object_id, version_id, extra_context)
        self._log_opened(request, response, object_id, "的历史版本")
        return response

    def _log_opened(self, request, response, object_id, what: str) -> None:
        if request.method != "GET" or response.status_code != 200:
            return
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            access_log_write(request=request, action=self.access_action,
                             subject_digest=self.access_subject_digest(obj),
                             detail=f"{self.access_detail}{what}（管理后台）")


class VisibleToMixin:
    """Rows of the officer's scope only (the model's QuerySet.visible_to); superusers see all."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.visible_to(request.user)


class ReadOnlyAdminMixin:
    """Pages that show what the services wrote; nothing is added, changed or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ScopedReadOnlyAdmin(VisibleToMixin, ReadOnlyAdminMixin, ScopedHistoryMixin, SimpleHistoryAdmin):
    """Rows inside the officer's scope, with their history; nothing added, changed or deleted here."""

    list_per_page = 50
