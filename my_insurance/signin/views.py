"""Signing in to 我的医保 with a code sent to the phone on record, and signing out.

An unknown ID number, a wrong name and a wrong phone get exactly the answer a real send gets:
the code page, saying a code went to the phone ending in the digits typed. Behind it is a decoy
that refuses every code as a real code refuses wrong ones (rules.code_verdict), so neither page
tells whether the details matched. The decoy does the work of a send that needs no database
row and no message (a code drawn, its digest computed); the text message itself is the one
difference in time, which a network's jitter hides.
"""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from enrollment.lookup import village_of
from enrollment.models import Resident
from my_insurance.session import resident_sign_in, resident_sign_out, signed_in_resident
from my_insurance.signin.forms import CodeForm, SignInForm
from my_insurance.signin.limits import attempt_limits, code_checks_per_address, codes_per_phone, refusal_of
from my_insurance.signin.pending import PendingSignIn, pending_keep, pending_of
from my_insurance.signin.rules import CODE_VALID, Outcome, code_verdict, minutes, mobile_number
from my_insurance.signin.services import CodesExhausted, code_digest, new_code, sign_in_code_check, sign_in_code_send
from portal.privacy.id_vault import id_digest
from portal.privacy.models import access_log_write
from portal.privacy.names import names_match
from portal.shared.notifications import NotificationFailed
from portal.web.addresses import client_address
from portal.web.ratelimit import Verdict, too_many_requests

# Access-log actions (their Chinese names: portal/privacy/admin.py ACTION_LABELS).
ATTEMPT = "my_sign_in_attempt"
CODE_FAILED = "my_sign_in_code_failed"
SIGNED_IN = "my_sign_in"
SIGNED_OUT = "my_sign_out"

SIGN_IN_PAGE = "my_insurance/signin/sign_in.html"
CODE_PAGE = "my_insurance/signin/code.html"
NO_PHONE_PAGE = "my_insurance/signin/no_phone.html"

CODE_OUTCOMES = {Outcome.WRONG: "验证码错误", Outcome.VOID: "验证码已失效", Outcome.EXPIRED: "验证码已过期"}


def now() -> datetime:
    """The clock of sign-in codes; tests replace it to stand mid-hour or step past a code's minutes."""
    return timezone.now()


