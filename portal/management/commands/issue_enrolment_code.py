"""A 绑定码 for a user who must add an authenticator (portal/enrolment_codes.py), printed once.

For the first officer of a new installation, whom no other officer can issue one to in the
admin; anyone who can run this command already holds the server."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import enrolment_codes
from portal.models import AccessLogEntry
from portal.two_factor import has_authenticator, second_factor_required


class Command(BaseCommand):
    help = "Issue a one-time code (绑定码) with which USERNAME adds an authenticator."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--replace", action="store_true",
                            help="delete the user's authenticators first (a lost phone with no one to reset it)")

    def handle(self, *args, username: str, replace: bool, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有名为“{username}”的有效用户，请核对用户名。")
        if not second_factor_required(user):
            raise CommandError(f"{username} 是经办人员，可自行添加身份验证器，不需要绑定码。")
        if has_authenticator(user) and not replace:
            raise CommandError(f"{username} 已有身份验证器。手机丢失的，加 --replace 删除原来的再发放。")
        if replace:
            TOTPDevice.objects.filter(user=user).delete()
        code = enrolment_codes.shown(enrolment_codes.issue(user))
        AccessLogEntry.objects.create(user=None, username="manage.py", action="issue_enrolment_code",
                                      detail=f"为 {username} 发放{'（删除了原来的身份验证器）' if replace else ''}")
        hours = int(enrolment_codes.VALID_FOR.total_seconds() // 3600)
        self.stdout.write(f"{user.username} 的绑定码：{code}（{hours} 小时内有效，只显示这一次）")
