"""Files written whole or not at all.

A file is written under a temporary name in its own folder, flushed to the disk, and renamed
into place, which the file system does in one step: a reader sees the old state or the whole
new file, never part of one. On any error (a full disk, a read-only mount) the partial file is
removed and ``FileNotStored`` says so, with the message the user is shown.
"""

import os
import secrets
from pathlib import Path


class FileNotStored(Exception):
    message = "服务器暂时无法保存上传的文件（写入磁盘失败），这次什么都没有保存；请稍后再试，仍不行请联系系统管理员。"

    def __init__(self, path: Path):
        super().__init__(f"{path} not stored")


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (readable by this user only), or raise ``FileNotStored``."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())  # on the disk before anything that refers to it commits
        os.replace(partial, path)
        folder = os.open(path.parent, os.O_RDONLY)  # and the rename on the disk too
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise FileNotStored(path) from error
