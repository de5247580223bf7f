"""Assistance identities (困难群众身份) from other departments' lists, and the imports they came in.

An identity is stored apart from the resident: the person may not be registered yet, so it
carries its own encrypted ID number and the same keyed digest as `enrollment.Resident`, and is
matched to a resident by that digest whenever needed (DESIGN.md sections 4 and 8).
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal.accounts.scopes import staff_scope
from portal.network.codes import Level
from portal.privacy.id_vault import id_decrypt
from portal.shared.vocabulary import AssistanceCategory


class Department(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", "民政"
    RURAL_REVITALIZATION = "rural_revitalization", "乡村振兴"


# Which department certifies which category (DESIGN.md section 8).
CATEGORIES_OF_DEPARTMENT = {
    Department.CIVIL_AFFAIRS: frozenset(
        {AssistanceCategory.EXTREME_POVERTY, AssistanceCategory.MINIMUM_LIVING, AssistanceCategory.LOW_INCOME_EDGE}
    ),
    Department.RURAL_REVITALIZATION: frozenset(
        {AssistanceCategory.RETURNED_TO_POVERTY, AssistanceCategory.MONITORED}
    ),
}


class IdentityImport(models.Model):
    """One department list as it was imported: who, when, which file, and what it did."""

    file_name = models.CharField("文件名", max_length=255)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    rows = models.PositiveIntegerField("行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    matched_residents = models.PositiveIntegerField("已登记居民", default=0)
    unregistered = models.PositiveIntegerField("未登记", default=0)

    class Meta:
        verbose_name = "身份名单导入"
        verbose_name_plural = "身份名单导入"
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        # Beijing time, as every page shows times (the stored value is UTC).
        return f"{self.file_name}（{timezone.localtime(self.imported_at):%Y-%m-%d %H:%M}）"


class IdentityQuerySet(models.QuerySet):
    def verified(self) -> "IdentityQuerySet":
        return self.filter(status=AssistanceIdentity.Status.VERIFIED)

    def current(self, on: date) -> "IdentityQuerySet":
        """Verified and valid on this day: the only identities that set a category."""
        return self.verified().filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))

    def pending(self) -> "IdentityQuerySet":
        return self.filter(status=AssistanceIdentity.Status.PENDING)

    def visible_to(self, user) -> "IdentityQuerySet":
        """Identities of residents in the user's scope; for a county or wider scope, also those
        of people not registered yet whose ID number's address code lies in it (the same rule
        as the 应保尽保 list, assistance/identities/selectors.py)."""
        from enrollment.models import Resident  # enrollment's models load after these

        scope = staff_scope(user)
        if scope is None:
            return self.none()
        registered_here = Exists(Resident.objects.within(scope).filter(id_digest=OuterRef("id_digest")))
        visible = Q(registered_here)
        if scope.level <= Level.COUNTY:
            registered = Exists(Resident.objects.filter(id_digest=OuterRef("id_digest")))
            visible |= Q(id_masked__startswith=scope.prefix) & ~Q(registered)
        return self.filter(visible)


class AssistanceIdentity(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待核实"
        VERIFIED = "verified", "已核实"
        REVOKED = "revoked", "已撤销"

    id_number_encrypted = models.TextField("身份证号（加密）", editable=False)
    id_digest = models.CharField("身份证号摘要", max_length=64, db_index=True, editable=False)
    id_masked = models.CharField("身份证号", max_length=18, editable=False)
    name = models.CharField("姓名", max_length=50)
    category = models.CharField("困难类别", max_length=30, choices=AssistanceCategory.choices())
    department = models.CharField("认定部门", max_length=30, choices=Department.choices)
    document_number = models.CharField("认定文号", max_length=100)
    valid_from = models.DateField("有效期起")
    # Empty means the department gave no end date: valid until revoked.
    valid_to = models.DateField("有效期止", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    source = models.ForeignKey(
        IdentityImport, verbose_name="导入批次", null=True, blank=True, on_delete=models.PROTECT,
        related_name="identities",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核实人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.TextField("撤销原因", blank=True)
    history = HistoricalRecords(excluded_fields=["id_number_encrypted"])

    objects = IdentityQuerySet.as_manager()

    class Meta:
        verbose_name = "困难群众身份"
        verbose_name_plural = "困难群众身份"
        ordering = ["-valid_from", "name"]
        permissions = [("verify_assistanceidentity", "可以核实或撤销困难群众身份")]
        constraints = [
            # A department's certificate for one person and category is one identity; a
            # re-imported list updates it instead of adding a second.
            models.UniqueConstraint(
                fields=["id_digest", "category", "document_number"], name="identity_per_person_category_document"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__lte=F("valid_to")), name="identity_validity_order"
            ),
            # Four eyes: nobody verifies the identities they imported (DESIGN.md section 8).
            models.CheckConstraint(condition=~Q(verified_by=F("imported_by")), name="identity_verified_by_another"),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="identity_verified_has_verifier",
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | (Q(revoked_at__isnull=False) & ~Q(revoke_reason="")),
                name="identity_revoked_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）{self.get_category_display()}"

    @property
    def id_number(self) -> str:
        return id_decrypt(self.id_number_encrypted)

    @property
    def assistance(self) -> AssistanceCategory:
        return AssistanceCategory(self.category)

    def is_current(self, on: date) -> bool:
        return (
            self.status == self.Status.VERIFIED
            and self.valid_from <= on
            and (self.valid_to is None or on <= self.valid_to)
        )

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "有效期止不能早于有效期起。"})
        if self.department and self.category:
            allowed = CATEGORIES_OF_DEPARTMENT.get(Department(self.department), frozenset())
            if AssistanceCategory(self.category) not in allowed:
                raise ValidationError({"category": f"{self.get_department_display()}不认定“{self.get_category_display()}”。"})
