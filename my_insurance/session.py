"""How a resident is signed in to 我的医保, and the decorator every resident page uses.

A resident is not a Django user: the session holds the resident's id and when they were last
seen. The session ends when the browser closes (its cookie has no expiry date) and after
``settings.RESIDENT_IDLE_MINUTES`` without a request, which this module checks on the server
because the cookie alone cannot be trusted to expire. A browser holds either a staff sign-in or
a resident one, never both: signing a resident in signs staff out, and a staff user is never
taken for a resident, so no resident session reaches a staff page and no staff session a
resident's.
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth import logout
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from enrollment.models import Resident

RESIDENT_KEY = "my_insurance_resident"
SEEN_KEY = "my_insurance_seen"


def now() -> float:
    """The clock the idle check reads; tests replace it to step past the idle time."""
    return time.time()


def resident_sign_in(request, resident: Resident) -> None:
    """Start a resident session for ``resident`` under a new session key (no fixation) and a new
    CSRF token, as Django's login() does: a token planted in the browser before sign-in (a
    sibling subdomain can set the cookie) must not carry forged forms into the signed-in session."""
    if request.user.is_authenticated:
        logout(request)
    request.session.flush()
    rotate_token(request)
    request.session[RESIDENT_KEY] = resident.pk
    request.session[SEEN_KEY] = now()
    request.session.set_expiry(0)  # a browser-session cookie: gone when the browser closes


def resident_sign_out(request) -> None:
    request.session.flush()


def signed_in_resident(request) -> Resident | None:
    """The resident of this session, or None (not signed in, idle too long, or a staff user)."""
    resident_id = request.session.get(RESIDENT_KEY)
    if resident_id is None or request.user.is_authenticated:
        return None
    seen = request.session.get(SEEN_KEY, 0)
    if now() - seen > settings.RESIDENT_IDLE_MINUTES * 60:
        request.session.flush()
        return None
    resident = Resident.objects.select_related("region").filter(pk=resident_id).first()
    if resident is None:
        request.session.flush()
        return None
    request.session[SEEN_KEY] = now()
    return resident


def resident_required(view):
    """A 我的医保 page: ``request.resident`` is the signed-in resident; anyone else is sent to
    sign in, and back here afterwards. Never cached: every answer is one person's."""

    @never_cache
    @wraps(view)
    def guarded(request, *args, **kwargs):
        resident = signed_in_resident(request)
        if resident is None:
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return redirect(reverse("my_insurance:sign_in") + (f"?{query}" if query else ""))
        request.resident = resident
        return view(request, *args, **kwargs)

    return guarded
