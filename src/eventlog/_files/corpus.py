"""The source documents: where they are, whether they are the ones the registry names, and quotes.

The corpus is not part of the project. It is found, in order, from an explicit path,
``$EVENTLOG_CORPUS``, or ``../shared/corpus`` next to the working directory or the
repository. Without it eventlog still builds, and says that evidence was not checked.

>>> find_corpus("/nonexistent") is None
True
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from .._errors import CorpusError, ValidationError
from .._models import Citation, Source
from .yamlfile import decode_utf8, is_folder, read_bytes

__all__ = ["Corpus", "find_corpus"]

_HERE = Path(__file__).resolve()


def find_corpus(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The corpus folder to use, or None when there is none."""
    if path is not None:
        p = Path(path)
        return p if is_folder(p) else None
    env = os.environ.get("EVENTLOG_CORPUS")
    if env:
        p = Path(env)
        return p if is_folder(p) else None
    places = [Path.cwd() / ".." / "shared" / "corpus"]
    places += [parent / ".." / "shared" / "corpus" for parent in _HERE.parents[:4]]
    for c in places:
        if (c / "manifest.yaml").is_file() or any(c.glob("*.txt")) if c.is_dir() else False:
            return c.resolve()
    return None


class Corpus:
    """The documents of a corpus folder, checked against the source registry."""

    def __init__(self, folder: Path, sources: Iterable[Source]) -> None:
        self.folder = Path(folder)
        self.sources = {s.id: s for s in sources}
        self._texts: dict[str, str] = {}

    def text(self, source_id: str) -> str:
        """The document's text; checks its sha256 against the registry on first read."""
        if source_id in self._texts:
            return self._texts[source_id]
        src = self.sources.get(source_id)
        if src is None:
            raise ValidationError(f"unknown source {source_id!r}", field="source")
        path = self.folder / src.file
        try:
            raw = read_bytes(path, inside=self.folder, what="document")
        except ValidationError as exc:
            raise CorpusError(f"{path}: document of source {source_id!r}: {exc.message}") from None
        digest = hashlib.sha256(raw).hexdigest()
        if digest != src.sha256:
            raise CorpusError(
                f"{path}: sha256 {digest[:12]}... differs from sources.yaml ({src.sha256[:12]}...) for {source_id!r}"
            )
        text = decode_utf8(raw, str(path))
        self._texts[source_id] = text
        return text

    def check_span(self, ref: Citation) -> str:
        """The quoted text of a span; ValidationError if the span lies outside its document."""
        text = self.text(ref.source)
        start, end = ref.span
        if end > len(text):
            raise ValidationError(
                f"span [{start}, {end}) lies outside {ref.source!r} ({len(text)} characters)", field="sources"
            )
        return text[start:end]
