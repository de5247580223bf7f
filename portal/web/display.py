"""The large-text, high-contrast mode (大字版): a cookie set by a plain link, read on every page."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

LARGE = "large"


def display(request) -> dict:
    """Whether the page is shown in the large-text, high-contrast mode (大字版)."""
    return {"large_display": request.COOKIES.get(settings.DISPLAY_COOKIE_NAME) == LARGE}


@require_GET
def display_set(request: HttpRequest, mode: str) -> HttpResponse:
    """Switch between standard and large display (大字版); works as a plain link, no JavaScript."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    if mode == LARGE:
        response.set_cookie(
            settings.DISPLAY_COOKIE_NAME, LARGE, max_age=365 * 24 * 3600, samesite="Lax",
            secure=request.is_secure(), httponly=True,
        )
    else:
        response.delete_cookie(settings.DISPLAY_COOKIE_NAME, samesite="Lax")
    return response
