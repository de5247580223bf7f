"""The public pages of the service network: home, service points, guides, notices and the
service-points API, on the demo network of 淄博市."""

import re
from pathlib import Path

import pytest

from portal.network.models import ServiceItem, ServicePoint
from portal.public.models import PolicyNotice, ServiceGuide

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]
HUAGUANG = "370303001001"  # 华光路社区, 车站街道, 张店区
CHEZHAN = "370303001000"


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text(response) -> str:
    """The visible words of the main part of a page, tags removed."""
    main = re.search(r"<main.*?</main>", html(response), re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"</?span[^>]*>", "", main)))


# Home page


def test_the_home_page_offers_all_seven_resident_services_one_click_away(client):
    page = html(client.get("/"))
    tiles = re.findall(r'<a class="service-tile" href="([^"]+)">\s*<span class="service-title">([^<]+)<', page)
    assert tiles == [
        ("/premium/", "今年交多少钱"), ("/lookup/", "我参保了吗"), ("/my/", "我的医保"), ("/estimate/", "住院能报多少"),
        ("/service-points/", "找服务站"), ("/guides/", "怎么办"), ("/notices/", "政策"),
    ]


@pytest.mark.parametrize("url", ["/premium/", "/lookup/", "/service-points/", "/guides/", "/notices/"])
def test_every_public_page_works_without_javascript_and_without_inline_styles(client, demo_network, url):
    page = html(client.get(url))
    assert "<script" not in page
    assert " style=" not in page


# Find my service point


def test_the_finder_asks_for_the_county_first_with_the_only_city_chosen(client, demo_network):
    page = html(client.get("/service-points/"))
    assert re.search(r'<option value="370300000000" selected>淄博市</option>', page)
    assert '<label class="form-label" for="id_county">县(区)</label>' in page
    assert "id_township" not in page  # the next step comes after the county is chosen


def test_choosing_step_by_step_shows_the_village_point_and_the_township_station(client, demo_network):
    page = text(client.get("/service-points/", {"county": "370303000000"}))
    assert "乡镇(街道)" in page and "车站街道" in page
    page = text(client.get("/service-points/", {"county": "370303000000", "township": CHEZHAN, "village": HUAGUANG}))
    assert "您的村(社区)医保服务点 华光路社区医保服务点" in page
    assert "您的乡镇(街道)医保工作站 车站街道医保工作站" in page


def test_the_township_station_lists_manual_reimbursement_and_the_village_point_does_not(client, demo_network):
    page = html(client.get("/service-points/", {"region": HUAGUANG}))
    village_card, township_card = page.split('<article class="point-card')[1:3]
    assert "华光路社区医保服务点" in village_card and "零星报销初审" not in village_card
    assert "车站街道医保工作站" in township_card and 'href="/guides/reimbursement_review/">零星报销初审' in township_card


def test_a_village_from_another_township_is_dropped_when_the_township_changes(client, demo_network):
    page = html(client.get("/service-points/", {"county": "370303000000", "township": "370303002000", "village": HUAGUANG}))
    assert "华光路社区医保服务点" not in page
    assert "请选择村(社区)" in page
    assert "公园街道医保工作站" in page


def test_a_village_without_a_point_is_sent_to_the_township_station(client, demo_network):
    ServicePoint.objects.filter(region__code=HUAGUANG).update(active=False)
    page = text(client.get("/service-points/", {"region": HUAGUANG}))
    assert "华光路社区还没有设立医保服务点。 请到本乡镇(街道)的 车站街道医保工作站 办理" in page
    assert "华光路社区医保服务点" not in page


def test_without_a_township_station_the_nearest_point_of_the_township_is_offered(client, demo_network):
    ServicePoint.objects.filter(region__code__in=[HUAGUANG, CHEZHAN]).update(active=False)
    page = text(client.get("/service-points/", {"region": HUAGUANG}))
    assert "本乡镇(街道)离您最近的服务点 共青团路社区医保服务点" in page


def test_searching_by_name_finds_points_by_their_name_or_their_place(client, demo_network):
    page = text(client.get("/service-points/search/", {"q": "华光路"}))
    assert "找到 1 个服务点" in page and "华光路社区医保服务点" in page
    page = text(client.get("/service-points/search/", {"q": "车站街道"}))
    assert "找到 4 个服务点" in page  # the station and its three community points, by their address
    page = text(client.get("/service-points/search/", {"q": "不存在的地方"}))
    assert "没有找到名称中含“不存在的地方”的服务点" in page


