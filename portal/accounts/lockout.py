"""Login lockout (django-axes): the page a locked-out user sees, and the officers' unlock page.

django-axes counts failed logins per username and client address together (settings.py says
why) and refuses further tries for AXES_COOLOFF_TIME after the last one. A locked-out user sees
the login page again with when to try again and whom to ask; an officer can lift the lock at
once from /accounts/lockouts/ (or by deleting the attempt in the admin): the locks of accounts
within their own scope, a city officer the city's, a superuser every one. Each unlock is in the
access log.
"""

import math
from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from portal.accounts.branches import branch_writable
from portal.privacy.models import access_log_write
from portal.web.addresses import client_address


def login_allowed(request, credentials: dict) -> bool:
    return AxesProxyHandler.is_allowed(request, credentials)


def lockout_ends(username: str, address: str) -> datetime:
    """When the lock of this username and address lifts: a cool-off after the last failure."""
    last = AccessAttempt.objects.filter(username=username, ip_address=address).order_by("-attempt_time").first()
    return (last.attempt_time if last else timezone.now()) + settings.AXES_COOLOFF_TIME


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, status 429, saying the account is locked here, until when, and whom
    to ask (django-axes calls this through AXES_LOCKOUT_CALLABLE)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    ends = lockout_ends(username, address)
    response = render(request, "registration/login.html", {
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked_until": timezone.localtime(ends),
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }, status=429)
    response["Retry-After"] = str(max(1, math.ceil((ends - timezone.now()).total_seconds())))
    add_never_cache_headers(response)
    return response


def current_lockouts(officer):
    """Username and address pairs locked out now, of the accounts within ``officer``'s scope, the
    latest first. A name that is no account in the scope (a stranger's guess, a superuser) is
    left to superusers."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    locked = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since,
    ).order_by("-attempt_time")
    if officer.is_superuser:
        return locked
    writable = branch_writable(officer, "staff_profile__scope")
    if writable is None:
        return locked.none()
    accounts = get_user_model().objects.filter(writable, is_superuser=False).values("username")
    return locked.filter(username__in=accounts)


@never_cache
def lockout_list(request):
    """Officers see who is locked out and lift a lock (a clerk who mistyped and must work now)."""
    if not admin.site.has_permission(request):
        # The admin's login decides: the sign-in page, the second factor, or 403 for a clerk.
        return redirect(f"{reverse('admin:login')}?{urlencode({'next': request.get_full_path()})}")
    if request.method == "POST":
        return _unlock(request)
    return render(request, "portal/lockout_list.html", {
        "lockouts": [(attempt, attempt.attempt_time + settings.AXES_COOLOFF_TIME)
                     for attempt in current_lockouts(request.user)],
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    })


def _unlock(request):
    attempt_id = request.POST.get("attempt", "")
    with transaction.atomic():
        attempt = current_lockouts(request.user).filter(pk=attempt_id).first() if attempt_id.isdigit() else None
        if attempt is None:
            messages.warning(request, "这条锁定已经解除、已过期，或不在您的管辖范围内。")
        else:
            attempt.delete()
            access_log_write(request=request, action="unlock_login",
                             detail=f"解除 {attempt.username} 的登录锁定（地址 {attempt.ip_address}）")
            messages.success(request, f"已解除账号 {attempt.username}（地址 {attempt.ip_address}）的登录锁定，可以重新登录了。")
    return redirect("lockouts")


def attempted_username(request, credentials: dict | None = None) -> str:
    """The username django-axes records for an attempt: what was typed, cut to the longest name an
    account can have, so that a hostile name of thousands of characters cannot fail the write of
    the attempt (a varchar on PostgreSQL) and turn a refused login into an error page."""
    typed = (credentials or {}).get("username") if credentials else request.POST.get("username")
    return str(typed or "")[:150]
