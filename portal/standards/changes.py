"""What changed from one revision of a standard to the next, field by field and row by row of its
parts, for the officers' pages: a revision is a new row, so the history of one row never shows
that 410 became 430."""

from dataclasses import dataclass
from datetime import date

from django.db import models

from portal.standards.versioned import VersionedStandard

# Bookkeeping of a revision, different in every revision and shown elsewhere on the page.
NOT_COMPARED = {"id", "revision", "status", "supersedes", "published_at", "published_by"}


@dataclass(frozen=True)
class Change:
    what: str  # the field, or the part's row and field
    old: str
    new: str


def _shown(obj, field) -> str:
    if field.choices:
        value = getattr(obj, f"get_{field.name}_display")()
    else:
        value = getattr(obj, field.name)
    return "—" if value in (None, "") else str(value)


def _fields(model, leave_out: set[str]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if field.name not in leave_out]


def _row_key(model, row) -> tuple:
    """A part's row is matched across revisions by its unique fields (the category, the hospital
    level), or by all of its values when it has none."""
    parent = model.standard_field
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.condition is None:
            names = [name for name in constraint.fields if name != parent]
            if names:
                return tuple(_shown(row, model._meta.get_field(name)) for name in names)
    return tuple(_shown(row, field) for field in _fields(model, {"id", parent}))


def revision_changes(standard: VersionedStandard) -> list[Change]:
    """The differences between ``standard`` and the revision it supersedes; empty for a first one."""
    earlier = standard.supersedes
    return [] if earlier is None else changes_between(earlier, standard)


def compared_with(standard: VersionedStandard) -> VersionedStandard | None:
    """What publishing ``standard`` changes from: the revision it supersedes, or for a year's
    first revision the one in force at the end of the year before (None for a first year)."""
    if standard.supersedes_id:
        return standard.supersedes
    return type(standard).objects.in_force(year=standard.year - 1, region=standard.region,
                                           on=date(standard.year - 1, 12, 31))


def changes_between(earlier: VersionedStandard, standard: VersionedStandard) -> list[Change]:
    """Every field and part row of ``standard`` that differs from ``earlier`` (the year and the
    notes apart: they always differ between years)."""
    leave_out = NOT_COMPARED | ({"year", "notes"} if earlier.year != standard.year else set())
    changes = [
        Change(str(field.verbose_name), _shown(earlier, field), _shown(standard, field))
        for field in _fields(type(standard), leave_out)
        if _shown(earlier, field) != _shown(standard, field)
    ]
    for relation in type(standard).child_relations:
        model = type(standard)._meta.get_field(relation).related_model
        label = str(model._meta.verbose_name)
        old = {_row_key(model, row): row for row in getattr(earlier, relation).all()}
        new = {_row_key(model, row): row for row in getattr(standard, relation).all()}
        for key in sorted(old.keys() | new.keys()):
            name = f"{label}（{'，'.join(key)}）"
            if key not in new:
                changes.append(Change(name, "有", "删除"))
            elif key not in old:
                changes.append(Change(name, "无", "新增"))
            else:
                for field in _fields(model, {"id", model.standard_field}):
                    if _shown(old[key], field) != _shown(new[key], field):
                        changes.append(Change(f"{name}：{field.verbose_name}", _shown(old[key], field),
                                              _shown(new[key], field)))
    return changes
