"""A user who becomes one who must pass a second factor (an officer, staff, a superuser) starts
without an authenticator, and adds one with a 绑定码 (portal/accounts/binding_codes.py).

Clerks may add an authenticator with their password alone. Kept after a promotion, one that
someone else added with a clerk's stolen password would open the admin without any 绑定码.
Connected in PortalConfig.ready."""

from django.contrib.auth.models import Group, User
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.roles import OFFICER, second_factor_required


def forget_on_officer_group(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """m2m_changed of User.groups, from either side, before officers are added."""
    if action != "pre_add" or not pk_set:
        return
    if reverse:  # group.user_set.add(user, ...)
        if instance.name != OFFICER:
            return
        users = User.objects.filter(pk__in=pk_set)
    else:  # user.groups.add(group, ...)
        if not Group.objects.filter(pk__in=pk_set, name=OFFICER).exists():
            return
        users = [instance]
    for user in users:
        if not second_factor_required(user):
            TOTPDevice.objects.filter(user=user).delete()


def forget_on_staff_flags(sender, instance, update_fields=None, **kwargs) -> None:
    """pre_save of User: is_staff or is_superuser turned on for a user who needed no code."""
    if instance.pk is None or not (instance.is_staff or instance.is_superuser):
        return
    if update_fields is not None and not {"is_staff", "is_superuser"} & set(update_fields):
        return  # last_login and the like
    before = User.objects.filter(pk=instance.pk).first()
    if before is not None and not second_factor_required(before):
        TOTPDevice.objects.filter(user=instance).delete()
