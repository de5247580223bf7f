"""Writes of assistance identities: verify, revoke, and keeping `Resident.assistance_category`
in step with them. This module is the only writer of that field (DESIGN.md sections 2 and 8)."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from assistance.identities.rules import IdentityPeriod, category_on, period_held
from assistance.models import AssistanceIdentity, IdentityImport
from enrollment.models import Resident
from portal.privacy.id_numbers import mask_name
from portal.shared.notifications import notify
from portal.shared.vocabulary import AssistanceCategory

VERIFY_PERMISSION = "assistance.verify_assistanceidentity"
CHUNK = 2000


def _require_verifier(officer) -> None:
    if not officer.has_perm(VERIFY_PERMISSION):
        raise PermissionDenied("只有医保局经办科室人员可以核实或撤销困难群众身份。")


def _own_import_refusal(identity: AssistanceIdentity, officer) -> ValidationError | None:
    if identity.imported_by_id == officer.pk:
        return ValidationError(
            f"{identity.name} 的身份是您本人导入的，须由另一名经办人员核实。", code="own_import"
        )
    return None


@transaction.atomic
def identity_verify(*, identity: AssistanceIdentity, officer, on: date) -> AssistanceIdentity:
    _require_verifier(officer)
    identity = AssistanceIdentity.objects.select_for_update().get(pk=identity.pk)
    if identity.status != AssistanceIdentity.Status.PENDING:
        raise ValidationError(
            f"{identity.name} 的身份状态是“{identity.get_status_display()}”，只有待核实的身份可以核实。",
            code="not_pending",
        )
    refusal = _own_import_refusal(identity, officer)
    if refusal:
        raise refusal
    _mark_verified(identity, officer)
    categories_refresh(digests=[identity.id_digest], on=on)
    _tell_verified(identity)
    return identity


@transaction.atomic
def identity_import_verify(*, source: IdentityImport, officer, on: date) -> int:
    """Verify every pending identity of one import at once; all of them or none."""
    _require_verifier(officer)
    if source.imported_by_id == officer.pk:
        raise ValidationError(f"“{source.file_name}”是您本人导入的，须由另一名经办人员核实。", code="own_import")
    pending = list(source.identities.select_for_update().filter(status=AssistanceIdentity.Status.PENDING))
    if not pending:
        raise ValidationError(f"“{source.file_name}”中没有待核实的身份。", code="nothing_pending")
    if not officer.is_superuser:
        # A list may cover several counties; an officer verifies only people of their own scope,
        # and a whole-list verification is all or nothing.
        visible = set(AssistanceIdentity.objects.filter(pk__in=[i.pk for i in pending]).visible_to(officer)
                      .values_list("pk", flat=True))
        outside = len(pending) - len(visible)
        if outside:
            raise ValidationError(
                f"“{source.file_name}”中有 {outside} 人不在您的管辖范围内，不能整批核实；"
                "请逐条核实本辖区的身份，其余由所在地的经办人员核实。",
                code="outside_scope",
            )
    for identity in pending:  # each carries the import's importer (assistance/identities/imports.py)
        _mark_verified(identity, officer)
    categories_refresh(digests=[identity.id_digest for identity in pending], on=on)
    for identity in pending:
        _tell_verified(identity)
    return len(pending)


@transaction.atomic
def identity_revoke(*, identity: AssistanceIdentity, officer, reason: str, on: date) -> AssistanceIdentity:
    _require_verifier(officer)
    identity = AssistanceIdentity.objects.select_for_update().get(pk=identity.pk)
    reason = (reason or "").strip()
    if identity.status == AssistanceIdentity.Status.REVOKED:
        raise ValidationError(f"{identity.name} 的身份已于 {timezone.localtime(identity.revoked_at):%Y-%m-%d} 撤销。", code="already_revoked")
    if not reason:
        raise ValidationError({"reason": "请填写撤销原因，例如“民政部门通知已退出低保”。"})
    identity.status = AssistanceIdentity.Status.REVOKED
    identity.revoked_by = officer
    identity.revoked_at = timezone.now()
    identity.revoke_reason = reason
    identity._change_reason = f"撤销：{reason}"
    identity.save()
    categories_refresh(digests=[identity.id_digest], on=on)
    return identity


def _mark_verified(identity: AssistanceIdentity, officer) -> None:
    identity.status = AssistanceIdentity.Status.VERIFIED
    identity.verified_by = officer
    identity.verified_at = timezone.now()
    identity._change_reason = "核实"
    identity.save()


def _tell_verified(identity: AssistanceIdentity) -> None:
    resident = Resident.objects.filter(id_digest=identity.id_digest).only("name", "phone").first()
    if resident is None or not resident.phone:
        return
    message = (
        f"{mask_name(resident.name)}：您的“{identity.get_category_display()}”身份已由医保部门核实，"
        f"有效期 {identity.valid_from} 至 {identity.valid_to or '长期'}，可享受资助参保和医疗救助待遇。"
    )
    # Only once the verification is committed: a rolled-back verify must not text anyone.
    # robust: a message the gateway refuses is logged and never turns the committed decision's
    # answer into an error page.
    transaction.on_commit(lambda: notify(phone=resident.phone, kind="identity_verified", message=message), robust=True)


# -- The resident's category ------------------------------------------------------------------

def periods_held(digests: Iterable[str]) -> dict[str, list[IdentityPeriod]]:
    """Every period in which each person held a verified identity, revoked ones up to their
    revocation: what a past day's category is read from (``category_on``), never today's."""
    found: dict[str, list[IdentityPeriod]] = defaultdict(list)
    digests = sorted(set(digests))
    for start in range(0, len(digests), CHUNK):
        rows = AssistanceIdentity.objects.filter(
            id_digest__in=digests[start:start + CHUNK], verified_at__isnull=False,
            status__in=[AssistanceIdentity.Status.VERIFIED, AssistanceIdentity.Status.REVOKED],
        ).values_list("id_digest", "category", "valid_from", "valid_to", "revoked_at")
        for digest, category, valid_from, valid_to, revoked_at in rows:
            found[digest].append(period_held(
                category=AssistanceCategory(category), valid_from=valid_from, valid_to=valid_to, verified=True,
                revoked_on=timezone.localdate(revoked_at) if revoked_at else None,
            ))
    return found


def categories_refresh(*, on: date, digests: Iterable[str] | None = None) -> int:
    """Set each resident's category from their verified identities current on ``on``; clear it
    when none is. ``digests`` limits the work to those people; None checks everyone who has an
    identity or a category. Returns how many residents changed."""
    with transaction.atomic():
        if digests is None:
            wanted = set(AssistanceIdentity.objects.values_list("id_digest", flat=True).distinct())
            wanted |= set(Resident.objects.exclude(assistance_category="").values_list("id_digest", flat=True))
        else:
            wanted = set(digests)
        changed = 0
        ordered = sorted(wanted)
        for start in range(0, len(ordered), CHUNK):
            changed += _refresh_chunk(ordered[start:start + CHUNK], on)
        return changed


def _refresh_chunk(digests: list[str], on: date) -> int:
    periods: dict[str, list[IdentityPeriod]] = defaultdict(list)
    rows = AssistanceIdentity.objects.current(on).filter(id_digest__in=digests).values_list(
        "id_digest", "category", "valid_from", "valid_to"
    )
    for digest, category, valid_from, valid_to in rows:
        periods[digest].append(IdentityPeriod(AssistanceCategory(category), True, valid_from, valid_to))
    changed = 0
    for resident in Resident.objects.select_for_update().filter(id_digest__in=digests):
        category = category_on(periods.get(resident.id_digest, ()), on)
        wanted = category.value if category else ""
        if resident.assistance_category != wanted:
            resident.assistance_category = wanted
            resident._change_reason = "困难群众身份同步"
            resident.save(update_fields=["assistance_category"])
            changed += 1
    return changed


def resident_category_on_registration(sender, instance: Resident, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of Resident: a newly registered person takes the category of their identities."""
    if not created or raw:
        return
    today = timezone.localdate()
    if AssistanceIdentity.objects.current(today).filter(id_digest=instance.id_digest).exists():
        categories_refresh(digests=[instance.id_digest], on=today)
        instance.refresh_from_db(fields=["assistance_category"])
