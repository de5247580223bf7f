"""The address of the client behind the reverse proxies, for rate limits, lockouts and the
access log."""

from django.conf import settings


def client_address(request) -> str:
    """The address of the client. Behind a reverse proxy listed in settings.TRUSTED_PROXIES the
    peer is the proxy, so the nearest address in X-Forwarded-For that is not a trusted proxy is
    the client; otherwise the peer address is, whatever the headers say (they can be forged)."""
    peer = request.META.get("REMOTE_ADDR", "")
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()))
    if peer not in trusted:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address
    return peer
