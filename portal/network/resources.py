"""Import and export of the service network (django-import-export): the region table and the
service points, with an error in Chinese for every bad cell."""

from django.core.exceptions import ValidationError
from import_export import fields, widgets

from portal.accounts.branches import may_write
from portal.network.codes import RegionCodeError, normalize_code
from portal.network.models import Region, ServiceItem, ServicePoint
from portal.spreadsheets.resources import PortalResource


class RegionCodeWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            raise ValueError("区划代码不能为空")
        try:
            return normalize_code(str(value))
        except RegionCodeError as error:
            raise ValueError(str(error)) from error


class RegionWidget(widgets.ForeignKeyWidget):
    """A region named by its code in a cell; an unknown code is an error that names the code."""

    def __init__(self, *, required: bool = True, label: str = "区划代码"):
        super().__init__(Region, field="code")
        self.required = required
        self.label = label

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            if self.required:
                raise ValueError(f"{self.label}不能为空")
            return None
        try:
            code = normalize_code(str(value))
        except RegionCodeError as error:
            raise ValueError(str(error)) from error
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ValueError(f"{self.label} {code} 不存在，请先导入该区划或核对代码")
        return region


class RegionResource(PortalResource):
    code = fields.Field(attribute="code", column_name="code", widget=RegionCodeWidget())
    name = fields.Field(attribute="name", column_name="name")
    parent = fields.Field(
        attribute="parent", column_name="parent_code",
        widget=RegionWidget(required=False, label="上级区划代码"),
    )

    class Meta(PortalResource.Meta):
        model = Region
        import_id_fields = ["code"]
        fields = ["code", "name", "parent"]
        export_order = ["code", "name", "parent"]

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._codes_seen: dict[str, int] = {}

    def before_import_row(self, row, row_number=None, **kwargs):
        super().before_import_row(row, row_number=row_number, **kwargs)
        # The official table lists each code once; a repeated code is a mistake in the file,
        # not an update, so it is refused rather than silently taking the last row.
        code = normalize_code(str(row["code"]))
        if code in self._codes_seen:
            raise ValidationError(
                {"code": f"区划代码 {code} 在文件中重复出现（第 {self._codes_seen[code]} 行已有）"}
            )
        self._codes_seen[code] = row_number
        if not str(row.get("name") or "").strip():
            raise ValidationError({"name": "名称不能为空"})
        _require_writable(kwargs.get("user"), code)


class ServiceItemsWidget(widgets.ManyToManyWidget):
    """Service items as names separated by 、 or commas: '参保登记、缴费'."""

    def __init__(self):
        super().__init__(ServiceItem, field="name", separator="、")

    def clean(self, value, row=None, **kwargs):
        if not value:
            return ServiceItem.objects.none()
        names = [part.strip() for part in str(value).replace(",", "、").replace("，", "、").split("、")]
        names = [name for name in names if name]
        found = {item.name: item for item in ServiceItem.objects.filter(name__in=names)}
        unknown = [name for name in names if name not in found]
        if unknown:
            choices = "、".join(ServiceItem.objects.values_list("name", flat=True))
            raise ValueError(f"未知的服务事项：{'、'.join(unknown)}（可选：{choices}）")
        return [found[name] for name in names]


class ServicePointKindWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        for code, label in ServicePoint.Kind.choices:
            if text in (code, label):
                return code
        raise ValueError(f"网点类型“{text}”无效，可选：{'、'.join(ServicePoint.Kind.labels)}")

    def render(self, value, obj=None, **kwargs):
        return ServicePoint.Kind(value).label if value else ""


def _require_writable(user, code: str) -> None:
    """An officer imports only regions and points of their scope or below; imports without a user
    (scripts) are the caller's responsibility."""
    if user is None:
        return
    region = Region.objects.filter(code=code).first() or Region(code=code)
    if not may_write(user, region):
        raise ValidationError({"code": f"区划代码 {code} 不在您的管辖范围内，不能导入或修改"})


class ServicePointResource(PortalResource):
    name = fields.Field(attribute="name", column_name="name")
    kind = fields.Field(attribute="kind", column_name="kind", widget=ServicePointKindWidget())
    region = fields.Field(attribute="region", column_name="region_code", widget=RegionWidget())
    address = fields.Field(attribute="address", column_name="address")
    phone = fields.Field(attribute="phone", column_name="phone")
    opening_hours = fields.Field(attribute="opening_hours", column_name="opening_hours")
    services = fields.Field(attribute="services", column_name="services", widget=ServiceItemsWidget())
    latitude = fields.Field(attribute="latitude", column_name="latitude", widget=widgets.DecimalWidget())
    longitude = fields.Field(attribute="longitude", column_name="longitude", widget=widgets.DecimalWidget())
    active = fields.Field(attribute="active", column_name="active", widget=widgets.BooleanWidget())

    class Meta(PortalResource.Meta):
        model = ServicePoint
        import_id_fields = ["region", "name"]
        fields = [
            "name", "kind", "region", "address", "phone", "opening_hours", "services",
            "latitude", "longitude", "active",
        ]
        export_order = fields

    def before_import_row(self, row, row_number=None, **kwargs):
        super().before_import_row(row, row_number=row_number, **kwargs)
        try:
            code = normalize_code(str(row.get("region_code") or ""))
        except RegionCodeError:
            return  # the region column's widget says what is wrong with it
        _require_writable(kwargs.get("user"), code)
