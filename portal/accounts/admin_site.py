"""The Django admin, open to officers only (clerks work in /station/), and the small helpers its
pages share."""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse

from portal.accounts.roles import OFFICER


class OfficerAdminSite(admin.AdminSite):
    site_header = "城乡居民医保 政策与标准管理"
    site_title = "医保管理后台"
    index_title = "管理首页"

    def has_permission(self, request) -> bool:
        """Officers (and superusers) only, and only in a session that passed the second factor:
        a clerk with is_staff set by mistake still stays out, and so does a stolen password."""
        from portal.accounts.two_factor import is_verified

        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        is_officer = user.is_superuser or user.groups.filter(name=OFFICER).exists()
        return is_officer and is_verified(user)

    def login(self, request, extra_context=None):
        """Every sign-in goes through the portal's own pages (lockout, second factor); the
        admin's password form would skip both."""
        from portal.accounts import two_factor

        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url)
        if self.has_permission(request):
            return redirect(two_factor.safe_next(request, next_url))
        if user.is_active and two_factor.second_factor_required(user) and not two_factor.is_verified(user):
            return redirect(two_factor.next_step_url(user, next_url))
        raise PermissionDenied("此后台仅供医保局工作人员使用。")


def admin_url(model_admin, name: str, *args) -> str:
    """The address of one of a model admin's pages: "changelist", "change", or one it adds."""
    opts = model_admin.opts
    return reverse(f"{model_admin.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=args)


def error_text(error: ValidationError) -> str:
    """A service's refusal as one line for an admin message."""
    return "；".join(error.messages)
