from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.access import clerk_required
from portal.models import Region


@clerk_required
def station_home(request: HttpRequest) -> HttpResponse:
    profile = request.user.staff_profile
    context = {
        "scope": request.scope,
        "scope_path": list(request.scope.ancestors()) + [request.scope],
        "service_point": profile.home_service_point,
        "child_regions": Region.objects.filter(parent=request.scope).order_by("code"),
    }
    return render(request, "station/home.html", context)
