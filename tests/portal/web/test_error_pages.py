"""Every error page speaks the portal's language: in Chinese, in its style, saying what happened
and what to do, and never telling a clerk that something failed which may have been recorded."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def page(response) -> str:
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html and "bootstrap" in html and "12393" in html
    return html


def test_a_bad_request_says_to_refresh_and_to_check_before_repeating(client):
    response = client.get("/", HTTP_HOST="attacker.example")  # not an allowed host: Django answers 400
    assert response.status_code == 400
    html = page(response)
    assert "请求无法处理" in html and "刷新页面后再提交" in html and "以免重复收费" in html


def test_a_refused_form_says_it_was_not_done_and_to_refresh(demo):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/lookup/", {"name": "王秀兰", "id_number": "370303195203151223"})
    assert response.status_code == 403
    html = page(response)
    assert "页面已失效" in html and "这次提交没有办理" in html and "CSRF" not in html


def test_a_server_error_asks_to_check_the_record_before_recording_again(client, monkeypatch):
    from portal.public import views

    def broken(*args, **kwargs):
        raise RuntimeError("a fault")

    monkeypatch.setattr(views, "render", broken)
    client.raise_request_exception = False
    response = client.get("/guides/")
    assert response.status_code == 500
    html = page(response)
    assert "请稍后再试" in html and "核对是否已经办好" in html and "没有保存成功" not in html


def test_not_found_and_forbidden_pages_are_the_portals(client, monkeypatch):
    from django.core.exceptions import PermissionDenied

    from portal.public import views

    html = page(client.get("/no-such-page/"))
    assert "页面不存在" in html

    def refused(*args, **kwargs):
        raise PermissionDenied("只能查看您管辖范围内的记录。")

    monkeypatch.setattr(views, "render", refused)
    response = client.get("/guides/")
    assert response.status_code == 403
    assert "无权访问" in page(response) and "只能查看您管辖范围内的记录。" in response.content.decode()
