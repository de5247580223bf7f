from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import m2m_changed, post_migrate, pre_save


class OfficerAdminConfig(admin_apps.AdminConfig):
    """The Django admin, open to officers only (clerks work in /station/)."""

    default = False
    default_site = "portal.accounts.admin_site.OfficerAdminSite"


class PortalConfig(AppConfig):
    default = True
    name = "portal"
    verbose_name = "服务网络"
    demo_loader = "portal.network.demo.load"

    # Permissions each role gets on this app's models; every app declares its own, and
    # portal.accounts.roles.groups_sync gathers them into the clerk and officer groups.
    group_permissions = {
        "clerk": ["portal.use_station", "portal.view_region", "portal.view_servicepoint"],
        "officer": [
            "portal.add_region", "portal.change_region", "portal.delete_region", "portal.view_region",
            "portal.add_servicepoint", "portal.change_servicepoint", "portal.delete_servicepoint",
            "portal.view_servicepoint", "portal.view_serviceitem",
            "portal.add_staffprofile", "portal.change_staffprofile", "portal.view_staffprofile",
            "portal.add_serviceguide", "portal.change_serviceguide", "portal.delete_serviceguide",
            "portal.view_serviceguide",
            "portal.add_policynotice", "portal.change_policynotice", "portal.delete_policynotice",
            "portal.view_policynotice",
            "portal.view_accesslogentry",
        ],
    }

    def ready(self) -> None:
        from django.contrib.auth.models import User
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from portal.accounts.audit import log_login, log_login_failed
        from portal.accounts.promotion import forget_on_officer_group, forget_on_staff_flags
        from portal.accounts.roles import groups_sync_after_migrate

        post_migrate.connect(groups_sync_after_migrate, sender=self)
        m2m_changed.connect(forget_on_officer_group, sender=User.groups.through, dispatch_uid="portal.accounts.promotion.group")
        pre_save.connect(forget_on_staff_flags, sender=User, dispatch_uid="portal.accounts.promotion.flags")
        user_logged_in.connect(log_login, dispatch_uid="portal.accounts.audit.log_login")
        user_login_failed.connect(log_login_failed, dispatch_uid="portal.accounts.audit.log_login_failed")
