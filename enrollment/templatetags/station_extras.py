"""Station navigation links that other apps contribute (portal/shared/extensions.py, hook
``station_nav_links``), so that enrollment's pages link to them without importing them."""

from django import template
from django.template.loader import render_to_string

from portal.shared.extensions import contributions

register = template.Library()


@register.simple_tag(takes_context=True)
def station_nav_links(context) -> str:
    request = context.get("request")
    if request is None:
        return ""
    links = [link for contribute in contributions("station_nav_links") for link in contribute(request)]
    return render_to_string(
        "enrollment/_station_nav_links.html", {"links": links, "current": request.path}
    )
