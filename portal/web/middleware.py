"""Refuse addresses that carry a NUL character, before any view sees them.

No name, code or amount the portal handles contains NUL, and PostgreSQL refuses NUL in any text
it compares or stores: an admin filter such as ``?status__exact=%00`` would otherwise end in
HTTP 500 on PostgreSQL (on SQLite it merely matches nothing). Form fields already refuse NUL
(Django's ProhibitNullCharactersValidator), and the body is left alone so that no view finds its
upload already parsed; this covers the path and the query string of every view at once.
Enabled by adding ``portal.web.middleware.RejectNulMiddleware`` to MIDDLEWARE after SecurityMiddleware.
"""

from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest, JsonResponse

MESSAGE = "请求地址中含有无效字符（NUL），请检查后重试。"


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            if request.path.startswith("/api/"):  # the API answers in its own error shape
                return JsonResponse({"errors": {"__all__": [MESSAGE]}}, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
