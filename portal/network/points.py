"""Reads of the service network for residents: which points serve a village, and a point's
parent station. Used by the service-point pages, the premium page and the coverage lookup."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from portal.network.codes import Level
from portal.network.models import Region, ServiceItem, ServicePoint

# Points that are offices of the insurance administration, from the township up; the parent
# station of a point is the nearest of these above it.
OFFICE_KINDS = (
    ServicePoint.Kind.TOWNSHIP_STATION,
    ServicePoint.Kind.COUNTY_HALL,
    ServicePoint.Kind.CITY_HALL,
)


def points():
    """Active points with what the pages show about them, in two queries however many."""
    return (
        ServicePoint.objects.active()
        .select_related("region")
        .prefetch_related(Prefetch("services", queryset=ServiceItem.objects.order_by("order")))
    )


@dataclass
class LocalPoints:
    """Where a resident of ``region`` goes: their village point and their township station.

    ``fallback`` is set only when the region is a village without a point of its own: the point
    of the township to go to instead (the township station, or the first point of the township
    when it has none). ``others`` are the other points of the same township.
    """

    region: Region
    township: Region | None
    village_point: ServicePoint | None = None
    township_station: ServicePoint | None = None
    fallback: ServicePoint | None = None
    others: list[ServicePoint] = field(default_factory=list)

    @property
    def missing_village_point(self) -> bool:
        return self.region.level == Level.VILLAGE and self.village_point is None


def township_of(region: Region) -> Region | None:
    if region.level == Level.TOWNSHIP:
        return region
    if region.level < Level.TOWNSHIP:
        return None
    return next((r for r in region.ancestors() if r.level == Level.TOWNSHIP), None)


def local_points(region: Region) -> LocalPoints:
    township = township_of(region)
    result = LocalPoints(region=region, township=township)
    if township is None:
        return result
    in_township = list(points().within(township).order_by("region__code", "name"))
    for point in in_township:
        if point.kind == ServicePoint.Kind.TOWNSHIP_STATION and point.region_id == township.pk:
            result.township_station = result.township_station or point
        elif point.kind == ServicePoint.Kind.VILLAGE_POINT and point.region_id == region.pk:
            result.village_point = result.village_point or point
    shown = {p.pk for p in (result.village_point, result.township_station) if p}
    result.others = [p for p in in_township if p.pk not in shown]
    if result.missing_village_point:
        result.fallback = result.township_station or next(iter(result.others), None)
    return result


def parent_station(point: ServicePoint) -> ServicePoint | None:
    """The nearest office above the point: a village point's township station, a township
    station's county hall, a county hall's city hall. Found by the codes of the ancestors."""
    ancestors = [r for r in point.region.ancestors() if r.level >= Level.CITY]
    if point.kind not in OFFICE_KINDS:
        # A village point, hospital or bank also answers to an office in its own region's tree,
        # starting with the region it serves when that region has one (a township's bank).
        ancestors.append(point.region)
    if not ancestors:
        return None
    candidates = (
        ServicePoint.objects.active()
        .filter(region__in=ancestors, kind__in=OFFICE_KINDS)
        .exclude(pk=point.pk)
        .select_related("region")
    )
    return max(candidates, key=lambda p: (p.region.level, -OFFICE_KINDS.index(p.kind)), default=None)
