"""The base of every django-import-export resource of the portal, and the one rule of every
export: no cell that a spreadsheet program would run as a formula."""

from django.core.exceptions import ValidationError
from import_export import resources

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """A cell that starts like a formula (= + - @) would run in the clerk's spreadsheet
    program; it is exported with a leading apostrophe so that it shows as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class PortalResource(resources.ModelResource):
    """Base of every resource: commits all rows or none, and never exports a live formula."""

    class Meta:
        abstract = True
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False

    def before_import(self, dataset, **kwargs):
        # Before the library's own check, whose message is English and cannot be translated.
        super().before_import(dataset, **kwargs)
        columns = [self.fields[name].column_name for name in self.get_import_id_fields()]
        missing = [column for column in columns if column not in (dataset.headers or [])]
        if missing:
            raise ValueError(f"文件缺少列：{'、'.join(missing)}。第一行须为列名，可先导出一份作为模板。")

    def before_import_row(self, row, **kwargs):
        """Check every cell first, so that a bad key or many-to-many cell is reported as a row
        error in Chinese like any other (import-export would otherwise show a traceback)."""
        errors = {}
        for field in self.get_import_fields():
            if field.column_name not in row:
                continue
            try:
                field.clean(row, **kwargs)
            except ValueError as error:
                errors[field.attribute] = str(error)
        if errors:
            raise ValidationError(errors)

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))
