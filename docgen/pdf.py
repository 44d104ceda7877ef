"""A filing as PDF, printed by LibreOffice headless where it is installed (counties publish PDFs).

LibreOffice runs as a subprocess with a timeout (its whole process group is killed past it), in a
worker thread (never on the event loop), with a profile directory of its own for each conversion
(two conversions sharing one profile would collide), with the project's fontconfig aliases (fonts.conf:
仿宋/宋体 print in a serif Chinese face, 方正小标宋 in its bold, 黑体 in a sans; not the JP face an unknown
font name would fall back to), and at most `SLOTS` at a time per process: a
request waits for a slot before it takes a worker thread, so waiting conversions never hold the
threads that the rest of the server (Word filings, search commits) shares.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import weakref
from pathlib import Path

from docgen.filing import Filing

TIMEOUT_SECONDS = 180
SLOTS = 2
_slots = threading.BoundedSemaphore(SLOTS)  # callers in threads (the CLI, packages)
_async_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()
log = logging.getLogger("qingquan.docgen")
#: the 公文 fonts mapped to installed faces, the system's configuration included (see the file)
FONTS_CONF = Path(__file__).resolve().parent / "fonts.conf"
UNAVAILABLE = "LibreOffice (soffice) is not installed on this server: no PDF, only the .docx"


class PdfUnavailable(Exception):
    """No PDF could be made: LibreOffice is missing, failed or took too long (the message says which)."""


def soffice() -> str | None:
    """The LibreOffice executable on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_name(filing: Filing) -> str:
    return str(Path(filing.filename).with_suffix(".pdf"))


def convert(filing: Filing, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The filing printed to PDF by LibreOffice (blocking: call it from a worker thread)."""
    executable = soffice()
    if executable is None:
        raise PdfUnavailable(UNAVAILABLE)
    with _slots, tempfile.TemporaryDirectory(prefix="qingquan-pdf-") as work:
        folder = Path(work)
        source = folder / "filing.docx"  # a fixed name: nothing of the filing's reaches the file system
        source.write_bytes(filing.content)
        command = [
            executable, "--headless", "--norestore", "--nolockcheck",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to", "pdf", "--outdir", str(folder / "out"), str(source),
        ]  # fmt: skip
        environment = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, env=environment
        )
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfUnavailable(f"LibreOffice took longer than {timeout:g} s: no PDF") from None
        target = folder / "out" / "filing.pdf"
        if not target.exists():
            # its own words (temporary paths among them) go to the log, not to whoever asked
            log.warning("LibreOffice made no PDF (exit %s): %s", process.returncode, errors.decode(errors="replace")[-300:])
            raise PdfUnavailable(f"LibreOffice failed to print this filing (exit {process.returncode}): no PDF")
        return target.read_bytes()


async def to_pdf(filing: Filing) -> bytes:
    """`convert` off the event loop (LibreOffice's own timeout, `TIMEOUT_SECONDS`, applies)."""
    slots = _async_slots.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(SLOTS))
    async with slots:
        return await asyncio.to_thread(convert, filing)
