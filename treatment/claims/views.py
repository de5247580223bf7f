"""Station pages of manual reimbursement claims (零星（手工）报销).

Clerks record claims and the township pre-reviews them (初审); county and city officers review
(复审), export the approved claims for the fund's payment and record the payment, on the same
pages. Everyone sees only claimants inside their scope: another township's claim is a 404, as
if it did not exist.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from enrollment.elsewhere import elsewhere_answer
from enrollment.models import Resident
from enrollment.services import resident_find_by_id_number
from portal.accounts.scopes import STATION_PERMISSION, scope_required
from portal.network.codes import Level
from portal.privacy.models import access_log_page, access_log_write
from portal.privacy.scan_pages import ScanForm, scan_download, scan_upload
from portal.spreadsheets.responses import spreadsheet_response
from portal.web.addresses import client_address
from treatment.claims import services
from treatment.claims.forms import MAX_ROWS, ClaimForm, StepForm, rows_posted, visit_formset
from treatment.claims.models import Claim, ClaimAttachment
from treatment.claims.workflow import ACTION_LABELS, STATUS_LABELS, WORKFLOW, Action, Role, Status

staff_required = scope_required(
    STATION_PERMISSION, services.DECIDE_PERMISSION,
    refused="只有医保工作站经办人员和医保部门复审人员可以办理零星报销。",
)
VISITS_PREFIX = "visits"


@staff_required
def claim_list(request: HttpRequest) -> HttpResponse:
    claims = Claim.objects.visible_to(request.user).select_related("resident__region")
    chosen = request.GET.get("status", "waiting")
    if chosen == "waiting":
        claims = claims.awaiting(*services.statuses_waiting_for(request.user))
    elif chosen in {s.value for s in Status}:
        claims = claims.filter(status=chosen)
    else:
        chosen = "all"
    page = Paginator(claims, 50).get_page(request.GET.get("page"))
    access_log_page(request=request, action="view_claims", what=f"零星报销（{chosen}）", page=page)
    return render(request, "treatment/claims/claim_list.html", {
        "page": page, "chosen": chosen, "statuses": [(s.value, STATUS_LABELS[s]) for s in Status],
        "may_record": request.user.has_perm(STATION_PERMISSION),
        "may_export": _may_pay(request),
    })


@staff_required
@require_http_methods(["GET", "POST"])
def claim_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(STATION_PERMISSION):
        raise PermissionDenied("零星报销由乡镇(街道)或村(社区)工作站受理。")
    if request.method == "GET":
        form = ClaimForm(initial={"year": timezone.localdate().year})
        return _create_page(request, form, visit_formset()(prefix=VISITS_PREFIX))
    if "add_row" in request.POST:
        return _with_another_row(request)
    form = ClaimForm(request.POST, request.FILES)
    formset = visit_formset()(request.POST, prefix=VISITS_PREFIX)
    if not (form.is_valid() & formset.is_valid()):
        return _create_page(request, form, formset)
    rows = [row for row in formset.forms if row.has_changed()]
    data = form.cleaned_data
    resident = resident_find_by_id_number(data["id_number"])
    if not rows:
        form.add_error(None, "请至少填写一条就诊记录（每张发票一条）。")
    elif resident is None:
        form.add_error("id_number", "没有找到这个身份证号的居民；请先登记居民并参保，再受理报销。")
    elif not Resident.objects.visible_to(request.user).filter(pk=resident.pk).exists():
        form.add_error("id_number", elsewhere_answer(
            clerk=request.user, address=client_address(request), digest=resident.id_digest,
            region=resident.region, where="受理零星报销",
        ))
    else:
        try:
            with transaction.atomic():
                claim = services.claim_submit(
                    resident=resident, clerk=request.user, year=data["year"], reason=data["reason"],
                    visits=[row.visit() for row in rows], today=timezone.localdate(),
                )
                if data["attachment"]:
                    services.claim_attachment_add(claim=claim, upload=data["attachment"], user=request.user)
        except ValidationError as error:
            _refusal_to_rows(error, form, rows)
        else:
            messages.success(request, f"已受理 {resident.name} 的零星报销申请，编号 {claim.number}，"
                                      f"核算应报销 {claim.reimbursed} 元。")
            return redirect("treatment:claim", pk=claim.pk)
    return _create_page(request, form, formset)


def _with_another_row(request: HttpRequest) -> HttpResponse:
    """The form again with what was typed and one more blank visit row; nothing is checked or
    recorded yet, so no error is shown either."""
    rows = rows_posted(request.POST, VISITS_PREFIX)
    formset = visit_formset(len(rows) + 1)(prefix=VISITS_PREFIX, initial=rows)
    form = ClaimForm(initial={name: request.POST.get(name, "") for name in ("id_number", "year", "reason")})
    return _create_page(request, form, formset, added=True)


def _refusal_to_rows(error: ValidationError, form: ClaimForm, rows: list) -> None:
    """The service's refusal beside what it is about: each visit's problems on its row."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, problems in error.message_dict.items():
        line = int(key.removeprefix("visit-")) if key.startswith("visit-") else 0
        for problem in problems:
            if 1 <= line <= len(rows):
                rows[line - 1].add_error(None, problem)
            else:
                form.add_error(None, problem)


