"""A 绑定码 for a user who must add an authenticator (portal/enrolment_codes.py), printed once.

For the first officer of a new installation, whom no other officer can issue one to in the
admin; anyone who can run this command already holds the server."""

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from portal import enrolment_codes


class Command(BaseCommand):
    help = "Issue a one-time code (绑定码) with which USERNAME adds an authenticator."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有名为“{username}”的有效用户，请核对用户名。")
        code = enrolment_codes.shown(enrolment_codes.issue(user))
        hours = int(enrolment_codes.VALID_FOR.total_seconds() // 3600)
        self.stdout.write(f"{user.username} 的绑定码：{code}（{hours} 小时内有效，只显示这一次）")