def test_browsing_a_county_lists_its_townships_with_how_many_points_each_has(client, demo_network):
    page = text(client.get("/service-points/area/370303000000/"))
    assert "张店区医疗保障服务大厅" in page
    assert "车站街道 ：4 个服务网点" in page
    assert "杏园街道 ：3 个服务网点" in page


def test_browsing_an_unknown_or_malformed_region_is_a_404(client, demo_network):
    assert client.get("/service-points/area/370399000000/").status_code == 404
    assert client.get("/service-points/area/abc/").status_code == 404


def test_a_point_page_shows_everything_a_resident_needs_to_go_there(client, demo_network):
    point = ServicePoint.objects.get(name="华光路社区医保服务点")
    point.latitude, point.longitude = "36.806123", "118.047456"
    point.save()
    page = text(client.get(f"/service-points/{point.pk}/"))
    for expected in ["村(社区)医保服务点", point.address, point.phone, point.opening_hours,
                     "北纬 36.806123，东经 118.047456", "上级站 车站街道医保工作站"]:
        assert expected in page
    assert "<a href=\"/guides/registration/\">参保登记</a>" in html(client.get(f"/service-points/{point.pk}/"))


def test_the_parent_of_a_township_station_is_the_county_hall(client, demo_network):
    station = ServicePoint.objects.get(name="车站街道医保工作站")
    assert "上级站 张店区医疗保障服务大厅" in text(client.get(f"/service-points/{station.pk}/"))


def test_an_inactive_point_has_no_public_page(client, demo_network):
    point = ServicePoint.objects.get(name="华光路社区医保服务点")
    point.active = False
    point.save()
    assert client.get(f"/service-points/{point.pk}/").status_code == 404


# The service-points API


def test_the_api_lists_the_active_points_of_a_region_and_the_regions_under_it(client, demo_network):
    ServicePoint.objects.filter(name="西二路社区医保服务点").update(active=False)
    response = client.get("/api/v1/service-points", {"region": "370303001"})
    assert response.status_code == 200
    data = response.json()
    assert data["region"] == {"code": CHEZHAN, "name": "车站街道", "level": "乡镇(街道)"}
    assert [p["name"] for p in data["service_points"]] == [
        "车站街道医保工作站", "华光路社区医保服务点", "共青团路社区医保服务点",
    ]
    assert data["count"] == 3 and data["next"] is None


def test_the_api_describes_each_point_with_its_services_and_coordinates(client, demo_network):
    ServicePoint.objects.filter(name="华光路社区医保服务点").update(latitude="36.806123", longitude="118.047456")
    point = client.get("/api/v1/service-points", {"region": HUAGUANG}).json()["service_points"][0]
    assert point["kind"] == "village_point" and point["kind_label"] == "村(社区)医保服务点"
    assert point["region"] == {"code": HUAGUANG, "name": "华光路社区"}
    assert point["latitude"] == "36.806123" and point["longitude"] == "118.047456"
    assert {"code": "payment", "name": "缴费"} in point["services"]
    assert "reimbursement_review" not in [s["code"] for s in point["services"]]
    assert client.get(point["url"]).status_code == 200


def test_the_api_refuses_a_malformed_code_with_400_and_says_why(client, demo_network):
    for bad in ["abc", "3703031", ""]:
        response = client.get("/api/v1/service-points", {"region": bad})
        assert response.status_code == 400
        assert response.json()["errors"]["region"][0]


def test_the_api_answers_404_for_a_region_that_does_not_exist(client, demo_network):
    response = client.get("/api/v1/service-points", {"region": "370399"})
    assert response.status_code == 404
    assert "370399000000" in response.json()["errors"]["__all__"][0]


def test_the_api_pages_large_answers(client, demo_network):
    from portal.network import views as network_views

    network_views.API_PAGE_SIZE, saved = 10, network_views.API_PAGE_SIZE
    try:
        first = client.get("/api/v1/service-points", {"region": "370300"}).json()
        # 25 points of the demo network and the demo hospital's newborn desk.
        assert first["count"] == 26 and first["pages"] == 3 and len(first["service_points"]) == 10
        second = client.get(first["next"]).json()
        assert second["page"] == 2
        assert not {p["id"] for p in first["service_points"]} & {p["id"] for p in second["service_points"]}
        assert client.get("/api/v1/service-points", {"region": "370300", "page": "9"}).status_code == 404
        assert client.get("/api/v1/service-points", {"region": "370300", "page": "x"}).status_code == 400
    finally:
        network_views.API_PAGE_SIZE = saved


def test_the_api_only_answers_get(client, demo_network):
    assert client.post("/api/v1/service-points?region=370300").status_code == 405


