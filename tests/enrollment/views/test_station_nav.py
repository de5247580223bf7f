"""The station's navigation and the page links of its lists, shared by every station page."""

import re

import pytest

from enrollment.models import Resident

pytestmark = pytest.mark.django_db


def active_links(page: str) -> list[str]:
    nav = re.search(r'<nav class="station-nav.*?</nav>', page, re.S).group(0)
    # The folded list for phones and the full one for wider screens mark the same page.
    folded, full = re.findall(r"<ul.*?</ul>", nav, re.S)
    marked = [re.findall(r'class="nav-link active" aria-current="page" href="[^"]*">([^<]+)<', links)
              for links in (folded, full)]
    assert marked[0] == marked[1]
    return marked[1]


@pytest.mark.parametrize("path, active", [
    ("/station/", ["概况"]),
    ("/station/residents/", ["查找居民"]),
    ("/station/residents/new/", ["新登记居民"]),
    ("/station/follow-up/", ["追缴名单"]),
    ("/station/imports/", ["批量导入"]),
    ("/station/assistance/applications/", ["救助申请"]),  # a link another app adds
    ("/station/treatment/claims/", ["零星报销"]),
])
def test_the_navigation_marks_the_page_the_clerk_is_on(clerk_client, demo, path, active):
    assert active_links(clerk_client.get(path).content.decode()) == active


def test_on_a_phone_the_folded_navigation_names_the_page_the_clerk_is_on(clerk_client, demo):
    page = clerk_client.get("/station/treatment/filings/").content.decode()
    assert re.search(r"<summary[^>]*>工作站功能：异地就医备案</summary>", page)


def test_a_residents_page_is_marked_as_under_finding_residents(clerk_client, demo):
    resident = Resident.objects.get(name="王秀兰")
    assert active_links(clerk_client.get(f"/station/residents/{resident.pk}/").content.decode()) == ["查找居民"]


def test_an_officer_deciding_an_application_sees_no_station_navigation(client, demo, officer):
    client.force_login(officer)
    page = client.get("/station/assistance/applications/").content.decode()
    assert 'class="station-nav' not in page


def test_a_long_list_links_its_pages(clerk_client, demo, monkeypatch):
    from portal.public import views as public_views

    monkeypatch.setattr(public_views, "NOTICES_PER_PAGE", 2)
    first = clerk_client.get("/notices/").content.decode()
    assert "第 1 / 3 页，共 5 篇" in first and 'href="?page=2">下一页' in first and "上一页" not in first
    last = clerk_client.get("/notices/", {"page": 3}).content.decode()
    assert 'href="?page=2">上一页' in last and "下一页" not in last
