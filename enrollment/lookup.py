"""What the public lookup (我参保了吗) shows about one person, and where they go for service.

The person is found by the digest of their ID number; only the masked ID number is read, never
the ciphertext. Other apps add sections to the page
(``lookup_sections``, portal/shared/extensions.py); the same query reads whether each section
has anything for the person, so a section's own query runs only for those who have.

The village's part of the page (its path, the year being collected, its service points) is the
same for everyone who lives there, and is kept in the cache for a few minutes.
"""

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import OuterRef

from enrollment.models import Enrollment, Resident
from enrollment.selectors import current_collection_year
from portal.network.codes import Level
from portal.network.models import Region
from portal.network.points import LocalPoints, local_points
from portal.shared.extensions import LookupSection, contributions

# A change of the service network or of a published standard shows on the lookup within this.
VILLAGE_SECONDS = 5 * 60


@dataclass(frozen=True)
class LookupRecord:
    resident: Resident
    sections: tuple[LookupSection, ...]  # the declared sections that have something for this person

    def enrollments(self) -> list[Enrollment]:
        """Read only once the name matched: a wrong name and an unknown number must cost the same."""
        return list(Enrollment.objects.filter(resident=self.resident).select_related("region").only(
            "resident_id", "year", "status", "region__name", "category", "assistance_category", "payable",
            "paid_at", "coverage_start", "coverage_end",
        ))


def lookup_record(digest: str) -> LookupRecord | None:
    """The person with this ID digest, in one query that also says which sections apply."""
    sections = contributions("lookup_sections")
    flags = {f"section_{index}": section.applies(OuterRef("pk")) for index, section in enumerate(sections)}
    resident = Resident.objects.filter(id_digest=digest).only("name", "id_masked", "region_id").annotate(**flags).first()
    if resident is None:
        return None
    found = tuple(section for index, section in enumerate(sections) if getattr(resident, f"section_{index}"))
    return LookupRecord(resident=resident, sections=found)


@dataclass(frozen=True)
class Village:
    """The part of a found lookup that is the same for everyone in the village."""

    path: str  # "张店区 车站街道 和平社区"
    code: str
    collection_year: int | None
    local: LocalPoints


def village_of(region_id: int, today: date) -> Village:
    def build() -> Village:
        region = Region.objects.get(pk=region_id)
        path = [r for r in region.ancestors() if r.level >= Level.COUNTY] + [region]
        return Village(path=" ".join(r.name for r in path), code=region.code,
                       collection_year=current_collection_year(region, today), local=local_points(region))

    return cache.get_or_set(f"lookup-village:{region_id}:{today.isoformat()}", build, VILLAGE_SECONDS)
