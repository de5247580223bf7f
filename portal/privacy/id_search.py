"""Finding a person in the admin by full ID number, without the number ever entering a URL.

The admin's search box is a GET form: a number typed there lands in the address bar, the browser
history and every proxy's log (OWASP ASVS 14.2.1). So the box refuses a full number and points to
"按身份证号查找", a POST form that lists the matching records of the officer's own scope.
"""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from portal.privacy.id_numbers import IdNumberError, parse_id_number
from portal.privacy.id_vault import id_digest
from portal.privacy.models import access_log_write

# Eighteen characters of digits (the last may be X), full-width digits included.
LOOKS_LIKE_FULL_NUMBER = re.compile(r"^\s*[0-9０-９]{17}[0-9０-９Xx]\s*$")
MATCHES_SHOWN = 50


class IdNumberFindMixin:
    """For a ModelAdmin whose rows belong to a person: ``id_digest_lookup`` is the path from the
    model to the ID digest ("id_digest", "resident__id_digest", ...)."""

    id_digest_lookup = "id_digest"
    change_list_template = "admin/id_find_change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        find = path("find/", self.admin_site.admin_view(self.id_find_view), name="%s_%s_find" % info)
        return [find, *super().get_urls()]

    def get_search_results(self, request, queryset, search_term):
        if LOOKS_LIKE_FULL_NUMBER.match(search_term or ""):
            messages.warning(
                request, "为保护个人信息，搜索框不查完整身份证号（它会出现在网址里）。请用右上角的“按身份证号查找”。"
            )
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def id_find_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        matches, error, typed = None, "", ""
        if request.method == "POST":
            typed = request.POST.get("id_number", "")
            try:
                number = parse_id_number(typed.strip(), today=timezone.localdate()).number
            except IdNumberError as refused:
                error = str(refused)
            else:
                digest = id_digest(number)
                matches = list(self.get_queryset(request).filter(**{self.id_digest_lookup: digest})[:MATCHES_SHOWN])
                access_log_write(request=request, action="find_by_id_number", subject_digest=digest,
                                 detail=f"按身份证号查找{self.opts.verbose_name}：{len(matches)} 条（管理后台）")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "title": f"按身份证号查找{self.opts.verbose_name}",
            "matches": matches, "error": error,
        }
        return TemplateResponse(request, "admin/id_find.html", context)