def _next_url(request: HttpRequest, candidate: str) -> str:
    """``candidate`` if it is a page of 我的医保 on this site, else ""."""
    if candidate.startswith("/my/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _sign_in_url(next_url: str) -> str:
    return reverse("my_insurance:sign_in") + (f"?{urlencode({'next': next_url})}" if next_url else "")


def _log_attempt(request: HttpRequest, digest: str, outcome: str) -> None:
    access_log_write(request=request, action=ATTEMPT, subject_digest=digest, detail=f"结果：{outcome}", visitor=True)


@never_cache
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("name", "id_number", "phone_last_four")  # hidden from error reports
def sign_in(request: HttpRequest) -> HttpResponse:
    """Name, ID number and the phone's last four digits. POST only for them: they never go into
    an address, a log line or a cache."""
    next_url = _next_url(request, request.GET.get("next", ""))
    if signed_in_resident(request) is not None:
        return redirect(next_url or "my_insurance:home")
    form = SignInForm(request.POST) if request.method == "POST" else SignInForm()
    if request.method == "POST" and form.is_valid():
        return _attempt(request, form, next_url=next_url)
    return _sign_in_page(request, form, next_url)


def _sign_in_page(request: HttpRequest, form: SignInForm, next_url: str, *, failed_send: bool = False):
    return render(request, SIGN_IN_PAGE, {"form": form, "next_url": next_url, "failed_send": failed_send,
                                          "minutes": minutes(CODE_VALID)})


@sensitive_variables("data")  # what was typed, as the POST is hidden above
def _attempt(request: HttpRequest, form: SignInForm, *, next_url: str) -> HttpResponse:
    data = form.cleaned_data
    digest = id_digest(data["id_number"])
    refusal = refusal_of(attempt_limits(address=client_address(request), subject_digest=digest))
    if refusal is not None:
        _log_attempt(request, digest, "超过频率限制")
        return too_many_requests(request, refusal.verdict, action="获取登录验证码", period=refusal.period)
    resident = Resident.objects.filter(id_digest=digest).only("pk", "name", "phone", "region_id").first()
    # Both comparisons run whoever typed what, so that a miss takes the path of a match.
    same_name = names_match(resident.name if resident else "", data["name"])
    mobile = mobile_number(resident.phone) if resident else ""
    same_phone = constant_time_compare(mobile[-4:], data["phone_last_four"])
    if resident is not None and same_name and not mobile:
        _log_attempt(request, digest, "无手机号")
        village = village_of(resident.region_id, timezone.localdate())
        return render(request, NO_PHONE_PAGE, {"village": village})
    if resident is not None and same_name and same_phone:
        return _send(request, form, resident, digest=digest, next_url=next_url)
    _log_attempt(request, digest, f"信息不符（{_mismatch(resident, same_name)}）")
    return _await_code(request, code_id=None, digest=digest, last_four=data["phone_last_four"],
                       expires_at=now() + CODE_VALID, next_url=next_url)


def _mismatch(resident: Resident | None, same_name: bool) -> str:
    """What did not match, for the officers reading the access log; never shown to the visitor."""
    if resident is None:
        return "无此身份证号"
    return "手机号后四位不符" if same_name else "姓名不符"


def _send(request: HttpRequest, form: SignInForm, resident: Resident, *, digest: str, next_url: str) -> HttpResponse:
    verdict = codes_per_phone().hit(mobile_number(resident.phone))
    if not verdict.allowed:
        _log_attempt(request, digest, "超过频率限制（同一手机号）")
        return too_many_requests(request, verdict, action="向同一手机发送验证码", period="每小时")
    moment = now()
    try:
        row = sign_in_code_send(resident=resident, now=moment)
    except CodesExhausted as exhausted:
        _log_attempt(request, digest, "超过频率限制（本人验证码条数）")
        allowance = exhausted.allowance
        return too_many_requests(request, _verdict(allowance.limit, allowance.window_end, moment),
                                 action="获取登录验证码", period=allowance.period)
    except NotificationFailed:
        _log_attempt(request, digest, "短信发送失败")
        return _sign_in_page(request, form, next_url, failed_send=True)
    _log_attempt(request, digest, "已发送")
    return _await_code(request, code_id=row.pk, digest=digest, last_four=form.cleaned_data["phone_last_four"],
                       expires_at=row.expires_at, next_url=next_url)


def _verdict(limit: int, window_end: datetime, moment: datetime) -> Verdict:
    """The 429 page's terms for the database's limit of codes per person."""
    wait = max(1, int((window_end - moment).total_seconds()) + 1)
    return Verdict(allowed=False, count=limit, limit=limit, retry_after=wait, window_end=window_end.timestamp())


def _await_code(request, *, code_id: int | None, digest: str, last_four: str, expires_at: datetime,
                next_url: str) -> HttpResponse:
    if code_id is None:
        code_digest(resident_id=0, code=new_code())  # the work a real send does, see the module's docstring
    pending_keep(request, PendingSignIn(code_id=code_id, subject_digest=digest, last_four=last_four,
                                        expires_at=expires_at.timestamp(), next_url=next_url))
    return redirect("my_insurance:sign_in_code")


@never_cache
@require_http_methods(["GET", "POST"])
# An error report (the DEBUG page, the admins' mail) must not show a code that a failed check left live.
@sensitive_post_parameters("code")
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The 6-digit code. Wrong: how many tries are left; the fifth wrong try, or an expired code:
    get a new one. Right: signed in under a new session key and on to where the resident was going."""
    pending = pending_of(request)
    if pending is None:
        return redirect("my_insurance:sign_in")
    form = CodeForm(request.POST) if request.method == "POST" else CodeForm()
    context = {"pending": pending, "form": form, "renew_url": _sign_in_url(pending.next_url),
               "minutes": minutes(CODE_VALID)}
    if request.method != "POST" or not form.is_valid():
        return render(request, CODE_PAGE, context)
    verdict = code_checks_per_address().hit(client_address(request))
    if not verdict.allowed:
        access_log_write(request=request, action=CODE_FAILED, subject_digest=pending.subject_digest,
                         detail="超过频率限制", visitor=True)
        return too_many_requests(request, verdict, action="核对验证码", period="每小时")
    return _check(request, pending, form, context)


def _check(request: HttpRequest, pending: PendingSignIn, form: CodeForm, context: dict) -> HttpResponse:
    moment = now()
    if pending.code_id is None:
        verdict = code_verdict(matches=False, wrong_tries=pending.decoy_tries, void=pending.decoy_void,
                               expires_at=pending.expires, now=moment)
        if verdict.outcome is Outcome.WRONG:
            pending.decoy_tries += 1
        pending.decoy_void = pending.decoy_void or verdict.voids_the_code
        pending_keep(request, pending)
        resident = None
    else:
        check = sign_in_code_check(code_id=pending.code_id, code=form.cleaned_data["code"], now=moment)
        verdict, resident = check.verdict, check.resident
    if resident is not None:
        resident_sign_in(request, resident)
        access_log_write(request=request, action=SIGNED_IN, subject_digest=resident.id_digest, detail="凭短信验证码登录")
        return redirect(pending.next_url or "my_insurance:home")
    access_log_write(request=request, action=CODE_FAILED, subject_digest=pending.subject_digest,
                     detail=f"{CODE_OUTCOMES[verdict.outcome]}（还可再试 {verdict.tries_left} 次）", visitor=True)
    renew = verdict.outcome is not Outcome.WRONG or verdict.tries_left == 0
    return render(request, CODE_PAGE, {**context, "form": CodeForm(), "problem": verdict.message, "renew": renew})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    resident = signed_in_resident(request)
    if resident is not None:
        access_log_write(request=request, action=SIGNED_OUT, subject_digest=resident.id_digest, detail="退出我的医保")
    resident_sign_out(request)
    return redirect("home")
