"""The base of every django-import-export resource of the portal, and the one rule of every
export: no cell that a spreadsheet program would run as a formula."""

from datetime import date
from decimal import Decimal

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

    # -- Headers: Chinese in every export, and read back either way ----------------------------

    # Column name -> its Chinese header, for columns whose widget has no label of its own.
    column_labels: dict[str, str] = {}

    def column_label(self, field) -> str:
        """What a column is called in an export: its own name if it is Chinese, else
        ``column_labels``, else its widget's Chinese label, else the model field's verbose name,
        else its own name."""
        if not field.column_name.isascii():  # already named in Chinese
            return field.column_name
        label = self.column_labels.get(field.column_name) or getattr(field.widget, "label", None)
        if not label and field.attribute and "__" not in field.attribute:
            try:
                label = self._meta.model._meta.get_field(field.attribute).verbose_name
            except Exception:  # a method or a property, not a model field
                label = None
        return str(label or field.column_name)

    def get_export_headers(self, selected_fields=None):
        return [self.column_label(field) for field in self.get_export_fields(selected_fields)]

    def before_import(self, dataset, **kwargs):
        # An exported file comes back with Chinese headers; the columns are known by their names.
        names = {self.column_label(field): field.column_name for field in self.fields.values()}
        if dataset.headers:
            dataset.headers = [names.get(str(header).strip(), header) for header in dataset.headers]
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
        """The cell as its widget renders it, formulas neutralised; a widget that ``exports_as``
        "number" or "date" gives a number or a date, so that a spreadsheet sums and sorts it
        (CSV shows the same text either way)."""
        value = neutralise_formula(super().export_field(field, instance, **kwargs))
        kind = getattr(field.widget, "exports_as", None)
        if value == "" or not isinstance(value, str):
            return value
        if kind == "number":
            return int(value) if value.isdigit() else Decimal(value)
        if kind == "date":
            return date.fromisoformat(value)
        return value
