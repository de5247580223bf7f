"""Station pages of 门诊慢特病认定 (recognition of outpatient chronic and special diseases).

Clerks record applications and their documents; county and city officers recognise or refuse
them on the same pages. Everyone sees only applicants inside their scope: another township's
application is a 404, as if it did not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from benefits.policy import format_rate
from benefits.services import disease_label
from enrollment.elsewhere import elsewhere_answer
from enrollment.models import Resident
from enrollment.services import resident_find_by_id_number
from portal.accounts.scopes import STATION_PERMISSION, scope_required
from portal.network.codes import Level
from portal.privacy.models import access_log_page, access_log_write
from portal.privacy.scan_pages import ScanForm, scan_download, scan_upload
from portal.web.addresses import client_address
from treatment.chronic import services
from treatment.chronic.forms import DecisionForm, RecognitionForm
from treatment.chronic.models import DEFAULT_RECOGNITION_YEARS, ChronicRecognition, RecognitionAttachment

staff_required = scope_required(
    STATION_PERMISSION, services.DECIDE_PERMISSION,
    refused="只有医保工作站经办人员和医保部门认定人员可以办理门诊慢特病认定。",
)
Status = ChronicRecognition.Status


def _records_here(request) -> bool:
    """Applications are taken at township stations and above, not at village points."""
    return request.user.has_perm(STATION_PERMISSION) and request.scope.level <= Level.TOWNSHIP


@staff_required
def recognition_list(request: HttpRequest) -> HttpResponse:
    recognitions = ChronicRecognition.objects.visible_to(request.user).select_related("resident__region")
    # Officers come to decide: what waits for them first.
    default = Status.APPLIED.value if request.user.has_perm(services.DECIDE_PERMISSION) else "all"
    chosen = request.GET.get("status", default)
    if chosen in Status.values:
        recognitions = recognitions.filter(status=chosen)
        label = Status(chosen).label
    else:
        chosen, label = "all", "全部"
    page = Paginator(recognitions, 50).get_page(request.GET.get("page"))
    access_log_page(request=request, action="view_recognitions", what=f"门诊慢特病认定（{label}）", page=page)
    return render(request, "treatment/chronic/recognition_list.html", {
        "page": page, "chosen": chosen, "statuses": Status.choices,
        "may_record": _records_here(request),
    })


@staff_required
@require_http_methods(["GET", "POST"])
def recognition_create(request: HttpRequest) -> HttpResponse:
    if not _records_here(request):
        raise PermissionDenied("门诊慢特病认定申请由乡镇(街道)医保工作站受理。")
    today = timezone.localdate()
    policy, diseases = services.diseases_for(request.scope, today)
    form = RecognitionForm(request.POST or None, request.FILES or None, diseases=diseases)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resident = resident_find_by_id_number(data["id_number"])
        if resident is None:
            form.add_error("id_number", "没有找到这个身份证号的居民；请先登记居民，再受理认定申请。")
        elif not Resident.objects.visible_to(request.user).filter(pk=resident.pk).exists():
            form.add_error("id_number", elsewhere_answer(
                clerk=request.user, address=client_address(request), digest=resident.id_digest,
                region=resident.region, where="受理门诊慢特病认定申请",
            ))
        else:
            try:
                with transaction.atomic():
                    recognition = services.recognition_apply(
                        resident=resident, clerk=request.user, disease_code=data["disease_code"],
                        diagnosis=data["diagnosis"], today=today,
                    )
                    if data["attachment"]:
                        services.attachment_add(recognition=recognition, upload=data["attachment"], user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"已受理 {resident.name} 的门诊慢特病认定申请，编号 {recognition.number}。")
                return redirect("treatment:recognition", pk=recognition.pk)
    return render(request, "treatment/chronic/recognition_form.html", {
        "form": form, "policy": policy,
        "general": f"起付线 {policy.chronic_deductible} 元，支付比例 {format_rate(policy.chronic_rate)}" if policy else "",
        "diseases": [{"label": disease_label(disease), "documents": disease.documents_list} for disease in diseases],
    })


def _visible(request, pk: int) -> ChronicRecognition:
    return get_object_or_404(
        ChronicRecognition.objects.visible_to(request.user).select_related(
            "resident__region", "recorded_by", "decided_by", "service_point"),
        pk=pk,
    )


@staff_required
def recognition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recognition = _visible(request, pk)
    access_log_write(request=request, action="view_recognition", subject_digest=recognition.resident.id_digest,
                     detail=f"查看门诊慢特病认定 {recognition.number}")
    deciding = request.user.has_perm(services.DECIDE_PERMISSION) and recognition.status == Status.APPLIED
    refusal = services.decision_refusal(recognition, request.user) if deciding else None
    today = timezone.localdate()
    return render(request, "treatment/chronic/recognition_detail.html", {
        "recognition": recognition,
        "attachments": recognition.attachments.all(),
        "attachment_form": ScanForm() if services.may_attach(request.user, recognition) else None,
        "decision_form": DecisionForm(initial={"valid_from": today}) if deciding and refusal is None else None,
        "decision_refused": refusal,
        "default_years": DEFAULT_RECOGNITION_YEARS,
        "valid_today": recognition.status == Status.RECOGNISED
        and recognition.valid_from <= today <= recognition.valid_until,
    })


@staff_required
@require_POST
def recognition_decide(request: HttpRequest, pk: int) -> HttpResponse:
    recognition = _visible(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("treatment:recognition", pk=pk)
    data = form.cleaned_data
    try:
        decided = services.recognition_decide(
            recognition_id=recognition.pk, officer=request.user, recognise=data["decision"] == "recognise",
            valid_from=data["valid_from"], valid_until=data["valid_until"], notes=data["notes"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if decided.status == Status.RECOGNISED:
            messages.success(request, f"已认定“{decided.disease_name}”，有效期 {decided.valid_from:%Y-%m-%d} 至 "
                                      f"{decided.valid_until:%Y-%m-%d}。")
        else:
            messages.success(request, "已作出不予认定的决定，理由已记录。")
    return redirect("treatment:recognition", pk=pk)


@staff_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    recognition = _visible(request, pk)
    scan_upload(request, lambda upload: services.attachment_add(recognition=recognition, upload=upload, user=request.user))
    return redirect("treatment:recognition", pk=pk)


@staff_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        RecognitionAttachment.objects.filter(recognition__in=ChronicRecognition.objects.visible_to(request.user))
        .select_related("recognition__resident"), pk=pk,
    )
    return scan_download(request, attachment, subject_digest=attachment.recognition.resident.id_digest,
                         detail=f"查看门诊慢特病认定 {attachment.recognition.number} 的材料")
