"""A widget that reports the width of the space it is given, so a chart can be drawn to fit it.

Vega's ``width="container"`` measures its box once, when the chart is embedded; JupyterLab
embeds a widget's output before laying it out, so that measure is 0 and the chart opens
squeezed (seen in the browser test). This probe watches its own box with a ResizeObserver
and sends the width to Python, which redraws the chart at that width.
"""

from __future__ import annotations

import anywidget
import traitlets

_ESM = """
function render({ model, el }) {
  el.style.width = "100%";
  el.style.height = "0px";
  let last = -1;
  const report = () => {
    const w = Math.round(el.getBoundingClientRect().width);
    if (w > 0 && Math.abs(w - last) >= 8) { last = w; model.set("width", w); model.save_changes(); }
  };
  const observer = new ResizeObserver(report);
  observer.observe(el);
  report();
  return () => observer.disconnect();
}
export default { render };
"""


class WidthProbe(anywidget.AnyWidget):
    """Zero height, full width; ``width`` is the pixel width of its box in the page (0 until shown)."""

    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
