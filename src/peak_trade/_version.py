"""The package version: the one source, read by hatchling at build time.

A plain constant, so ``import peak_trade`` does not load ``importlib.metadata``
(~80 ms of the cold start).
"""

__version__ = "0.1.0"
