"""Record-level access everywhere (ASVS 8.2.2; 等保 2.0 8.1.4.2): every address that takes an
object id keeps to the user's scope.

The addresses are discovered from the URL configuration, not listed by hand: each one that
takes an id must appear below with a way to make an object of 车站街道 for it, or with the
reason it needs no scope. A new address that is in neither list fails
`test_every_address_with_an_object_id_has_a_scope_rule`, naming it.

Then, for every such address and object:
- a clerk of another township (公园街道) gets 404, for GET and POST, exactly as for an id that
  does not exist (a POST-only page may answer GET with 405, also exactly as for a missing id);
- an officer of another county (淄川区), or of another city for the city-wide standards, gets on
  the admin pages what they get for an id that does not exist (404, or the admin's
  "does not exist" redirect, or 403) and never the page;
- an anonymous visitor is sent to sign in;
- and someone inside the scope does reach the object, so that the checks above cannot pass
  because the object was never there.
"""

import io
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import F
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from portal.network.demo import DEMO_PASSWORD
from tests.logins import otp_login

# --- discovery ------------------------------------------------------------------------------


def _installed_label(label: str) -> bool:
    return any(config.label == label for config in apps.get_app_configs())


# A path converter (<int:pk>) or a regex group (([^/]+), (?P<x>...)) in a route: an object id.
PARAMETER = re.compile(r"<[^>]+>|\(\?P<\w+>[^)]*\)|\(\[\^/\]\+\)")
MISSING_ID = "987654321"


@dataclass(frozen=True)
class Address:
    route: str  # the whole route, prefixes joined, regex anchors removed
    name: str | None

    @property
    def has_parameters(self) -> bool:
        return bool(PARAMETER.search(self.route))

    @property
    def area(self) -> str:
        for area in ("station", "admin", "api"):
            if self.route.startswith(f"{area}/"):
                return area
        if self.route.startswith("my/"):  # 我的医保: the signed-in resident's own pages
            return "resident"
        return "public"

    @property
    def admin_model(self) -> str | None:
        """"app_label.model_name" of an admin page of one model, else None."""
        match = re.match(r"admin/(\w+)/(\w+)/", self.route)
        if not match or not _installed_label(match[1]):
            return None
        return f"{match[1]}.{match[2]}"

    def url(self, *values) -> str:
        parts = iter(str(value) for value in values)
        return "/" + PARAMETER.sub(lambda _: next(parts), self.route)


def addresses() -> list[Address]:
    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                found.append(Address(route, f"{namespace}{pattern.name}" if pattern.name else None))

    walk(get_resolver().url_patterns, "", "")
    return found


# --- the scope rules ------------------------------------------------------------------------

# Station pages with an object id -> which demo object of 车站街道 they take.
STATION_OBJECTS = {
    "station:resident": "resident", "station:resident_edit": "resident", "station:resident_death": "resident",
    "station:resident_move_out": "resident",
    "station:resident_id_number": "newborn", "station:newborn": "newborn",
    "station:enroll": "resident", "station:insured_elsewhere": "resident",
    "station:enrollment": "enrollment", "station:payment_create": "enrollment", "station:refund_create": "enrollment",
    "station:receipt": "payment",
    "station:tax_voucher_resolve": "tax_voucher",
    "station:duplicate_resolve": "duplicate",
    "station:collective_detail": "collective",
    "assistance:application": "application", "assistance:application_step": "application",
    "assistance:attachment_upload": "application",
    "assistance:attachment": "attachment",
    "assistance:alert": "alert", "assistance:alert_acknowledge": "alert", "assistance:alert_resolve": "alert",
    "treatment:filing": "filing", "treatment:filing_print": "filing", "treatment:filing_cancel": "filing",
    "treatment:filing_change": "filing", "treatment:filing_attachment_upload": "filing",
    "treatment:filing_attachment": "filing_attachment",
    "treatment:claim": "claim", "treatment:claim_step": "claim", "treatment:claim_attachment_upload": "claim",
    "treatment:claim_attachment": "claim_attachment",
    "treatment:recognition": "recognition", "treatment:recognition_decide": "recognition",
    "treatment:recognition_attachment_upload": "recognition", "treatment:recognition_attachment": "recognition_attachment",
}
# Station pages without an object id: lists and forms that show only the user's own scope.
STATION_WITHOUT_ID = {
    "station:home", "station:resident_search", "station:resident_create", "station:follow_up",
    "station:tax_vouchers", "station:duplicates",
    "station:moves", "station:move_take_in",
    "station:newborns", "station:newborn_create",
    "station:progress", "station:uninsured",
    "station:roll_import", "station:roll_import_confirm", "station:roll_import_result", "station:roll_template",
    "station:collective", "station:collective_confirm",
    "assistance:uninsured", "assistance:applications", "assistance:application_create", "assistance:alerts",
    "treatment:filings", "treatment:filing_create",
    "treatment:claims", "treatment:claim_create", "treatment:claim_payments",
    "treatment:recognitions", "treatment:recognition_create",
}
# API endpoints with an object id -> demo object. There are none yet: the API answers public
# questions (premium, estimate, service points) and takes no id of anyone's record.
API_OBJECTS: dict[str, str] = {}
API_WITHOUT_ID = {"api_service_points", "api_benefits_estimate", "api_premium", "api_openapi", "api"}
# Public pages that take an id or a code: public information, the same for everyone.
PUBLIC_WITH_ID = {
    "display": "the large-text display mode of the visitor's own browser",
    "service_points_area": "the public service network",
    "service_point": "the public service network",
    "guide": "published service guides",
    "notice": "published policy notices",
    "receipt_verify": "a receipt's check code shows a masked name, year and paid or not (by design)",
    "filing_verify": "a filing's check code shows a masked name, kind, place and dates (by design)",
    "proof_verify": "a 参保证明's check code shows a masked name, the years and whether each still holds (by design)",
}