# Service guides


def test_every_service_item_has_a_guide_with_all_its_parts(client, demo_network):
    assert ServiceGuide.objects.count() == ServiceItem.objects.count() == 10
    for item in ServiceItem.objects.all():
        page = text(client.get(f"/guides/{item.code}/"))
        for heading in ["谁可以办", "要带的材料", "到哪里办", "多长时间办好", "能否网上办", "收费"]:
            assert heading in page, (item.code, heading)
        assert "不收费" in page


def test_the_guide_list_links_every_item(client, demo_network):
    page = html(client.get("/guides/"))
    for item in ServiceItem.objects.all():
        assert f'href="/guides/{item.code}/"' in page


def test_a_guide_says_which_kinds_of_points_handle_the_item_today(client, demo_network):
    page = text(client.get("/guides/reimbursement_review/"))
    assert "目前可办理的网点类型：市级医保服务大厅、县级医保服务大厅、乡镇(街道)医保工作站。" in page
    assert "不能网上办理" in page
    assert "可以网上办理" in text(client.get("/guides/registration/"))


def test_an_item_without_a_guide_says_so_instead_of_failing(client, demo_network):
    ServiceGuide.objects.filter(item__code="newborn").delete()
    assert "办事指南正在编写" in text(client.get("/guides/newborn/"))
    assert client.get("/guides/no-such-item/").status_code == 404


def test_an_officer_edit_shows_on_the_guide_page_and_survives_another_demo_load(client, demo_network):
    from portal.network.demo import load

    ServiceGuide.objects.filter(item__code="payment").update(time_limit="即时办结，凭证当场打印。")
    load()
    assert "即时办结，凭证当场打印。" in text(client.get("/guides/payment/"))


# Policy notices


def test_the_notices_of_the_seeds_are_listed_newest_first_with_number_and_date(client, demo_network):
    page = text(client.get("/notices/"))
    order = [page.index(number) for number in ["焦医保〔2022〕77号", "鲁医保发〔2022〕24号", "粤医保发〔2022〕19号", "淄医保发〔2020〕57号"]]
    assert order == sorted(order)
    assert "2022年8月31日" in page and "日期未注明" in page


def test_a_notice_page_shows_the_plain_summary_and_the_original_text(client, demo_network):
    notice = PolicyNotice.objects.get(number="淄医保发〔2020〕57号")
    page = text(client.get(f"/notices/{notice.pk}/"))
    assert "成年居民每人每年 370 元" in page  # the summary
    assert "由每人每年 340 元调整为 370 元" in page  # the seed text
    assert "淄博市医疗保障局 淄博市财政局 国家税务总局淄博市税务局" in page


def test_the_news_article_stops_before_the_unrelated_article_on_the_same_page(demo_network):
    article = PolicyNotice.objects.get(kind=PolicyNotice.Kind.NEWS)
    assert "再救助" in article.body and "残疾人" not in article.body
    assert "**" not in article.body and "\n#" not in article.body


def test_an_unpublished_notice_is_neither_listed_nor_shown(client, demo_network):
    notice = PolicyNotice.objects.get(number="鲁医保发〔2022〕24号")
    notice.published = False
    notice.save()
    assert "鲁医保发〔2022〕24号" not in text(client.get("/notices/"))
    assert client.get(f"/notices/{notice.pk}/").status_code == 404


def test_the_seed_notices_are_kept_in_the_repository():
    copies = sorted(p.name for p in (REPO / "portal" / "public" / "seed_notices").glob("*.txt"))
    assert len(copies) == 5
    shared = REPO.parent / "shared" / "seeds"
    if shared.exists():  # on a machine with the shared seeds, the copies are exact
        for name in copies:
            assert (shared / name).read_bytes() == (REPO / "portal" / "public" / "seed_notices" / name).read_bytes()


def test_loading_the_demo_twice_makes_no_second_guide_or_notice(demo_network):
    from portal.network.demo import load

    before = (ServiceGuide.objects.count(), PolicyNotice.objects.count())
    load()
    assert (ServiceGuide.objects.count(), PolicyNotice.objects.count()) == before == (10, 5)


# Admin


def test_guides_and_notices_can_be_edited_in_the_admin(client, demo_network, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="a-long-test-password")
    client.force_login(admin)
    guide = ServiceGuide.objects.get(item__code="payment")
    assert client.get(f"/admin/portal/serviceguide/{guide.pk}/change/").status_code == 200
    assert client.get("/admin/portal/policynotice/").status_code == 200
    assert client.get("/admin/portal/policynotice/add/").status_code == 200

