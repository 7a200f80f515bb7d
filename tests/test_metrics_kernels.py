"""Gap run-length kernel against its slow twin, and by hand."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from phusong.metrics._kernels import gap_runs, gap_runs_reference


def _samples(lengths_m: list[float], step_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dist, part = [], []
    for p, length in enumerate(lengths_m):
        n = max(2, int(np.ceil(length / step_m)) + 1)
        dist.append(np.linspace(0.0, length, n))
        part.append(np.full(n, p))
    return np.concatenate(dist), np.concatenate(part).astype(np.int64), np.asarray(lengths_m)


def test_one_gap_by_hand() -> None:
    dist = np.array([0.0, 10.0, 20.0, 30.0, 40.0])
    part = np.zeros(5, dtype=np.int64)
    unc = np.array([False, True, True, False, False])
    gp, a, b = gap_runs(unc, dist, part, np.array([40.0]))
    assert gp.tolist() == [0] and a.tolist() == [5.0] and b.tolist() == [25.0]


def test_gaps_stop_at_part_boundaries_and_reach_the_ends() -> None:
    dist, part, lengths = _samples([30.0, 20.0], 10.0)
    unc = np.ones(len(dist), dtype=bool)
    gp, a, b = gap_runs(unc, dist, part, lengths)
    assert gp.tolist() == [0, 1]
    assert a.tolist() == [0.0, 0.0] and b.tolist() == [30.0, 20.0]
    gp, a, b = gap_runs(~unc, dist, part, lengths)
    assert len(gp) == 0


@settings(max_examples=200, deadline=None)
@given(lengths=st.lists(st.floats(1.0, 500.0), min_size=1, max_size=5),
       step=st.floats(2.0, 40.0), seed=st.integers(0, 2**32 - 1), p=st.floats(0.0, 1.0))
def test_kernel_agrees_with_twin_and_tiles_the_parts(lengths: list[float], step: float, seed: int,
                                                     p: float) -> None:
    dist, part, lens = _samples(lengths, step)
    unc = np.random.default_rng(seed).random(len(dist)) < p
    fast = gap_runs(unc, dist, part, lens)
    slow = gap_runs_reference(unc, dist, part, lens)
    for f, s in zip(fast, slow, strict=True):
        np.testing.assert_allclose(f, s)
    # the stretches of the samples tile each part: gaps add up to the uncovered samples' stretches
    lo = np.where(np.r_[True, part[1:] != part[:-1]], 0.0, (dist + np.r_[0.0, dist[:-1]]) / 2)
    hi = np.where(np.r_[part[:-1] != part[1:], True], lens[part], (dist + np.r_[dist[1:], 0.0]) / 2)
    np.testing.assert_allclose((fast[2] - fast[1]).sum(), (hi - lo)[unc].sum(), atol=1e-6)
    assert np.all(fast[2] > fast[1]) and np.all(fast[1] >= 0)
    assert np.all(fast[2] <= lens[fast[0]] + 1e-9)