# 我的医保 pages with an object id -> (demo object of 王秀兰's, the attribute the address takes).
# Another resident gets 404 for them exactly as for an id that does not exist.
RESIDENT_OBJECTS = {
    "my_insurance:proof": ("proof", "verification_code"),
    "my_insurance:proof_pdf": ("proof", "verification_code"),
    "my_insurance:filing_cancel": ("online_filing", "pk"),
    "my_insurance:filing_print": ("online_filing", "pk"),
}
# 我的医保 pages without an object id, and why they need no scope rule.
RESIDENT_WITHOUT_ID = {
    "my_insurance:sign_in": "the sign-in form; what it answers is the same for anyone (tests/my_insurance/signin)",
    "my_insurance:sign_in_code": "the code form of the sign-in this session started, nobody's data",
    "my_insurance:sign_out": "ends the session's own sign-in",
    "my_insurance:home": "the signed-in resident's own years, read through request.resident",
    "my_insurance:care": "the signed-in resident's own settlements and claims",
    "my_insurance:assistance": "the signed-in resident's own identities, applications and filings",
    "my_insurance:household": "the signed-in resident's own household, others masked",
    "my_insurance:proofs": "the signed-in resident's own years and proofs",
    "my_insurance:filings": "the signed-in resident's own filings",
    "my_insurance:filing_new": "a form filing for the signed-in resident only",
}

# Admin pages of one model that hold personal data: scoped to the officer's region.
# model -> (demo object, which outsider must not see it)
ADMIN_SCOPED = {
    "enrollment.resident": ("resident", "county"),
    "enrollment.household": ("household", "county"),
    "enrollment.enrollment": ("enrollment", "county"),
    "enrollment.payment": ("payment", "county"),
    "enrollment.refund": ("refund", "county"),
    "enrollment.death": ("death", "county"),
    # The rows of a death list it could not record: seen by officers of the importer's scope.
    "enrollment.deathimportproblem": ("death_import_problem", "county"),
    "assistance.assistanceidentity": ("identity", "county"),
    "assistance.application": ("application", "county"),
    "assistance.settlement": ("settlement", "county"),
    "assistance.highcostalert": ("alert", "county"),
    "assistance.reassistancegrant": ("grant", "county"),
    "assistance.paymentbatch": ("batch", "county"),
    "assistance.paymentbatchitem": ("batch_item", "county"),
    "portal.accesslogentry": ("log_entry", "county"),
    "treatment.filing": ("filing", "county"),
    "treatment.claim": ("claim", "county"),
    "treatment.chronicrecognition": ("recognition", "county"),
    # Standards and thresholds belong to a pooling region (the city): other cities' officers.
    "enrollment.contributionstandard": ("contribution_standard", "city"),
    "enrollment.assistancesubsidy": ("assistance_subsidy", "city"),
    "benefits.benefitpolicy": ("benefit_policy", "city"),
    "benefits.inpatientlevelrule": ("inpatient_rule", "city"),
    "benefits.catastrophictierrule": ("catastrophic_rule", "city"),
    "benefits.assistancecategoryrule": ("assistance_rule", "city"),
    "benefits.chronicdisease": ("chronic_disease", "city"),
    "assistance.alertthreshold": ("threshold", "city"),
}
SUPERUSERS_ONLY = "officers hold no permission on it"
# Admin pages of one model that need no region scope, and why.
ADMIN_UNSCOPED = {
    "portal.region": "the administrative divisions are public",
    "portal.servicepoint": "the service network is public",
    "portal.serviceitem": "the fixed list of services",
    "portal.serviceguide": "public service guides",
    "portal.policynotice": "public policy notices",
    "enrollment.contributionfloor": "the province's floors, from its public notices; every officer of the province "
                                    "reads them, only its province-level officers write them (BranchScopedAdminMixin)",
    "assistance.identityimport": "a department list's file name and counts, no personal data",
    "auth.user": SUPERUSERS_ONLY,
    "auth.group": SUPERUSERS_ONLY,
    "otp_totp.totpdevice": SUPERUSERS_ONLY,
    "axes.accessattempt": SUPERUSERS_ONLY,
    "axes.accesslog": SUPERUSERS_ONLY,
    "axes.accessfailurelog": SUPERUSERS_ONLY,
}
# Admin pages of no single model that take parameters.
ADMIN_SITE_WITH_PARAMETERS = {
    "admin:app_list": "an app's index",
    "admin:view_on_site": "checked per scoped model below",
    None: "the admin's catch-all that answers 404",
}


