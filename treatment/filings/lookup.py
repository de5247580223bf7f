"""This service's section of the public lookup (portal/shared/extensions.py, LookupSection)."""

from datetime import date

from django.db.models import Exists, OuterRef

from portal.shared.extensions import LookupSection
from treatment.filings.models import Filing

LOOKUP_FILINGS_SHOWN = 5


def _filings_of(resident_id: int, *, today: date) -> dict | None:
    """The person's own filings: kind, place, dates and state; no names."""
    filings = Filing.objects.filter(resident_id=resident_id).order_by("-recorded_at", "-pk")[:LOOKUP_FILINGS_SHOWN]
    lines = [f"{filing.get_kind_display()}：{filing.place}，{filing.validity}，{filing.state_on(today)}" for filing in filings]
    return {"title": "异地就医备案", "lines": lines} if lines else None


def _has_filed(resident: OuterRef) -> Exists:
    return Exists(Filing.objects.filter(resident=resident))


LOOKUP_FILINGS = LookupSection(applies=_has_filed, build=_filings_of)
