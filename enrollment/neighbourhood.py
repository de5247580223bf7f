"""A village's part of a found lookup (enrollment/public_views.py): its region path, collection
year and service points. Public, the same for everyone living there, and built with several
queries, so it is kept for the day in the shared cache (portal/caching.py) and built again only
when a save changes what it shows. With thousands of villages a shorter expiry would rebuild
most villages' part on most visits."""

import logging
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from enrollment.models import ContributionStandard
from enrollment.selectors import current_collection_year
from portal.caching import Generation, remembered
from portal.models import Region, ServiceItem, ServicePoint
from portal.network import local_points
from portal.region_codes import Level

logger = logging.getLogger(__name__)

NEIGHBOURHOOD_SECONDS = 24 * 60 * 60

# Advanced by every save of what the part shows: region names and tree, service points and
# their services, published contribution standards (the collection year). One token for all
# villages: any such save builds every village's part again, once, when it is next looked up.
NEIGHBOURHOODS = Generation("lookup-neighbourhoods")
SHOWN_MODELS = (Region, ServicePoint, ServiceItem, ContributionStandard)


@dataclass(frozen=True)
class Neighbourhood:
    region_path: str  # "张店区 车站街道 和平社区"
    region_code: str
    collection_year: int | None
    local_points_html: SafeString  # the rendered 您的服务站 block


def neighbourhood(region_id: int, today: date) -> Neighbourhood:
    def build() -> Neighbourhood:
        region = Region.objects.get(pk=region_id)
        path = [r for r in region.ancestors() if r.level >= Level.COUNTY] + [region]
        return Neighbourhood(
            region_path=" ".join(r.name for r in path),
            region_code=region.code,
            collection_year=current_collection_year(region, today),
            local_points_html=render_to_string("enrollment/_lookup_local_points.html",
                                               {"local": local_points(region)}),
        )

    return remembered(f"lookup-neighbourhood:{region_id}:{today.isoformat()}", NEIGHBOURHOOD_SECONDS, build,
                      generation=NEIGHBOURHOODS)


def _advance_on_commit(using: str) -> None:
    # After the commit: a part built from the old rows before then must not get the new token.
    # Robust: when Redis is unreachable the save stands and the failure is logged; the parts
    # kept then are built again once Redis has lost them or the next save advances the token.
    transaction.on_commit(NEIGHBOURHOODS.advance, using=using, robust=True)


def _saved(sender, instance, using, **kwargs) -> None:
    if isinstance(instance, ContributionStandard) and instance.status != ContributionStandard.Status.PUBLISHED:
        return  # a draft is shown nowhere
    _advance_on_commit(using)


def _services_changed(sender, action, using, **kwargs) -> None:
    if action.startswith("post_"):  # not again for the pre_ signal of the same change
        _advance_on_commit(using)


def _migrated(**kwargs) -> None:
    """Every deploy migrates: data migrations send no save signals, and a new release may render
    the part differently, so parts kept before it are not used after it. A cache that cannot be
    reached must not stop a migration: the parts then last until they expire."""
    try:
        NEIGHBOURHOODS.advance()
    except Exception:
        logger.warning("Could not advance the lookup's village parts after migrate.", exc_info=True)


def follow_changes(app_config) -> None:
    """Connected once, from EnrollmentConfig.ready(). Saves made outside the ORM (SQL in a shell,
    ``QuerySet.update``) send no signal: follow them with ``NEIGHBOURHOODS.advance()``."""
    for model in SHOWN_MODELS:
        post_save.connect(_saved, sender=model, dispatch_uid=f"neighbourhood-save-{model._meta.label}")
        post_delete.connect(_saved, sender=model, dispatch_uid=f"neighbourhood-delete-{model._meta.label}")
    m2m_changed.connect(_services_changed, sender=ServicePoint.services.through, dispatch_uid="neighbourhood-services")
    post_migrate.connect(_migrated, sender=app_config, dispatch_uid="neighbourhood-migrate")
