"""The codes sent to residents' phones to sign in to 我的医保."""

from django.db import models
from django.db.models import Q


class SignInCodeQuerySet(models.QuerySet):
    def live(self):
        """Codes neither used nor void: what the constraint allows one of per resident. An expired
        code stays live until it is checked or a newer one is sent, and opens nothing meanwhile."""
        return self.filter(used_at__isnull=True, voided_at__isnull=True)


class SignInCode(models.Model):
    """One 6-digit code sent to the phone on record of one resident.

    The code itself is never stored: ``code_digest`` is a keyed hash of it (the portal's secret
    key), so neither the database nor a backup gives it away. A code is live until it is used,
    it expires, or it is void (too many wrong tries, or a newer code sent); at most one code of
    a resident is live at a time (the constraint). Wrong tries are counted here, in the database,
    so they add up across sessions, workers and client addresses.
    """

    resident = models.ForeignKey("enrollment.Resident", verbose_name="居民", on_delete=models.CASCADE,
                                 related_name="+")
    code_digest = models.CharField("验证码摘要", max_length=64, editable=False)
    phone_masked = models.CharField("发送手机号", max_length=20, editable=False)
    sent_at = models.DateTimeField("发送时间", editable=False)
    expires_at = models.DateTimeField("失效时间", editable=False)
    wrong_tries = models.PositiveSmallIntegerField("输错次数", default=0, editable=False)
    used_at = models.DateTimeField("使用时间", null=True, blank=True, editable=False)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True, editable=False)

    objects = SignInCodeQuerySet.as_manager()

    class Meta:
        verbose_name = "登录验证码"
        verbose_name_plural = "登录验证码"
        constraints = [
            models.UniqueConstraint(fields=["resident"], condition=Q(used_at__isnull=True, voided_at__isnull=True),
                                    name="one_live_sign_in_code_per_resident"),
        ]
        indexes = [models.Index(fields=["resident", "sent_at"], name="sign_in_code_resident_sent")]

    def __str__(self) -> str:
        return f"验证码 → {self.phone_masked}"
