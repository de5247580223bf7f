"""GET /api/v1/openapi.json: the description of the JSON API (OpenAPI 3.1) for the developers of
the apps that call it. The document is the checked-in ``openapi.json`` beside this module, served
as it is; tests hold it to the code (tests/portal/public/test_openapi.py) and schemathesis holds
the code to it (tests/test_api_schemathesis.py)."""

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import etag

SCHEMA_PATH = Path(__file__).with_name("openapi.json")
# The document changes only with a deployment; clients revalidate with the ETag after an hour.
MAX_AGE = 3600


@dataclass(frozen=True)
class Document:
    content: bytes
    etag: str


@cache
def document() -> Document:
    content = SCHEMA_PATH.read_bytes()
    return Document(content=content, etag=hashlib.sha256(content).hexdigest()[:32])


@etag(lambda request: document().etag)
def _document_response(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(document().content, content_type="application/json")
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


@csrf_exempt  # no cookies, nothing to protect: a POST gets the 405 below, not the CSRF page
def openapi(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):  # in the API's error shape, as its other endpoints
        response = JsonResponse({"errors": {"__all__": ["只支持 GET 请求。"]}}, status=405,
                                json_dumps_params={"ensure_ascii": False})
        response["Allow"] = "GET, HEAD"
        return response
    return _document_response(request)
