"""Every view that shows a person's record or a list of people writes one access-log entry: a
list is one entry with its filter and count, never one per row (PIPL; DESIGN.md section 10).

The masking sweep (tests/test_no_full_id_numbers.py) opens every page with GET and checks the
entry for the pages in STATION_PAGES_OF_PEOPLE and the admin's pages of personal records. Here:
every station address is in one of the three lists below, so a new page must be classified,
and the pages that show people only after a POST are checked one by one.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from enrollment.models import Enrollment
from portal.privacy.id_vault import id_digest
from portal.privacy.models import AccessLogEntry
from tests.enrollment.imports.test_page import GOOD, csv_upload
from tests.logins import otp_login
from tests.test_no_full_id_numbers import (
    RESIDENT_PAGES_OF_PEOPLE,
    STATION_PAGES_OF_PEOPLE,
    personal_admin_pages,
    url_patterns,
)

pytestmark = pytest.mark.django_db

WANG = "370303195203151223"
TOKEN = re.compile(r'name="token" value="([A-Za-z0-9_-]{32})"')

# Pages that show people only in answer to a POST (or to a token a POST gave, or to a group chosen
# in the page's own form): tested below.
SHOWN_AFTER_A_POST = {
    "station:resident_search", "station:roll_import", "station:roll_import_result", "station:payment_create",
    "station:move_take_in",
    "station:collective", "station:collective_confirm",
}
# Pages that show nobody, and why.
SHOWS_NOBODY = {
    "station:resident_create": "an empty form; a number registered elsewhere is answered by enrollment/elsewhere.py",
    "station:resident_death": "POST only, answers with a redirect to the logged record",
    "station:refund_create": "POST only, answers with a redirect to the logged enrollment",
    "station:tax_voucher_resolve": "POST only, answers with a redirect to the logged list of tax vouchers",
    "station:duplicate_resolve": "POST only, logged as resolve_duplicate; answers with a redirect to the logged "
                                 "list of duplicates",
    "station:roll_import_confirm": "POST only, logged as import_roll; answers with a redirect or the refused report",
    "station:newborn_create": "a form; a parent named from their page is logged as view_resident, a lookup by ID "
                              "number and name as find_parent; the newborn is shown on the logged newborn page",
    "station:roll_template": "a blank roll, and the clerk's villages with their codes",
    "station:progress": "counts and sums of regions, never a person",
    "assistance:application_create": "a form; an applicant found is shown on the logged application page",
    "assistance:application_step": "POST only, answers with a redirect to the logged application",
    "assistance:attachment_upload": "POST only, answers with a redirect to the logged application",
    "assistance:alert_acknowledge": "POST only, answers with a redirect to the logged alert",
    "assistance:alert_resolve": "POST only, answers with a redirect to the logged alert",
    "treatment:filing_create": "a form; a resident filed for is shown on the logged filing page",
    "treatment:filing_cancel": "POST only, answers with a redirect to the logged filing",
    "treatment:filing_attachment_upload": "POST only, answers with a redirect to the logged filing",
    "treatment:claim_create": "a form; a claimant found is shown on the logged claim page",
    "treatment:claim_step": "POST only, answers with a redirect to the logged claim",
    "treatment:claim_attachment_upload": "POST only, answers with a redirect to the logged claim",
    "treatment:recognition_create": "a form and the year's list of diseases; an applicant found is shown on the "
                                    "logged recognition page",
    "treatment:recognition_decide": "POST only, answers with a redirect to the logged recognition",
    "treatment:recognition_attachment_upload": "POST only, answers with a redirect to the logged recognition",
}


def entries_written(request) -> list[AccessLogEntry]:
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    request()
    return list(AccessLogEntry.objects.exclude(pk__in=before))


def test_every_station_page_is_classified():
    station = {name for name in url_patterns() if name.startswith(("station:", "assistance:", "treatment:"))}
    classified = STATION_PAGES_OF_PEOPLE | SHOWN_AFTER_A_POST | set(SHOWS_NOBODY)
    assert station - classified == set(), "say whether these pages show people"
    assert classified - station == set(), "these pages are gone"


# 我的医保 pages that show no one's data, and why.
RESIDENT_PAGES_OF_NOBODY = {
    "my_insurance:sign_in": "the sign-in form; its attempts are logged by the sign-in itself (tests/my_insurance/signin)",
    "my_insurance:sign_in_code": "the code form; the sign-in it completes is logged by the sign-in itself",
    "my_insurance:sign_out": "POST only, ends the session",
}


def test_every_my_insurance_page_is_classified():
    mine = {name for name in url_patterns() if name.startswith("my_insurance:")}
    classified = RESIDENT_PAGES_OF_PEOPLE | set(RESIDENT_PAGES_OF_NOBODY)
    assert mine - classified == set(), "say whether these pages show the resident's data"
    assert classified - mine == set(), "these pages are gone"


@pytest.mark.parametrize(("page", "action"), [
    ("my_insurance:home", "my_view_years"), ("my_insurance:care", "my_view_care"),
    ("my_insurance:assistance", "my_view_assistance"), ("my_insurance:household", "my_view_household"),
])
def test_each_of_a_residents_own_pages_writes_one_entry_naming_the_resident(demo, page, action):
    from enrollment.models import Resident
    from portal.privacy.admin import ACTION_LABELS
    from portal.privacy.models import RESIDENT_USERNAME
    from tests.my_insurance.signing_in import resident_client

    client = resident_client(Resident.objects.get(id_digest=id_digest(WANG)))
    (entry,) = entries_written(lambda: client.get(reverse(page)))
    assert (entry.action, entry.subject_digest, entry.user, entry.username) == (
        action, id_digest(WANG), None, RESIDENT_USERNAME)
    assert action in ACTION_LABELS and WANG not in entry.detail and "王秀兰" not in entry.detail


def test_every_personal_admin_model_is_covered():
    # The discovery finds the models it must: a field rename must not empty the sweep.
    pages = personal_admin_pages()
    for model in ("enrollment_resident", "enrollment_enrollment", "enrollment_payment", "assistance_settlement",
                  "assistance_application", "assistance_assistanceidentity", "assistance_reassistancegrant",
                  "treatment_filing", "treatment_claim", "treatment_chronicrecognition"):
        assert f"admin:{model}_changelist" in pages


@pytest.mark.parametrize(("query", "detail"), [(WANG, "按身份证号查找，找到 1 人"), ("王", "按姓名“王”查找，找到")])
def test_a_search_writes_one_entry_with_what_was_asked_and_how_many(clerk_client, query, detail):
    (entry,) = entries_written(lambda: clerk_client.post(reverse("station:resident_search"), {"query": query}))
    assert entry.action == "search_residents" and detail in entry.detail and WANG not in entry.detail
    if query == WANG:
        assert entry.subject_digest == id_digest(WANG)


def test_a_rolls_dry_run_and_its_result_each_write_one_entry(clerk_client, on_2022_window, settings, tmp_path):
    settings.ROLL_UPLOAD_DIR = tmp_path / "rolls"
    response = None

    def dry_run():
        nonlocal response
        response = clerk_client.post(reverse("station:roll_import"), {"year": 2022, "roll": csv_upload(*GOOD)})

    (checked,) = entries_written(dry_run)
    assert checked.action == "check_roll" and "2 人可导入" in checked.detail
    token = TOKEN.search(response.content.decode())[1]
    clerk_client.post(reverse("station:roll_import_confirm"), {"token": token})
    (shown,) = entries_written(lambda: clerk_client.get(reverse("station:roll_import_result"), {"token": token}))
    assert shown.action == "view_import_result"


def test_a_refused_payment_shows_the_enrollment_again_and_is_logged(clerk_client, clerk_chezhan):
    enrollment = Enrollment.objects.visible_to(clerk_chezhan).first()
    (entry,) = entries_written(lambda: clerk_client.post(
        reverse("station:payment_create", args=[enrollment.pk]), {"amount": "-1", "method": "cash", "token": "x"}
    ))
    assert entry.action == "view_enrollment" and entry.subject_digest == enrollment.resident.id_digest


def test_collective_payment_pages_write_one_entry_for_each_list_of_people(clerk_client, clerk_chezhan, on_2022_window):
    from tests.enrollment.collection.test_collective import unpaid_people

    unpaid_people(clerk_chezhan, 2, village="370303001003")
    group = {"village": "370303001003", "year": 2022}
    assert not entries_written(lambda: clerk_client.get(reverse("station:collective")))  # the chooser names nobody
    (chosen,) = entries_written(lambda: clerk_client.get(reverse("station:collective"), group))
    assert chosen.action == "view_collective_group" and "2 人" in chosen.detail
    response = None

    def review():
        nonlocal response
        response = clerk_client.post(reverse("station:collective_confirm"), {"action": "review", "whole": "1", **group})

    (reviewed,) = entries_written(review)
    assert reviewed.action == "view_collective_group" and "2 人" in reviewed.detail
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', response.content.decode()))
    done = clerk_client.post(reverse("station:collective_confirm"), {
        **hidden, "payer_name": "西二路社区居民委员会", "method": "cash", "confirmed_total": "820.00"})
    (shown,) = entries_written(lambda: clerk_client.get(done["Location"]))
    assert shown.action == "view_collective_payment" and "共 2 人" in shown.detail


def test_each_step_of_taking_a_resident_in_writes_one_entry(demo, clerk_other):
    client = otp_login(Client(), clerk_other)
    response = None

    def find():
        nonlocal response
        response = client.post(reverse("station:move_take_in"), {"id_number": WANG, "name": "王秀兰"})

    (found,) = entries_written(find)
    assert found.action == "move_lookup" and found.subject_digest == id_digest(WANG)
    (missed,) = entries_written(lambda: client.post(reverse("station:move_take_in"), {"id_number": WANG, "name": "王"}))
    assert missed.action == "move_lookup" and missed.subject_digest == "" and "未找到" in missed.detail
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode())[1]
    (shown,) = entries_written(lambda: client.post(reverse("station:move_take_in"), {"token": token, "reason": ""}))
    assert shown.action == "view_resident" and shown.subject_digest == id_digest(WANG)


def test_finding_by_id_number_in_the_admin_is_logged(demo, officer):
    officer_client = otp_login(Client(), officer)
    (entry,) = entries_written(lambda: officer_client.post(
        reverse("admin:enrollment_resident_find"), {"id_number": WANG}
    ))
    assert entry.action == "find_by_id_number" and entry.subject_digest == id_digest(WANG) and "1 条" in entry.detail


def test_the_admins_autocomplete_of_people_is_logged(demo, officer):
    officer_client = otp_login(Client(), officer)
    url = reverse("admin:autocomplete")
    params = {"app_label": "enrollment", "model_name": "household", "field_name": "head", "term": "王"}
    response = None

    def ask():
        nonlocal response
        response = officer_client.get(url, params)

    (entry,) = entries_written(ask)
    assert response.status_code == 200 and any("王秀兰" in result["text"] for result in response.json()["results"])
    assert entry.action == "view_list" and "自动补全" in entry.detail
