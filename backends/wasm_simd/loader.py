"""The ES-module loader ``<stem>.mjs`` written next to ``<stem>.wasm``: the template ``loader.mjs`` for one stem.

The loader is the same code for every build; what differs is where it
finds its ``.wasm`` and the manifest ``<stem>.json`` (which fxn's core
writes after the backend's artifacts, with every predictor's signature and
failure sites: allocations and index checks): both are URLs relative to
the loader, written as JSON string literals (percent-encoded, so no file
name can end the literal or the module specifier). See ``loader.mjs`` for
the API.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

TEMPLATE = Path(__file__).with_name("loader.mjs")


def relative_url(file_name: str) -> str:
    """A JS string literal of the URL of ``file_name`` relative to the loader."""
    return json.dumps("./" + quote(file_name), ensure_ascii=True)


def loader_source(stem: str) -> str:
    """The text of ``<stem>.mjs``."""
    text = TEMPLATE.read_text()
    return text.replace("@MANIFEST_URL@", relative_url(f"{stem}.json")).replace("@WASM_URL@",
                                                                                  relative_url(f"{stem}.wasm"))


def write_loader(directory: Path, stem: str) -> Path:
    """Write ``<stem>.mjs`` into ``directory``; its path."""
    path = directory / f"{stem}.mjs"
    path.write_text(loader_source(stem))
    return path
