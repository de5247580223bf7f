"""Scanned documents (申请材料, invoices, referrals) kept in private storage.

A file lives in ``settings.PRIVATE_STORAGE_ROOT/<folder>``, outside any public URL, and is served
only by a view that checks the viewer's scope. Every app's attachment model inherits
``ScannedDocument`` and names its folder; ``scan_store`` checks and writes an upload before the
row is saved, and ``scans_sweep`` deletes the files whose row never came (the transaction rolled
back after the file was written).
"""

import hashlib
import os
import re
import uuid
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import FileResponse, Http404

from portal.shared.files import FileNotStored, write_whole

MAX_SCAN_BYTES = 5 * 1024 * 1024
# What the first bytes of a file must be: the name and the browser's content type are the
# uploader's word, the content is not.
MAGIC = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
]
# A file is written before its row, and the row's transaction may still roll back: such a file
# names no row. An upload in progress has no row yet either, so only older files are orphans.
ORPHAN_AFTER = timedelta(hours=1)
# The names scan_store gives files; nothing else in a folder is the sweep's to delete.
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(?:pdf|png|jpg)")


class ScannedDocument(models.Model):
    """A scanned PDF or image of at most 5 MB; subclasses add the object it belongs to."""

    scan_folder: ClassVar[str]

    original_name = models.CharField("文件名", max_length=200)
    stored_name = models.CharField("存储名", max_length=100, unique=True, editable=False)
    content_type = models.CharField("文件类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def path(self) -> Path:
        return folder_path(self.scan_folder) / self.stored_name

    def response(self) -> FileResponse:
        """The file as a download that no cache keeps; 404 when it is missing."""
        if not self.path.is_file():
            raise Http404("材料文件不存在")
        response = FileResponse(self.path.open("rb"), content_type=self.content_type, as_attachment=True,
                                filename=self.original_name)
        response["Cache-Control"] = "private, no-store"
        return response


def folder_path(folder: str) -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / folder


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, suffix) of a PDF, PNG or JPEG from its first bytes, else None."""
    for magic, content_type, suffix in MAGIC:
        if head.startswith(magic):
            return content_type, suffix
    return None


def scan_store(*, upload, folder: str) -> dict:
    """Check an upload (PDF, PNG or JPEG by its content, at most 5 MB) and write it whole into the
    folder; returns the ScannedDocument fields but ``uploaded_by``. Raises ValidationError
    (Chinese, saying what to do) and writes nothing when the file is refused."""
    if upload.size > MAX_SCAN_BYTES:
        raise ValidationError(
            f"文件“{upload.name}”有 {upload.size / 1024 / 1024:.1f} MB，超过 5 MB；请压缩或分页扫描后再上传。"
        )
    content = upload.read(MAX_SCAN_BYTES + 1)
    if len(content) > MAX_SCAN_BYTES:  # the declared size is the client's word too
        raise ValidationError(f"文件“{upload.name}”超过 5 MB；请压缩或分页扫描后再上传。")
    kind = sniff(content[:16])
    if kind is None:
        raise ValidationError(f"文件“{upload.name}”不是 PDF、PNG 或 JPEG 文件；请上传扫描件或照片。")
    content_type, suffix = kind
    stored_name = f"{uuid.uuid4().hex}{suffix}"
    try:
        write_whole(folder_path(folder) / stored_name, content)
    except FileNotStored as error:
        raise ValidationError(error.message) from error
    return {
        "original_name": Path(upload.name).name[:200] or stored_name, "stored_name": stored_name,
        "content_type": content_type, "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
    }


def scan_attach(model: type[ScannedDocument], *, upload, user, **owner) -> ScannedDocument:
    """Store ``upload`` (``scan_store``) and write its row of ``model`` for ``owner`` (the object it
    belongs to, by field name); when the row cannot be written the file goes too."""
    stored = scan_store(upload=upload, folder=model.scan_folder)
    try:
        return model.objects.create(uploaded_by=user, **owner, **stored)
    except Exception:
        (folder_path(model.scan_folder) / stored["stored_name"]).unlink(missing_ok=True)
        raise


def scan_models() -> list[type[ScannedDocument]]:
    return [model for model in apps.get_models() if issubclass(model, ScannedDocument)]


def scans_sweep(*, now: float, dry_run: bool = False) -> list[str]:
    """Delete the files of every scan folder that no row names and that were written more than
    ORPHAN_AFTER before ``now`` (UNIX time); return their names."""
    orphans = []
    for model in scan_models():
        orphans += _sweep_folder(model, now=now, dry_run=dry_run)
    return sorted(orphans)


def _sweep_folder(model: type[ScannedDocument], *, now: float, dry_run: bool) -> list[str]:
    root = folder_path(model.scan_folder)
    if not root.is_dir():
        return []
    cutoff = now - ORPHAN_AFTER.total_seconds()
    candidates = {}
    with os.scandir(root) as entries:
        for entry in entries:
            try:
                if (STORED_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)
                        and entry.stat(follow_symlinks=False).st_mtime < cutoff):
                    candidates[entry.name] = Path(entry.path)
            except FileNotFoundError:  # deleted meanwhile: by a failed upload, say
                continue
    names = sorted(candidates)
    kept = set()
    for start in range(0, len(names), 1000):  # within every database's limit of query parameters
        chunk = names[start:start + 1000]
        kept.update(model.objects.filter(stored_name__in=chunk).values_list("stored_name", flat=True))
    orphans = [name for name in names if name not in kept]
    if not dry_run:
        for name in orphans:
            candidates[name].unlink(missing_ok=True)
    return orphans


def any_scan_rows() -> bool:
    return any(model.objects.exists() for model in scan_models())
