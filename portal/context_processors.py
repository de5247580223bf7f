from django.conf import settings

LARGE = "large"


def display(request) -> dict:
    """Whether the page is shown in the large-text, high-contrast mode (大字版)."""
    return {"large_display": request.COOKIES.get(settings.DISPLAY_COOKIE_NAME) == LARGE}
