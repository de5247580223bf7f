"""In the admin a full ID number is searched through a POST form, never through the URL."""


from portal.network.models import Region
from tests.factories import staff_user

WANG = "370303195203151223"


def test_the_search_box_refuses_a_full_number_and_says_where_to_look(officer_client):
    response = officer_client.get("/admin/enrollment/resident/", {"q": WANG}, follow=True)
    page = response.content.decode()
    assert "请用右上角的“按身份证号查找”" in page
    assert "王秀兰" not in page


def test_the_find_form_lists_the_person_of_the_officers_scope(officer_client):
    response = officer_client.post("/admin/enrollment/resident/find/", {"id_number": WANG})
    page = response.content.decode()
    assert response.status_code == 200 and "王秀兰" in page and WANG not in page
    assert "/admin/enrollment/resident/" in page  # a link to the record, by its primary key only


def test_the_find_form_finds_the_enrollments_of_the_person_too(officer_client):
    page = officer_client.post("/admin/enrollment/enrollment/find/", {"id_number": WANG}).content.decode()
    assert "王秀兰 2022 年度" in page


def test_an_officer_of_another_county_finds_nothing(client, demo):
    zichuan = staff_user(role="officer", scope=Region.objects.get(code="370302000000"), username="officer_zichuan")
    client.force_login(zichuan)
    page = client.post("/admin/enrollment/resident/find/", {"id_number": WANG}).content.decode()
    assert "您管辖范围内没有这个身份证号" in page and "王秀兰" not in page


def test_a_wrong_number_is_answered_with_what_is_wrong(officer_client):
    page = officer_client.post("/admin/enrollment/resident/find/", {"id_number": "37030319520315122"}).content.decode()
    assert "17 位" in page


def test_a_clerk_cannot_use_the_find_form(client, demo, clerk_chezhan):
    client.force_login(clerk_chezhan)
    response = client.post("/admin/enrollment/resident/find/", {"id_number": WANG})
    assert response.status_code in (302, 403) and "王秀兰" not in response.content.decode()


def test_the_identity_list_has_the_same_find_form(officer_client):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    page = officer_client.post("/admin/assistance/assistanceidentity/find/", {"id_number": WANG}).content.decode()
    assert "王秀兰" in page and WANG not in page
