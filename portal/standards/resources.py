"""Import and export of versioned standards (portal.standards.versioned), for every app that has them.

An app's resources subclass ``VersionedStandardResource`` (natural key year + region_code +
revision) and ``StandardPartResource`` (the parent's key + the part's own, see
``standard_key_field``). An import creates or changes drafts only, for pooling regions inside the
importing officer's scope, and one bad row means nothing is written.
"""

from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from import_export import fields, widgets

from portal.accounts.branches import may_write
from portal.network.codes import Level
from portal.network.resources import RegionWidget
from portal.spreadsheets.resources import PortalResource
from portal.standards.versioned import revision_conflicts


class YearWidget(widgets.Widget):
    exports_as = "number"  # portal/spreadsheets/resources.py

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip()
        if text.endswith(".0"):  # spreadsheets store 2022 as 2022.0
            text = text[:-2]
        if not (text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100):
            raise ValueError(f"年度“{text}”须为 2000 到 2100 之间的四位数字，如 2022")
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class CountWidget(widgets.Widget):
    """A whole number of at least ``minimum``: a revision, a number of days."""

    exports_as = "number"

    def __init__(self, label: str, minimum: int = 0, maximum: int = 32767):
        super().__init__()
        self.label, self.minimum, self.maximum = label, minimum, maximum

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip()
        if text.endswith(".0"):
            text = text[:-2]
        if not (text.isascii() and text.isdigit() and self.minimum <= int(text) <= self.maximum):
            raise ValueError(f"{self.label}“{text}”须为 {self.minimum} 到 {self.maximum} 之间的整数")
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IsoDateWidget(widgets.Widget):
    exports_as = "date"

    def __init__(self, label: str, required: bool = True):
        super().__init__()
        self.label, self.required = label, required

    def clean(self, value, row=None, **kwargs):
        if hasattr(value, "date") and callable(value.date):  # a spreadsheet datetime
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value if value is not None else "").strip()
        if not text:
            if self.required:
                raise ValueError(f"{self.label}不能为空")
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{self.label}“{text}”格式须为 YYYY-MM-DD，如 2021-09-01") from None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class PoolingRegionWidget(RegionWidget):
    """A pooling region (a city) by its 6- or 12-digit code; exported as 6 digits ("370300")."""

    def __init__(self):
        super().__init__(label="统筹区代码")

    def clean(self, value, row=None, **kwargs):
        region = super().clean(value, row, **kwargs)
        if region is not None and region.level != Level.CITY:
            raise ValueError(f"统筹区须为市级区划，{region.code}（{region.name}）是{region.level_label}级")
        return region

    def render(self, value, obj=None, **kwargs):
        return value.code[:6] if value is not None else ""


class VersionedStandardResource(PortalResource):
    """Rows keyed by year + region_code + revision. An import creates drafts or changes drafts;
    a row that would change a published revision is refused, and then nothing is written."""

    column_labels = {"year": "年度", "status": "状态", "published_at": "发布时间", "published_by": "发布人"}

    year = fields.Field(attribute="year", column_name="year", widget=YearWidget())
    region = fields.Field(attribute="region", column_name="region_code", widget=PoolingRegionWidget())
    revision = fields.Field(attribute="revision", column_name="revision", widget=CountWidget("修订版次", minimum=1))
    effective_from = fields.Field(
        attribute="effective_from", column_name="effective_from", widget=IsoDateWidget("生效日期", required=False)
    )
    notes = fields.Field(attribute="notes", column_name="notes", widget=widgets.CharWidget())
    status = fields.Field(attribute="get_status_display", column_name="status", readonly=True)
    published_at = fields.Field(
        attribute="published_at", column_name="published_at", readonly=True, widget=widgets.DateTimeWidget()
    )
    published_by = fields.Field(attribute="published_by__username", column_name="published_by", readonly=True)

    # Exported for the reader, never read back: publishing is not an import.
    export_only = ("status", "published_at", "published_by")

    class Meta(PortalResource.Meta):
        import_id_fields = ["year", "region", "revision"]

    def get_import_fields(self):
        return [field for field in super().get_import_fields() if field.column_name not in self.export_only]

    def import_data(self, dataset, **kwargs):
        # One bad row and nothing is written, in the confirming run as in the dry run.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        _require_columns(dataset, ["year", "region_code", "revision"])

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.region_id is None:
            return  # reported by the model's own validation
        if instance.pk is not None and instance.is_published:
            return  # skip_row refuses it unless nothing changed
        errors: dict[str, list[str]] = {}
        if not _may_import_for(kwargs.get("user"), instance.region):
            errors.setdefault("region", []).append(f"{instance.region.name}不在您的管辖范围内，不能导入它的标准")
        if instance.pk is None and instance.revision > 1:
            self._attach_to_previous(instance, errors)
        for conflict in revision_conflicts(instance):
            errors.setdefault(conflict.field or NON_FIELD_ERRORS, []).append(
                conflict.message + (f"（冲突的版本：{conflict.other}）" if conflict.other else "")
            )
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _attach_to_previous(instance, errors) -> None:
        previous = type(instance).objects.filter(
            year=instance.year, region=instance.region, revision=instance.revision - 1
        ).first()
        if previous is None or not previous.is_published:
            errors.setdefault("revision", []).append(
                f"第 {instance.revision} 版须修订已发布的第 {instance.revision - 1} 版，"
                f"而第 {instance.revision - 1} 版{'不存在' if previous is None else '还是草稿，可以直接修改'}"
            )
            return
        instance.supersedes = previous

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        if not skip and instance.pk is not None and original is not None and original.is_published:
            raise ValidationError(
                f"{instance.region} {instance.year} 年度第 {instance.revision} 版已于"
                f"{_published_when(original)}发布，不能通过导入修改；{_where_to_change(instance)}"
            )
        return skip

    def after_save_instance(self, instance, row, **kwargs):
        """A new revision starts as a copy of the one it revises, parts included, as
        ``standard_revise`` makes it; the rows of the file then change what they name."""
        super().after_save_instance(instance, row, **kwargs)
        previous = instance.supersedes
        if previous is None or any(getattr(instance, name).exists() for name in instance.child_relations):
            return
        for name in instance.child_relations:
            parent_field = getattr(type(instance), name).field.name
            for part in getattr(previous, name).all():
                part.pk = None
                part._state.adding = True
                setattr(part, parent_field, instance)
                part.save()


