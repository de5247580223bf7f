import factory
from django.contrib.auth.models import Group, User

from portal.accounts.models import StaffProfile
from portal.network.models import Region, ServicePoint


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "370000000000"
    name = factory.Sequence(lambda n: f"区划{n}")
    parent = None


def region_chain(*codes: str) -> list[Region]:
    """Regions for each code, each the parent of the next: region_chain('37', '3703', ...)."""
    chain: list[Region] = []
    for code in codes:
        chain.append(RegionFactory(code=code.ljust(12, "0"), parent=chain[-1] if chain else None))
    return chain


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint

    name = factory.Sequence(lambda n: f"服务点{n}")
    kind = ServicePoint.Kind.VILLAGE_POINT
    region = factory.SubFactory(RegionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "a-long-test-password")

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        if create and names:
            self.groups.set(Group.objects.filter(name__in=names))
            self.save()


def staff_user(*, role: str, scope: Region | None, **kwargs) -> User:
    user = UserFactory(groups=[role], is_staff=(role == "officer"), **kwargs)
    if scope is not None:
        StaffProfile.objects.create(user=user, scope=scope)
    return user


def published_contribution_standard(year: int, region_code: str = "370300000000"):
    """A published contribution standard of ``year`` with a subsidy row for every category, for
    tests of what needs one (a benefit policy is published only after its year's standard)."""
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from enrollment.models import AssistanceSubsidy, ContributionStandard
    from portal.shared.vocabulary import AssistanceCategory

    standard = ContributionStandard.objects.create(
        year=year, region=Region.objects.get(code=region_code), contribution_adult=Decimal("500.00"),
        contribution_student_child=Decimal("400.00"), fiscal_subsidy=Decimal("700.00"),
        window_start=date(year - 1, 9, 1), window_end=date(year - 1, 12, 31),
    )
    for category in AssistanceCategory:
        AssistanceSubsidy.objects.create(standard=standard, category=category.value, amount=Decimal("0.00"))
    ContributionStandard.objects.filter(pk=standard.pk).update(status="published", published_at=timezone.now())
    return standard
