"""What a walk-through as each user found (the issue of that name), item by item; what is seen
in a browser is also checked in tests/browser."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from enrollment.models import Enrollment

pytestmark = pytest.mark.django_db


def test_the_estimate_form_opens_the_answer_where_the_result_is(client, demo_policies):
    html = client.get("/estimate/").content.decode()
    assert 'action="#result"' in html and 'id="result"' in html


def test_the_estimate_page_headings_go_down_one_level_at_a_time(client, demo_policies):
    html = client.post("/estimate/", {
        "year": 2022, "region": "370300", "category": "adult", "assistance": "",
        "visits-TOTAL_FORMS": 1, "visits-INITIAL_FORMS": 0, "visits-MIN_NUM_FORMS": 0, "visits-MAX_NUM_FORMS": 20,
        "visits-0-kind": "inpatient", "visits-0-level": 2, "visits-0-total": "20000", "visits-0-policy_range": "18000",
    }).content.decode()
    assert "测算结果" in html
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert levels[0] == 1 and not jumps, levels


def test_the_favicon_is_found_where_browsers_look(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")


@pytest.mark.parametrize("path", ["/", "/premium/", "/estimate/", "/lookup/", "/guides/", "/notices/"])
def test_every_public_page_has_a_description(client, demo_policies, path):
    html = client.get(path).content.decode()
    assert re.search(r'<meta name="description" content="[^"]{10,}">', html), path


def test_a_refund_request_says_it_was_submitted_and_who_approves_it(clerk_client):
    enrollment = Enrollment.objects.filter(resident__name="张建国", year=2022).get()
    response = clerk_client.post(f"/station/enrollments/{enrollment.pk}/refund/", {"reason": "duplicate", "note": "重复参保"},
                                 follow=True)
    page = response.content.decode()
    assert f"已提交退费申请：退还个人缴费 {enrollment.payable} 元" in page and "县(区)医保局" in page


def test_an_identity_lists_import_time_is_beijing_time(demo, officer):
    from assistance.models import IdentityImport

    source = IdentityImport.objects.create(file_name="名单.csv", imported_by=officer)
    IdentityImport.objects.filter(pk=source.pk).update(imported_at=datetime(2026, 12, 7, 0, 51, tzinfo=ZoneInfo("UTC")))
    source.refresh_from_db()
    assert str(source) == "名单.csv（2026-12-07 08:51）"
