"""Numbers registered outside a clerk's scope: what the clerk is told, and how often they may ask.

A clerk who types or uploads the ID number of someone registered outside their scope needs to
know only that the person is registered elsewhere and where to send them: the township station,
named by its service point. So the answer never carries the person's name (full or masked), their
community or its code, and it is the same on every form and upload, which keeps them from being
an oracle of who lives where. Each such check is written to the access log; past
``settings.OUT_OF_SCOPE_CHECKS_PER_DAY`` in a day, a clerk's further checks are refused, and the
refusal is logged too, so officers see in the access log who reached the limit.
"""

from collections.abc import Iterable
from datetime import datetime, time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal.network.models import Region
from portal.network.points import local_points
from portal.privacy.models import DETAIL_LENGTH, USERNAME_LOGGED_LENGTH, AccessLogEntry

CHECK_ACTION = "check_out_of_scope"
LIMIT_ACTION = "out_of_scope_limit"


def elsewhere_message(region: Region) -> str:
    """What a clerk is told of a person registered in ``region``, outside their scope."""
    points = local_points(region)
    station = points.township_station or points.fallback
    if station is None:
        where = "其居住地的乡镇(街道)医保工作站"
    else:
        where = f"{station.name}（电话 {station.phone}）" if station.phone else station.name
    return f"此身份证号的居民登记在您的管辖范围以外，这里不能办理；请本人到{where}办理。"


def limit_message() -> str:
    return (f"您今天已查询 {settings.OUT_OF_SCOPE_CHECKS_PER_DAY} 个登记在管辖范围以外的身份证号，"
            "已达每日上限，今天不能再查询；如确有工作需要，请联系上级经办机构。")


def elsewhere_answers(*, clerk, address: str | None, found: Iterable[tuple[str, Region]], where: str) -> dict[str, str]:
    """The answer for each (ID digest, home region) registered outside ``clerk``'s scope, keyed by
    digest: where to send the person, or, past the day's limit, the refusal. Writes one access-log
    entry per number answered and one for the refusals; ``where`` names the form or upload."""
    found = dict(found)
    if not found:
        return {}
    start_of_day = datetime.combine(timezone.localdate(), time.min, timezone.get_current_timezone())
    with transaction.atomic():
        # One clerk's checks one after another, so two uploads at once cannot both use the rest
        # of the day's allowance.
        get_user_model().objects.select_for_update().filter(pk=clerk.pk).first()
        used = AccessLogEntry.objects.filter(user=clerk, action=CHECK_ACTION, at__gte=start_of_day).count()
        allowed = list(found)[:max(settings.OUT_OF_SCOPE_CHECKS_PER_DAY - used, 0)]
        refused = len(found) - len(allowed)
        entry = {"user": clerk, "username": clerk.get_username()[:USERNAME_LOGGED_LENGTH], "address": address or None}
        entries = [
            AccessLogEntry(**entry, action=CHECK_ACTION, subject_digest=digest,
                           detail=f"{where}：身份证号登记在管辖范围以外"[:DETAIL_LENGTH])
            for digest in allowed
        ]
        if refused:
            entries.append(AccessLogEntry(**entry, action=LIMIT_ACTION, detail=(
                f"{where}：已达每日上限（{settings.OUT_OF_SCOPE_CHECKS_PER_DAY} 个），拒绝查询 {refused} 个"
            )[:DETAIL_LENGTH]))
        AccessLogEntry.objects.bulk_create(entries)
    messages = {region.pk: elsewhere_message(region) for region in {found[digest] for digest in allowed}}
    answers = {digest: messages[found[digest].pk] for digest in allowed}
    return answers | {digest: limit_message() for digest in found if digest not in answers}


def elsewhere_answer(*, clerk, address: str | None, digest: str, region: Region, where: str) -> str:
    """``elsewhere_answers`` for one number."""
    return elsewhere_answers(clerk=clerk, address=address, found=[(digest, region)], where=where)[digest]
