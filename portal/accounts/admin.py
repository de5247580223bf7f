"""Officers' page of staff users: their scope, and the 绑定码 with which one adds an authenticator."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_variables
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import binding_codes
from portal.accounts.models import StaffProfile
from portal.privacy.models import access_log_write


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["scope", "home_service_point"]
    verbose_name_plural = "管辖范围"


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "last_name", "first_name", "is_staff", "is_active", "scope"]
    list_select_related = ["staff_profile__scope"]
    actions = ["issue_binding_codes"]

    @admin.action(description="发放身份验证器绑定码", permissions=["change"])
    @method_decorator(sensitive_variables("issued"))
    def issue_binding_codes(self, request, queryset):
        """A 绑定码 for each selected user who must have an authenticator and has none yet
        (portal/accounts/binding_codes.py), shown on this page only; the others are listed apart."""
        issued, skipped = [], []
        for user in queryset.order_by("username"):
            if reason := binding_codes.refusal(user):
                skipped.append((user, reason))
            else:
                issued.append((user, binding_codes.shown(binding_codes.issue(user, by=request.user))))
                access_log_write(request=request, action="issue_binding_code", detail=f"为 {user.username} 发放")
        return TemplateResponse(request, "admin/portal/binding_codes.html", {
            **self.admin_site.each_context(request), "title": "身份验证器绑定码", "issued": issued,
            "skipped": skipped, "valid_hours": binding_codes.VALID_HOURS,
        })

    @admin.display(description="管辖区域")
    def scope(self, user):
        profile = getattr(user, "staff_profile", None)
        return profile.scope if profile else "—"


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class LoggedTOTPDeviceAdmin(TOTPDeviceAdmin):
    """django-otp's page of authenticators; deleting one (a lost phone) is in the access log."""

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._log_deleted(request, obj)

    def delete_queryset(self, request, queryset):
        devices = list(queryset.select_related("user"))
        super().delete_queryset(request, queryset)
        for device in devices:
            self._log_deleted(request, device)

    @staticmethod
    def _log_deleted(request, device) -> None:
        access_log_write(request=request, action="delete_authenticator",
                         detail=f"删除 {device.user.get_username()} 的身份验证器“{device.name}”")
