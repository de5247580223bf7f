"""What assistance adds to the enrollment app's pages, which never import it: links in the
station navigation, a panel on the station dashboard, a section of the public lookup, and its
yearly setting (the alert thresholds) to the start of a year. Each is named in AssistanceConfig
and meets its hook's contract in portal/shared/extensions.py."""

from datetime import date

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assistance.cases.services import statuses_waiting_for
from assistance.cases.workflow import Status
from assistance.models import AlertThreshold, Application, HighCostAlert
from portal.network.models import Region
from portal.privacy.models import access_log_write
from portal.shared.extensions import LookupSection

LOOKUP_APPLICATIONS_SHOWN = 5


def station_nav_links(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (reverse("assistance:uninsured"), "应保尽保名单"),
        (reverse("assistance:applications"), "救助申请"),
        (reverse("assistance:alerts"), "高额费用预警"),
    ]


def dashboard_panel(request: HttpRequest, scope: Region, year: int | None) -> str:
    """Open alerts of the clerk's scope and applications waiting for them, on the dashboard."""
    alerts = HighCostAlert.objects.within(scope).open().select_related("resident__region")
    waiting = Application.objects.within(scope).awaiting(*statuses_waiting_for(request.user))
    top_alerts = list(alerts[:5])
    if top_alerts:  # the panel names people: one entry for the list, as for the alerts page
        access_log_write(request=request, action="view_alerts", detail=f"工作站首页：高额费用预警 {len(top_alerts)} 人")
    return render_to_string("assistance/alert_panel.html", {
        "open_alerts": alerts.filter(status=HighCostAlert.Status.OPEN).count(),
        "acknowledged_alerts": alerts.filter(status=HighCostAlert.Status.ACKNOWLEDGED).count(),
        "top_alerts": top_alerts,
        "waiting_applications": waiting.count(),
    }, request=request)


def _applications_of(resident_id: int, *, today: date) -> dict | None:
    """The applicant's own applications on the public lookup: status and dates, no names."""
    applications = Application.objects.filter(resident_id=resident_id).order_by("-recorded_at").only(
        "id", "recorded_at", "status", "publicity_end")[:LOOKUP_APPLICATIONS_SHOWN]
    lines = []
    for application in applications:
        line = f"{timezone.localtime(application.recorded_at):%Y年%-m月%-d日}申请（编号 {application.number}）：{application.get_status_display()}"
        if application.status == Status.PUBLICISED and application.publicity_end:
            line += f"，公示至 {application.publicity_end:%Y年%-m月%-d日}"
        elif application.status == Status.RETURNED:
            line += "，请到受理的医保工作站补充材料"
        lines.append(line)
    return {"title": "医疗救助申请", "lines": lines} if lines else None


def _has_applied(resident: OuterRef) -> Exists:
    return Exists(Application.objects.filter(resident=resident))


LOOKUP_APPLICATIONS = LookupSection(applies=_has_applied, build=_applications_of)


class _AlertThresholds:
    """The alert thresholds as a part of a year (portal/standards/cycle.py: ``YearPart``). They
    are not versioned: the copy applies as soon as the year starts, and is edited in place."""

    def existing(self, *, region: Region, year: int) -> list[str]:
        return [str(threshold) for threshold in AlertThreshold.objects.filter(region=region, year=year)]

    def missing(self, *, region: Region, year: int) -> str | None:
        return None  # a year without thresholds raises no alerts; nothing to copy then

    def copy(self, *, region: Region, source_year: int, year: int, overrides) -> list[str]:
        source = AlertThreshold.objects.filter(region=region, year=source_year).first()
        if source is None:
            return []
        copy = AlertThreshold.objects.create(region=region, year=year, for_assistance=source.for_assistance,
                                             for_others=source.for_others)
        return [str(copy)]


ALERT_THRESHOLDS = _AlertThresholds()
