import re

import pytest

pytestmark = pytest.mark.django_db


def form_data(**visits):
    data = {
        "region": "370303", "year": "2022", "category": "adult", "assistance": "",
        "visits-TOTAL_FORMS": "1", "visits-INITIAL_FORMS": "0", "visits-MIN_NUM_FORMS": "0", "visits-MAX_NUM_FORMS": "50",
        "visits-0-kind": "inpatient", "visits-0-level": "3", "visits-0-child_order": "",
        "visits-0-total": "20000.00", "visits-0-policy_range": "18000.00",
    }
    data.update(visits)
    return data


def test_the_page_opens_with_one_visit_row_and_the_help(client, demo_policies):
    html = client.get("/estimate/").content.decode()
    assert "住院能报多少" in html and "政策范围内费用" in html
    assert 'name="visits-0-total"' in html
    assert "淄博市（全市）" in html and "淄博市 张店区" in html


def test_a_calculation_shows_each_layer_the_explanation_and_a_bar(client, demo_policies):
    html = client.post("/estimate/", form_data()).content.decode()
    assert "共报销 <strong>10380.00 元</strong>" in html
    assert "个人负担 <strong>9620.00 元</strong>" in html
    assert "报销比例 51.9%" in html
    assert re.search(r'<rect class="part-basic" x="0.0000" y="0" width="51.9000"', html)
    assert "三级医院" in html


def test_adding_a_row_works_without_javascript(client, demo_policies):
    html = client.post("/estimate/", {**form_data(), "add_row": "1"}).content.decode()
    assert 'name="visits-1-total"' in html
    assert "共报销" not in html


def test_adding_a_row_with_a_tampered_huge_row_count_is_refused_not_a_server_error(client, demo_policies):
    # More digits than Python's int() reads (4,300) once crashed the page with a 500.
    response = client.post("/estimate/", {**form_data(**{"visits-TOTAL_FORMS": "9" * 5000}), "add_row": "1"})
    assert response.status_code == 200
    assert 'name="visits-1-total"' not in response.content.decode()


def test_wrong_input_is_shown_next_to_the_field(client, demo_policies):
    html = client.post("/estimate/", form_data(**{"visits-0-policy_range": "30000"})).content.decode()
    assert "不能超过医疗总费用" in html
    assert "共报销" not in html


def test_a_clerk_link_fills_in_the_category_and_assistance(client, demo_policies):
    html = client.get("/estimate/", {"category": "student_child", "assistance": "minimum_living", "region": "370303001001"}).content.decode()
    assert re.search(r'<option value="student_child" selected>', html)
    assert re.search(r'<option value="minimum_living" selected>', html)
    assert re.search(r'<option value="370303" selected>', html)
