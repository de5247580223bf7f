"""The pages' side of scanned documents (portal/privacy/scans.py), the same on every app's case
page: the upload form, taking an upload with the user told what came of it, and handing a file
out with its access-log entry."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest

from portal.privacy.models import access_log_write
from portal.privacy.scans import ScannedDocument


class ScanForm(forms.Form):
    file = forms.FileField(label="材料文件", help_text="PDF 或图片（PNG、JPEG），不超过 5 MB。",
                           error_messages={"required": "请选择要上传的文件。"})


def scan_upload(request: HttpRequest, add: Callable[..., object]) -> None:
    """Pass the posted file to ``add(upload)`` (the app's service, which checks who may add what)
    and put its answer, or why not, in the user's messages."""
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件。")
        return
    try:
        add(form.cleaned_data["file"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "材料已上传。")


def scan_download(request: HttpRequest, document: ScannedDocument, *, subject_digest: str,
                  detail: str) -> FileResponse:
    """The file of a document the caller found within the user's scope, logged as seen."""
    access_log_write(request=request, action="view_attachment", subject_digest=subject_digest, detail=detail)
    return document.response()
