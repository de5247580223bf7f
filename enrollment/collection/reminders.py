"""Collection reminders (缴费提醒): during a collection window, each enrolled-but-unpaid person with
a phone number is told once, at most once a week, what they owe, by when and where to pay.

Used by the officers' page (enrollment/collection/reminders_admin.py) and the daily command
``send_collection_reminders``. Each message is logged as a CollectionReminder written in the same
transaction that sends it, one person at a time: a crash midway keeps the log of everything sent
before it, and the unique (enrollment, sent_on) row makes two senders on one day send once.
"""

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q

from enrollment.models import CollectionReminder, Enrollment
from enrollment.selectors import collection_windows
from portal.network.codes import CODE_LENGTH, SIGNIFICANT_DIGITS, Level, pooling_region_code
from portal.network.models import Region, ServicePoint
from portal.privacy.id_numbers import mask_name
from portal.shared.notifications import notify

logger = logging.getLogger(__name__)

KIND = "collection_reminder"
# At most one reminder a week per person, however often the command runs.
INTERVAL_DAYS = 7
# Enrollments read per query while sending: a city may have 100,000 people unpaid.
CHUNK = 500


@dataclass(frozen=True)
class OpenWindow:
    """A pooling region's collection window open today."""

    region: Region  # the pooling region (city)
    year: int
    start: date
    end: date

    def as_dict(self) -> dict:
        return {"region": self.region.code, "region_name": self.region.name, "year": self.year,
                "window_start": self.start.isoformat(), "window_end": self.end.isoformat()}


@dataclass
class ReminderReport:
    """What a run did (or, in a dry run, would do) for one scope on one day."""

    today: date
    windows: list[OpenWindow]
    dry_run: bool = False
    due: int = 0  # people to remind today, counted before sending
    sent: int = 0
    reminded_this_week: int = 0  # skipped: reminded within the last seven days
    without_phone: int = 0  # skipped: no phone number on file
    sent_by_another: int = 0  # skipped: another sender reached them first today
    no_longer_due: int = 0  # skipped: paid, died or cancelled since the list was read
    failed: int = 0  # the notification backend refused or failed; nothing logged, tried again next run
    left: int = 0  # not reached because the run stopped at its limit; the next run takes them
    notes: list[str] = field(default_factory=list)

    @property
    def collecting(self) -> bool:
        return bool(self.windows)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        data["windows"] = [window.as_dict() for window in self.windows]
        data["collecting"] = self.collecting
        return data

    def summary(self) -> str:
        """One line in Chinese, for the officer's page and the command."""
        if not self.collecting:
            return f"{self.today.isoformat()} 不在任何集中缴费期内，未发送缴费提醒。"
        skipped = f"一周内已提醒 {self.reminded_this_week} 人，无手机号 {self.without_phone} 人"
        if self.dry_run:
            return f"今天应提醒 {self.due} 人（{skipped}）。预检，未发送。"
        parts = [f"已发送 {self.sent} 人", skipped]
        if self.sent_by_another:
            parts.append(f"今天已由他人发送 {self.sent_by_another} 人")
        if self.no_longer_due:
            parts.append(f"已缴费或状态变化 {self.no_longer_due} 人")
        if self.failed:
            parts.append(f"发送失败 {self.failed} 人（未记录，下次重试）")
        if self.left:
            parts.append(f"本次未处理 {self.left} 人（请再次发送，或由每日任务发送）")
        return "，".join(parts) + "。"


def open_windows(*, scope: Region, today: date) -> list[OpenWindow]:
    """The collection windows open today of the pooling regions the scope lies in or covers (a
    province's officer covers each of its cities), as the latest published revisions set them."""
    if scope.level >= Level.CITY:
        cities = list(Region.objects.filter(code=pooling_region_code(scope.code)))
    else:
        cities = list(Region.objects.within(scope).filter(level=Level.CITY).order_by("code"))
    return [
        OpenWindow(region=city, year=window.year, start=window.start, end=window.end)
        for city in cities for window in collection_windows(city) if window.open_on(today)
    ]


