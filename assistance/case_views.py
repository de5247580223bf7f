"""Station pages of applications for assistance (依申请救助), and what assistance adds to the
enrollment app's pages (navigation, dashboard panel, public lookup; portal/extensions.py).

Clerks record, review and publicise; county and city officers decide and record payment on the
same pages. Everyone sees only applicants inside their scope: another township's application
is a 404, as if it did not exist.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from assistance import case_services
from assistance.case_forms import ApplicationForm, AttachmentForm, StepForm
from assistance.models import Application, ApplicationAttachment, HighCostAlert
from assistance.workflow import ACTION_LABELS, STATUS_LABELS, TRANSITIONS, Action, Role, Status, actions_from
from enrollment.lookup_records import LookupSection
from enrollment.models import Resident
from enrollment.services import resident_find_by_id_number
from portal.access import STATION_PERMISSION
from portal.models import access_log_write, staff_scope
from portal.precompiled import PrecompiledValues

# What each role is waiting to do, for the "awaiting me" filter and the dashboard.
WAITING_FOR = {
    Role.CLERK: [Status.RETURNED],
    Role.REVIEWER: [Status.SUBMITTED, Status.COUNTY_APPROVED],
    Role.DECIDER: [Status.TOWNSHIP_REVIEWED, Status.PUBLICISED],
}


def staff_required(view):
    """Logged in, with a scope, and either a station clerk or an officer who decides."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.has_perm(STATION_PERMISSION) or user.has_perm(case_services.DECIDE_PERMISSION)):
            raise PermissionDenied("只有医保工作站经办人员和医保部门审批人员可以办理救助申请。")
        scope = staff_scope(user)
        if scope is None:
            raise PermissionDenied("您的账号还没有分配管辖区域，请联系医保局管理员。")
        request.scope = scope
        return view(request, *args, **kwargs)

    return wrapper


def _statuses_waiting_for(user) -> list[Status]:
    statuses = []
    if user.has_perm(STATION_PERMISSION):
        statuses += WAITING_FOR[Role.CLERK]
        if user.has_perm(case_services.REVIEW_PERMISSION):
            statuses += WAITING_FOR[Role.REVIEWER]
    if user.has_perm(case_services.DECIDE_PERMISSION):
        statuses += WAITING_FOR[Role.DECIDER]
    return statuses


@staff_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = Application.objects.visible_to(request.user).select_related("resident__region")
    chosen = request.GET.get("status", "waiting")
    if chosen == "waiting":
        applications = applications.awaiting(*_statuses_waiting_for(request.user))
    elif chosen in {s.value for s in Status}:
        applications = applications.filter(status=chosen)
    else:
        chosen = "all"
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    return render(request, "assistance/application_list.html", {
        "page": page, "chosen": chosen, "statuses": [(s.value, STATUS_LABELS[s]) for s in Status],
        "may_record": request.user.has_perm(STATION_PERMISSION),
    })


@staff_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(STATION_PERMISSION):
        raise PermissionDenied("救助申请由村(社区)或乡镇(街道)工作站受理。")
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resident = resident_find_by_id_number(data["id_number"])
        if resident is None or not Resident.objects.visible_to(request.user).filter(pk=resident.pk).exists():
            form.add_error("id_number", "在您的管辖范围内没有找到这个身份证号的居民；请先登记居民，"
                                        "或请申请人到居住地的工作站申请。")
        else:
            try:
                with transaction.atomic():
                    application = case_services.application_submit(
                        resident=resident, clerk=request.user, category_claimed=data["category_claimed"],
                        household_income=data["household_income"], medical_costs=data["medical_costs"],
                        reason=data["reason"],
                    )
                    if data["attachment"]:
                        case_services.attachment_add(application=application, upload=data["attachment"],
                                                     user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"已受理 {resident.name} 的救助申请，编号 {application.number}。")
                return redirect("assistance:application", pk=application.pk)
    return render(request, "assistance/application_form.html", {"form": form})


def _visible_application(request, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.visible_to(request.user).select_related("resident__region", "recorded_by"), pk=pk
    )


