"""Station pages of applications for assistance (依申请救助).

Clerks record, review and publicise; county and city officers decide and record payment on the
same pages. Everyone sees only applicants inside their scope: another township's application
is a 404, as if it did not exist.
"""


from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from assistance.cases import services as case_services
from assistance.cases.forms import ApplicationForm, StepForm
from assistance.cases.workflow import ACTION_LABELS, STATUS_LABELS, TRANSITIONS, Action, Role, Status
from assistance.models import Application, ApplicationAttachment
from enrollment.elsewhere import elsewhere_answer
from enrollment.models import Resident
from enrollment.services import resident_find_by_id_number
from portal.accounts.scopes import STATION_PERMISSION, scope_required
from portal.privacy.models import access_log_page, access_log_write
from portal.privacy.scan_pages import ScanForm, scan_download, scan_upload
from portal.web.addresses import client_address

# Applications are worked on by station clerks and by the officers who decide them.
staff_required = scope_required(
    STATION_PERMISSION, case_services.DECIDE_PERMISSION,
    refused="只有医保工作站经办人员和医保部门审批人员可以办理救助申请。",
)


@staff_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = Application.objects.visible_to(request.user).select_related("resident__region")
    chosen = request.GET.get("status", "waiting")
    if chosen == "waiting":
        applications = applications.awaiting(*case_services.statuses_waiting_for(request.user))
    elif chosen in {s.value for s in Status}:
        applications = applications.filter(status=chosen)
    else:
        chosen = "all"
    page = Paginator(applications, 50).get_page(request.GET.get("page"))
    access_log_page(request=request, action="view_applications", what=f"救助申请（{chosen}）", page=page)
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
        if resident is None:
            form.add_error("id_number", "没有找到这个身份证号的居民；请先登记居民，再受理救助申请。")
        elif not Resident.objects.visible_to(request.user).filter(pk=resident.pk).exists():
            form.add_error("id_number", elsewhere_answer(
                clerk=request.user, address=client_address(request), digest=resident.id_digest,
                region=resident.region, where="受理救助申请",
            ))
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
    # Only the steps this person may take get a form; a step of their role barred to them (they
    # accepted the application, or took the step before) is named with the reason instead.
    open_steps, barred = case_services.steps_open_to(application, request.user)
    actions = [
        {"value": action.value, "label": ACTION_LABELS[action],
         "notes_required": TRANSITIONS[(application.state, action)].notes_required}
        for action in open_steps
    ]
    unavailable = [{"label": ACTION_LABELS[action], "reason": reason} for action, reason in barred.items()]
    return render(request, "assistance/application_detail.html", {
        "application": application,
        "steps": application.steps.select_related("actor"),
        "attachments": application.attachments.all(),
        "actions": actions,
        "unavailable": unavailable,
        "step_form": StepForm(),
        "attachment_form": ScanForm() if Role.CLERK in roles else None,
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
    scan_upload(request, lambda upload: case_services.attachment_add(application=application, upload=upload, user=request.user))
    return redirect("assistance:application", pk=pk)


@staff_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        ApplicationAttachment.objects.filter(application__in=Application.objects.visible_to(request.user))
        .select_related("application__resident"), pk=pk,
    )
    return scan_download(request, attachment, subject_digest=attachment.application.resident.id_digest,
                         detail=f"查看救助申请 {attachment.application.number} 的材料")
