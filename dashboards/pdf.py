"""HTML to PDF with the machine's Chromium (`--print-to-pdf` embeds the subset of the CJK font it used),
shared by the 公安提示函 (letter_mail.py) and the reports (reports/documents.py).

Chromium prints Chinese as empty boxes when no CJK font is installed, and says nothing: `require_cjk_font`
checks first, so a missing font is an error naming the Debian package instead of a PDF of boxes.

Exceptions, drawn:

    PdfError          Chromium missing, failing or too slow
      FontMissing     no font on the machine covers Chinese
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from dashboards.messages import say

PDF_TIMEOUT_S = 60.0
FONT_PACKAGES = "fonts-wqy-microhei（或 fonts-noto-cjk）"
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")
# File names of the CJK fonts Debian ships, for a machine without fontconfig's fc-list.
CJK_FONT_NAMES = ("wqy", "notosanscjk", "notoserifcjk", "droidsansfallback", "sourcehan", "arphic", "uming")


class PdfError(Exception):
    """The PDF could not be printed."""


class FontMissing(PdfError):
    """No installed font covers Chinese: Chromium would print empty boxes."""


@lru_cache(maxsize=1)
def cjk_font_installed() -> bool:
    """Whether fontconfig (or, without fc-list, a font folder) knows a font that covers Chinese."""
    if shutil.which("fc-list"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            found = subprocess.run(
                ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20, check=False
            )
            return bool(found.stdout.strip())
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if root.is_dir() and any(
            any(n in p.name.lower().replace("-", "").replace("_", "") for n in CJK_FONT_NAMES)
            for p in root.rglob("*")
        ):
            return True
    return False


def require_cjk_font() -> None:
    """FontMissing, naming the package to install, unless a CJK font is installed."""
    if not cjk_font_installed():
        raise FontMissing(say("pdf_no_font", packages=FONT_PACKAGES))


async def print_pdf(chromium: str, html: str, timeout_s: float = PDF_TIMEOUT_S) -> bytes:
    """The PDF Chromium prints from `html` (A4 unless the page's CSS says otherwise, no header or footer; a
    profile of its own per print, so prints may overlap)."""
    with tempfile.TemporaryDirectory(prefix="yuqing-pdf-") as tmp:
        src, out = Path(tmp) / "page.html", Path(tmp) / "page.pdf"
        src.write_text(html, encoding="utf-8")
        args = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--no-first-run", "--no-pdf-header-footer", f"--user-data-dir={tmp}/profile",
            f"--print-to-pdf={out}", src.as_uri(),
        ]  # fmt: skip
        try:
            proc = await asyncio.create_subprocess_exec(
                chromium, *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
            )
        except OSError as exc:
            raise PdfError(say("pdf_no_chromium", chromium=chromium, error=exc.strerror or exc)) from exc
        try:
            _, err = await asyncio.wait_for(proc.communicate(), timeout_s)
        except TimeoutError as exc:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise PdfError(say("pdf_timeout", seconds=f"{timeout_s:.0f}")) from exc
        if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            tail = (err or b"").decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise PdfError(say("pdf_failed", code=proc.returncode, tail=tail[0][:300]))
        return out.read_bytes()