@staff_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible_application(request, pk)
    access_log_write(request=request, action="view_application", subject_digest=application.resident.id_digest,
                     detail=f"查看救助申请 {application.number}")
    roles = case_services.roles_for(request.user, application.resident)
    transitions = {action: TRANSITIONS[(application.state, action)] for action in actions_from(application.state)}
    actions = [
        {"value": action.value, "label": ACTION_LABELS[action], "notes_required": transition.notes_required}
        for action, transition in transitions.items() if transition.role in roles
    ]
    return render(request, "assistance/application_detail.html", {
        "application": application,
        "steps": application.steps.select_related("actor"),
        "attachments": application.attachments.all(),
        "actions": actions,
        "step_form": StepForm(),
        "attachment_form": AttachmentForm() if Role.CLERK in roles else None,
        "today": timezone.localdate(),
    })


@staff_required
@require_POST
def application_step(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible_application(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("assistance:application", pk=pk)
    data = form.cleaned_data
    action = Action(data["action"])
    try:
        case_services.application_step(
            application_id=application.pk, action=action, actor=request.user, today=timezone.localdate(),
            notes=data["notes"], approved_amount=data["approved_amount"], publicity_days=data["publicity_days"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已办理：{ACTION_LABELS[action]}。")
    return redirect("assistance:application", pk=pk)


@staff_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible_application(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            case_services.attachment_add(application=application, upload=form.cleaned_data["file"], user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, "材料已上传。")
    else:
        messages.error(request, "请选择要上传的文件。")
    return redirect("assistance:application", pk=pk)


@staff_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        ApplicationAttachment.objects.filter(application__in=Application.objects.visible_to(request.user))
        .select_related("application__resident"), pk=pk,
    )
    path = case_services.attachment_path(attachment)
    if not path.is_file():
        raise Http404("材料文件不存在")
    access_log_write(request=request, action="view_attachment",
                     subject_digest=attachment.application.resident.id_digest,
                     detail=f"查看救助申请 {attachment.application.number} 的材料")
    response = FileResponse(path.open("rb"), content_type=attachment.content_type, as_attachment=True,
                            filename=attachment.original_name)
    response["Cache-Control"] = "private, no-store"
    return response


# -- Contributions to enrollment's pages ---------------------------------------------------

def station_nav_links(request) -> list[tuple[str, str]]:
    return [(reverse("assistance:applications"), "救助申请"), (reverse("assistance:alerts"), "高额费用预警")]


def dashboard_panel(request, scope, year) -> str:
    """Open alerts of the clerk's scope and applications waiting for them, on the dashboard."""
    alerts = HighCostAlert.objects.within(scope).open().select_related("resident__region")
    waiting = Application.objects.within(scope).awaiting(*_statuses_waiting_for(request.user))
    return render_to_string("assistance/alert_panel.html", {
        "open_alerts": alerts.filter(status=HighCostAlert.Status.OPEN).count(),
        "acknowledged_alerts": alerts.filter(status=HighCostAlert.Status.ACKNOWLEDGED).count(),
        "top_alerts": alerts[:5],
        "waiting_applications": waiting.count(),
    }, request=request)


# The public lookup asks this of every applicant it finds (the record query tells which people
# have applied): compiled once (portal/precompiled.py), and only the columns the lines show.
_LATEST_APPLICATIONS = PrecompiledValues(
    lambda resident_id: Application.objects.filter(resident_id=resident_id).order_by("-recorded_at")
    .values("id", "recorded_at", "status", "publicity_end")[:5],
    examples=(-1,),
)


def lookup_section(resident_id: int, *, today) -> dict | None:
    """The applicant's own applications on the public lookup: status and dates, no names."""
    applications = [Application(**row) for row in _LATEST_APPLICATIONS.rows(resident_id)]
    if not applications:
        return None
    lines = []
    for application in applications:
        line = f"{timezone.localtime(application.recorded_at):%Y年%-m月%-d日}申请（编号 {application.number}）：{application.get_status_display()}"
        if application.status == Status.PUBLICISED and application.publicity_end:
            line += f"，公示至 {application.publicity_end:%Y年%-m月%-d日}"
        elif application.status == Status.RETURNED:
            line += "，请到受理的医保工作站补充材料"
        lines.append(line)
    return {"title": "医疗救助申请", "lines": lines}


LOOKUP_SECTION = LookupSection(
    applies=lambda resident: Exists(Application.objects.filter(resident=resident)),
    build=lookup_section,
)
