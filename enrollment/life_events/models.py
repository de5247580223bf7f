"""The records of life events. They are enrollment's models (imported by enrollment/models.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portal.network.models import Region, ScopedQuerySet


class MoveQuerySet(ScopedQuerySet):
    region_lookup = "resident__region"

    def concerning(self, scope: Region) -> "MoveQuerySet":
        """Moves out of or into the scope: the old township's clerk and the new one's both see it."""
        return self.filter(Q(from_region__code__startswith=scope.prefix) | Q(to_region__code__startswith=scope.prefix))


class Move(models.Model):
    """A move of a resident's home (转移接续). Within the pooling region the person's enrollment
    goes on unchanged; the move is the history of where they lived when."""

    class Kind(models.TextChoices):
        WITHIN = "within", "统筹区内迁移"
        OUT = "out", "迁出本统筹区"
        IN = "in", "从统筹区外迁入"

    resident = models.ForeignKey("enrollment.Resident", verbose_name="居民", on_delete=models.PROTECT,
                                 related_name="moves")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    # None for a move in from outside (from) or out of the pooling region (to).
    from_region = models.ForeignKey(Region, verbose_name="原居住村(社区)", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    to_region = models.ForeignKey(Region, verbose_name="新居住村(社区)", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    # Where the person went (OUT) or came from (IN), as the person or the other insurer says it.
    elsewhere = models.CharField("迁往/迁自", max_length=100, blank=True)
    moved_on = models.DateField("迁移日期")
    reason = models.CharField("迁移原因", max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField("办理时间", auto_now_add=True)

    objects = MoveQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "居民迁移（转移接续）"
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(name="move_regions_match_kind", condition=(
                Q(kind="within", from_region__isnull=False, to_region__isnull=False)
                | Q(kind="out", from_region__isnull=False, to_region__isnull=True)
                | Q(kind="in", from_region__isnull=True, to_region__isnull=False)
            )),
            models.CheckConstraint(name="move_elsewhere_named", condition=Q(kind="within") | ~Q(elsewhere="")),
        ]
        indexes = [models.Index(fields=["resident", "-moved_on"], name="move_of_resident")]

    def __str__(self) -> str:
        return f"{self.resident.name} {self.moved_on} {self.get_kind_display()}"


class DeathImport(models.Model):
    """One imported death list (民政、公安部门死亡人员名单)."""

    filename = models.CharField("文件名", max_length=100)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    rows = models.PositiveIntegerField("行数")
    recorded = models.PositiveIntegerField("新记录死亡")
    already_recorded = models.PositiveIntegerField("此前已记录")
    problems = models.PositiveIntegerField("未能记录")
    refunds = models.PositiveIntegerField("转退费")
    cancelled = models.PositiveIntegerField("注销参保登记")

    class Meta:
        verbose_name = verbose_name_plural = "死亡名单导入"
        permissions = [("import_deaths", "可以导入死亡人员名单")]

    def __str__(self) -> str:
        return f"死亡名单“{self.filename}”（{self.rows} 行）"


class DeathQuerySet(ScopedQuerySet):
    region_lookup = "resident__region"


class Death(models.Model):
    """A resident's death, once: a clerk's record and an imported list's row for the same person
    are the same death (the one-to-one is the database's word on it). Resident.date_of_death
    repeats its date for the many queries that ask who is living."""

    class Source(models.TextChoices):
        CLERK = "clerk", "经办人员登记"
        CIVIL_AFFAIRS = "civil_affairs", "民政部门"
        PUBLIC_SECURITY = "public_security", "公安部门"
        HEALTH = "health", "卫生健康部门"

    resident = models.OneToOneField("enrollment.Resident", verbose_name="居民", on_delete=models.PROTECT,
                                    related_name="death")
    date_of_death = models.DateField("死亡日期")
    source = models.CharField("信息来源", max_length=20, choices=Source.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    death_import = models.ForeignKey(DeathImport, verbose_name="导入批次", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="deaths", db_index=False)

    objects = DeathQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "死亡记录"
        indexes = [models.Index(fields=["death_import"], condition=Q(death_import__isnull=False),
                                name="death_of_import")]

    def __str__(self) -> str:
        return f"{self.resident.name} 于 {self.date_of_death} 死亡"


class DeathImportProblem(models.Model):
    """A row of a death list that recorded nothing, with why: listed for the officer who imported it."""

    class Problem(models.TextChoices):
        # Also someone registered outside the importer's scope: answered alike (death_import.py).
        UNKNOWN_PERSON = "unknown_person", "本辖区未登记此人"
        NAME_DIFFERS = "name_differs", "姓名与登记不符"
        DATE_DIFFERS = "date_differs", "已记录的死亡日期不同"
        BEFORE_BIRTH = "before_birth", "死亡日期早于出生日期"

    death_import = models.ForeignKey(DeathImport, verbose_name="导入批次", on_delete=models.CASCADE,
                                     related_name="problem_rows")
    row = models.PositiveIntegerField("行号")
    id_masked = models.CharField("身份证号", max_length=18)
    name = models.CharField("姓名", max_length=50)
    date_of_death = models.DateField("死亡日期")
    source = models.CharField("来源", max_length=20, choices=Death.Source.choices)
    problem = models.CharField("原因", max_length=20, choices=Problem.choices)
    # What the registry holds, when it helps the officer (the recorded date, the registered name masked).
    detail = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "死亡名单未记录行"
        ordering = ["death_import", "row"]

    def __str__(self) -> str:
        return f"第 {self.row} 行：{self.get_problem_display()}"


class ElsewhereImport(models.Model):
    """One imported list of people insured elsewhere: the city's employee insurance (职工医保) or
    another province's resident insurance, for one year."""

    # InsuredElsewhere.Scheme's two that come as lists (that model is defined after this module loads).
    scheme = models.CharField("参保险种", max_length=20,
                              choices=[("employee", "职工基本医疗保险"), ("other_region", "外地城乡居民医保")])
    source = models.CharField("提供部门", max_length=100, help_text="如 淄博市职工医保经办机构、某省医保局")
    year = models.PositiveSmallIntegerField("参保年度")
    filename = models.CharField("文件名", max_length=100)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    rows = models.PositiveIntegerField("行数")
    matched = models.PositiveIntegerField("本地已登记")
    unknown = models.PositiveIntegerField("本地未登记")
    duplicates = models.PositiveIntegerField("重复参保")

    class Meta:
        verbose_name = verbose_name_plural = "他处参保名单导入"
        permissions = [("import_insured_elsewhere", "可以导入职工医保、外地参保名单")]

    def __str__(self) -> str:
        return f"{self.source} {self.year} 年度名单“{self.filename}”（{self.rows} 行）"


class DuplicateEnrollmentQuerySet(ScopedQuerySet):
    region_lookup = "enrollment__region"

    def open(self) -> "DuplicateEnrollmentQuerySet":
        return self.filter(status=DuplicateEnrollment.Status.OPEN)


class DuplicateEnrollment(models.Model):
    """A resident enrollment of a year for which the person is also on an imported list of
    employee insurance or another region (重复参保): a clerk of the enrollment's region resolves it."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        CANCELLED = "cancelled", "已申请退费注销"
        CHECKED = "checked", "已核实保留"

    enrollment = models.OneToOneField("enrollment.Enrollment", verbose_name="参保登记", on_delete=models.PROTECT,
                                      related_name="duplicate")
    found_in = models.ForeignKey(ElsewhereImport, verbose_name="发现于名单", on_delete=models.PROTECT,
                                 related_name="duplicates_found")
    # What the other list says (the employer or the other insurer), as imported.
    elsewhere = models.CharField("他处参保单位/地区", max_length=100, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution_note = models.CharField("处理说明", max_length=200, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    objects = DuplicateEnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "重复参保"
        permissions = [("resolve_duplicate", "可以处理重复参保")]
        constraints = [
            models.CheckConstraint(name="duplicate_resolved_has_who",
                                   condition=Q(status="open") | Q(resolved_by__isnull=False, resolved_at__isnull=False)),
            models.CheckConstraint(name="duplicate_checked_has_reason", condition=~Q(status="checked") | ~Q(resolution_note="")),
        ]
        indexes = [models.Index(fields=["status"], condition=Q(status="open"), name="duplicate_open")]

    def __str__(self) -> str:
        return f"{self.enrollment} 重复参保（{self.get_status_display()}）"
