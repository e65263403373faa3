"""The ``[sweep]`` section: one strategy's parameter grid, run by ``peak-trade sweep``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from peak_trade.core._config_models import Name, ParamValue

__all__ = ["SweepSection"]

GridValues = Annotated[tuple[ParamValue, ...], Field(min_length=1)]


class SweepSection(BaseModel):
    """A parameter sweep over every symbol of `[data]` (see docs/research.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    strategy: Name = Field(description="registered strategy name (`peak-trade list-strategies`)")
    grid: dict[StrictStr, GridValues] = Field(
        min_length=1, description="parameter name to the values to try; unset ones take defaults"
    )
    metric: Name = Field(default="sharpe", description="stat the top-N table ranks by")
    top: StrictInt = Field(default=10, ge=1, description="rows in the top-N table")
    executor: Literal["local", "ray"] = Field(
        default="local", description="`local` (this machine) or `ray` (needs the `ray` extra)"
    )
    max_workers: StrictInt | None = Field(
        default=None, ge=1, description="compute threads; unset uses every core"
    )
    chunk_size: StrictInt | None = Field(
        default=None, ge=1, description="combinations per chunk; unset uses the library default"
    )
    invalid: Literal["raise", "skip"] = Field(
        default="skip", description="what to do with combinations that break a parameter rule"
    )
