"""Old binary Word (.doc, OLE2) -> .docx through LibreOffice headless, then the DOCX reader.

Why LibreOffice: no maintained pure-Python reader for Word 97-2003 exists; LibreOffice is the
Debian package `libreoffice-writer-nogui` (optional at run time). Each conversion gets its own
throwaway profile directory (concurrent soffice processes sharing ~/.config lock each other
out) and a hard timeout; the whole process group is killed on timeout so no soffice.bin lingers.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError
from . import Extracted

HOW_TO = ("old binary Word .doc needs LibreOffice to convert it: install libreoffice-writer-nogui "
          "(apt-get install libreoffice-writer-nogui; or scripts/install-system-deps.sh), or save the file as .docx")


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _check_ole(data: bytes, path) -> None:
    """An OLE2 container can be many things: say which when it is not a Word 97-2003 file."""
    head = data[:1 << 20]
    if _utf16("EncryptionInfo") in head or _utf16("EncryptedPackage") in head:
        raise InputError(path, "password-protected Office document: remove the password in Word and save again (vbparse cannot decrypt Office files)")
    if _utf16("WordDocument") in data:
        return
    if _utf16("Workbook") in head or _utf16("Book") in head:
        raise InputError(path, "an Excel workbook (.xls), not a Word document")
    if _utf16("PowerPoint Document") in head:
        raise InputError(path, "a PowerPoint file (.ppt), not a Word document")
    raise InputError(path, "an OLE2 file (old Office format) that is not a Word document")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, path, to: str = "docx", timeout: float = 120.0) -> bytes:
    exe = soffice()
    if not exe:
        raise InputError(path, HOW_TO)
    with tempfile.TemporaryDirectory(prefix="vbparse-lo-") as tmp:
        src = Path(tmp) / "in.doc"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        env = dict(os.environ, HOME=tmp)
        cmd = [exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", to, "--outdir", str(out), str(src)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice forks soffice.bin: kill the group
            proc.communicate()
            raise InputError(path, f"LibreOffice took more than {timeout:.0f} s to convert the .doc; gave up") from None
        result = out / f"in.{to}"
        if not result.exists():
            why = (err or b"").decode("utf-8", "replace").strip().splitlines()
            why = [w for w in why if "javaldx" not in w]
            raise InputError(path, f"LibreOffice could not convert this .doc ({why[-1][:120] if why else 'damaged or protected file?'})")
        return result.read_bytes()


def extract(data: bytes, path: str | None, **opts) -> Extracted:
    _check_ole(data, path)
    from . import docx

    converted = convert(data, path, timeout=float(opts.get("convert_timeout", 120)))
    ext = docx.extract(converted, path, **{**opts, "_converted": True})
    from .blocks import extension_warning

    ext.warnings[:0] = extension_warning(path, "doc")
    ext.warnings.insert(0, "old .doc converted to .docx by LibreOffice")
    return ext
