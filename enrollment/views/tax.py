"""Station pages of the tax office's vouchers that matched no enrollment (税务对账): the list of the
user's scope, and resolving one voucher (enrollment/collection/tax_reconcile.py).

Clerks of the person's village or township resolve most; a voucher of someone not registered
anywhere lies with the scope of the officer who imported it, and that officer works it here too.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from enrollment.collection.tax_reconcile import tax_voucher_apply, tax_voucher_refund
from enrollment.models import Enrollment, Resident, TaxVoucher
from portal.accounts.scopes import STATION_PERMISSION, scope_required
from portal.privacy.models import access_log_page, access_log_write
from portal.web.pagination import keyset_page

reconciler_required = scope_required(
    "enrollment.reconcile_tax_vouchers", refused="只有医保工作站经办人员和医保部门工作人员可以处理税务缴费对账。",
)
# Oldest payment first: the longest-waiting money is worked first. The id makes each place
# unique, which keyset pagination needs.
ORDER = ("paid_at", "pk")


class VoucherFilterForm(forms.Form):
    problem = forms.ChoiceField(label="对账原因", choices=[("", "全部原因"), *TaxVoucher.Problem.choices], required=False,
                                widget=forms.Select(attrs={"class": "form-select"}))


class VoucherResolveForm(forms.Form):
    action = forms.ChoiceField(choices=[("apply", "补登入账"), ("refund", "转退费")],
                               error_messages={"required": "请选择处理方式。", "invalid_choice": "请选择处理方式。"})
    note = forms.CharField(label="退费说明", max_length=200, required=False)
    problem = forms.ChoiceField(choices=VoucherFilterForm.base_fields["problem"].choices, required=False)


@reconciler_required
def tax_vouchers(request: HttpRequest) -> HttpResponse:
    choice = VoucherFilterForm(request.GET)
    problem = choice.cleaned_data["problem"] if choice.is_valid() else ""
    visible = TaxVoucher.objects.visible_to(request.user)
    vouchers = visible.to_reconcile().select_related("region")
    if problem:
        vouchers = vouchers.filter(problem=problem)
    page = keyset_page(vouchers, ordering=ORDER, keys=visible, params=request.GET)
    label = TaxVoucher.Problem(problem).label if problem else "全部原因"
    access_log_page(request=request, action="view_tax_vouchers", what=f"税务缴费待对账（{label}）", page=page)
    return render(request, "enrollment/collection/tax_vouchers.html", {
        "page": page, "choice": choice, "problem": problem, "filters": urlencode({"problem": problem} if problem else {}),
        "rows": _with_current_state(request, page.object_list),
        "may_enroll": request.user.has_perm(STATION_PERMISSION),
    })


def _with_current_state(request: HttpRequest, vouchers: list[TaxVoucher]) -> list[tuple]:
    """(voucher, the person if the user may see them, their enrollment of the voucher's year):
    what has changed since the import tells the clerk whether to apply or to refund."""
    residents = {resident.id_digest: resident for resident in Resident.objects.visible_to(request.user).filter(
        id_digest__in={voucher.id_digest for voucher in vouchers})}
    enrollments = {(enrollment.resident_id, enrollment.year): enrollment for enrollment in Enrollment.objects.active()
                   .filter(resident__in=residents.values(), year__in={voucher.year for voucher in vouchers})}
    rows = []
    for voucher in vouchers:
        resident = residents.get(voucher.id_digest)
        rows.append((voucher, resident, enrollments.get((resident.pk, voucher.year)) if resident else None))
    return rows


@reconciler_required
@require_POST
def tax_voucher_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = get_object_or_404(TaxVoucher.objects.visible_to(request.user), pk=pk)
    form = VoucherResolveForm(request.POST)
    access_log_write(request=request, action="resolve_tax_voucher", subject_digest=voucher.id_digest,
                     detail=f"处理税务缴费凭证 {voucher.voucher_number}")
    if not form.is_valid():
        messages.error(request, "；".join(message for errors in form.errors.values() for message in errors))
        return redirect(_back(form))
    try:
        if form.cleaned_data["action"] == "apply":
            payment = tax_voucher_apply(voucher=voucher, clerk=request.user, now=timezone.now())
            messages.success(request, f"凭证 {voucher.voucher_number} 已补登入账，收据号 {payment.receipt_number}。")
        else:
            tax_voucher_refund(voucher=voucher, clerk=request.user, note=form.cleaned_data["note"], now=timezone.now())
            messages.success(request, f"凭证 {voucher.voucher_number} 已转退费。")
    except ValidationError as error:
        messages.error(request, f"凭证 {voucher.voucher_number}：{'；'.join(error.messages)}")
    return redirect(_back(form))


def _back(form: VoucherResolveForm) -> str:
    """The list the clerk came from, with its reason filter."""
    problem = form.cleaned_data.get("problem") if hasattr(form, "cleaned_data") else ""
    url = reverse("station:tax_vouchers")
    return f"{url}?{urlencode({'problem': problem})}" if problem else url
