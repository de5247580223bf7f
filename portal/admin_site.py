from django.contrib import admin

from portal.roles import OFFICER


class OfficerAdminSite(admin.AdminSite):
    site_header = "城乡居民医保 政策与标准管理"
    site_title = "医保管理后台"
    index_title = "管理首页"

    def has_permission(self, request) -> bool:
        """Officers (and superusers) only: a clerk with is_staff set by mistake still stays out."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        return user.is_superuser or user.groups.filter(name=OFFICER).exists()
