"""What the home page says residents need this month (the ``home_notices`` hook of
portal/shared/extensions.py): for each pooling region, the collection window open today with its
last day, or after it, while the year still takes registrations, how to register late."""

from datetime import date, timedelta

from django.urls import reverse

from enrollment.models import ContributionStandard
from portal.standards.years import CollectionWindow


def collection_notices(*, today: date) -> list[dict]:
    """``{"title", "lines", "link", "label"}`` for each pooling region with something to say."""
    notices = []
    standards = ContributionStandard.objects.published().filter(
        window_start__lte=today, year__gte=today.year).select_related("region").order_by("region__code", "year", "revision")
    latest = {(standard.region_id, standard.year): standard for standard in standards}  # the newest revision
    for (_, year), standard in sorted(latest.items(), key=lambda item: (item[1].region.code, item[0][1])):
        window = CollectionWindow(year, standard.window_start, standard.window_end, standard.waiting_days)
        link = f"{reverse('premium')}?region={standard.region.code}&year={year}"
        if window.open_on(today):
            days_left = (standard.window_end - today).days
            notices.append({
                "title": f"{standard.region.name} {year} 年度居民医保正在集中缴费",
                "lines": [
                    f"缴费截止 {_day(standard.window_end)}（还有 {days_left} 天）；成年居民每人 "
                    f"{standard.contribution_adult} 元，学生儿童 {standard.contribution_student_child} 元。",
                    f"按时缴费的，{year} 年 1 月 1 日起享受待遇。到村(社区)医保服务点、乡镇(街道)医保工作站缴费。",
                ],
                "link": link, "label": f"看看 {year} 年度我要交多少钱",
            })
        elif window.registering_on(today):
            notices.append({
                "title": f"{standard.region.name} {year} 年度集中缴费期已于 {_day(standard.window_end)}结束",
                "lines": [
                    f"还没参保的，现在仍可以到服务站参保：另缴财政补助部分，等待 {standard.waiting_days} 天后享受待遇"
                    f"（今天参保，{_day(today + timedelta(days=standard.waiting_days))}起）。",
                    "新生儿、困难群众和从职工医保转入的，按规定不受此限。",
                ],
                "link": link, "label": "看看现在参保要交多少钱",
            })
    return notices


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
