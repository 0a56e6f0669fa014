"""Extraction: candidate events from English and Dutch text, with pure-Python rules.

>>> from eventlog._extract import extract, detect_language
>>> detect_language("De handel tussen Rusland en China groeide.")
'nl'
"""

from __future__ import annotations

from .language import detect_language
from .pipeline import COLUMNS, extract

__all__ = ["COLUMNS", "detect_language", "extract"]