def _recently_reminded(today: date) -> Exists:
    # Per person, not per enrollment: a cancelled and re-made enrollment does not start a new week.
    return Exists(CollectionReminder.objects.filter(
        enrollment__resident=OuterRef("resident_id"), sent_on__gt=today - timedelta(days=INTERVAL_DAYS),
    ))


def _unpaid_in_windows(scope: Region, windows: list[OpenWindow]):
    """Active enrollments of living people in scope with something to pay for a year being
    collected today, phone or not, reminded or not."""
    if not windows:
        return Enrollment.objects.none()
    of_open_years = reduce(or_, (Q(region__code__startswith=w.region.prefix, year=w.year) for w in windows))
    return (
        Enrollment.objects.within(scope).unpaid()
        .filter(of_open_years, payable__gt=0, resident__date_of_death__isnull=True,
                resident__moved_out_on__isnull=True)
    )


def _due(candidates, today: date):
    return candidates.exclude(resident__phone="").exclude(_recently_reminded(today))


def reminders_due(*, scope: Region, today: date):
    """The enrollments whose person is to be reminded today: unpaid, something to pay, in a
    window open today, living, with a phone, not reminded in the last seven days."""
    return _due(_unpaid_in_windows(scope, open_windows(scope=scope, today=today)), today)


def reminders_count(*, scope: Region, today: date, windows: list[OpenWindow] | None = None) -> ReminderReport:
    """How many would be reminded today and how many are skipped and why, in one query."""
    if windows is None:
        windows = open_windows(scope=scope, today=today)
    report = ReminderReport(today=today, windows=windows, dry_run=True)
    if not windows:
        return report
    candidates = _unpaid_in_windows(scope, windows)
    no_phone = Q(resident__phone="")
    counts = candidates.aggregate(without_phone=Count("pk", filter=no_phone), with_phone=Count("pk", filter=~no_phone))
    # The week's reminders in a WHERE, not in an aggregate's FILTER: there PostgreSQL can only run
    # them as a subquery per person, which it priced high enough to JIT-compile (a second spent
    # compiling for 30,000 people); here it is one anti-join.
    report.due = _due(candidates, today).count()
    report.without_phone = counts["without_phone"]
    report.reminded_this_week = max(0, counts["with_phone"] - report.due)
    return report


def reminders_send(*, scope: Region, today: date, sender=None, dry_run: bool = False,
                   limit: int | None = None) -> ReminderReport:
    """Remind everyone due today in ``scope`` (``sender`` None: the daily command). A dry run
    counts and writes nothing; ``limit`` stops after that many people are handled (the page's
    button, which must answer within a request; the rest are due again on the next run)."""
    windows = open_windows(scope=scope, today=today)
    report = reminders_count(scope=scope, today=today, windows=windows)
    report.dry_run = dry_run
    if dry_run or not windows:
        return report
    last_days = {(window.region.code, window.year): window.end for window in windows}
    places = PlacesToPay()
    due = _due(_unpaid_in_windows(scope, windows), today).select_related("resident", "region")
    handled, after = 0, 0
    while True:
        # Keyset chunks, each read afresh: whoever paid, died or was reminded by another sender
        # since the last chunk is left out, and memory stays flat however many are due.
        chunk = list(due.filter(pk__gt=after).order_by("pk")[:CHUNK])
        if not chunk:
            break
        after = chunk[-1].pk
        places.load(enrollment.region for enrollment in chunk)
        for enrollment in chunk:
            if limit is not None and handled >= limit:
                report.left = max(0, report.due - handled)
                return report
            handled += 1
            last_day = last_days[(pooling_region_code(enrollment.region.code), enrollment.year)]
            outcome = _remind(enrollment, today=today, sender=sender,
                              message=reminder_message(enrollment, last_day=last_day,
                                                       place=places.name_for(enrollment.region)))
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _remind(enrollment: Enrollment, *, today: date, sender, message: str) -> str:
    """Send one reminder and log it in one transaction; the name of the report's count it adds to."""
    phone = enrollment.resident.phone
    try:
        with transaction.atomic():
            # Locked as payment_record locks it: a payment being recorded now either committed
            # first (then no reminder) or waits until this reminder is sent.
            still_due = (
                Enrollment.objects.select_for_update(of=("self",))
                .filter(pk=enrollment.pk, status=Enrollment.Status.ACTIVE, paid_at__isnull=True,
                        resident__date_of_death__isnull=True, resident__moved_out_on__isnull=True)
                .exists()
            )
            if not still_due:
                return "no_longer_due"
            # The unique (enrollment, sent_on) row is the claim: a second sender today waits for
            # the first's commit here and is then refused.
            CollectionReminder.objects.create(enrollment=enrollment, sent_on=today, sent_by=sender,
                                              phone_masked=mask_phone(phone), message=message)
            notify(phone=phone, kind=KIND, message=message)
    except IntegrityError:
        return "sent_by_another"
    except Exception:
        # A gateway that fails for one person must not stop the city's run; the rolled-back log
        # row leaves the person due, so the next run tries again.
        logger.exception("缴费提醒发送失败（参保登记 %s）", enrollment.pk)
        return "failed"
    return "sent"