def _create_page(request, form, formset, *, added: bool = False) -> HttpResponse:
    rows_with_errors = [index for index, row in enumerate(formset.forms, 1) if row.is_bound and row.errors]
    return render(request, "treatment/claims/claim_form.html", {
        "form": form, "formset": formset, "added": added, "rows_with_errors": rows_with_errors,
        "may_add_row": len(formset.forms) < MAX_ROWS,
    })


def _visible_claim(request, pk: int) -> Claim:
    return get_object_or_404(
        Claim.objects.visible_to(request.user).select_related("resident__region", "recorded_by", "service_point"),
        pk=pk,
    )


@staff_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _visible_claim(request, pk)
    access_log_write(request=request, action="view_claim", subject_digest=claim.resident.id_digest,
                     detail=f"查看零星报销 {claim.number}")
    roles = services.roles_for(request.user, claim.resident)
    # Only the steps this person may take get a form; a step of their role barred to them (they
    # recorded the claim, or took the step before) is named with the reason instead.
    open_steps, barred = services.steps_open_to(claim, request.user)
    actions = [
        {"value": action.value, "label": ACTION_LABELS[action],
         "notes_required": WORKFLOW.transitions[(claim.state, action)].notes_required}
        for action in open_steps
    ]
    return render(request, "treatment/claims/claim_detail.html", {
        "claim": claim,
        "visits": claim.visits.all(),
        "steps": claim.steps.select_related("actor"),
        "attachments": claim.attachments.all(),
        "actions": actions,
        "unavailable": [{"label": ACTION_LABELS[action], "reason": reason} for action, reason in barred.items()],
        "attachment_form": ScanForm() if Role.CLERK in roles and claim.state not in services.CLOSED else None,
        "today": timezone.localdate(),
    })


@staff_required
@require_POST
def claim_step(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _visible_claim(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("treatment:claim", pk=pk)
    data = form.cleaned_data
    try:
        action = Action(data["action"])
        if action == Action.SUBMIT:
            raise ValueError(action)
    except ValueError:
        messages.error(request, "请选择要办理的事项。")
        return redirect("treatment:claim", pk=pk)
    try:
        claim = services.claim_step(
            claim_id=claim.pk, action=action, actor=request.user, today=timezone.localdate(), notes=data["notes"],
            paid_on=data["paid_on"], payment_voucher=data["payment_voucher"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已办理：{ACTION_LABELS[action]}。应报销 {claim.reimbursed} 元。")
    return redirect("treatment:claim", pk=pk)


@staff_required
@require_POST
def claim_attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _visible_claim(request, pk)
    scan_upload(request, lambda upload: services.claim_attachment_add(claim=claim, upload=upload, user=request.user))
    return redirect("treatment:claim", pk=pk)


@staff_required
def claim_attachment(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        ClaimAttachment.objects.filter(claim__in=Claim.objects.visible_to(request.user))
        .select_related("claim__resident"), pk=pk,
    )
    return scan_download(request, attachment, subject_digest=attachment.claim.resident.id_digest,
                         detail=f"查看零星报销 {attachment.claim.number} 的材料")


def _may_pay(request) -> bool:
    return request.user.has_perm(services.DECIDE_PERMISSION) and request.scope.level <= Level.COUNTY


@staff_required
def claim_payments(request: HttpRequest) -> HttpResponse:
    """The approved claims of the officer's scope, for the fund's payment: masked ID numbers and
    accounts (finance pays from the accounts it holds), the amount as a number."""
    if not _may_pay(request):
        raise PermissionDenied("待支付名单由县(区)或市医保部门导出。")
    claims = list(
        Claim.objects.visible_to(request.user).filter(status=Status.APPROVED.value)
        .select_related("resident__region").order_by("recorded_at", "pk")
    )
    access_log_write(request=request, action="export_claim_payments",
                     detail=f"导出零星报销待支付名单（{request.scope.name}）：{len(claims)} 人")
    rows = [
        [claim.number, claim.resident.id_masked, claim.resident.name, claim.resident.payout_account_masked,
         claim.reimbursed, claim.year, claim.resident.region.name]
        for claim in claims
    ]
    return spreadsheet_response(
        headers=["报销编号", "身份证号", "姓名", "发放账号", "应支付金额（元）", "待遇年度", "村(社区)"], rows=rows,
        filename=f"claim-payments-{request.scope.code}-{timezone.localdate():%Y%m%d}", export_format="xlsx",
    )
