"""The access log: who saw or exported whose personal data, and every sign-in."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from portal.web.addresses import client_address

USERNAME_LOGGED_LENGTH = 150  # Django's own limit on a username; longer typed text is cut
DETAIL_LENGTH = 200


class AccessLogQuerySet(models.QuerySet):
    """Bulk updates and deletes would bypass the model's refusal; they are refused here too."""

    def update(self, **kwargs):
        raise ValidationError("访问记录只能新增，不能修改。")

    def delete(self):
        raise ValidationError("访问记录不能删除。")


class AccessLogEntry(models.Model):
    """Who saw or exported whose personal data, and when (PIPL; DESIGN.md sections 4 and 10).

    Append-only: the ORM refuses to change or delete an entry.
    """

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    # Empty only for a failed login, where nobody was signed in; `username` then keeps what was typed.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="工作人员", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    username = models.CharField("用户名", max_length=USERNAME_LOGGED_LENGTH, blank=True)
    address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    action = models.CharField("操作", max_length=40)
    subject_digest = models.CharField("居民（身份证号摘要）", max_length=64, blank=True, db_index=True)
    detail = models.CharField("说明", max_length=DETAIL_LENGTH, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = "个人信息访问记录"
        verbose_name_plural = "个人信息访问记录"
        ordering = ["-at"]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("访问记录只能新增，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("访问记录不能删除。")


# The username logged for what a resident does in 我的医保, where nobody of the staff is signed in.
RESIDENT_USERNAME = "（居民本人）"
# ... and for what someone not yet signed in tried there (asking for a code, typing one): the
# details typed name a resident, but whoever typed them has not shown to be that resident.
VISITOR_USERNAME = "（未验证身份的访客）"


def access_log_write(*, request, action: str, subject_digest: str = "", detail: str = "",
                     visitor: bool = False) -> None:
    """One entry for what the signed-in staff user did, or, on the resident's own pages (no staff
    user), for what the resident did: ``subject_digest`` then names the resident. ``visitor``: done
    by someone not signed in, about the resident ``subject_digest`` names (a sign-in attempt)."""
    staff = request.user.is_authenticated
    anonymous = VISITOR_USERNAME if visitor else RESIDENT_USERNAME
    AccessLogEntry.objects.create(
        user=request.user if staff else None,
        username=request.user.get_username()[:USERNAME_LOGGED_LENGTH] if staff else anonymous,
        address=client_address(request) or None, action=action, subject_digest=subject_digest,
        detail=detail[:DETAIL_LENGTH],
    )


def access_log_page(*, request, action: str, what: str, page) -> None:
    """One entry for a page of a list of people, never one per row: which list (with its filter),
    which page and how many people. ``page`` is a Django page or a keyset page."""
    access_log_write(request=request, action=action, detail=(
        f"{what}：第 {page.number} 页 {len(page.object_list)} 人，共 {page.paginator.count} 人"
    ))
