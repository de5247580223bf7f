"""Rendering a 我的医保 page: every page gets the resident's masked name for its header."""

from django.shortcuts import render

from portal.privacy.id_numbers import mask_name


def render_mine(request, template: str, context: dict | None = None, *, status: int = 200):
    """``render`` for a page of templates/my_insurance/base.html (``request.resident`` set)."""
    return render(request, template, {"resident_masked_name": mask_name(request.resident.name), **(context or {})},
                  status=status)
