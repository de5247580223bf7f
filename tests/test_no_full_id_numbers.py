"""No page, export, log line or notification shows a full ID number (issue 7, DESIGN.md section 4),
except the full record page for a clerk of the resident's region.

Every URL pattern is discovered from the resolver; patterns that take a value get it from the demo
objects (PARAMETER_FILLERS), so a new page with a parameter and no filler fails
test_every_parametrised_page_has_a_filler until someone says how to reach it.
"""

import csv
import io
import logging
import re
import unicodedata
from datetime import date

import openpyxl
import pypdf
import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.privacy.id_numbers import make_id_number
from tests.logins import otp_login

pytestmark = pytest.mark.django_db

FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")
# The demo newborn's birth certificate number (enrollment/life_events/newborn_demo.py): masked
# everywhere, on the full record page too.
FULL_CERTIFICATE = re.compile(r"(?<![0-9A-Za-z])Q370123456(?![0-9])", re.IGNORECASE)
WANG = "370303195203151223"  # the demo resident of 车站街道 (README)
ZHAO_WEI = make_id_number("370303", date(1990, 3, 3), 55)  # a demo resident of 车站街道
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The one page allowed to show the number, and only to a clerk of the resident's region.
FULL_RECORD_PAGE = "station:resident"
# Not pages a user reads: a POST-only logout, and a redirect to an object's public page.
NOT_RENDERED = {"logout", "admin:logout", "admin:view_on_site"}
OUR_ADMIN_PAGES = tuple(f"admin:{app}_" for app in ("portal", "enrollment", "benefits", "assistance", "treatment"))


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            regex = pattern.pattern.regex
            # Unnamed groups (simple_history's version pages) count as positional parameters.
            yield name, tuple(sorted(regex.groupindex)) or ("*",) * regex.groups


def url_patterns() -> dict[str, tuple[str, ...]]:
    """Every named URL pattern and the parameters it takes. Unnamed ones are admin's catch-alls
    (redirects to the named change page, or 404)."""
    return {name: params for name, params in _walk(get_resolver().url_patterns) if name and name not in NOT_RENDERED}


def admin_models() -> list:
    """The models the admin site has pages for."""
    return [model for model in apps.get_models() if admin.site.is_registered(model)]


def _pks(model_label: str, limit: int = 20) -> list[dict]:
    model = apps.get_model(model_label)
    return [{"pk": pk} for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:limit]]


