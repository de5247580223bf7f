"""Station pages of cross-region treatment filings (异地就医备案), its printed proof and the public
check of that proof.

Station clerks file, cancel and change for residents of their scope; county and city officers
read the filings of theirs. Everyone else's filing is a 404, as if it did not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrollment.elsewhere import elsewhere_answer
from enrollment.models import Resident
from enrollment.services import resident_find_by_id_number
from portal.accounts.scopes import STATION_PERMISSION, scope_required
from portal.privacy.id_numbers import mask_name
from portal.privacy.models import access_log_page, access_log_write
from portal.privacy.scan_pages import ScanForm, scan_download, scan_upload
from portal.web.addresses import client_address
from treatment.filings import services
from treatment.filings.forms import KIND_NEEDS, CancelForm, FilingFieldsForm, FilingForm
from treatment.filings.models import Filing, FilingAttachment
from treatment.filings.proof import filing_proof_context

VIEW_PERMISSION = "treatment.view_filing"
staff_required = scope_required(
    STATION_PERMISSION, VIEW_PERMISSION, refused="只有医保工作站经办人员和医保部门工作人员可以查看异地就医备案。",
)
STATUS_FILTERS = {"active": "有效", "cancelled": "已撤销", "all": "全部"}
# Filings residents made themselves in 我的医保 reach the clerks of their region here.
HOW_FILTERS = {"all": "全部", "online": "居民网上办理", "station": "工作站办理"}
FILED_ONLY_AT_STATIONS = "异地就医备案由村(社区)、乡镇(街道)工作站办理；您的账号只能查看。"


def _require_station(request: HttpRequest) -> None:
    if not request.user.has_perm(STATION_PERMISSION):
        raise PermissionDenied(FILED_ONLY_AT_STATIONS)


def _visible_filing(request: HttpRequest, pk: int) -> Filing:
    return get_object_or_404(
        Filing.objects.visible_to(request.user).select_related(
            "resident__region", "recorded_by", "cancelled_by", "service_point"), pk=pk,
    )


def _log_viewed(request: HttpRequest, filing: Filing, what: str = "查看") -> None:
    access_log_write(request=request, action="view_filing", subject_digest=filing.resident.id_digest,
                     detail=f"{what}异地就医备案 {filing.number}")


@staff_required
def filing_list(request: HttpRequest) -> HttpResponse:
    chosen = request.GET.get("status", "active")
    if chosen not in STATUS_FILTERS:
        chosen = "active"
    how = request.GET.get("how", "all")
    if how not in HOW_FILTERS:
        how = "all"
    filings = Filing.objects.visible_to(request.user).select_related("resident__region", "service_point")
    if chosen != "all":
        filings = filings.filter(status=chosen)
    if how != "all":
        filings = filings.filter(filed_online=how == "online")
    page = Paginator(filings, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    page.object_list = list(page.object_list)
    for filing in page.object_list:
        filing.state = filing.state_on(today)
    shown = STATUS_FILTERS[chosen] + ("" if how == "all" else f"，{HOW_FILTERS[how]}")
    access_log_page(request=request, action="view_filings", what=f"异地就医备案（{shown}）", page=page)
    return render(request, "treatment/filings/filing_list.html", {
        "page": page, "chosen": chosen, "filters": STATUS_FILTERS.items(), "how": how, "how_filters": HOW_FILTERS.items(),
        "may_file": request.user.has_perm(STATION_PERMISSION),
    })


@staff_required
@require_http_methods(["GET", "POST"])
def filing_create(request: HttpRequest) -> HttpResponse:
    _require_station(request)
    form = FilingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resident = resident_find_by_id_number(data["id_number"])
        if resident is None:
            form.add_error("id_number", "没有找到这个身份证号的居民；请先登记居民，再办理异地就医备案。")
        elif not Resident.objects.visible_to(request.user).filter(pk=resident.pk).exists():
            form.add_error("id_number", elsewhere_answer(
                clerk=request.user, address=client_address(request), digest=resident.id_digest,
                region=resident.region, where="办理异地就医备案",
            ))
        else:
            try:
                with transaction.atomic():
                    filing = services.filing_create(
                        resident=resident, clerk=request.user, today=timezone.localdate(),
                        **form.service_arguments(),
                    )
                    if data["attachment"]:
                        services.filing_attachment_add(filing=filing, upload=data["attachment"], user=request.user)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"已为 {resident.name} 办理异地就医备案，编号 {filing.number}。")
                return redirect("treatment:filing", pk=filing.pk)
    return render(request, "treatment/filings/filing_form.html", {"form": form, "kind_needs": KIND_NEEDS})


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: by field where it names one of the form's fields."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, error)


@staff_required
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _visible_filing(request, pk)
    _log_viewed(request, filing)
    may_act = services.may_file_for(request.user, filing.resident)
    active = filing.status == Filing.Status.ACTIVE
    return render(request, "treatment/filings/filing_detail.html", {
        "filing": filing, "today": timezone.localdate(), "state": filing.state_on(timezone.localdate()),
        "attachments": filing.attachments.all(),
        "cancel_form": CancelForm() if may_act and active else None,
        "may_change": may_act and active,
        "attachment_form": ScanForm() if may_act and active else None,
        "history": Filing.objects.filter(resident=filing.resident).exclude(pk=filing.pk),
    })


@staff_required
@require_POST
def filing_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _visible_filing(request, pk)
    _require_station(request)
    form = CancelForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("treatment:filing", pk=pk)
    try:
        services.filing_cancel(filing_id=filing.pk, clerk=request.user, reason=form.cleaned_data["reason"],
                               today=timezone.localdate())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"备案 {filing.number} 已撤销。")
    return redirect("treatment:filing", pk=pk)


@staff_required
@require_http_methods(["GET", "POST"])
def filing_change(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _visible_filing(request, pk)
    _require_station(request)
    initial = {name: getattr(filing, name) for name in (
        "kind", "province", "city", "valid_from", "hospital", "referring_hospital", "referral_number")}
    form = FilingFieldsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.filing_change(filing_id=filing.pk, clerk=request.user, today=timezone.localdate(),
                                         **form.service_arguments())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"已变更：原备案 {filing.number} 已撤销（变更），新备案编号 {new.number}。")
            return redirect("treatment:filing", pk=new.pk)
    _log_viewed(request, filing, what="变更")
    return render(request, "treatment/filings/filing_change.html", {
        "filing": filing, "form": form, "kind_needs": KIND_NEEDS,
    })


@staff_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _visible_filing(request, pk)
    _require_station(request)
    scan_upload(request, lambda upload: services.filing_attachment_add(filing=filing, upload=upload, user=request.user))
    return redirect("treatment:filing", pk=pk)


@staff_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        FilingAttachment.objects.filter(filing__in=Filing.objects.visible_to(request.user))
        .select_related("filing__resident"), pk=pk,
    )
    return scan_download(request, attachment, subject_digest=attachment.filing.resident.id_digest,
                         detail=f"查看异地就医备案 {attachment.filing.number} 的材料")


@staff_required
def filing_print(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _visible_filing(request, pk)
    _log_viewed(request, filing, what="打印")
    return render(request, "treatment/filings/filing_print.html", {
        **filing_proof_context(request, filing), "today": timezone.localdate(),
    })


@never_cache
@require_GET
def filing_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public check of a printed filing: masked name, kind, place, dates and whether it holds
    today; nothing else."""
    # A code with NUL matches nothing, and PostgreSQL would refuse it in a query (HTTP 500).
    filing = None if "\x00" in code else (
        Filing.objects.filter(verification_code=code).select_related("resident").first()
    )
    context = {"filing": filing, "today": timezone.localdate()}
    if filing:
        context.update(masked_name=mask_name(filing.resident.name), holds=filing.valid_on(timezone.localdate()),
                       state=filing.state_on(timezone.localdate()))
    return render(request, "treatment/filings/filing_verify.html", context, status=200 if filing else 404)
