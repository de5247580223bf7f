"""Who may open the station back office: logged-in clerks with a scope."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from portal.models import staff_scope

STATION_PERMISSION = "portal.use_station"


def clerk_required(view):
    """Login, the station permission and a scope; a clerk without a scope sees nothing."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_perm(STATION_PERMISSION):
            raise PermissionDenied("只有医保工作站经办人员可以使用工作站后台。")
        scope = staff_scope(request.user)
        if scope is None:
            raise PermissionDenied("您的账号还没有分配管辖区域，请联系医保局管理员。")
        request.scope = scope
        return view(request, *args, **kwargs)

    return wrapper
