"""Reads of the assistance identity pages."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef

from assistance.identities.rules import strongest_category
from assistance.models import AssistanceIdentity
from enrollment.models import Enrollment, Resident
from portal.network.codes import Level
from portal.network.models import Region
from portal.shared.vocabulary import AssistanceCategory

UNREGISTERED = "未登记"


@dataclass(frozen=True)
class UninsuredRow:
    name: str
    id_masked: str
    category: AssistanceCategory
    village: str  # the resident's village, or 未登记
    phone: str
    resident_id: int | None


def _categories_by_digest(identities) -> dict[str, AssistanceCategory]:
    found: dict[str, set[AssistanceCategory]] = {}
    for digest, category in identities.values_list("id_digest", "category"):
        found.setdefault(digest, set()).add(AssistanceCategory(category))
    return {digest: strongest_category(categories) for digest, categories in found.items()}


def uninsured(scope: Region, *, year: int, on: date) -> list[UninsuredRow]:
    """应保尽保: people with a verified identity current on ``on`` and no enrollment for ``year``.

    Registered people are in scope by their village. People not registered yet have no village;
    their ID number's address code (the 6 digits a masked number keeps) names a county, so they
    are shown to staff whose scope is that county or above, never to a township's clerks, who
    could not tell whether the person lives in their township."""
    current = AssistanceIdentity.objects.current(on)
    enrolled = Enrollment.objects.active().for_year(year).filter(resident=OuterRef("pk"))
    residents = (
        # Living and still in the city: someone who moved out enrols where they went.
        Resident.objects.within(scope).living().filter(moved_out_on__isnull=True)
        .filter(id_digest__in=current.values("id_digest"))
        .exclude(Exists(enrolled))
        .select_related("region")
    )
    rows = []
    resident_list = list(residents)
    categories = _categories_by_digest(current.filter(id_digest__in=[r.id_digest for r in resident_list]))
    for resident in resident_list:
        rows.append(UninsuredRow(
            name=resident.name, id_masked=resident.id_masked, category=categories[resident.id_digest],
            village=resident.region.name, phone=resident.phone, resident_id=resident.pk,
        ))
    if scope.level <= Level.COUNTY:
        unregistered = current.filter(id_masked__startswith=scope.prefix).exclude(
            Exists(Resident.objects.filter(id_digest=OuterRef("id_digest")))
        )
        people: dict[str, tuple[str, str]] = {}
        found: dict[str, set[AssistanceCategory]] = {}
        for digest, name, id_masked, category in unregistered.order_by("-valid_from").values_list(
            "id_digest", "name", "id_masked", "category"
        ):
            people.setdefault(digest, (name, id_masked))  # the newest list's spelling of the name
            found.setdefault(digest, set()).add(AssistanceCategory(category))
        for digest, (name, id_masked) in people.items():
            rows.append(UninsuredRow(
                name=name, id_masked=id_masked, category=strongest_category(found[digest]),
                village=UNREGISTERED, phone="", resident_id=None,
            ))
    rows.sort(key=lambda row: (row.village == UNREGISTERED, row.village, row.name, row.id_masked))
    return rows
