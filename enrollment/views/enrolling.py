"""Station back office: enrolling for a year, taking the payment, receipts and refunds."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrollment import selectors, services
from enrollment.forms import EnrollForm, PaymentForm, RefundForm
from enrollment.models import Enrollment, Payment, Resident
from enrollment.views.station import add_service_errors
from portal.accounts.scopes import clerk_required
from portal.privacy.id_numbers import mask_name
from portal.privacy.models import access_log_write
from portal.shared.money import format_yuan, yuan_in_capitals
from portal.shared.qr import check_qr_svg
from portal.shared.vocabulary import Category


@clerk_required
@require_http_methods(["GET", "POST"])
def enroll(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the year and category, see what is due, then confirm: two steps, one write."""
    resident = get_object_or_404(Resident.objects.visible_to(request.user).select_related("region"), pk=pk)
    access_log_write(request=request, action="view_resident", subject_digest=resident.id_digest, detail="办理参保登记")
    today = timezone.localdate()
    # Only the years open for registration today: a year the service would refuse is not offered.
    years = selectors.registration_years(request.scope, today)
    year = selectors.year_that_matters(request.scope, today)
    asked = request.GET.get("year", "")  # the list the clerk came from names the year
    if len(asked) == 4 and asked.isascii() and asked.isdigit() and int(asked) in years:
        year = int(asked)
    initial = {"year": year if year in years else next(iter(years), None),
               "category": resident.default_category(today).value}
    form = EnrollForm(request.POST or None, initial=initial, years=years)
    quote = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        category = Category(data["category"])
        try:
            if request.POST.get("action") == "confirm":
                enrollment = services.enrollment_register(
                    resident=resident, year=data["year"], category=category, clerk=request.user,
                    on=today, transfer=data["transfer"], previous_insurer=data["previous_insurer"],
                )
                messages.success(request, f"已登记 {enrollment.year} 年度参保，个人应缴 {enrollment.payable} 元。")
                return redirect("station:enrollment", pk=enrollment.pk)
            services.enrollment_refusal_check(resident=resident, year=data["year"])
            _, quote = services.premium_quote(
                resident=resident, year=data["year"], category=category, on=today, transfer=data["transfer"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, "enrollment/enroll.html", {"resident": resident, "form": form, "quote": quote, "today": today})


@clerk_required
def enrollment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(
        Enrollment.objects.visible_to(request.user).select_related("resident", "region", "standard"), pk=pk
    )
    access_log_write(request=request, action="view_enrollment", subject_digest=enrollment.resident.id_digest,
                     detail=f"查看 {enrollment.year} 年度参保记录")
    payments = enrollment.payments.order_by("recorded_at")
    context = {
        "enrollment": enrollment,
        "payments": payments,
        "payment_form": PaymentForm.fresh(payable=enrollment.payable),
        "refund": getattr(enrollment, "refund", None),
        "refund_form": RefundForm(),
    }
    return render(request, "enrollment/enrollment_detail.html", context)


@clerk_required
@require_POST
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(Enrollment.objects.visible_to(request.user).select_related("resident"), pk=pk)
    form = PaymentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.payment_record(
                enrollment=enrollment, amount=data["amount"], method=data["method"], token=data["token"],
                clerk=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"已收款 {payment.amount} 元，收据号 {payment.receipt_number}。")
            return redirect("station:receipt", pk=payment.pk)
    access_log_write(request=request, action="view_enrollment", subject_digest=enrollment.resident.id_digest,
                     detail=f"查看 {enrollment.year} 年度参保记录（收款未成功）")
    context = {
        "enrollment": enrollment, "payments": enrollment.payments.order_by("recorded_at"),
        "payment_form": form, "refund": getattr(enrollment, "refund", None), "refund_form": RefundForm(),
    }
    return render(request, "enrollment/enrollment_detail.html", context, status=400)


@clerk_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(
        Payment.objects.visible_to(request.user).select_related(
            "enrollment__resident", "enrollment__region", "recorded_by", "taken_at"
        ),
        pk=pk,
    )
    access_log_write(request=request, action="view_receipt", subject_digest=payment.enrollment.resident.id_digest,
                     detail=f"查看缴费凭证 {payment.receipt_number}")
    verify_url = request.build_absolute_uri(reverse("receipt_verify", args=[payment.verification_code]))
    context = {"payment": payment, "enrollment": payment.enrollment, "verify_url": verify_url,
               "amount_in_capitals": yuan_in_capitals(payment.amount),
               "qr_svg": check_qr_svg(verify_url, title="扫码核验缴费凭证")}
    return render(request, "enrollment/receipt.html", context)


@clerk_required
@require_POST
def refund_create(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(Enrollment.objects.visible_to(request.user), pk=pk)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            refund = services.refund_request(
                enrollment=enrollment, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"],
                clerk=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, (
                f"已提交退费申请：退还个人缴费 {format_yuan(refund.amount)} 元。由县(区)医保局工作人员在管理后台审批"
                "（不能由申请人本人审批），审批后退还；审批结果显示在这条参保记录上。"
            ))
    else:
        messages.error(request, "请选择退费原因。")
    return redirect("station:enrollment", pk=enrollment.pk)


@never_cache
@require_GET
def receipt_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public check of a printed receipt: masked name, year, paid or not; nothing else."""
    # A code with NUL matches nothing, and PostgreSQL would refuse it in a query (HTTP 500).
    payment = None if "\x00" in code else (
        Payment.objects.filter(verification_code=code).select_related("enrollment__resident").first()
    )
    context = {"payment": payment}
    if payment:
        context.update(
            name=mask_name(payment.enrollment.resident.name), year=payment.enrollment.year,
            cancelled=payment.enrollment.status == Enrollment.Status.CANCELLED,
        )
    return render(request, "enrollment/receipt_verify.html", context, status=200 if payment else 404)
