"""The demo's years after the seeds' 2021 and 2022, up to the year that matters today: each made
by the same start-year step officers use (portal/standards/cycle.py) and published, its note
saying it carries last year's figures forward, then filled by every app's ``demo_year_loader``
(enrollments of the demo people). Run by ``load_demo`` after the apps' own loaders; idempotent,
and run again a year later it adds the new years."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.module_loading import import_string

from portal.network.models import Region
from portal.standards.cycle import VersionedYearPart, year_parts, year_start
from portal.standards.versioned import VersionedStandard, standard_publish

DEMO_REGION = "370300000000"
CARRIED_FORWARD = "演示数据：沿用上年度标准。"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def demo_target_year(today: date) -> int:
    """The year the demo reaches: the one being collected from September (the demo's windows
    run September to December), else this year."""
    return today.year + 1 if today.month >= 9 else today.year


@transaction.atomic
def demo_years_forward(today: date) -> list[int]:
    """Start, publish and fill each missing year up to ``demo_target_year(today)``; the years made."""
    region = Region.objects.get(code=DEMO_REGION)
    officer = User.objects.get(username="officer")
    standards = [part for part in year_parts() if isinstance(part, VersionedYearPart)]
    first_kind = standards[0].model  # the contribution standard: a year exists once it is published
    last = max(first_kind.objects.published().filter(region=region).values_list("year", flat=True), default=None)
    if last is None:
        return []
    made = []
    for year in range(last + 1, demo_target_year(today) + 1):
        year_start(region=region, source_year=year - 1, year=year)
        for part in standards:
            draft = part.model.objects.get(year=year, region=region, status=VersionedStandard.Status.DRAFT)
            part.model.objects.filter(pk=draft.pk).update(notes=CARRIED_FORWARD + draft.notes)
            published = standard_publish(standard=part.model.objects.get(pk=draft.pk), officer=officer,
                                         reason=CARRIED_FORWARD)
            # Published in the summer before the year's collection, as officers would.
            part.model.objects.filter(pk=published.pk).update(
                published_at=min(datetime(year - 1, 8, 1, 9, 0, tzinfo=SHANGHAI),
                                 datetime.combine(today, datetime.min.time(), tzinfo=SHANGHAI)))
        for config in apps.get_app_configs():
            loader = getattr(config, "demo_year_loader", None)
            if loader:
                import_string(loader)(year=year, today=today)
        made.append(year)
    return made
