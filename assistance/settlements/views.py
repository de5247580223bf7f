"""Station pages of high-cost alerts (高额费用负担患者预警): the clerk's list, one alert, and
its handling (open -> acknowledged -> resolved with an outcome)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from assistance.models import HighCostAlert
from assistance.settlements import services as settlement_services
from assistance.settlements.forms import AlertAcknowledgeForm, AlertResolveForm
from portal.accounts.scopes import clerk_required
from portal.privacy.models import access_log_page, access_log_write


@clerk_required
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts = HighCostAlert.objects.visible_to(request.user).select_related("resident__region", "township")
    chosen = request.GET.get("status", "open")
    if chosen == "open":
        alerts = alerts.open()
    elif chosen in HighCostAlert.Status.values:
        alerts = alerts.filter(status=chosen)
    else:
        chosen = "all"
    page = Paginator(alerts.order_by("status", "-burden", "pk"), 50).get_page(request.GET.get("page"))
    access_log_page(request=request, action="view_alerts", what=f"高额费用预警（{chosen}）", page=page)
    return render(request, "assistance/alert_list.html", {
        "page": page, "chosen": chosen, "statuses": HighCostAlert.Status.choices,
    })


@clerk_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(
        HighCostAlert.objects.visible_to(request.user).select_related(
            "resident__region", "township", "acknowledged_by", "resolved_by"), pk=pk,
    )
    settlements = alert.resident.settlements.for_year(alert.year).order_by("settled_on", "pk")
    access_log_write(request=request, action="view_settlements", subject_digest=alert.resident.id_digest,
                     detail=f"查看高额费用预警及 {alert.year} 年度就医结算")
    return render(request, "assistance/alert_detail.html", {
        "alert": alert, "settlements": settlements,
        "acknowledge_form": AlertAcknowledgeForm(), "resolve_form": AlertResolveForm(),
    })


@clerk_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(HighCostAlert.objects.visible_to(request.user), pk=pk)
    form = AlertAcknowledgeForm(request.POST)
    notes = form.cleaned_data["notes"] if form.is_valid() else ""
    try:
        settlement_services.alert_acknowledge(alert_id=pk, clerk=request.user, notes=notes)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "已确认知悉，请核查后登记处理结果。")
    return redirect("assistance:alert", pk=pk)


@clerk_required
@require_POST
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(HighCostAlert.objects.visible_to(request.user), pk=pk)
    form = AlertResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择处理结果并填写处理说明。")
        return redirect("assistance:alert", pk=pk)
    try:
        settlement_services.alert_resolve(alert_id=pk, clerk=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "已登记处理结果。")
    return redirect("assistance:alert", pk=pk)
