"""/healthz, for the load balancer in front of the web servers."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.web.cache import shared_cache_state


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Each dependency's state. 503 only when the portal cannot serve, that is without the
    database; with the cache down every page still works (portal/web/cache.py), so it is 200
    with ``"cache": "down"``, for the operators' monitoring rather than the load balancer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except DatabaseError:
        database = "down"
    state = {"database": database, "cache": shared_cache_state()}
    serving = database == "ok"
    return JsonResponse({"status": "ok" if serving else "error", **state}, status=200 if serving else 503)
