"""What an officer may read and write in the admin, by region.

An officer works for a region (their scope). They read and write what belongs to that region or
below; what belongs to a region above (their city, their province) they may read but not change,
because it is the work of the officers there; and another branch (a neighbouring county) they do
not see at all. Superusers see and change everything.
"""

from django.db.models import Q

from portal.accounts.scopes import staff_scope
from portal.network.models import Region


def _code_field(lookup: str) -> str:
    return f"{lookup}__code" if lookup else "code"


def branch_visible(user, lookup: str = "region") -> Q | None:
    """Rows whose region (``lookup``, "" for a Region itself) is the user's scope, below it or above
    it; None when the user has no scope."""
    if user.is_superuser:
        return Q()
    scope = staff_scope(user)
    if scope is None:
        return None
    code = _code_field(lookup)
    above = list(scope.ancestors().values_list("code", flat=True))
    return Q(**{f"{code}__startswith": scope.prefix}) | Q(**{f"{code}__in": above})


def branch_writable(user, lookup: str = "region") -> Q | None:
    """Rows whose region is the user's scope or below it; None when the user has no scope."""
    if user.is_superuser:
        return Q()
    scope = staff_scope(user)
    return None if scope is None else Q(**{f"{_code_field(lookup)}__startswith": scope.prefix})


def may_write(user, region) -> bool:
    """Whether ``region``'s objects are the user's to change."""
    if user.is_superuser:
        return True
    scope = staff_scope(user)
    return scope is not None and region is not None and region.code.startswith(scope.prefix)


class BranchScopedAdminMixin:
    """Put first in the bases of an admin whose objects belong to a region: the officer's branch is visible, objects of a region above
    the officer's scope are read-only, other branches invisible; a region chosen in a form is
    one the officer may write."""

    branch_lookup = "region"  # the path from the model to its Region, "" for Region itself

    def get_queryset(self, request):
        visible = branch_visible(request.user, self.branch_lookup)
        queryset = super().get_queryset(request)
        return queryset.none() if visible is None else queryset.filter(visible)

    def _writable(self, request, obj) -> bool:
        if obj is None:
            return True
        region = obj
        for name in filter(None, self.branch_lookup.split("__")):
            region = getattr(region, name)
        return may_write(request.user, region)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._writable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._writable(request, obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model is Region and not request.user.is_superuser:
            writable = branch_writable(request.user, "")
            field.queryset = field.queryset.none() if writable is None else field.queryset.filter(writable)
        return field
