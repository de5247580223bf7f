"""The officers' admin page of a list import (the tax office's payments, the death list, the lists
of people insured elsewhere): the history of the files imported by officers of the user's scope,
view-only, and the upload that checks a file (a dry run by default) and then imports it. A
subclass names its permission, form, template and title, and runs its import."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path

from portal.accounts.scopes import staff_scope
from portal.privacy.admin_mixins import ReadOnlyAdminMixin
from portal.spreadsheets.reading import TableError

# What a page takes in one request; a province's file goes through the list's manage.py command,
# which has no request time limit.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ERRORS_SHOWN = 500  # a wholly wrong file would otherwise make a page of a million lines


class ListUploadForm(forms.Form):
    """A subclass declares ``file`` (and its own fields) and names its ``command``."""

    command = ""
    dry_run = forms.BooleanField(label="只检查，不导入", required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件有 {upload.size / 1024 / 1024:.1f} MB，超过 20 MB；请分成几个文件导入，"
                                        f"或请管理员用 manage.py {self.command} 导入。")
        return upload


def imported_in_scope(queryset, request, lookup: str = "imported_by"):
    """Rows of files imported by officers of the user's scope and below."""
    if request.user.is_superuser:
        return queryset
    scope = staff_scope(request.user)
    if scope is None:
        return queryset.none()
    return queryset.filter(**{f"{lookup}__staff_profile__scope__code__startswith": scope.prefix})


class ListImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    import_permission = ""
    import_form: type[ListUploadForm] = ListUploadForm
    import_template = ""
    import_title = ""  # 导入税务缴费文件
    what = ""  # the list, in the refusal to a user without a scope: 税务缴费文件

    def run_import(self, request, upload, data: dict):
        """The import's report for the uploaded file and the form's other fields."""
        raise NotImplementedError

    def import_context(self, request, report) -> dict:
        """What the page shows beyond the form and the report."""
        return {}

    def get_queryset(self, request):
        return imported_in_scope(super().get_queryset(request), request)

    def get_urls(self):
        # Only the list and the upload: imports are written by the upload, never edited or deleted.
        info = self.opts.app_label, self.opts.model_name
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name="%s_%s_changelist" % info),
            path("import/", self.admin_site.admin_view(self.import_view), name="%s_%s_import" % info),
        ]

    def import_view(self, request):
        if not request.user.has_perm(self.import_permission):
            raise PermissionDenied
        if staff_scope(request.user) is None:
            raise PermissionDenied(f"您的账号还没有分配管辖区域，不能导入{self.what}。")
        form = self.import_form(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = self.run_import(request, form.cleaned_data["file"], form.cleaned_data)
            except TableError as error:
                form.add_error("file", error.message)
            except ValidationError as error:
                form.add_error(None, error)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "report": report,
            "errors_shown": report.errors[:ERRORS_SHOWN] if report else [], "title": self.import_title,
            **self.import_context(request, report),
        }
        return TemplateResponse(request, self.import_template, context)
