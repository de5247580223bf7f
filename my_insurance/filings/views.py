"""异地就医备案 in 我的医保: the resident's own filings, filing the temporary kinds that need no
referral online, printing a filing's proof and cancelling one filed online.

Every filing is looked up through the signed-in resident: someone else's is a 404, as a missing one.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from benefits.policy import plain_number
from benefits.services import PolicyNotFound, policy_in_force
from enrollment.views.station import add_service_errors
from my_insurance.filings.forms import KIND_HELP, OnlineFilingForm
from my_insurance.pages import render_mine
from my_insurance.session import resident_required
from portal.privacy.models import access_log_write
from treatment.filings import services
from treatment.filings.models import TEMPORARY_MONTHS, Filing
from treatment.filings.proof import filing_proof_context
from treatment.filings.services import FilingAlreadyMade


def _own_filing(request: HttpRequest, pk: int) -> Filing:
    return get_object_or_404(
        Filing.objects.filter(resident=request.resident).select_related("resident", "service_point"), pk=pk,
    )


def _log(request: HttpRequest, action: str, detail: str) -> None:
    access_log_write(request=request, action=action, subject_digest=request.resident.id_digest, detail=detail)


def _may_cancel(filing: Filing, today) -> bool:
    """Whether the list offers cancelling: an online filing still to hold. Cancelling one that
    has run out would change nothing for the resident."""
    return services.online_cancel_refusal(filing) is None and filing.state_on(today) != "已到期"


@resident_required
@require_GET
def filing_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filings = list(Filing.objects.filter(resident=request.resident).select_related("service_point")
                   .order_by("-recorded_at", "-pk"))
    for filing in filings:
        filing.state = filing.state_on(today)
        filing.may_cancel = _may_cancel(filing, today)
    _log(request, "my_view_filings", f"查看本人的异地就医备案，共 {len(filings)} 份")
    return render_mine(request, "my_insurance/filings/filing_list.html", {"filings": filings})


def _reductions(request: HttpRequest, today) -> tuple[str, str] | None:
    """How many percentage points the basic ratio drops outside the city, filed and unfiled, by
    this year's policy of the resident's pooling region; None when none is published."""
    try:
        policy = policy_in_force(year=today.year, region_code=request.resident.region.code, on=today)
    except PolicyNotFound:
        return None
    return plain_number(policy.outside_filed_reduction * 100), plain_number(policy.outside_unfiled_reduction * 100)


@resident_required
@require_http_methods(["GET", "POST"])
def filing_new(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = OnlineFilingForm(request.POST or None, initial={"valid_from": today})
    if request.method == "POST" and form.is_valid():
        try:
            filing = services.filing_create_online(resident=request.resident, today=today, **form.service_arguments())
        except FilingAlreadyMade as already:
            # A double-clicked form: the first click filed it, the second is told so, not refused.
            messages.info(request, f"这份备案已经办好了（编号 {already.filing.number}），不用重复提交。")
            return redirect("my_insurance:filings")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _log(request, "my_create_filing", f"网上办理异地就医备案 {filing.number}")
            messages.success(request, (
                f"已办好异地就医备案（编号 {filing.number}）：{filing.get_kind_display()}，{filing.place}，"
                f"{filing.validity}。到了就医地，在联网定点医院出示医保电子凭证或社会保障卡就能直接结算。"))
            return redirect("my_insurance:filings")
    _log(request, "my_view_filing_form", "打开网上办理异地就医备案的表单")
    return render_mine(request, "my_insurance/filings/filing_new.html", {
        "form": form, "kind_help": [(label, KIND_HELP[value]) for value, label in form.fields["kind"].choices],
        "months": TEMPORARY_MONTHS, "reductions": _reductions(request, today),
    })


@resident_required
@require_http_methods(["GET", "POST"])
def filing_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST cancels."""
    filing = _own_filing(request, pk)
    if request.method == "POST":
        try:
            services.filing_cancel_online(filing_id=filing.pk, resident=request.resident,
                                          today=timezone.localdate())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            _log(request, "my_cancel_filing", f"网上撤销异地就医备案 {filing.number}")
            messages.success(request, f"备案 {filing.number} 已撤销，从今天起不再有效。")
        return redirect("my_insurance:filings")
    _log(request, "my_view_filing", f"撤销前查看异地就医备案 {filing.number}")
    return render_mine(request, "my_insurance/filings/filing_cancel.html", {
        "filing": filing, "refusal": services.online_cancel_refusal(filing),
        "state": filing.state_on(timezone.localdate()),
    })


@resident_required
@require_GET
def filing_print(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _own_filing(request, pk)
    _log(request, "my_print_filing", f"打印本人异地就医备案凭证 {filing.number}")
    return render_mine(request, "my_insurance/filings/filing_print.html", filing_proof_context(request, filing))