def unknown_addresses() -> list[str]:
    unknown = []
    for address in addresses():
        label = f"{address.route} (name {address.name})"
        if address.area == "station":
            if address.name not in STATION_OBJECTS and address.name not in STATION_WITHOUT_ID:
                unknown.append(label)
        elif address.area == "api":
            if address.name not in API_OBJECTS and address.name not in API_WITHOUT_ID:
                unknown.append(label)
        elif address.area == "resident":
            if address.name not in RESIDENT_OBJECTS and address.name not in RESIDENT_WITHOUT_ID:
                unknown.append(label)
        elif address.area == "admin":
            if not address.has_parameters:
                continue
            model = address.admin_model
            if model is None:
                known = address.name in ADMIN_SITE_WITH_PARAMETERS or (
                    address.name is None and address.route == "admin/(?P<url>.*)"
                )
            else:
                known = model in ADMIN_SCOPED or model in ADMIN_UNSCOPED
            if not known:
                unknown.append(label)
        elif address.has_parameters and address.name not in PUBLIC_WITH_ID:
            unknown.append(label)
    return unknown


def test_every_address_with_an_object_id_has_a_scope_rule():
    unknown = unknown_addresses()
    assert not unknown, (
        "these addresses have no scope rule in tests/test_scope_everywhere.py; add each to the "
        "objects it takes (and make sure its view looks the object up through visible_to/within), "
        f"or to the list of addresses that need none, with the reason: {unknown}"
    )


def test_the_discovery_sees_the_pages_it_must_check():
    # Were the walk broken, the rules above would hold for nothing: prove it finds known pages.
    found = {address.name for address in addresses()}
    assert {"station:resident", "assistance:attachment", "admin:enrollment_resident_change"} <= found
    routes = {address.route for address in addresses()}
    assert "admin/assistance/application/([^/]+)/history/([^/]+)/" in routes  # simple_history's own


def test_superusers_only_admin_pages_are_closed_to_officers(officer):
    for model, reason in ADMIN_UNSCOPED.items():
        if reason == SUPERUSERS_ONLY and _installed_label(model.split(".")[0]):
            app_label, model_name = model.split(".")
            assert not officer.has_perm(f"{app_label}.view_{model_name}"), model


# --- the demo objects -----------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHEZHAN = "370303001"  # 车站街道's prefix




def _in_chezhan(model_label: str, lookup: str):
    model = apps.get_model(model_label)
    obj = model.objects.filter(**{f"{lookup}__code__startswith": CHEZHAN}).order_by("pk").first()
    assert obj is not None, f"the demo has no {model_label} in 车站街道"
    return obj


def _tax_voucher(officer):
    """A tax voucher of 车站街道 waiting for reconciliation: 赵伟 has no 2022 enrollment."""
    from django.utils import timezone

    from enrollment.collection.tax import read_tax_payments
    from enrollment.collection.tax_import import tax_payments_import
    from enrollment.models import Resident, TaxVoucher

    zhao = Resident.objects.get(name="赵伟")
    data = f"缴费凭证号,身份证号,姓名,缴费年度,金额,缴费时间,征收机关\nSCOPE-1,{zhao.id_number},赵伟,2022,410.00,2021-10-20 10:00:00,税务局\n"
    tax_payments_import(rows=read_tax_payments(io.BytesIO(data.encode()), "税务.csv"), filename="税务.csv", user=officer,
                        now=timezone.now(), dry_run=False)
    return TaxVoucher.objects.get(voucher_number="SCOPE-1")


def _duplicate(officer):
    """An open duplicate enrollment of 车站街道: 张建国 on the city's employee-insurance list."""
    from django.utils import timezone

    from enrollment.life_events.duplicates import insured_elsewhere_import
    from enrollment.life_events.elsewhere_checks import read_insured_elsewhere
    from enrollment.life_events.models import DuplicateEnrollment
    from enrollment.models import Resident

    zhang = Resident.objects.get(name="张建国")
    data = f"身份证号,姓名,参保年度,单位\n{zhang.id_number},张建国,2022,范围测试单位\n"
    insured_elsewhere_import(rows=read_insured_elsewhere(io.BytesIO(data.encode()), "职工.csv"), filename="职工.csv",
                             scheme="employee", source="淄博市职工医保", user=officer, today=timezone.localdate(),
                             now=timezone.now(), dry_run=False)
    return DuplicateEnrollment.objects.get(enrollment__resident=zhang, enrollment__year=2022)


def _filing_attachment(clerk):
    """A document of the demo's first filing of 车站街道 (王秀兰's referral)."""
    from treatment.filings.services import filing_attachment_add

    filing = _in_chezhan("treatment.Filing", "resident__region")
    return filing_attachment_add(filing=filing, upload=SimpleUploadedFile("转诊单.pdf", PDF), user=clerk)