PARAMETER_FILLERS = {
    "display": lambda: [{"mode": "large"}, {"mode": "standard"}],
    "service_points_area": lambda: [{"code": c} for c in apps.get_model("portal.Region").objects.values_list("code", flat=True)],
    "service_point": lambda: _pks("portal.ServicePoint", 100),
    "guide": lambda: [{"code": c} for c in apps.get_model("portal.ServiceItem").objects.values_list("code", flat=True)],
    "notice": lambda: _pks("portal.PolicyNotice"),
    # The first payments (the demo people's, each kind) and the last (the demo crowd's tax-channel and
    # collective ones): every payment of the crowd's thousands would say nothing more.
    "receipt_verify": lambda: [
        {"code": c} for payments in (apps.get_model("enrollment.Payment").objects.order_by("pk"),
                                     apps.get_model("enrollment.Payment").objects.order_by("-pk"))
        for c in payments.values_list("verification_code", flat=True)[:40]
    ],
    "station:resident": lambda: _pks("enrollment.Resident"),
    "station:resident_edit": lambda: _pks("enrollment.Resident"),
    "station:resident_death": lambda: _pks("enrollment.Resident"),
    "station:resident_move_out": lambda: _pks("enrollment.Resident"),
    "station:resident_id_number": lambda: _newborn_pks(),
    "station:newborn": lambda: _newborn_pks(),
    "station:enroll": lambda: _pks("enrollment.Resident"),
    "station:insured_elsewhere": lambda: _pks("enrollment.Resident"),
    "station:enrollment": lambda: _pks("enrollment.Enrollment", 40),
    "station:payment_create": lambda: _pks("enrollment.Enrollment", 40),
    "station:refund_create": lambda: _pks("enrollment.Enrollment", 40),
    "station:receipt": lambda: _pks("enrollment.Payment", 40),
    "station:tax_voucher_resolve": lambda: _pks("enrollment.TaxVoucher"),
    "station:duplicate_resolve": lambda: _pks("enrollment.DuplicateEnrollment"),
    "station:collective_detail": lambda: _pks("enrollment.CollectivePayment"),
    "assistance:application": lambda: _pks("assistance.Application"),
    "assistance:application_step": lambda: _pks("assistance.Application"),
    "assistance:attachment_upload": lambda: _pks("assistance.Application"),
    "assistance:attachment": lambda: _pks("assistance.ApplicationAttachment"),
    "assistance:alert": lambda: _pks("assistance.HighCostAlert"),
    "assistance:alert_acknowledge": lambda: _pks("assistance.HighCostAlert"),
    "assistance:alert_resolve": lambda: _pks("assistance.HighCostAlert"),
    "treatment:filing": lambda: _pks("treatment.Filing"),
    "treatment:filing_print": lambda: _pks("treatment.Filing"),
    "treatment:filing_cancel": lambda: _pks("treatment.Filing"),
    "treatment:filing_change": lambda: _pks("treatment.Filing"),
    "treatment:filing_attachment_upload": lambda: _pks("treatment.Filing"),
    "treatment:filing_attachment": lambda: _pks("treatment.FilingAttachment"),
    "treatment:claim": lambda: _pks("treatment.Claim"),
    "treatment:claim_step": lambda: _pks("treatment.Claim"),
    "treatment:claim_attachment_upload": lambda: _pks("treatment.Claim"),
    "treatment:claim_attachment": lambda: _pks("treatment.ClaimAttachment"),
    "treatment:recognition": lambda: _pks("treatment.ChronicRecognition"),
    "treatment:recognition_decide": lambda: _pks("treatment.ChronicRecognition"),
    "treatment:recognition_attachment_upload": lambda: _pks("treatment.ChronicRecognition"),
    "treatment:recognition_attachment": lambda: _pks("treatment.RecognitionAttachment"),
    "filing_verify": lambda: [{"code": c} for c in apps.get_model("treatment.Filing").objects.values_list("verification_code", flat=True)],
    # 参保证明 (my_insurance/proofs): the public check, and the resident's own page and PDF.
    "proof_verify": lambda: _proof_codes(),
    "my_insurance:proof": lambda: _proof_codes(),
    "my_insurance:proof_pdf": lambda: _proof_codes(),
    # 异地就医备案 in 我的医保 (my_insurance/filings): the resident's own filings.
    "my_insurance:filing_cancel": lambda: _pks("treatment.Filing"),
    "my_insurance:filing_print": lambda: _pks("treatment.Filing"),
    "admin:app_list": lambda: [{"app_label": label} for label in {m._meta.app_label for m in admin_models()}],
    "admin:auth_user_password_change": lambda: [{"id": pk} for pk in apps.get_model("auth.User").objects.values_list("pk", flat=True)],
}


def _proof_codes() -> list[dict]:
    proofs = apps.get_model("my_insurance.InsuranceProof").objects.order_by("pk")
    return [{"code": c} for c in proofs.values_list("verification_code", flat=True)[:20]]


def _newborn_pks() -> list[dict]:
    """The residents registered with a birth certificate (the demo's newborn)."""
    model = apps.get_model("enrollment.Resident")
    return [{"pk": pk} for pk in model.objects.exclude(birth_certificate_digest="").values_list("pk", flat=True)[:20]]


def _admin_object_filler(name: str):
    """admin:<app>_<model>_<view> with an object id: every object of that model (up to 20)."""
    for model in admin_models():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return lambda: [{"object_id": pk} for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:20]]
    return None


def _history_version_filler(name: str):
    """admin:<app>_<model>_simple_history: every stored version of that model (up to 20)."""
    for model in admin_models():
        if name == f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history":
            if not hasattr(model, "history"):  # no versions kept: the page answers 404
                return lambda: [{"_args": (pk, 1)} for pk in model._default_manager.values_list("pk", flat=True)[:1]]
            history = model.history.model._default_manager
            return lambda: [{"_args": pair} for pair in history.order_by("history_id").values_list("id", "history_id")[:20]]
    return None