def _require_columns(dataset, columns: list[str]) -> None:
    missing = [column for column in columns if column not in (dataset.headers or [])]
    if missing:
        raise ValueError(
            f"文件缺少列：{'、'.join(missing)}。第一行须为列名，可先导出一份作为模板。"
        )


def _may_import_for(user, region) -> bool:
    """Imports without a user (scripts, tests of the resource) are the caller's responsibility;
    an officer imports the standards of the cities they write for (portal/accounts/branches.py)."""
    return user is None or may_write(user, region)


def _published_when(standard) -> str:
    return f" {timezone.localtime(standard.published_at):%Y-%m-%d} " if standard.published_at else ""


def _where_to_change(standard) -> str:
    latest = type(standard).objects.filter(year=standard.year, region=standard.region).order_by("-revision").first()
    if latest is not None and not latest.is_published:
        return f"要修改请导入第 {latest.revision} 版（草稿）"
    return f"请先在后台“新建修订版”，再导入第 {(latest or standard).revision + 1} 版"


class StandardKeyWidget(widgets.Widget):
    """The revision a part belongs to, from the row's year, region_code and revision cells."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def clean(self, value, row=None, **kwargs):
        row = row or {}
        year = YearWidget().clean(row.get("year"))
        region = PoolingRegionWidget().clean(row.get("region_code"))
        revision = CountWidget("修订版次", minimum=1).clean(value)
        standard = self.model.objects.filter(year=year, region=region, revision=revision).first()
        if standard is None:
            raise ValueError(
                f"{region.name} {year} 年度第 {revision} 版{self.model._meta.verbose_name}不存在，请先建立或导入它"
            )
        return standard

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value.revision)


class StandardPartResource(PortalResource):
    """Rows of a StandardPart keyed by their revision (year, region_code, revision) and their own
    key. Subclasses declare ``standard = standard_key_field(PartModel)`` and list it first in
    ``import_id_fields``; a part whose ``standard_field`` is not "standard" redeclares ``year``
    and ``region`` with its own attribute path."""

    column_labels = {"year": "年度", "revision": "修订版次"}

    year = fields.Field(attribute="standard__year", column_name="year", readonly=True, widget=YearWidget())
    region = fields.Field(
        attribute="standard__region", column_name="region_code", readonly=True, widget=PoolingRegionWidget()
    )

    class Meta(PortalResource.Meta):
        pass

    def import_data(self, dataset, **kwargs):
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        own_keys = [self.fields[name].column_name for name in self.get_import_id_fields()[1:]]
        _require_columns(dataset, ["year", "region_code", "revision", *own_keys])

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        standard = getattr(instance, self._meta.model.standard_field, None)
        if standard is not None and not _may_import_for(kwargs.get("user"), standard.region):
            raise ValidationError({"region": f"{standard.region.name}不在您的管辖范围内，不能导入它的标准"})

    def skip_row(self, instance, original, row, import_validation_errors=None):
        skip = super().skip_row(instance, original, row, import_validation_errors)
        standard = getattr(instance, self._meta.model.standard_field, None)
        if not skip and standard is not None and standard.is_published:
            raise ValidationError(
                f"{standard.region} {standard.year} 年度第 {standard.revision} 版已发布，它的明细不能通过导入修改；"
                "请先在后台“新建修订版”，再导入修订版的明细"
            )
        return skip


def standard_key_field(part_model) -> fields.Field:
    """The ``revision`` column of a part, naming with year and region_code the revision it is in."""
    parent_model = part_model._meta.get_field(part_model.standard_field).related_model
    return fields.Field(attribute=part_model.standard_field, column_name="revision", widget=StandardKeyWidget(parent_model))
