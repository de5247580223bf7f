"""Versioned standards per (coverage year, pooling region): contribution standards and benefit
policies share this base (STYLE.md, envergo's config tables).

A standard is a draft until an officer publishes it. A published standard is never edited or
deleted: a correction is a new revision, a copy that supersedes it from a stated date; the old
revision stays, so every past premium or estimate can be explained by the revision it used.
"""

from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.network.codes import Level
from portal.network.models import Region


class PublishedStandardError(ValidationError):
    pass


class StandardQuerySet(models.QuerySet):
    def published(self) -> "StandardQuerySet":
        return self.filter(status=VersionedStandard.Status.PUBLISHED)

    def in_force(self, *, year: int, region: Region, on: date):
        """The published revision for (year, pooling region) that applies on a date: the latest
        one whose effective date is on or before it (the first revision applies from the start)."""
        return (
            self.published()
            .filter(year=year, region=region)
            .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=on))
            .order_by(F("effective_from").desc(nulls_last=True), "-revision")
            .first()
        )


class VersionedStandard(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    year = models.PositiveSmallIntegerField(
        "待遇享受年度", validators=[MinValueValidator(2000, "年度须在 2000 到 2100 之间。"),
                                MaxValueValidator(2100, "年度须在 2000 到 2100 之间。")],
    )
    region = models.ForeignKey(
        Region, verbose_name="统筹区", on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"level": Level.CITY},
    )
    revision = models.PositiveSmallIntegerField("修订版次", default=1, editable=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    effective_from = models.DateField(
        "生效日期", null=True, blank=True,
        help_text="修订版从这一天起适用；第一版留空，表示从头适用。",
    )
    supersedes = models.OneToOneField(
        "self", verbose_name="取代的版本", null=True, blank=True, on_delete=models.PROTECT,
        related_name="superseded_by", editable=False,
    )
    notes = models.TextField("说明", blank=True, help_text="依据的文件、修订原因")
    published_at = models.DateTimeField("发布时间", null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", editable=False,
    )

    objects = StandardQuerySet.as_manager()

    # Names of reverse relations whose rows belong to a revision and are copied with it.
    child_relations: tuple[str, ...] = ()
    # The label ("app.Model") of another kind of standard that must be published for the same
    # year and region before this one is: named, not imported, so the apps stay independent.
    publish_requires: str | None = None

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.region} {self.year} 年度（第 {self.revision} 版，{self.get_status_display()}）"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def clean(self) -> None:
        if self.region_id and self.region.level != Level.CITY:
            raise ValidationError({"region": "统筹区须为市级区划（如 370300 淄博市）"})
        if self.revision > 1 and self.effective_from is None:
            raise ValidationError({"effective_from": "修订版必须写明从哪一天起生效"})

    def validate_for_publishing(self) -> None:
        """Checks across the revision and its parts, run before it is published. Subclasses
        add theirs and call this one."""
        if self.publish_requires:
            required = apps.get_model(self.publish_requires)
            if not required.objects.published().filter(year=self.year, region_id=self.region_id).exists():
                raise ValidationError(
                    f"{self.region} {self.year} 年度还没有发布{required._meta.verbose_name}："
                    f"请先发布它，再发布{self._meta.verbose_name}。"
                )

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def save(self, *args, **kwargs) -> None:
        # Publishing itself writes a row whose stored status is still draft, so this lets it
        # through; any later write to a published row is refused.
        if self._stored_status() == self.Status.PUBLISHED:
            raise PublishedStandardError("已发布的标准不能修改，请新建修订版。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_status() == self.Status.PUBLISHED:
            raise PublishedStandardError("已发布的标准不能删除，请新建修订版。")
        return super().delete(*args, **kwargs)


class StandardPart(models.Model):
    """A row that belongs to one revision of a standard (a subsidy, a tier): frozen with it."""

    standard_field = "standard"

    class Meta:
        abstract = True

    def _parent_published(self) -> bool:
        parent_id = getattr(self, f"{self.standard_field}_id")
        parent_model = self._meta.get_field(self.standard_field).related_model
        return parent_model.objects.filter(pk=parent_id, status=VersionedStandard.Status.PUBLISHED).exists()

    def save(self, *args, **kwargs) -> None:
        if self._parent_published():
            raise PublishedStandardError("已发布的标准不能修改，请新建修订版。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._parent_published():
            raise PublishedStandardError("已发布的标准不能删除，请新建修订版。")
        return super().delete(*args, **kwargs)


@transaction.atomic
def standard_publish(*, standard: VersionedStandard, officer, reason: str = "") -> VersionedStandard:
    """Publish a draft; ``reason`` (the officers' pages ask for one) goes into its history."""
    standard = type(standard).objects.select_for_update().get(pk=standard.pk)
    if standard.is_published:
        raise PublishedStandardError("这个版本已经发布过了。")
    standard.full_clean()
    standard.validate_for_publishing()
    standard.status = VersionedStandard.Status.PUBLISHED
    standard.published_at = timezone.now()
    standard.published_by = officer
    standard._change_reason = f"发布：{reason}" if reason else "发布"
    standard._history_user = officer
    standard.save()
    return standard


@transaction.atomic
def standard_revise(*, standard: VersionedStandard, effective_from: date) -> VersionedStandard:
    """A draft copy of a published revision, with its parts, to correct and publish."""
    model = type(standard)
    standard = model.objects.select_for_update().get(pk=standard.pk)
    if not standard.is_published:
        raise ValidationError("草稿可以直接修改，不需要新建修订版。")
    if hasattr(standard, "superseded_by"):
        raise ValidationError(f"这个版本已被第 {standard.superseded_by.revision} 版取代，请修订最新版本。")
    if standard.effective_from and effective_from <= standard.effective_from:
        raise ValidationError({"effective_from": "修订版的生效日期必须晚于被取代版本的生效日期"})
    return draft_copy(
        standard, revision=standard.revision + 1, effective_from=effective_from, supersedes=standard,
        change_reason=f"新建第 {standard.revision + 1} 版（修订第 {standard.revision} 版），{effective_from} 起生效",
    )


def draft_copy(standard: VersionedStandard, *, change_reason: str, validate: bool = False,
               **fields) -> VersionedStandard:
    """A new draft row with ``standard``'s values and a copy of each of its parts, ``fields``
    set on it: a revision of the same year (``standard_revise``) or the next year's first
    (portal/standards/cycle.py). ``validate`` runs the model's checks before it is saved."""
    model = type(standard)
    children = {name: list(getattr(standard, name).all()) for name in model.child_relations}
    draft = model.objects.get(pk=standard.pk)
    draft.pk = None
    draft.id = None
    draft._state.adding = True  # Django's documented way to save a copy as a new row
    draft.status = VersionedStandard.Status.DRAFT
    draft.published_at = None
    draft.published_by = None
    for name, value in fields.items():
        setattr(draft, name, value)
    draft._change_reason = change_reason
    if validate:
        draft.full_clean()
    draft.save()
    for name, rows in children.items():
        parent_field = getattr(model, name).field.name
        for row in rows:
            row.pk = None
            row.id = None
            row._state.adding = True
            setattr(row, parent_field, draft)
            row.save()
    return draft


@dataclass(frozen=True)
class RevisionConflict:
    field: str | None
    message: str
    other: VersionedStandard | None = None


def revision_conflicts(standard: VersionedStandard) -> list[RevisionConflict]:
    """What stops this draft from taking its place among the revisions of its (year, region).

    The revisions of one year and region follow each other: each one's effective date is later
    than the one before, so that exactly one applies on any day (envergo's "ranges never
    overlap"). The model does not check this across rows, so the admin and the imports do."""
    if not standard.year or not standard.region_id:
        return []
    others = list(
        type(standard).objects.filter(year=standard.year, region_id=standard.region_id)
        .exclude(pk=standard.pk).order_by("revision")
    )
    same = next((other for other in others if other.revision == standard.revision), None)
    if same is not None:
        latest = others[-1]
        return [RevisionConflict(
            None,
            f"{standard.region} {standard.year} 年度已有第 {same.revision} 版（{same.get_status_display()}）；"
            "每个年度和统筹区只建一套标准，需要更正时请在最新的已发布版本上“新建修订版”。",
            latest,
        )]
    conflicts = []
    effective = standard.effective_from
    before = [other for other in others if other.revision < standard.revision]
    after = [other for other in others if other.revision > standard.revision]
    if effective and before and before[-1].effective_from and effective <= before[-1].effective_from:
        previous = before[-1]
        conflicts.append(RevisionConflict(
            "effective_from",
            f"生效日期 {effective.isoformat()} 须晚于第 {previous.revision} 版的生效日期 "
            f"{previous.effective_from.isoformat()}，否则说不清哪一天适用哪个版本。",
            previous,
        ))
    if effective and after and after[0].effective_from and effective >= after[0].effective_from:
        following = after[0]
        conflicts.append(RevisionConflict(
            "effective_from",
            f"生效日期 {effective.isoformat()} 须早于第 {following.revision} 版的生效日期 "
            f"{following.effective_from.isoformat()}。",
            following,
        ))
    if effective and effective > date(standard.year, 12, 31):
        conflicts.append(RevisionConflict(
            "effective_from",
            f"生效日期 {effective.isoformat()} 晚于 {standard.year} 年度结束（{standard.year}-12-31），"
            "这个版本永远不会被用到。",
        ))
    return conflicts
