"""``python -m peak_trade.cli``: the same as the ``peak-trade`` console script."""

import sys

from peak_trade.cli.main import console_main

sys.exit(console_main())
