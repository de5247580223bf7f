"""The station pages make the same number of queries for 3 people as for 60: no query per row.

A township has tens of thousands of residents (benchmarks/station_pages.py measures one of
30,000); a query per listed person would be 50 more round trips on every page of the follow-up
list. Each page is counted twice, before and after 60 more people are added to the clerk's
township, and must also stay under a fixed bound.
"""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment.models import Enrollment, Resident
from portal.network.models import Region
from portal.privacy.id_numbers import make_id_number
from portal.privacy.id_vault import id_digest, id_encrypt

pytestmark = pytest.mark.django_db

CROWD = 60  # more than a page of the follow-up list (50) and than the search limit (50)
# Two residents share each birth date, so sequences 300-301 keep every number unique.
CROWD_FIRST_BIRTH = date(1970, 1, 1)

PAGES = {
    # Each also asks once whether a session without a second factor is an officer's (scopes.py).
    "dashboard": ("get", "/station/", {"year": 2022}, 26),
    # 12, its access-log entry and the session read (sessions live in the database alone)
    "follow-up list": ("get", "/station/follow-up/", {"year": 2022}, 15),
    "search by name": ("post", "/station/residents/", {"query": "测"}, 12),  # 10 and its access-log entry
}


def add_crowd(clerk) -> None:
    """60 residents of 华光路社区 who were enrolled and paid for 2021 and have not paid for 2022;
    every other one is enrolled (unpaid) for 2022, so the list shows both of its statuses."""
    village = Region.objects.get(code="370303001001")
    paid_2021 = Enrollment.objects.get(resident__name="刘桂英", year=2021)
    unpaid_2022 = Enrollment.objects.get(resident__name="刘桂英", year=2022)
    residents = []
    for index in range(CROWD):
        birth = date.fromordinal(CROWD_FIRST_BIRTH.toordinal() + index // 2)
        number = make_id_number("370303", birth, 300 + index % 2)
        residents.append(Resident(
            id_number_encrypted=id_encrypt(number), id_digest=id_digest(number), id_masked=number[:6] + "*" * 8 + number[-4:],
            name=f"测{index:02d}号", gender="male" if index % 2 else "female", birth_date=birth, region=village,
            created_by=clerk,
        ))
    residents = Resident.objects.bulk_create(residents)
    enrollments = []
    for index, resident in enumerate(residents):
        templates = [paid_2021, unpaid_2022] if index % 2 else [paid_2021]
        for template in templates:
            template.pk, template.resident = None, resident
            enrollments.append(Enrollment(**{
                field.attname: getattr(template, field.attname) for field in Enrollment._meta.concrete_fields
            }))
    Enrollment.objects.bulk_create(enrollments)


def queries_of(client, method: str, path: str, data: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, data)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", PAGES)
def test_station_page_makes_no_query_per_row(clerk_client, clerk_chezhan, page, django_assert_max_num_queries):
    method, path, data, bound = PAGES[page]
    before = queries_of(clerk_client, method, path, data)
    add_crowd(clerk_chezhan)
    with django_assert_max_num_queries(bound):
        response = getattr(clerk_client, method)(path, data)
    html = response.content.decode()
    if page != "dashboard":
        # The rows are really on the page: 50 people (a page, or the search limit).
        assert len(re.findall(r'<td><a href="/station/residents/\d+/">', html)) == 50
    assert queries_of(clerk_client, method, path, data) == before


def test_follow_up_shows_both_statuses_of_the_crowd(clerk_client, clerk_chezhan):
    add_crowd(clerk_chezhan)
    html = clerk_client.get("/station/follow-up/", {"year": 2022}).content.decode()
    assert "已登记未缴费" in html and "未登记" in html
    assert "共 63 人" in html  # the crowd and the demo's three


def test_search_by_id_number_makes_as_many_queries_with_a_crowd(clerk_client, clerk_chezhan):
    number = make_id_number("370303", date(1975, 11, 20), 22)  # 刘桂英 of the demo
    before = queries_of(clerk_client, "post", "/station/residents/", {"query": number})
    add_crowd(clerk_chezhan)
    assert queries_of(clerk_client, "post", "/station/residents/", {"query": number}) == before