def _claim_attachment(clerk):
    """A scanned invoice of the demo's claim of 车站街道 (张建国's stay in 北京市)."""
    from treatment.claims.services import claim_attachment_add

    claim = _in_chezhan("treatment.Claim", "resident__region")
    return claim_attachment_add(claim=claim, upload=SimpleUploadedFile("发票.pdf", PDF), user=clerk)


def _recognition_attachment(clerk):
    """A document of the demo's recognition of 车站街道 that waits for its decision (李秀梅's)."""
    from treatment.chronic.models import ChronicRecognition
    from treatment.chronic.services import attachment_add

    waiting = ChronicRecognition.objects.filter(status="applied", resident__region__code__startswith=CHEZHAN).first()
    return attachment_add(recognition=waiting, upload=SimpleUploadedFile("诊断证明.pdf", PDF), user=clerk)


def _death_list(officer) -> dict:
    """A death list imported by the city's officer: 张小雨's death, and a row of someone registered nowhere."""
    from datetime import date

    from django.utils import timezone

    from enrollment.life_events.death_import import deaths_import
    from enrollment.life_events.death_list import read_death_list
    from enrollment.life_events.models import DeathImportProblem
    from portal.privacy.id_numbers import make_id_number

    child = apps.get_model("enrollment.Resident").objects.get(name="张小雨")
    stranger = make_id_number("370303", date(1991, 1, 1), 901)
    data = f"身份证号,姓名,死亡日期,来源\n{child.id_number},张小雨,2021-06-01,民政\n{stranger},无名氏,2021-06-01,公安\n"
    report = deaths_import(rows=read_death_list(io.BytesIO(data.encode()), "死亡名单.csv"), filename="死亡名单.csv",
                           user=officer, today=timezone.localdate(), dry_run=False)
    return {"death": child.death, "death_import_problem": DeathImportProblem.objects.get(death_import=report.batch)}


def _city_standard(model_label: str, lookup: str):
    model = apps.get_model(model_label)
    obj = model.objects.filter(**{f"{lookup}__code": "370300000000"}).order_by("pk").first()
    assert obj is not None, f"the demo has no {model_label} of 淄博市"
    return obj


