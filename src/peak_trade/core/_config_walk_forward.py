"""The ``[walk_forward]`` section: walk-forward analysis of the ``[sweep]`` grid."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from peak_trade.core._config_models import Name

__all__ = ["WalkForwardSection"]

#: A bar count, or a duration: a count and a unit `m`, `h`, `d` or `w` (e.g. "730d").
Span = Annotated[StrictInt, Field(ge=1)] | Annotated[StrictStr, Field(pattern=r"^\d+[mhdw]$")]


class WalkForwardSection(BaseModel):
    """Walk-forward folds over the `[sweep]` grid, for `peak-trade sweep` (docs/research.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    train: Span = Field(
        description='train window: bars, or a duration (a count and `m`, `h`, `d` or `w`: "730d")'
    )
    test: Span = Field(description='test window: bars, or a duration like "90d"')
    step: Span | None = Field(
        default=None, description="shift between folds, not shorter than `test`; unset uses `test`"
    )
    anchored: StrictBool = Field(
        default=False, description="grow the train window from the first bar"
    )
    metric: Name = Field(default="sharpe", description="stat that picks each fold's combination")
