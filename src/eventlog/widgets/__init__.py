"""Jupyter widgets over a store: explore events, tag causal links, read and undo history.

Importing this module loads ipywidgets and Altair; ``import eventlog`` never does.

Example: ``from eventlog.widgets import Explorer, CausalTagger, HistoryViewer, HypothesisMatrix``
Example: ``ex = Explorer(); tagger = CausalTagger(author="ana", explorer=ex); ex``
"""

from __future__ import annotations

from ._explorer import Explorer
from ._history import HistoryViewer
from ._matrix import HypothesisMatrix
from ._tagger import CausalTagger

__all__ = ["CausalTagger", "Explorer", "HistoryViewer", "HypothesisMatrix"]
