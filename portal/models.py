"""The service network: regions, service points, and the region each staff member may see."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from portal.ratelimit import client_address
from portal.region_codes import (
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


def staff_scope(user) -> "Region | None":
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.staff_profile.scope
    except StaffProfile.DoesNotExist:
        return None


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


class StaffProfile(models.Model):
    """What a staff member may see: the region of their scope, and where they usually work."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="staff_profile"
    )
    scope = models.ForeignKey(Region, verbose_name="管辖区域", on_delete=models.PROTECT, related_name="staff")
    home_service_point = models.ForeignKey(
        ServicePoint, verbose_name="所在服务网点", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="staff",
    )

    class Meta:
        verbose_name = "工作人员管辖范围"
        verbose_name_plural = "工作人员管辖范围"
        permissions = [("use_station", "可以使用医保工作站后台")]

    def __str__(self) -> str:
        return f"{self.user} · {self.scope}"

    def clean(self) -> None:
        point = self.home_service_point
        if point and self.scope_id and not point.region.code.startswith(self.scope.prefix):
            raise ValidationError({"home_service_point": "所在服务网点必须在管辖区域之内"})


USERNAME_LOGGED_LENGTH = 150  # Django's own limit on a username; longer typed text is cut
DETAIL_LENGTH = 200


class AccessLogQuerySet(models.QuerySet):
    """Bulk updates and deletes would bypass the model's refusal; they are refused here too."""

    def update(self, **kwargs):
        raise ValidationError("访问记录只能新增，不能修改。")

    def delete(self):
        raise ValidationError("访问记录不能删除。")


class AccessLogEntry(models.Model):
    """Who saw or exported whose personal data, and when (PIPL; DESIGN.md sections 4 and 10).

    Append-only: the ORM refuses to change or delete an entry.
    """

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    # Empty only for a failed login, where nobody was signed in; `username` then keeps what was typed.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="工作人员", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField("用户名", max_length=USERNAME_LOGGED_LENGTH, blank=True)
    address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    action = models.CharField("操作", max_length=40)
    subject_digest = models.CharField("居民（身份证号摘要）", max_length=64, blank=True, db_index=True)
    detail = models.CharField("说明", max_length=DETAIL_LENGTH, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = "个人信息访问记录"
        verbose_name_plural = "个人信息访问记录"
        ordering = ["-at"]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("访问记录只能新增，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("访问记录不能删除。")


def access_log_write(*, request, action: str, subject_digest: str = "", detail: str = "") -> None:
    AccessLogEntry.objects.create(
        user=request.user, username=request.user.get_username()[:USERNAME_LOGGED_LENGTH],
        address=client_address(request) or None, action=action, subject_digest=subject_digest,
        detail=detail[:DETAIL_LENGTH],
    )


class ServiceGuide(models.Model):
    """办事指南 of one service item, written by officers in the admin and shown to residents."""

    item = models.OneToOneField(ServiceItem, verbose_name="服务事项", on_delete=models.CASCADE, related_name="guide")
    summary = models.CharField("一句话说明", max_length=200)
    eligibility = models.TextField("办理对象", help_text="谁可以办理。")
    documents = models.TextField("所需材料", help_text="每行一项。")
    where = models.TextField("办理地点", help_text="在哪一级、哪一类服务网点可以办理。")
    time_limit = models.CharField("办理时限", max_length=200)
    online = models.BooleanField("可网上办理", default=False)
    online_channels = models.CharField("网上办理渠道", max_length=200, blank=True)
    fees = models.CharField("收费标准", max_length=100, default="不收费")
    steps = models.TextField("办理流程", blank=True, help_text="每行一步。")
    basis = models.CharField("办理依据", max_length=300, blank=True, help_text="政策文件名称和文号。")
    notes = models.TextField("温馨提示", blank=True, help_text="每行一条。")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办事指南"
        verbose_name_plural = "办事指南"
        ordering = ["item__order"]

    def __str__(self) -> str:
        return f"{self.item.name} 办事指南"

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def document_list(self) -> list[str]:
        return self._lines(self.documents)

    def step_list(self) -> list[str]:
        return self._lines(self.steps)

    def note_list(self) -> list[str]:
        return self._lines(self.notes)


class PolicyNoticeQuerySet(models.QuerySet):
    def published(self) -> "PolicyNoticeQuerySet":
        return self.filter(published=True)


class PolicyNotice(models.Model):
    """A policy document or news item residents may read, with a summary in plain words."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "政策文件"
        NEWS = "news", "工作动态"

    title = models.CharField("标题", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    number = models.CharField("文号", max_length=100, blank=True)
    issuer = models.CharField("发文机关", max_length=200, blank=True)
    issued_on = models.DateField("发布日期", null=True, blank=True, help_text="原文未注明日期的留空。")
    summary = models.TextField("要点解读", help_text="写给居民看的通俗说明，每行一条。")
    body = models.TextField("正文", blank=True)
    published = models.BooleanField("公开", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PolicyNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"
        ordering = [models.F("issued_on").desc(nulls_last=True), "title"]
        constraints = [
            models.UniqueConstraint(fields=["title"], name="policy_notice_unique_title"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）" if self.number else self.title

    def summary_list(self) -> list[str]:
        return ServiceGuide._lines(self.summary)


class AuthenticatorEnrolment(models.Model):
    """A one-time code (绑定码) that lets a user who must pass a second factor add an
    authenticator (portal/enrolment_codes.py). Without it a stolen password of an officer who has
    none yet would be enough to add the thief's own. Only a keyed digest of the code is kept;
    the code is shown once, to the officer who issues it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="authenticator_enrolment",
    )
    digest = models.CharField("绑定码摘要", max_length=64, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发放人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField("发放时间", auto_now_add=True)
    expires_at = models.DateTimeField("失效时间")
    failed_tries = models.PositiveSmallIntegerField("输错次数", default=0)
    # Spent: the authenticator it started, which the same code finds again for a little while
    # (a double click, a second tab) until it is confirmed.
    spent_at = models.DateTimeField("使用时间", null=True, blank=True)
    device = models.ForeignKey(
        "otp_totp.TOTPDevice", verbose_name="身份验证器", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "身份验证器绑定码"
        verbose_name_plural = "身份验证器绑定码"

    def __str__(self) -> str:
        return f"{self.user}（{self.expires_at:%Y-%m-%d %H:%M} 前有效）"