def filler_for(name: str, params: tuple[str, ...]):
    if name in PARAMETER_FILLERS:
        return PARAMETER_FILLERS[name]
    if name.endswith("_simple_history"):
        return _history_version_filler(name)
    if params == ("object_id",) or params == ("pk",) and name.startswith("admin:"):
        filler = _admin_object_filler(name)
        if filler and params == ("pk",):
            return lambda: [{"pk": kwargs["object_id"]} for kwargs in filler()]
        return filler
    return None


def test_every_parametrised_page_has_a_filler():
    missing = [name for name, params in url_patterns().items() if params and filler_for(name, params) is None]
    assert not missing, f"add these pages to PARAMETER_FILLERS so the masking test renders them: {missing}"


# --- the demo, complete: every app's demo data, a payment batch, an attachment ---------------




def _employee_list(officer) -> None:
    from django.utils import timezone

    from enrollment.life_events.duplicates import insured_elsewhere_import
    from enrollment.life_events.elsewhere_checks import read_insured_elsewhere
    from enrollment.models import Resident

    zhang = Resident.objects.get(name="张建国")
    data = f"身份证号,姓名,参保年度,单位\n{zhang.id_number},张建国,2022,淄博市某某化工有限公司\n".encode()
    insured_elsewhere_import(rows=read_insured_elsewhere(io.BytesIO(data), "职工名单.csv"), filename="职工名单.csv",
                             scheme="employee", source="淄博市职工医保", user=officer, today=timezone.localdate(),
                             now=timezone.now(), dry_run=False)
    assert apps.get_model("enrollment.DuplicateEnrollment").objects.exists()


def _death_list(officer) -> None:
    """A death list naming 张小雨 and someone registered nowhere: a death, and a row it could not record."""
    from django.utils import timezone

    from enrollment.life_events.death_import import deaths_import
    from enrollment.life_events.death_list import read_death_list
    from enrollment.models import Resident
    from portal.privacy.id_numbers import make_id_number

    child = Resident.objects.get(name="张小雨")
    stranger = make_id_number("370303", date(1991, 1, 1), 901)
    data = f"身份证号,姓名,死亡日期,来源\n{child.id_number},张小雨,2021-06-01,民政\n{stranger},无名氏,2021-06-01,公安\n"
    report = deaths_import(rows=read_death_list(io.BytesIO(data.encode()), "死亡名单.csv"), filename="死亡名单.csv",
                           user=officer, today=timezone.localdate(), dry_run=False)
    assert report.recorded == 1 and report.problem_count == 1


