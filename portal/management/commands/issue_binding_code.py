"""A 绑定码 for a user who must add an authenticator (portal/accounts/binding_codes.py), printed once.

For the first officer of a new installation, whom no other officer can issue one to in the
admin; anyone who can run this command already holds the server."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import binding_codes
from portal.accounts.roles import has_authenticator, second_factor_required
from portal.privacy.models import AccessLogEntry


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
        if replace and second_factor_required(user):
            TOTPDevice.objects.filter(user=user).delete()
        if reason := binding_codes.refusal(user):
            raise CommandError(f"{username}：{reason}" + ("（加 --replace 删除原来的）" if has_authenticator(user) else "。"))
        code = binding_codes.shown(binding_codes.issue(user))
        AccessLogEntry.objects.create(user=None, username="manage.py", action="issue_binding_code",
                                      detail=f"为 {username} 发放{'（删除了原来的身份验证器）' if replace else ''}")
        self.stdout.write(f"{user.username} 的绑定码：{code}（{binding_codes.VALID_HOURS} 小时内有效，只显示这一次）")
