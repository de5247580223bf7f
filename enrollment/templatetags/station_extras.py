"""The station navigation: enrollment's own pages and the links other apps contribute
(portal/shared/extensions.py, hook ``station_nav_links``), which enrollment shows without
importing them."""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse

from portal.shared.extensions import contributions

register = template.Library()

OWN_LINKS = (
    ("station:home", "概况"),
    ("station:resident_search", "查找居民"),
    ("station:resident_create", "新登记居民"),
    ("station:progress", "参保进度"),
    ("station:uninsured", "未参保名单"),
    ("station:follow_up", "追缴名单"),
    ("station:roll_import", "批量导入"),
    ("station:collective", "集体代缴"),
    ("station:tax_vouchers", "税务对账"),
    ("station:moves", "迁移（转移接续）"),
)


@register.simple_tag(takes_context=True)
def station_nav(context) -> str:
    request = context.get("request")
    if request is None:
        return ""
    links = [(reverse(name), label) for name, label in OWN_LINKS]
    links += [link for contribute in contributions("station_nav_links") for link in contribute(request)]
    return render_to_string("station/_nav.html", {"links": links, "current": _current(request.path, links)})


@register.filter
def masked_phone(phone: str) -> str:
    """139****1234: officers of a county or city see whom to call through the station, not the number."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 11 else ("****" if phone else "")


@register.filter
def under(code: str, prefix: str) -> bool:
    """Whether a region code lies in the scope with this prefix (the clerk may open its records)."""
    return bool(prefix) and str(code).startswith(prefix)


@register.filter
def percent(fraction) -> str:
    """0.9512 -> "95.12%"; nothing to count -> "—"."""
    if fraction is None or fraction == "":
        return "—"
    return f"{fraction * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _current(path: str, links: list[tuple[str, str]]) -> str | None:
    """The link of the page shown: the page itself, else the longest link the page is under
    (a resident's page is under 查找居民); never the station home for a page under it."""
    home = links[0][0]
    if path == home:
        return home
    under = [url for url, _ in links if url != home and path.startswith(url)]
    return max(under, key=len, default=None)