@pytest.fixture
def world(demo_network, settings, tmp_path, django_capture_on_commit_callbacks):
    """The whole demo, plus what it lacks: a refund, a payment batch, an attachment, a log entry."""
    from uuid import uuid4

    from assistance.batches.services import batch_generate
    from assistance.cases.services import attachment_add
    from assistance.models import Application
    from enrollment.collection.collective import collective_payment_record
    from enrollment.models import Enrollment
    from enrollment.services import refund_request
    from portal.accounts.models import StaffProfile
    from portal.network.models import Region
    from portal.privacy.models import AccessLogEntry
    from tests.factories import staff_user

    settings.PRIVATE_STORAGE_ROOT = tmp_path
    settings.ROLL_UPLOAD_DIR = tmp_path / "rolls"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    User = apps.get_model("auth.User")
    officer = User.objects.get(username="officer")
    clerk = User.objects.get(username="clerk_chezhan")
    chezhan = Region.objects.get(code="370303001000")

    paid = Enrollment.objects.within(chezhan).filter(payments__isnull=False).order_by("pk").first()
    refund_request(enrollment=paid, reason="death", note="范围测试", clerk=clerk)
    # 王秀兰's 2022 subsidy is owed by the fund; make one more of 车站街道 owed, for a batch.
    owed = Enrollment.objects.within(chezhan).for_year(2022).filter(payments__isnull=True).order_by("pk").first()
    Enrollment.objects.filter(pk=owed.pk).update(assistance_category="minimum_living", subsidy=F("standard_amount"))
    batch = batch_generate(year=2022, region=chezhan, officer=officer)
    # A collective payment (集体代缴) of another unpaid enrollment of 车站街道, for its result page.
    pooled = (Enrollment.objects.within(chezhan).for_year(2022).unpaid().filter(payable__gt=0).exclude(pk=owed.pk)
              .order_by("pk").first())
    collective = collective_payment_record(enrollment_ids=[pooled.pk], payer_name="范围测试小学", method="cash",
                                           confirmed_total=pooled.payable, token=uuid4(), clerk=clerk)
    application = Application.objects.within(chezhan).exclude(status__in=["rejected", "paid"]).order_by("pk").first()
    village_clerk = application.recorded_by
    attachment = attachment_add(application=application, upload=SimpleUploadedFile("结算单.pdf", PDF), user=village_clerk)
    # A sign-in with the password: an access-log entry of a 车站街道 clerk.
    Client().post(reverse("login"), {"username": clerk.username, "password": DEMO_PASSWORD})

    jinan = Region.objects.create(code="370100000000", name="济南市", parent=Region.objects.get(code="370000000000"))
    zichuan = Region.objects.get(code="370302000000")
    outsiders = {
        "county": staff_user(role="officer", scope=zichuan, username="officer_zichuan"),
        "city": staff_user(role="officer", scope=jinan, username="officer_jinan"),
    }
    assert StaffProfile.objects.filter(user__in=outsiders.values()).count() == 2

    identity_model = apps.get_model("assistance.AssistanceIdentity")
    resident = apps.get_model("enrollment.Resident").objects.get(name="王秀兰")
    objects = {
        "resident": resident,
        "household": resident.household,
        # The demo's newborn of 车站街道, registered at the hospital's desk without an ID number.
        "newborn": apps.get_model("enrollment.Resident").objects.exclude(birth_certificate_digest="")
        .filter(region__code__startswith=CHEZHAN).order_by("pk").first(),
        "enrollment": paid,
        "payment": paid.payments.order_by("pk").first(),
        "tax_voucher": _tax_voucher(officer),
        "duplicate": _duplicate(officer),
        "collective": collective,
        "refund": paid.refund,
        "identity": identity_model.objects.filter(id_digest=resident.id_digest).first(),
        "application": application,
        "attachment": attachment,
        "settlement": _in_chezhan("assistance.Settlement", "resident__region"),
        "alert": _in_chezhan("assistance.HighCostAlert", "township"),
        "grant": _in_chezhan("assistance.ReassistanceGrant", "resident__region"),
        "batch": batch,
        "batch_item": batch.items.order_by("pk").first(),
        "log_entry": AccessLogEntry.objects.filter(user=clerk).order_by("pk").first(),
        "contribution_standard": _city_standard("enrollment.ContributionStandard", "region"),
        "assistance_subsidy": _city_standard("enrollment.AssistanceSubsidy", "standard__region"),
        "benefit_policy": _city_standard("benefits.BenefitPolicy", "region"),
        "inpatient_rule": _city_standard("benefits.InpatientLevelRule", "policy__region"),
        "catastrophic_rule": _city_standard("benefits.CatastrophicTierRule", "policy__region"),
        "assistance_rule": _city_standard("benefits.AssistanceCategoryRule", "policy__region"),
        "threshold": _city_standard("assistance.AlertThreshold", "region"),
        "filing": _in_chezhan("treatment.Filing", "resident__region"),
        "filing_attachment": _filing_attachment(clerk),
        "claim": _in_chezhan("treatment.Claim", "resident__region"),
        "claim_attachment": _claim_attachment(clerk),
        "recognition": _in_chezhan("treatment.ChronicRecognition", "resident__region"),
        "recognition_attachment": _recognition_attachment(clerk),
        "chronic_disease": _city_standard("benefits.ChronicDisease", "policy__region"),
        **_death_list(officer),
    }
    missing = [name for name, obj in objects.items() if obj is None]
    assert not missing, f"the demo lacks {missing}"
    return {"objects": objects, "outsiders": outsiders, "officer": officer, "clerk": clerk}


# --- station pages --------------------------------------------------------------------------


def _login_url() -> str:
    return resolve_url(settings.LOGIN_URL)


def _answer(response) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


def test_station_pages_of_another_township_are_404_and_anonymous_visitors_sign_in(world, client):
    insider = otp_login(Client(), world["clerk"])
    outsider = otp_login(Client(), apps.get_model("auth.User").objects.get(username="clerk_other"))
    problems, checked = [], 0
    for address in addresses():
        if address.name not in STATION_OBJECTS:
            continue
        pk = world["objects"][STATION_OBJECTS[address.name]].pk
        url, missing_url = address.url(pk), address.url(MISSING_ID)
        for method in ("get", "post"):
            answer = _answer(getattr(outsider, method)(url))
            expected = _answer(getattr(outsider, method)(missing_url))
            allowed = {404} if method == "post" else {404, 405}
            if answer != expected or answer[0] not in allowed:
                problems.append(f"{method.upper()} {url} by clerk_other: {answer}, for a missing id {expected}")
            anonymous = getattr(client, method)(url)
            if anonymous.status_code != 302 or not anonymous["Location"].startswith(_login_url()):
                problems.append(f"{method.upper()} {url} anonymous: {_answer(anonymous)}, not sent to sign in")
        # Inside the scope the object is there: a 404 here would make the checks above empty.
        reached = insider.get(url).status_code
        if reached == 405:
            reached = insider.post(url).status_code
        if reached == 404:
            problems.append(f"{url}: clerk_chezhan gets 404 too; the test's object is wrong")
        checked += 1
    assert checked == len(STATION_OBJECTS)
    assert not problems, "\n".join(problems)


# --- 我的医保: the resident's own pages -------------------------------------------------------


@pytest.fixture
def resident_world(demo):
    """王秀兰 with a 参保证明 and an online filing of her own, and 孙丽 of 公园街道, another resident."""
    from enrollment.models import Resident
    from tests.my_insurance.own_objects import resident_objects

    wang = Resident.objects.get(name="王秀兰")
    outsider = Resident.objects.get(name="孙丽")
    assert outsider.region.code.startswith("370303002")  # 公园街道
    return {"objects": resident_objects(wang), "wang": wang, "outsider": outsider}


