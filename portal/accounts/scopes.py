"""Who may see what: a staff member's scope (a region and everything under it), and the views
of the station back office that need one."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.shortcuts import redirect

STATION_PERMISSION = "portal.use_station"
NO_SCOPE = "您的账号还没有分配管辖区域，请联系医保局管理员。"


def staff_scope(user):
    """The Region the user may see, or None: anonymous, inactive and unassigned users see nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.staff_profile.scope
    except ObjectDoesNotExist:
        return None


def scope_required(*permissions: str, refused: str):
    """A view for signed-in staff who hold any of ``permissions`` and have a scope, which the view
    finds in ``request.scope``. Others get 403 with ``refused`` (or the missing scope) as the reason."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            from portal.accounts import two_factor

            # An officer's session that has not passed the second factor (one adding an
            # authenticator is signed in meanwhile) reaches no page of people here either.
            user = request.user
            # One query for a session without a verified device (the officers' group).
            if not two_factor.is_verified(user) and two_factor.second_factor_required(user):
                return redirect(two_factor.next_step_url(user, request.get_full_path()))
            if not any(user.has_perm(permission) for permission in permissions):
                raise PermissionDenied(refused)
            scope = staff_scope(request.user)
            if scope is None:
                raise PermissionDenied(NO_SCOPE)
            request.scope = scope
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# The station back office: clerks with a scope; a clerk without one sees nothing.
clerk_required = scope_required(STATION_PERMISSION, refused="只有医保工作站经办人员可以使用工作站后台。")
