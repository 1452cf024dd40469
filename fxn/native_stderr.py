"""Capturing what native code (LLVM's option parser) writes straight to file descriptor 2."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager


class CapturedText:
    text: str = ""


@contextmanager
def capture_native_stderr():
    """Redirect fd 2 while active; the text written is in the yielded object's ``text`` afterwards."""
    captured = CapturedText()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield captured
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            captured.text = sink.read().decode("utf-8", errors="replace")