def test_resident_pages_of_another_resident_are_404_and_others_are_sent_to_sign_in(resident_world, clerk_chezhan):
    from tests.my_insurance.signing_in import resident_client

    owner = resident_client(resident_world["wang"])
    outsider = resident_client(resident_world["outsider"])
    # Neither a visitor nor a clerk is a resident: both are sent to sign in to 我的医保.
    others = {"anonymous": Client(), "clerk_chezhan": otp_login(Client(), clerk_chezhan)}
    sign_in = reverse("my_insurance:sign_in")
    problems, checked = [], []
    for address in addresses():
        if address.name not in RESIDENT_OBJECTS:
            continue
        object_name, attribute = RESIDENT_OBJECTS[address.name]
        url = address.url(getattr(resident_world["objects"][object_name], attribute))
        missing_url = address.url(MISSING_ID)
        statuses = set()
        for method in ("get", "post"):
            answer = _answer(getattr(outsider, method)(url))
            expected = _answer(getattr(outsider, method)(missing_url))
            statuses.add(answer[0])
            # A page of one method answers the other with 405, for a missing id alike.
            if answer != expected or answer[0] not in {404, 405}:
                problems.append(f"{method.upper()} {url} by another resident: {answer}, for a missing id {expected}")
            for who, client in others.items():
                response = getattr(client, method)(url)
                if response.status_code != 302 or not response["Location"].startswith(sign_in):
                    problems.append(f"{method.upper()} {url} {who}: {_answer(response)}, not sent to sign in")
        if 404 not in statuses:
            problems.append(f"{url}: neither GET nor POST looked the object up for another resident")
        checked.append(url)
    # Her own objects are there for her (GET only: a POST would cancel her filing).
    for url in checked:
        if owner.get(url).status_code == 404:
            problems.append(f"{url}: 王秀兰 gets 404 too; the test's object is wrong")
    assert len(checked) == len(RESIDENT_OBJECTS)
    assert not problems, "\n".join(problems)


# --- admin pages ----------------------------------------------------------------------------


def _admin_versions(obj) -> list:
    history = getattr(type(obj), "history", None)
    if history is None:
        return []
    return list(history.model.objects.filter(id=obj.pk).values_list("history_id", flat=True)[:1])


def test_admin_pages_of_another_region_answer_as_for_a_missing_id(world, client):
    insider = otp_login(Client(), world["officer"])
    outsiders = {kind: otp_login(Client(), user) for kind, user in world["outsiders"].items()}
    index = reverse("admin:index")
    problems, models_checked = [], set()
    for address in addresses():
        model = address.admin_model
        if not address.has_parameters or model not in ADMIN_SCOPED:
            continue
        object_name, outsider_kind = ADMIN_SCOPED[model]
        obj = world["objects"][object_name]
        extra = []
        if len(PARAMETER.findall(address.route)) > 1:  # simple_history's page of one version
            extra = _admin_versions(obj)
            if not extra:
                continue  # no history kept of this model: nothing to open
        url, missing_url = address.url(obj.pk, *extra), address.url(MISSING_ID, *extra)
        outsider = outsiders[outsider_kind]
        for method in ("get", "post"):
            answer = _answer(getattr(outsider, method)(url))
            expected = _answer(getattr(outsider, method)(missing_url))
            expected = (expected[0], expected[1].replace(MISSING_ID, str(obj.pk)))
            if answer != expected or answer[0] not in {302, 403, 404, 405} or (
                answer[0] == 302 and not (answer[1] == index or answer[1] == address.url(obj.pk) + "change/")
            ):
                problems.append(f"{method.upper()} {url} by an officer of another {outsider_kind}: {answer}, "
                                f"for a missing id {expected}")
            anonymous = getattr(client, method)(url)
            if anonymous.status_code != 302 or not (
                anonymous["Location"].startswith(reverse("admin:login")) or anonymous["Location"].startswith(_login_url())
            ):
                problems.append(f"{method.upper()} {url} anonymous: {_answer(anonymous)}, not sent to sign in")
        if address.route.endswith("/change/"):
            if insider.get(url).status_code != 200:
                problems.append(f"{url}: the city officer cannot open it either; the test's object is wrong")
            # The admin's "view on site" finds the object past get_queryset; it must lead nowhere.
            content_type = ContentType.objects.get_for_model(obj)
            on_site = reverse("admin:view_on_site", args=[content_type.pk, obj.pk])
            if outsider.get(on_site).status_code != 404:
                problems.append(f"{on_site}: view-on-site answers an outsider with {_answer(outsider.get(on_site))}")
            models_checked.add(model)
    assert models_checked == set(ADMIN_SCOPED), f"not checked: {set(ADMIN_SCOPED) - models_checked}"
    assert not problems, "\n".join(problems)


# --- identities: people not registered yet have no village ----------------------------------


