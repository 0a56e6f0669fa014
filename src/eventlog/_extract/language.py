"""Tell English from Dutch by counting short function words.

>>> detect_language("De handel tussen Rusland en China is in 2023 sterk gegroeid.")
'nl'
>>> detect_language("Trade between Russia and China grew strongly in 2023.")
'en'
"""

from __future__ import annotations

import re

__all__ = ["detect_language"]

# Words frequent in one language and rare in the other ("in", "is", "en" are left out:
# both languages use them).
_EN = frozenset("the of and to a that with for was were are has have by from on this which it not been its".split())
_NL = frozenset("de het een van dat met voor werd waren zijn heeft hebben door uit op dit die niet naar ook bij zich".split())
_WORD = re.compile(r"[a-zà-ÿ]+")


def detect_language(text: str, default: str = "en") -> str:
    """'en' or 'nl', whichever language's function words are more frequent in the first 20,000 characters."""
    en = nl = 0
    for w in _WORD.findall(text[:20000].lower()):
        if w in _EN:
            en += 1
        elif w in _NL:
            nl += 1
    if en == nl:
        return default
    return "nl" if nl > en else "en"
