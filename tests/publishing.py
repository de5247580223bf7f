"""Publishing a standard through the officers' pages: the save (or the list's action) leads to
the page of differences, whose confirmation publishes."""

from urllib.parse import parse_qs, urlsplit


def confirm_publish(client, response, reason: str | None = None):
    """From the answer to 保存并发布 or to the list's publish action (a redirect to the publish
    page), open that page and confirm it; returns the page reached after the confirmation."""
    assert response.status_code == 302 and "/publish/" in response["Location"], response
    location = urlsplit(response["Location"])
    page = client.get(response["Location"])
    assert page.status_code == 200 and "确认发布" in page.content.decode(), page.content.decode()[-2000:]
    if reason is None:
        reason = parse_qs(location.query).get("reason", [""])[0]
    return client.post(location.path, {"reason": reason}, follow=True)