def test_an_unregistered_persons_identity_is_seen_by_the_county_of_the_id_number_only(demo):
    from assistance.demo import load
    from assistance.models import AssistanceIdentity
    from enrollment.models import Resident
    from portal.network.models import Region
    from tests.factories import staff_user

    load()
    unregistered = AssistanceIdentity.objects.exclude(
        id_digest__in=Resident.objects.values("id_digest")).filter(id_masked__startswith="370303")
    assert unregistered.exists()
    zhangdian = staff_user(role="officer", scope=Region.objects.get(code="370303000000"), username="o_zhangdian")
    zichuan = staff_user(role="officer", scope=Region.objects.get(code="370302000000"), username="o_zichuan")
    township = staff_user(role="officer", scope=Region.objects.get(code="370303001000"), username="o_chezhan")
    assert set(unregistered) <= set(AssistanceIdentity.objects.visible_to(zhangdian))
    assert not AssistanceIdentity.objects.visible_to(zichuan).exists()
    # A township cannot tell whether the person lives there: only its registered residents.
    registered_here = Resident.objects.filter(region__code__startswith="370303001").values("id_digest")
    assert set(AssistanceIdentity.objects.visible_to(township)) == set(
        AssistanceIdentity.objects.filter(id_digest__in=registered_here))


def test_revoking_takes_only_identities_in_the_officers_scope(demo, officer):
    from assistance.demo import load
    from assistance.models import AssistanceIdentity
    from portal.network.models import Region
    from tests.factories import staff_user

    load()
    identity = AssistanceIdentity.objects.verified().first()
    zichuan = staff_user(role="officer", scope=Region.objects.get(code="370302000000"), username="o_zichuan")
    assert zichuan.has_perm("assistance.verify_assistanceidentity")
    client = otp_login(Client(), zichuan)
    url = reverse("admin:assistance_assistanceidentity_revoke")
    response = client.post(url, {"ids": str(identity.pk), "reason": "不在管辖范围也想撤销"})
    assert response.status_code == 302
    identity.refresh_from_db()
    assert identity.status == AssistanceIdentity.Status.VERIFIED


# --- writes in the admin: an officer changes only their own region and below ------------------


def _write_targets(world) -> list[tuple[str, object, str]]:
    """(what, object, whose officer tries to change it): every 车站街道 object of the scoped
    models by an officer of 淄川区, and what belongs to the city or to 淄川区 by one of 张店区."""
    from portal.network.models import Region, ServicePoint

    targets = [(model, world["objects"][name], "zichuan") for model, (name, kind) in ADMIN_SCOPED.items()
               if kind == "county"]
    chezhan = Region.objects.get(code="370303001000")
    targets += [
        ("portal.region", chezhan, "zichuan"),
        ("portal.servicepoint", ServicePoint.objects.filter(region=chezhan).first(), "zichuan"),
        ("portal.region", Region.objects.get(code="370300000000"), "zhangdian"),
        ("portal.region", Region.objects.get(code="370302000000"), "zhangdian"),
        ("portal.servicepoint", ServicePoint.objects.filter(region__code="370300000000").first(), "zhangdian"),
        ("portal.servicepoint", ServicePoint.objects.filter(region__code__startswith="370302").first(), "zhangdian"),
        ("assistance.identityimport", apps.get_model("assistance.IdentityImport").objects.first(), "zichuan"),
    ]
    targets += [(model, world["objects"][name], "zhangdian") for model, (name, kind) in ADMIN_SCOPED.items()
                if kind == "city"]
    assert all(obj is not None for _, obj, _ in targets)
    return targets


def _row(obj) -> list:
    return list(type(obj)._default_manager.filter(pk=obj.pk).values())


def test_an_officer_changes_nothing_outside_their_region_in_the_admin(world, rf):
    from django.contrib import admin
    from django.forms.models import model_to_dict

    from portal.network.models import Region
    from tests.factories import staff_user

    officers = {
        "zichuan": world["outsiders"]["county"],
        "zhangdian": staff_user(role="officer", scope=Region.objects.get(code="370303000000"), username="o_zhangdian"),
    }
    clients = {kind: otp_login(Client(), user) for kind, user in officers.items()}
    superuser_request = rf.get("/admin/")
    superuser_request.user = apps.get_model("auth.User").objects.create_superuser("root_scope", password="x")
    problems, checked = [], 0
    for model_label, obj, kind in _write_targets(world):
        model = type(obj)
        model_admin = admin.site.get_model_admin(model) if admin.site.is_registered(model) else None
        assert model_admin is not None, model_label
        officer, client = officers[kind], clients[kind]
        request = rf.get("/admin/")
        request.user = officer
        if model_admin.has_change_permission(request, obj) or model_admin.has_delete_permission(request, obj):
            problems.append(f"{model_label} {obj.pk}: {officer.username} may change or delete it")
        info = model._meta.app_label, model._meta.model_name
        before, count = _row(obj), model._default_manager.count()
        data = {key: value for key, value in model_to_dict(obj).items() if value is not None and not isinstance(value, list)}
        answers = [client.post(reverse("admin:%s_%s_change" % info, args=[obj.pk]), data)]
        if model_admin.has_delete_permission(superuser_request, obj):
            answers.append(client.post(reverse("admin:%s_%s_delete" % info, args=[obj.pk]), {"post": "yes"}))
        for action in model_admin.get_actions(superuser_request):
            answers.append(client.post(reverse("admin:%s_%s_changelist" % info),
                                       {"action": action, "_selected_action": [obj.pk], "index": 0, "post": "yes"}))
        for answer in answers:
            if answer.status_code >= 500:
                problems.append(f"{model_label} {obj.pk} by {officer.username}: HTTP {answer.status_code}")
        if _row(obj) != before or model._default_manager.count() != count:
            problems.append(f"{model_label} {obj.pk}: changed by {officer.username}")
        checked += 1
    assert checked >= len(ADMIN_SCOPED) + 7
    assert not problems, "\n".join(problems)


