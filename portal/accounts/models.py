"""Who a staff member is to the portal: the region they may see, and the one-time code with which
they add an authenticator."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class StaffProfile(models.Model):
    """What a staff member may see: the region of their scope, and where they usually work."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="staff_profile"
    )
    scope = models.ForeignKey("portal.Region", verbose_name="管辖区域", on_delete=models.PROTECT, related_name="staff")
    home_service_point = models.ForeignKey(
        "portal.ServicePoint", verbose_name="所在服务网点", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="staff",
    )

    class Meta:
        verbose_name = "工作人员管辖范围"
        verbose_name_plural = "工作人员管辖范围"
        permissions = [("use_station", "可以使用医保工作站后台")]

    def __str__(self) -> str:
        return f"{self.user} · {self.scope}"

    def clean(self) -> None:
        point = self.home_service_point
        if point and self.scope_id and not point.region.code.startswith(self.scope.prefix):
            raise ValidationError({"home_service_point": "所在服务网点必须在管辖区域之内"})


class BindingCode(models.Model):
    """A one-time code (绑定码) that lets a user who must pass a second factor add an
    authenticator (portal/accounts/binding_codes.py). Without it a stolen password of an officer who has
    none yet would be enough to add the thief's own. Only a keyed digest of the code is kept;
    the code is shown once, to the officer who issues it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="binding_code",
    )
    digest = models.CharField("绑定码摘要", max_length=64, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发放人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField("发放时间", auto_now_add=True)
    expires_at = models.DateTimeField("失效时间")
    failed_tries = models.PositiveSmallIntegerField("输错次数", default=0)
    # Spent: the authenticator it started, which the same code finds again for a little while
    # (a double click, a second tab) until it is confirmed.
    spent_at = models.DateTimeField("使用时间", null=True, blank=True)
    device = models.ForeignKey(
        "otp_totp.TOTPDevice", verbose_name="身份验证器", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "身份验证器绑定码"
        verbose_name_plural = "身份验证器绑定码"

    def __str__(self) -> str:
        return f"{self.user}（{timezone.localtime(self.expires_at):%Y-%m-%d %H:%M} 前有效）"  # Beijing time
