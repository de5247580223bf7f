"""What treatment adds to the enrollment app's pages, which never import it: links in the
station navigation and sections of the public lookup. Each is named in TreatmentConfig and
meets its hook's contract in portal/shared/extensions.py."""

from django.http import HttpRequest
from django.urls import reverse

from treatment.chronic.lookup import LOOKUP_RECOGNITIONS
from treatment.claims.lookup import LOOKUP_CLAIMS
from treatment.filings.lookup import LOOKUP_FILINGS

__all__ = ["station_nav_links", "LOOKUP_FILINGS", "LOOKUP_CLAIMS", "LOOKUP_RECOGNITIONS"]


def station_nav_links(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (reverse("treatment:filings"), "异地就医备案"),
        (reverse("treatment:claims"), "零星报销"),
        (reverse("treatment:recognitions"), "慢特病认定"),
    ]
