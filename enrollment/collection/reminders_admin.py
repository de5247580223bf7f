"""The officers' page of collection reminders (缴费提醒), in the admin at
/admin/enrollment/collectionreminder/ and listed on its home page under 参保登记与缴费: how many
of the officer's scope would be reminded today, a button that sends them, and the log of what
was sent, day by day, exportable.

In the admin rather than the station: officers work there, and the admin lets in only a session
that passed the second factor, which a button that texts a whole city should ask for. The page
replaces the admin's own list; there are no record pages (a reminder is never edited), so no
address takes a reminder's id.
"""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from enrollment.collection.reminders import reminders_count, reminders_send
from enrollment.models import CollectionReminder
from portal.accounts.scopes import scope_required
from portal.privacy.id_numbers import mask_name
from portal.privacy.models import access_log_page, access_log_write
from portal.spreadsheets.responses import spreadsheet_response
from portal.web.pagination import keyset_page

SEND_PERMISSION = "enrollment.send_collection_reminders"
VIEW_PERMISSION = "enrollment.view_collectionreminder"
# The button must answer within the web server's 30 s: it handles this many people per click,
# and the page says how many are left for another click or the daily command.
WEB_SEND_LIMIT = 1000
LOG_ORDER = ("pk",)  # the order they were sent in
EXPORT_FORMATS = ("csv", "xlsx")
EARLIEST_DAY = date(2000, 1, 1)  # before any standard; and the day before date.min would not exist
EXPORT_HEADERS = ["发送日期", "发送时间", "村(社区)", "姓名", "手机号", "年度", "提醒内容", "发送人"]

page_required = scope_required(VIEW_PERMISSION, SEND_PERMISSION, refused="只有医保局工作人员可以查看缴费提醒。")
send_required = scope_required(SEND_PERMISSION, refused="您没有发送缴费提醒的权限。")


@admin.register(CollectionReminder)
class CollectionReminderAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False  # reminders are written only when sent (enrollment/collection/reminders.py)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("", self.admin_site.admin_view(page_required(self.reminders_view)), name="%s_%s_changelist" % info),
            path("send/", self.admin_site.admin_view(send_required(require_POST(self.send_view))),
                 name="%s_%s_send" % info),
        ]

    def reminders_view(self, request: HttpRequest) -> HttpResponse:
        scope, today = request.scope, timezone.localdate()
        day = _day_asked(request.GET, today)
        log = (
            CollectionReminder.objects.within(scope).filter(sent_on=day)
            .select_related("enrollment__resident", "enrollment__region", "sent_by")
        )
        export_format = request.GET.get("format")
        if export_format in EXPORT_FORMATS:
            access_log_write(request=request, action="export_reminders",
                             detail=f"导出 {day.isoformat()} 缴费提醒记录 {scope.name} {export_format}")
            return spreadsheet_response(
                headers=EXPORT_HEADERS, rows=(_row(reminder) for reminder in log.order_by(*LOG_ORDER).iterator(2000)),
                filename=f"collection-reminders-{day.isoformat()}", export_format=export_format,
            )
        page = keyset_page(log, ordering=LOG_ORDER, keys=CollectionReminder.objects.within(scope), params=request.GET)
        access_log_page(request=request, action="view_reminders",
                        what=f"{day.isoformat()} 缴费提醒记录 {scope.name}", page=page)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": "缴费提醒",
            "scope": scope, "today": today, "day": day,
            "previous_day": day - timedelta(days=1), "next_day": day + timedelta(days=1) if day < today else None,
            "counts": reminders_count(scope=scope, today=today),
            "may_send": request.user.has_perm(SEND_PERMISSION), "web_send_limit": WEB_SEND_LIMIT,
            "page": page, "rows": [_row(reminder) for reminder in page.object_list],
            "query": urlencode({"on": day.isoformat()}),
        }
        return TemplateResponse(request, "enrollment/collection/reminder_page.html", context)

    def send_view(self, request: HttpRequest) -> HttpResponse:
        report = reminders_send(scope=request.scope, today=timezone.localdate(), sender=request.user,
                                limit=WEB_SEND_LIMIT)
        if not report.collecting:
            messages.warning(request, report.summary())
        elif report.failed or report.left:
            messages.warning(request, f"{request.scope.name}：{report.summary()}")
        else:
            messages.success(request, f"{request.scope.name}：{report.summary()}")
        return redirect(reverse("admin:enrollment_collectionreminder_changelist"))


def _day_asked(params, today: date) -> date:
    """The day whose log is shown: ``?on=YYYY-MM-DD`` from 2000 up to today, else today."""
    try:
        asked = date.fromisoformat(params.get("on", ""))
    except ValueError:
        return today
    return min(max(asked, EARLIEST_DAY), today)


def _row(reminder: CollectionReminder) -> list:
    enrollment = reminder.enrollment
    sender = reminder.sent_by
    return [
        reminder.sent_on, timezone.localtime(reminder.sent_at).strftime("%H:%M:%S"), enrollment.region.name,
        mask_name(enrollment.resident.name), reminder.phone_masked, enrollment.year, reminder.message,
        (f"{sender.last_name}{sender.first_name}" or sender.get_username()) if sender else "每日任务（自动）",
    ]
