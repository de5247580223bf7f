"""The base of every officers' page with django-import-export: the limited upload forms
(portal/spreadsheets/admin_forms.py) and an import page that says what went wrong in Chinese,
without the library's tracebacks."""

from import_export.admin import ImportExportModelAdmin

from portal.spreadsheets.admin_forms import EXPORT_FORMATS, IMPORT_FORMATS, LimitedImportForm, PolicyExportForm


class PortalImportExportAdmin(ImportExportModelAdmin):
    import_form_class = LimitedImportForm  # size, row and content checks
    import_formats = IMPORT_FORMATS  # XLSX rows limited as they are read
    export_form_class = PolicyExportForm  # "Select all" under the CSP
    export_formats = EXPORT_FORMATS  # numbers and dates typed in XLSX
    import_template_name = "admin/import_export/portal_import.html"