def test_a_county_officer_reads_the_citys_objects_but_another_countys_not_at_all(world):
    from portal.network.models import Region, ServicePoint
    from tests.factories import staff_user

    zhangdian = staff_user(role="officer", scope=Region.objects.get(code="370303000000"), username="o_zhangdian2")
    client = otp_login(Client(), zhangdian)
    city_hall = ServicePoint.objects.filter(region__code="370300000000").first()
    zichuan_point = ServicePoint.objects.filter(region__code__startswith="370302").first()
    threshold = world["objects"]["threshold"]
    read_only = client.get(reverse("admin:assistance_alertthreshold_change", args=[threshold.pk]))
    assert read_only.status_code == 200 and 'name="for_assistance"' not in read_only.content.decode()
    assert client.get(reverse("admin:portal_servicepoint_change", args=[city_hall.pk])).status_code == 200
    hidden = client.get(reverse("admin:portal_servicepoint_change", args=[zichuan_point.pk]))
    assert hidden.status_code == 302 and hidden["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:portal_region_change", args=[Region.objects.get(code="370302000000").pk])
                      ).status_code == 302


def test_re_assistance_is_computed_for_the_officers_own_county_only(world):
    from assistance.models import ReassistanceGrant
    from portal.network.models import Region
    from tests.factories import staff_user

    grants = {grant.pk: (grant.amount, grant.computed_at) for grant in ReassistanceGrant.objects.all()}
    assert grants
    zichuan = staff_user(role="officer", scope=Region.objects.get(code="370302000000"), username="o_zichuan_compute")
    response = otp_login(Client(), zichuan).post(reverse("admin:assistance_reassistancegrant_compute"), {"year": 2022})
    assert response.status_code == 302
    assert {grant.pk: (grant.amount, grant.computed_at) for grant in ReassistanceGrant.objects.all()} == grants


def test_no_past_version_can_be_posted_back_by_anyone(world):
    # simple_history would save a posted version without asking the change permission.
    from django.forms.models import model_to_dict

    root = apps.get_model("auth.User").objects.create_superuser("root_history", password="a-long-test-password")
    problems, checked = [], 0
    for user in (world["officer"], root):
        client = otp_login(Client(), user)
        for model_label, (name, _) in ADMIN_SCOPED.items():
            obj = world["objects"][name]
            versions = _admin_versions(obj)
            if not versions:
                continue
            info = obj._meta.app_label, obj._meta.model_name
            try:  # a model with history kept but an admin without simple_history's pages
                url = reverse("admin:%s_%s_simple_history" % info, args=[obj.pk, versions[0]])
            except NoReverseMatch:
                continue
            before = _row(obj)
            data = {key: value for key, value in model_to_dict(obj).items() if value is not None and not isinstance(value, list)}
            answer = client.post(url, data)
            if answer.status_code != 403 or _row(obj) != before:
                problems.append(f"{url} by {user.username}: {answer.status_code}")
            checked += 1
    assert checked >= 10
    assert not problems, "\n".join(problems)


def test_a_county_officer_saves_their_own_county_and_a_new_village_under_it(demo):
    from portal.network.models import Region
    from tests.factories import staff_user

    zhangdian = Region.objects.get(code="370303000000")
    client = otp_login(Client(), staff_user(role="officer", scope=zhangdian, username="o_zd_save"))
    response = client.post(reverse("admin:portal_region_change", args=[zhangdian.pk]),
                           {"code": zhangdian.code, "name": "张店区（改）"})
    zhangdian.refresh_from_db()
    assert response.status_code == 302 and zhangdian.name == "张店区（改）" and zhangdian.parent.code == "370300000000"
    chezhan = Region.objects.get(code="370303001000")
    client.post(reverse("admin:portal_region_add"), {"code": "370303001099", "name": "新社区", "parent": chezhan.pk})
    assert Region.objects.filter(code="370303001099", parent=chezhan).exists()
    client.post(reverse("admin:portal_region_add"), {"code": "370302001099", "name": "别处的社区",
                                                     "parent": Region.objects.get(code="370302001000").pk})
    assert not Region.objects.filter(code="370302001099").exists()
