"""The resident's household on 我的医保: each member masked (name and ID number), their age group
and their status in the year that matters today. Nothing else of other people is read."""

from dataclasses import dataclass
from datetime import date

from enrollment.models import Enrollment, Resident
from enrollment.selectors import year_that_matters
from portal.privacy.id_numbers import mask_name

NOT_ENROLLED = "未参保"
UNPAID = "已参保，还没有缴费"


@dataclass(frozen=True)
class Member:
    masked_name: str
    masked_id: str
    age_group: str
    status: str
    is_self: bool

    @property
    def needs_action(self) -> bool:
        """Not enrolled, or enrolled and not paid: what the family should see first."""
        return self.status in (NOT_ENROLLED, UNPAID)


def age_group(age: int) -> str:
    if age < 18:
        return "未满18周岁"
    return "18至59周岁" if age < 60 else "60周岁及以上"


def household_year(resident: Resident, today: date) -> int:
    """The year the statuses are for: the year being collected, else the year in force."""
    return year_that_matters(resident.region, today) or today.year


def household_members(resident: Resident, *, year: int, today: date) -> list[Member]:
    """The resident first, then the others by age, oldest first. Someone registered with no
    household is a household of one."""
    people = [resident]
    if resident.household_id is not None:
        people = list(Resident.objects.filter(household_id=resident.household_id).only(
            "name", "id_masked", "birth_date", "date_of_death", "moved_out_on",
            "household_id"))
    people.sort(key=lambda person: (person.pk != resident.pk, person.birth_date, person.pk))
    enrollments = {
        e.resident_id: e for e in Enrollment.objects.active().filter(resident__in=[p.pk for p in people], year=year)
    }
    return [
        Member(masked_name=mask_name(person.name),
               masked_id=person.id_masked,
               age_group=age_group(person.age_on(today)), status=_status(person, enrollments.get(person.pk), today),
               is_self=person.pk == resident.pk)
        for person in people
    ]


def _status(person: Resident, enrollment: Enrollment | None, today: date) -> str:
    if person.date_of_death is not None:
        return "已去世"
    if person.moved_out_on is not None and person.moved_out_on <= today:
        return "已迁出本统筹区"
    if enrollment is None:
        return NOT_ENROLLED
    if not enrollment.is_paid:
        return UNPAID
    return "已参保，已缴费" if enrollment.payable else "已参保（全额资助，个人不用缴费）"
