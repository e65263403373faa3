"""The damages themselves: each changes the bytes, and a seed fixes them."""

from __future__ import annotations

import random

import pytest

from tests.fuzz._damage import damage_bytes

_RAW = bytes(range(256)) * 32  # 8 KiB


@pytest.mark.smoke
@pytest.mark.parametrize("kind", ["flip", "truncate", "append", "zero"])
def test_every_damage_changes_the_bytes_and_repeats_under_its_seed(kind: str) -> None:
    for seed in range(50):
        got = damage_bytes(_RAW, kind, random.Random(seed))  # type: ignore[arg-type]
        assert got != _RAW
        assert got == damage_bytes(_RAW, kind, random.Random(seed))  # type: ignore[arg-type]
        if kind == "flip":
            assert len(got) == len(_RAW)
        elif kind == "truncate":
            assert 0 < len(got) < len(_RAW)
            assert _RAW.startswith(got)
        elif kind == "append":
            assert len(got) > len(_RAW)
            assert got.startswith(_RAW)
        else:
            assert got == b""


def test_flips_favour_the_ends_where_headers_and_footers_live() -> None:
    """Over half the flipped bytes land in the first or last 512 bytes (an eighth of the file)."""
    ends = total = 0
    for seed in range(400):
        got = damage_bytes(_RAW, "flip", random.Random(seed))
        changed = [i for i, (a, b) in enumerate(zip(got, _RAW, strict=True)) if a != b]
        total += len(changed)
        ends += sum(i < 512 or i >= len(_RAW) - 512 for i in changed)
    assert 0.5 < ends / total < 0.65  # 0.5 aimed there + 1/16 from the uniform half