@pytest.fixture
def everything(demo_network, settings, tmp_path, django_capture_on_commit_callbacks, outbox):
    from django.utils import timezone

    from assistance.batches.services import batch_generate
    from assistance.identities.services import categories_refresh
    from assistance.models import Application
    from enrollment.life_events.moves import move_within
    from enrollment.models import Enrollment, Refund, Resident
    from enrollment.services import enrollment_register, refund_request
    from my_insurance.proofs.services import proof_issue
    from portal.network.demo import DEMO_PASSWORD
    from portal.network.models import Region
    from portal.privacy.id_vault import id_digest
    from portal.shared.vocabulary import Category
    from tests.assistance.identity_helpers import identity, second_officer

    settings.PRIVATE_STORAGE_ROOT = tmp_path
    settings.ROLL_UPLOAD_DIR = tmp_path / "rolls"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    User = apps.get_model("auth.User")
    officer = User.objects.get(username="officer")
    # A subsidised enrollment the assistance fund has not paid yet, so that a batch exists.
    window = date(2021, 10, 15)
    identity(ZHAO_WEI, name="赵伟", document="张民低〔2021〕77号", imported_by=officer, verified_by=second_officer())
    categories_refresh(on=window)
    enrollment_register(
        resident=Resident.objects.get(id_digest=id_digest(ZHAO_WEI)), year=2022, category=Category.ADULT,
        clerk=User.objects.get(username="clerk_chezhan"), on=window,
    )
    batch_generate(year=2022, region=Region.objects.get(code="370303001000"), officer=officer)
    # A 参保证明 of 王秀兰's, for its page, its PDF and its public check.
    proof_issue(resident=Resident.objects.get(id_digest=id_digest(WANG)), years=[2021, 2022], now=timezone.now())
    # A refund (a duplicate enrollment elsewhere), for the refund pages.
    paid = Enrollment.objects.filter(payments__isnull=False, region__code__startswith="370303001").first()
    refund_request(enrollment=paid, reason=Refund.Reason.OTHER, note="重复参保", clerk=User.objects.get(username="clerk_chezhan"))
    # A move within 车站街道 (转移接续), for the list of moves and the resident's history.
    zhao = Resident.objects.get(id_digest=id_digest(ZHAO_WEI))
    move_within(resident=zhao, to_region=Region.objects.get(code="370303001002"), household=None, reason="购房迁居",
                moved_on=window, clerk=User.objects.get(username="clerk_chezhan"), expected_from=zhao.region,
                today=window)
    # An employee-insurance list naming 张建国, for the duplicates list (重复参保) and its history.
    _employee_list(officer)
    # A death list (民政), for the deaths, the list's history and the rows it could not record.
    _death_list(officer)
    assert apps.get_model("assistance.PaymentBatchItem").objects.exists()
    # A failed and a successful sign-in, so that the login records have rows to show.
    Client().post(reverse("login"), {"username": "clerk_chezhan", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    Client().post(reverse("login"), {"username": "clerk_other", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.9")
    clerk = Client()
    otp_login(clerk, User.objects.get(username="clerk_chezhan"))
    application = next(
        a for a in Application.objects.order_by("pk")
        if clerk.get(reverse("assistance:application", args=[a.pk])).status_code == 200
        and a.state not in ("rejected", "paid")
    )
    response = clerk.post(
        reverse("assistance:attachment_upload", args=[application.pk]), {"file": SimpleUploadedFile("住院结算单.pdf", PDF)}
    )
    assert response.status_code == 302
    assert apps.get_model("assistance.ApplicationAttachment").objects.exists()
    filing = apps.get_model("treatment.Filing").objects.order_by("pk").first()
    response = clerk.post(reverse("treatment:filing_attachment_upload", args=[filing.pk]),
                          {"file": SimpleUploadedFile("转诊单.pdf", PDF)})
    assert response.status_code == 302 and filing.attachments.exists()
    claim = apps.get_model("treatment.Claim").objects.order_by("pk").first()
    response = clerk.post(reverse("treatment:claim_attachment_upload", args=[claim.pk]),
                          {"file": SimpleUploadedFile("发票.pdf", PDF)})
    assert response.status_code == 302 and claim.attachments.exists()
    waiting = apps.get_model("treatment.ChronicRecognition").objects.filter(status="applied").order_by("pk").first()
    response = clerk.post(reverse("treatment:recognition_attachment_upload", args=[waiting.pk]),
                          {"file": SimpleUploadedFile("诊断证明.pdf", PDF)})
    assert response.status_code == 302 and waiting.attachments.exists()
    return {"officer": officer, "clerk": User.objects.get(username="clerk_chezhan")}


def leaks_in(response) -> list[str]:
    text = text_in(response)
    return FULL_ID.findall(text) + FULL_CERTIFICATE.findall(text)


def text_in(response) -> str:
    """What a reader of the response gets (a page, a spreadsheet's cells, a PDF's text) and its
    headers, with full-width digits as ASCII."""
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        text = "\n".join(
            str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None
        )
    elif content_type == "application/pdf":
        # The 参保证明's PDF: its text as a reader extracts it. An uploaded attachment that is no
        # real PDF (the demo's) is read as its bytes.
        text = body.decode("utf-8", errors="replace")
        try:
            text += "\n" + "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
        except pypdf.errors.PdfReadError:
            pass
    elif content_type.startswith("text/csv"):
        text = "\n".join(",".join(row) for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    else:
        text = body.decode("utf-8", errors="replace")
    text += "\n" + "\n".join(f"{k}: {v}" for k, v in response.items())
    # Full-width digits (３７０…) read as a number too.
    return unicodedata.normalize("NFKC", text)


# Station pages that show a person's record or a list of people when opened with GET: each
# writes one access-log entry (tests/portal/privacy/test_access_logged.py classifies the rest).
STATION_PAGES_OF_PEOPLE = {
    "station:home",  # its assistance panel names the people with open high-cost alerts
    "station:resident", "station:resident_edit", "station:enroll", "station:enrollment", "station:receipt",
    "station:follow_up", "station:uninsured", "station:insured_elsewhere", "assistance:uninsured", "assistance:applications", "assistance:application",
    "assistance:attachment", "assistance:alerts", "assistance:alert",
    "station:tax_vouchers",
    "station:duplicates",
    "station:moves", "station:resident_move_out",
    "station:newborns", "station:newborn", "station:resident_id_number",
    "station:collective_detail",
    "treatment:filings", "treatment:filing", "treatment:filing_print", "treatment:filing_change",
    "treatment:filing_attachment",
    "treatment:claims", "treatment:claim", "treatment:claim_attachment", "treatment:claim_payments",
    "treatment:recognitions", "treatment:recognition", "treatment:recognition_attachment",
}
# Fields by which a model's rows belong to people: its admin pages of records, lists and history are logged.
PERSONAL_FIELDS = {"id_digest", "person_digest", "resident", "enrollment", "head"}


def personal_admin_pages() -> set[str]:
    """The admin's list, record and history pages of every model whose rows belong to people."""
    pages = set()
    for model in admin_models():
        if PERSONAL_FIELDS & {field.name for field in model._meta.get_fields()}:
            prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            pages |= {f"{prefix}_{view}" for view in ("changelist", "change", "history", "simple_history")}
    return pages


# 我的医保 pages of the signed-in resident's own data (and the masked household): each writes one
# access-log entry when the resident reads it (tests/portal/privacy/test_access_logged_views.py
# classifies the rest).
RESIDENT_PAGES_OF_PEOPLE = {
    "my_insurance:home", "my_insurance:care", "my_insurance:assistance", "my_insurance:household",
    "my_insurance:proofs", "my_insurance:proof", "my_insurance:proof_pdf",
    "my_insurance:filings", "my_insurance:filing_new", "my_insurance:filing_cancel", "my_insurance:filing_print",
}


def logs_one_entry(name: str) -> bool:
    return name in STATION_PAGES_OF_PEOPLE or name in RESIDENT_PAGES_OF_PEOPLE or name in personal_admin_pages()


def rendered_pages(client: Client, prefix_filter, *, with_text: bool = False) -> list[tuple]:
    """(name, url, status, full numbers shown, access-log entries written) of every page of the
    chosen part of the site, rendered with GET; ``with_text`` adds what a reader of it gets."""
    from portal.privacy.models import AccessLogEntry

    seen = []
    for name, params in sorted(url_patterns().items()):
        if not prefix_filter(name):
            continue
        fill = filler_for(name, params) if params else (lambda: [{}])
        kwargs_list = fill()
        # Our own models must have demo rows; a library's (login records, devices) may be empty.
        assert kwargs_list or not name.startswith(OUR_ADMIN_PAGES), f"the demo has no object to render {name} with"
        for kwargs in kwargs_list:
            url = reverse(name, args=kwargs["_args"]) if "_args" in kwargs else reverse(name, kwargs=kwargs)
            entries = AccessLogEntry.objects.count()
            response = client.get(url)
            row = (name, url, response.status_code, leaks_in(response), AccessLogEntry.objects.count() - entries)
            seen.append((*row, text_in(response)) if with_text else row)
    return seen


def is_public(name: str) -> bool:
    return not name.startswith(("admin:", "station:", "assistance:", "treatment:"))


def is_station(name: str) -> bool:
    return name.startswith(("station:", "assistance:", "treatment:"))


def is_admin(name: str) -> bool:
    return name.startswith("admin:")


def test_no_page_shows_a_full_id_number_except_the_full_record_for_its_clerk(everything, caplog):
    caplog.set_level(logging.DEBUG)
    anonymous, clerk, officer = Client(), Client(), Client()
    otp_login(clerk, everything["clerk"])
    otp_login(officer, everything["officer"])
    # A hospital's newborn desk reads its newborns' pages and nothing else of the station.
    hospital = otp_login(Client(), apps.get_model("auth.User").objects.get(username="hospital"))

    leaks, unlogged = [], []
    full_record_shown = 0
    # (who, client, part of the site, whether they may read pages of it; None: some of them)
    visits = (
        ("anonymous", anonymous, is_public, True), ("anonymous", anonymous, is_station, False),
        ("clerk_chezhan", clerk, is_public, True), ("clerk_chezhan", clerk, is_station, True),
        # Officers read the application pages of the station (they approve there), not the rest.
        ("officer", officer, is_admin, True), ("officer", officer, is_station, None),
        ("hospital", hospital, is_station, True),
    )
    for who, client, part, may_read in visits:
        pages = rendered_pages(client, part)
        read = [url for _, url, status, *_ in pages if status == 200]
        assert may_read is None or bool(read) == may_read, f"{who} read {len(read)} pages of this part"
        for name, url, status, found, logged in pages:
            assert status < 500, f"{url} as {who}: HTTP {status}"
            if status == 200 and logs_one_entry(name) and logged != 1:
                unlogged.append(f"{who} {url}: {logged} access-log entries")
            if name == FULL_RECORD_PAGE and who == "clerk_chezhan" and found and all(map(FULL_ID.fullmatch, found)):
                full_record_shown += 1
                continue
            if found:
                leaks.append(f"{who} {url} ({status}): {found}")

    # The detector works, and the allowed page does show the number (to its clerk only).
    assert full_record_shown >= 1
    assert not leaks, "\n".join(leaks)
    # Every page of a person or of people that was read wrote one access-log entry.
    assert not unlogged, "\n".join(unlogged)
    assert not FULL_ID.findall(caplog.text), "a log line holds a full ID number"


def is_mine(name: str) -> bool:
    return name.startswith("my_insurance:")


def test_no_page_of_my_insurance_shows_a_full_id_number_or_another_persons_name(everything, caplog):
    """Signed in as 王秀兰: every 我的医保 page shows no full ID number, hers included, and no
    other person's full name (her household is listed masked); each page of her data is logged."""
    from enrollment.models import Resident
    from portal.privacy.id_vault import id_digest
    from tests.my_insurance.signing_in import resident_client

    caplog.set_level(logging.DEBUG)
    wang = Resident.objects.get(id_digest=id_digest(WANG))
    others = set(Resident.objects.exclude(pk=wang.pk).values_list("name", flat=True)) - {wang.name}
    assert {"张建国", "刘桂英", "孙丽"} <= others  # her household and another township's
    client = resident_client(wang)
    problems, read = [], set()
    for name, url, status, found, logged, text in rendered_pages(client, is_mine, with_text=True):
        assert status < 500, f"{url} as 王秀兰: HTTP {status}"
        if status == 200:
            read.add(name)
        if found:
            problems.append(f"{url} ({status}): {found}")
        named = sorted(other for other in others if other in text)
        if named:
            problems.append(f"{url} ({status}) names {named}")
        if status == 200 and logs_one_entry(name) and logged != 1:
            problems.append(f"{url}: {logged} access-log entries")
    assert RESIDENT_PAGES_OF_PEOPLE <= read, "she could not read her own pages"
    assert not problems, "\n".join(problems)
    assert not FULL_ID.findall(caplog.text), "a log line holds a full ID number"


def test_searches_and_lookups_answer_without_echoing_the_number(everything, caplog):
    caplog.set_level(logging.DEBUG)
    clerk, anonymous = Client(), Client()
    otp_login(clerk, everything["clerk"])
    responses = {
        "station search by number": clerk.post(reverse("station:resident_search"), {"query": WANG}),
        "station search by name": clerk.post(reverse("station:resident_search"), {"query": "王"}),
        "public lookup": anonymous.post(reverse("lookup"), {"id_number": WANG, "name": "王秀兰"}),
        "public lookup, wrong name": anonymous.post(reverse("lookup"), {"id_number": WANG, "name": "李四"}),
        "public lookup, full-width digits": anonymous.post(
            reverse("lookup"), {"id_number": "３７０３０３１９５２０３１５１２２３", "name": "李四"}
        ),
    }
    assert "王*兰" in responses["public lookup"].content.decode() or "王秀兰" in responses["public lookup"].content.decode()
    leaks = {what: leaks_in(response) for what, response in responses.items() if leaks_in(response)}
    assert not leaks
    assert not FULL_ID.findall(caplog.text)


def test_the_proof_pdf_and_its_public_check_hold_no_full_id_number(everything, caplog):
    """参保证明: the PDF's text, as a reader extracts it, names 王秀兰 with her masked number only;
    its public check shows her masked name and not even the masked number."""
    from my_insurance.proofs.models import InsuranceProof
    from portal.privacy.id_vault import id_digest
    from tests.my_insurance.signing_in import resident_client

    caplog.set_level(logging.DEBUG)
    proof = InsuranceProof.objects.filter(resident__id_digest=id_digest(WANG)).first()
    pdf = resident_client(proof.resident).get(reverse("my_insurance:proof_pdf", args=[proof.verification_code]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages))
    # The text is really read: her name and masked number are in it, so a full number would be too.
    assert "王秀兰" in text and "370303********1223" in text
    assert not FULL_ID.findall(text) and not leaks_in(pdf)
    check = Client().get(reverse("proof_verify", args=[proof.verification_code]))
    body = check.content.decode()
    assert check.status_code == 200 and "王*兰" in body
    assert not leaks_in(check) and "********" not in body and "王秀兰" not in body
    assert not FULL_ID.findall(caplog.text)


# --- exports --------------------------------------------------------------------------------


def _years() -> list[int]:
    return sorted(set(apps.get_model("enrollment.Enrollment").objects.values_list("year", flat=True)))


def station_exports(clerk: Client) -> dict:
    found = {}
    for year in _years():
        for export_format in ("csv", "xlsx"):
            for name in ("station:follow_up", "assistance:uninsured"):
                response = clerk.get(reverse(name), {"year": year, "format": export_format})
                assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
                found[f"{name} {year} {export_format}"] = response
    return found


def admin_action_exports(officer: Client) -> dict:
    """Every admin list with the 导出所选 actions, all its rows exported as XLSX and as CSV."""
    from django.contrib import admin

    from portal.spreadsheets.admin_exports import export_xlsx

    found = {}
    for model in apps.get_models():
        try:
            model_admin = admin.site.get_model_admin(model)
        except admin.exceptions.NotRegistered:
            continue
        if export_xlsx not in (model_admin.actions or ()):
            continue
        rows = list(model.objects.values_list("pk", flat=True))
        assert rows, f"the demo has no {model._meta.verbose_name} to export"
        for action in ("export_xlsx", "export_csv"):
            response = officer.post(
                reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
                {"action": action, "_selected_action": rows, "index": 0},
            )
            assert response.status_code == 200 and "attachment" in response["Content-Disposition"], (model, action)
            found[f"{model._meta.model_name} {action}"] = response
    assert {"reassistancegrant export_xlsx", "settlement export_csv", "assistanceidentity export_csv"} <= set(found)
    return found


def import_export_admin_exports(officer: Client) -> dict:
    """Every django-import-export export page of the admin, downloaded as XLSX and as CSV."""
    found = {}
    for name, params in url_patterns().items():
        if not (name.startswith("admin:") and name.endswith("_export")) or params:
            continue
        url = reverse(name)
        form = officer.get(url).context["form"]
        formats = [label.lower() for _, label in form.fields["format"].choices]
        for wanted in ("xlsx", "csv"):
            if wanted not in formats:
                continue
            data = {}
            for field_name, field in form.fields.items():
                if getattr(field.widget, "input_type", "") == "checkbox":
                    data[field_name] = "on"
                elif field_name == "format":
                    data[field_name] = formats.index(wanted)
                elif field.initial is not None:
                    data[field_name] = field.initial
                elif getattr(field, "choices", None):
                    data[field_name] = list(field.choices)[0][0]
            response = officer.post(url, data)
            assert response.status_code == 200 and "attachment" in response.get("Content-Disposition", ""), (url, wanted)
            found[f"{name} {wanted}"] = response
    assert any("paymentbatchitem" in key for key in found), "the payment-batch export was not reached"
    return found


def test_no_export_holds_a_full_id_number(everything, caplog):
    caplog.set_level(logging.DEBUG)
    clerk, officer = Client(), Client()
    otp_login(clerk, everything["clerk"])
    otp_login(officer, everything["officer"])
    exports = {**station_exports(clerk), **admin_action_exports(officer), **import_export_admin_exports(officer)}
    leaks = {what: leaks_in(response) for what, response in exports.items() if leaks_in(response)}
    assert not leaks
    # The exports are not empty: a masked number of the demo is in the lists that hold people.
    masked = "370303********1223"
    assert any(masked in "".join(map(str, leaks_in_text(r))) for r in exports.values())
    assert not FULL_ID.findall(caplog.text)


def test_the_claims_payment_export_masks_id_numbers(everything, caplog):
    """The fund's payment list of approved manual claims (零星报销): the demo's claim, pre-reviewed
    and approved, is in it with its masked number only."""
    from django.utils import timezone

    from treatment.claims.services import claim_step

    caplog.set_level(logging.DEBUG)
    claim = apps.get_model("treatment.Claim").objects.order_by("pk").first()
    today = timezone.localdate()
    claim_step(claim_id=claim.pk, action="prereview", actor=everything["clerk"], today=today, notes="材料齐全。")
    claim_step(claim_id=claim.pk, action="approve", actor=everything["officer"], today=today)
    response = otp_login(Client(), everything["officer"]).get(reverse("treatment:claim_payments"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert not leaks_in(response)
    assert claim.resident.id_masked in leaks_in_text(response)
    assert not FULL_ID.findall(caplog.text)


def leaks_in_text(response) -> list[str]:
    body = response.content
    if "spreadsheetml" in response["Content-Type"]:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return [str(c) for s in book.worksheets for row in s.iter_rows(values_only=True) for c in row if c is not None]
    return [body.decode("utf-8-sig")]


# --- notifications --------------------------------------------------------------------------


def test_no_notification_holds_a_full_id_number(everything, outbox):
    assert outbox, "the demo sent no notification, so this test would prove nothing"
    for notification in outbox:
        assert not FULL_ID.findall(f"{notification.phone} {notification.kind} {notification.message}")


def test_the_pattern_finds_real_numbers_and_spares_other_long_numbers():
    assert FULL_ID.findall(f"身份证号：{WANG}。") == [WANG]
    assert FULL_ID.findall("11010519491231002x") == ["11010519491231002x"]
    # Region codes (12 digits), phone numbers (11), masked numbers and longer digit runs are not IDs.
    assert not FULL_ID.findall("370303001001 13900000000 370303********1223 3703031952031512230")
    # The demo newborn's birth certificate, in any case; its masked form is not a leak.
    assert FULL_CERTIFICATE.findall("出生医学证明编号 q370123456") and not FULL_CERTIFICATE.findall("Q37*****56")


# --- error reports ----------------------------------------------------------------------------


def test_an_error_report_masks_every_number_it_would_show(rf, settings):
    import sys

    from django.views.debug import ExceptionReporter, get_exception_reporter_class

    settings.DEFAULT_EXCEPTION_REPORTER = "portal.privacy.error_reports.MaskingExceptionReporter"
    request = rf.post(f"/lookup/?q={WANG}", {"id_number": WANG, "name": "王秀兰"}, HTTP_X_NOTE=WANG)
    try:
        number = WANG  # a local variable of the failing frame, which the report lists
        raise ValueError(f"查不到 {number}")
    except ValueError:
        info = sys.exc_info()
    # Django's own report shows the number: the check below can fail.
    assert WANG in ExceptionReporter(request, *info).get_traceback_text()
    reporter = get_exception_reporter_class(request)(request, *info)
    for report in (reporter.get_traceback_html(), reporter.get_traceback_text()):
        assert not FULL_ID.findall(report)
        assert "370303********1223" in report
