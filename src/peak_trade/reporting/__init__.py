"""The HTML report: charts and tables of a run or sweep in one offline file.

On top of the layers: it reads ``backtest`` and ``research`` results; nothing
below imports it. The charting library (plotly, the ``report`` extra) is loaded
only when a page or figure is made.
"""

from peak_trade.reporting.api import report
from peak_trade.reporting.decimate import decimate_indices

__all__ = ["decimate_indices", "report"]
