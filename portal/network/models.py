"""The service network: the region tree and the service points residents go to."""

from django.core.exceptions import ValidationError
from django.db import models

from portal.accounts.scopes import staff_scope
from portal.network.codes import (
    CODE_LENGTH,
    SIGNIFICANT_DIGITS,
    Level,
    RegionCodeError,
    level_of,
    normalize_code,
    prefix_of,
)


class ScopedQuerySet(models.QuerySet):
    """Rows inside a region, and rows a staff user may see: the one rule every view uses.

    `region_lookup` names the path from the model to its Region ("" for Region itself).
    "Everything under a region" is a prefix match on the indexed 12-digit code, at any depth.
    """

    region_lookup = "region"

    def _code_lookup(self) -> str:
        return f"{self.region_lookup}__code" if self.region_lookup else "code"

    def within(self, region: "Region") -> "ScopedQuerySet":
        return self.filter(**{f"{self._code_lookup()}__startswith": region.prefix})

    def visible_to(self, user) -> "ScopedQuerySet":
        """Rows in the user's scope; nothing at all for anonymous users or users with no scope."""
        scope = staff_scope(user)
        if scope is None:
            return self.none()
        return self.within(scope)


class RegionQuerySet(ScopedQuerySet):
    region_lookup = ""

    def of_level(self, level: Level) -> "RegionQuerySet":
        return self.filter(level=level)


class Region(models.Model):
    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField(
        "层级", choices=[(level.value, level.label) for level in Level], editable=False
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [
            # On PostgreSQL a LIKE 'prefix%' needs the pattern operator class to use an index.
            models.Index(fields=["code"], name="region_code_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return prefix_of(self.code)

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    def clean(self) -> None:
        try:
            self.code = normalize_code(self.code)
        except RegionCodeError as error:
            raise ValidationError({"code": str(error)}) from error
        self.level = level_of(self.code)
        if self.parent_id is None:
            if self.level != Level.PROVINCE:
                raise ValidationError({"parent": "除省级外，每个区划都要有上级区划"})
            return
        parent = self.parent
        if parent.level >= self.level or not self.code.startswith(parent.prefix):
            raise ValidationError(
                {"parent": f"上级区划 {parent.code}（{parent.name}）不是 {self.code} 的上级，请核对代码"}
            )

    def save(self, *args, **kwargs) -> None:
        self.code = normalize_code(self.code)
        self.level = level_of(self.code)
        super().save(*args, **kwargs)

    def ancestors(self) -> "RegionQuerySet":
        """This region's ancestors, top first, found by code: one query at any depth."""
        codes = [
            self.code[:digits].ljust(CODE_LENGTH, "0")
            for level, digits in SIGNIFICANT_DIGITS.items()
            if level < self.level
        ]
        return Region.objects.filter(code__in=codes).order_by("level")


class ServiceItem(models.Model):
    """A service a point can handle (参保登记, 缴费 ...); the list is fixed by a data migration."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "服务事项"
        verbose_name_plural = "服务事项"
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class ServicePointQuerySet(ScopedQuerySet):
    def active(self) -> "ServicePointQuerySet":
        return self.filter(active=True)


class ServicePoint(models.Model):
    class Kind(models.TextChoices):
        CITY_HALL = "city_hall", "市级医保服务大厅"
        COUNTY_HALL = "county_hall", "县级医保服务大厅"
        TOWNSHIP_STATION = "township_station", "乡镇(街道)医保工作站"
        VILLAGE_POINT = "village_point", "村(社区)医保服务点"
        HOSPITAL = "hospital", "定点医疗机构"
        # 新生儿参保…下放至定点医疗机构: a maternity hospital's desk whose staff register and enrol
        # the newborns born there, and do nothing else (enrollment.life_events.newborns).
        NEWBORN_DESK = "newborn_desk", "定点医疗机构新生儿参保服务点"
        PHARMACY = "pharmacy", "定点零售药店"
        BANK = "bank", "银行网点"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name="服务区域", on_delete=models.PROTECT, related_name="service_points")
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=40, blank=True)
    opening_hours = models.CharField("办公时间", max_length=200, blank=True)
    services = models.ManyToManyField(ServiceItem, verbose_name="可办事项", blank=True, related_name="service_points")
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    active = models.BooleanField("启用", default=True)

    objects = ServicePointQuerySet.as_manager()

    class Meta:
        verbose_name = "服务网点"
        verbose_name_plural = "服务网点"
        ordering = ["region__code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="service_point_unique_name_in_region"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="service_point_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
                name="service_point_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name
