"""The SMS gateway backend against a gateway on this machine (http.server in a thread), and the
console backend that shows a developer the code."""

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.shared.notifications import HttpSmsGateway, Notification, NotificationFailed, notify

MESSAGE = "【城乡居民医保】您登录“我的医保”的验证码是 123456，5 分钟内有效。"


class Gateway(BaseHTTPRequestHandler):
    """Records what it is sent; answers with the server's ``status`` after ``delay`` seconds."""

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.server.received.append({"path": self.path, "headers": dict(self.headers),
                                     "body": json.loads(self.rfile.read(length))})
        time.sleep(self.server.delay)
        self.send_response(self.server.status)
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def gateway(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    server.received, server.status, server.delay = [], 200, 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.NOTIFICATION_BACKEND = "portal.shared.notifications.HttpSmsGateway"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "test-token"
    settings.SMS_GATEWAY_TIMEOUT = 0.5
    yield server
    server.shutdown()
    server.server_close()


def test_a_message_is_posted_as_json_with_the_bearer_token(gateway):
    notify(phone="13905335122", kind="sign_in_code", message=MESSAGE)
    (received,) = gateway.received
    assert received["path"] == "/send"
    assert received["headers"]["Authorization"] == "Bearer test-token"
    assert received["headers"]["Content-Type"].startswith("application/json")
    assert received["body"] == {"phone": "13905335122", "kind": "sign_in_code", "message": MESSAGE}


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_a_refusal_of_the_gateway_fails_the_send(gateway, status, caplog):
    gateway.status = status
    with pytest.raises(NotificationFailed):
        HttpSmsGateway().send(Notification(phone="13905335122", kind="sign_in_code", message=MESSAGE))
    assert "123456" not in caplog.text and "13905335122" not in caplog.text


def test_a_slow_gateway_fails_the_send_after_the_timeout(gateway):
    gateway.delay = 2
    started = time.monotonic()
    with pytest.raises(NotificationFailed):
        HttpSmsGateway().send(Notification(phone="13905335122", kind="sign_in_code", message=MESSAGE))
    assert time.monotonic() - started < 1.5


def test_an_unreachable_gateway_fails_the_send(gateway, settings):
    gateway.shutdown()
    gateway.server_close()
    with pytest.raises(NotificationFailed):
        HttpSmsGateway().send(Notification(phone="13905335122", kind="sign_in_code", message=MESSAGE))


def test_a_gateway_that_answers_no_http_fails_the_send(settings, caplog):
    """A port where something else listens: its answer is no HTTP status line (BadStatusLine)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_garbage():
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.sendall(b"garbage\r\n\r\n")
        connection.close()

    threading.Thread(target=answer_garbage, daemon=True).start()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{listener.getsockname()[1]}/send"
    try:
        with pytest.raises(NotificationFailed):
            HttpSmsGateway().send(Notification(phone="13905335122", kind="sign_in_code", message=MESSAGE))
    finally:
        listener.close()
    assert "123456" not in caplog.text


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://127.0.0.1/send", "http://127.0.0.1:port/send"])
def test_only_an_http_gateway_address_is_used(settings, url):
    settings.SMS_GATEWAY_URL = url
    with pytest.raises(NotificationFailed):
        HttpSmsGateway().send(Notification(phone="13905335122", kind="sign_in_code", message=MESSAGE))


def test_the_console_backend_shows_a_developer_the_whole_message(settings, caplog):
    settings.NOTIFICATION_BACKEND = "portal.shared.notifications.ConsoleBackend"
    # The project's logging lets the backend's INFO lines through to the console runserver writes to.
    assert logging.getLogger("portal.shared.notifications").isEnabledFor(logging.INFO)
    with caplog.at_level(logging.INFO, logger="portal.shared.notifications"):
        notify(phone="13905335122", kind="sign_in_code", message=MESSAGE)
    assert "验证码是 123456" in caplog.text and "139****5122" in caplog.text
