"""The two staff roles, as Django groups with real permissions, and who must pass a second factor.

Each app lists what its roles may do in `AppConfig.group_permissions`; this module only gathers
them, so portal knows no other app by name.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django_otp import devices_for_user

CLERK = "clerk"
OFFICER = "officer"
# A designated hospital's newborn desk (新生儿参保…下放至定点医疗机构): registers and enrols the
# newborns born there and reaches no other page (enrollment/life_events/newborn_views.py).
HOSPITAL_CLERK = "hospital_clerk"
ROLES = (CLERK, OFFICER, HOSPITAL_CLERK)


def declared_permissions() -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = {role: set() for role in ROLES}
    for config in apps.get_app_configs():
        for role, names in getattr(config, "group_permissions", {}).items():
            wanted[role].update(names)
    return wanted


def groups_sync() -> None:
    """Make each group hold exactly the permissions the apps declare for it."""
    for role, names in declared_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for name in sorted(names):
            app_label, codename = name.split(".", 1)
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


def groups_sync_after_migrate(sender, using="default", **kwargs) -> None:
    # post_migrate runs app by app; make sure every app's permissions exist before assigning.
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    groups_sync()


def second_factor_required(user) -> bool:
    """Officers (and superusers and anyone with is_staff) need a second factor; clerks may add one."""
    return user.is_superuser or user.is_staff or user.groups.filter(name=OFFICER).exists()


def has_authenticator(user) -> bool:
    return any(devices_for_user(user, confirmed=True))