def reminder_message(enrollment: Enrollment, *, last_day: date, place: str) -> str:
    """The text sent: masked name, year, amount, last day and where to pay; never an ID number."""
    return (
        f"【医保缴费提醒】{mask_name(enrollment.resident.name)}，您已登记 {enrollment.year} 年度城乡居民医保，"
        f"个人应缴 {enrollment.payable} 元尚未缴纳。集中缴费期至 {_day(last_day)}截止，"
        f"请在此之前到{place}缴费。如已缴费，请忽略本提醒。"
    )


def mask_phone(phone: str) -> str:
    """``139****1223``: what the log keeps of the number a reminder went to."""
    phone = phone.strip()
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "****" + phone[-2:]


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# Where a village's people pay when it has no point that takes payments and its township no station.
NEAREST_POINT = "村(社区)医保服务点或乡镇(街道)医保工作站"


class PlacesToPay:
    """Where the people of each village pay: the village's own point when it takes payments, and
    the township's station. Looked up for each chunk's new villages in two queries, not per person."""

    def __init__(self) -> None:
        self._names: dict[int, str] = {}

    def load(self, regions: Iterable[Region]) -> None:
        new = {region.pk: region for region in regions if region.pk not in self._names}
        if not new:
            return
        village_points: dict[int, str] = {}
        for region_id, name in (
            ServicePoint.objects.active()
            .filter(kind=ServicePoint.Kind.VILLAGE_POINT, region_id__in=new, services__code="payment")
            .order_by("name").values_list("region_id", "name")
        ):
            village_points.setdefault(region_id, name)
        townships = {region.pk: _township_code(region) for region in new.values()}
        stations: dict[str, str] = {}
        for code, name in (
            ServicePoint.objects.active()
            .filter(kind=ServicePoint.Kind.TOWNSHIP_STATION, region__code__in=set(filter(None, townships.values())))
            .order_by("name").values_list("region__code", "name")
        ):
            stations.setdefault(code, name)
        for region_id in new:
            found = [name for name in (village_points.get(region_id), stations.get(townships[region_id])) if name]
            self._names[region_id] = "或".join(found) or NEAREST_POINT

    def name_for(self, region: Region) -> str:
        if region.pk not in self._names:
            self.load([region])
        return self._names[region.pk]


def _township_code(region: Region) -> str | None:
    if region.level < Level.TOWNSHIP:
        return None
    return region.code[: SIGNIFICANT_DIGITS[Level.TOWNSHIP]].ljust(CODE_LENGTH, "0")
