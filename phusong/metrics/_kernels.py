"""Numba kernels of the indicators: ndarrays and scalars only.

Each kernel has a slow, obvious twin (``*_reference``) that ``tests/test_metrics_kernels.py``
checks it against.

Gap run-lengths (:func:`gap_runs`)
    A route part is sampled at chainages ``dist_m`` (metres from the start of the part, rising,
    first sample at 0, last at the part's length). Sample ``i`` stands for the stretch between
    the midpoints to its neighbours (from 0 for the first sample, to the part's length for the
    last), so the stretches of one part tile it exactly. A gap is a maximal run of uncovered
    samples of one part; it runs from the start of its first sample's stretch to the end of its
    last sample's. Gaps never continue across parts (a break in the merged line).
"""

from __future__ import annotations

import logging

import numpy as np
from numba import njit
from numpy.typing import NDArray

__all__ = ["gap_runs", "gap_runs_reference"]

log = logging.getLogger(__name__)


@njit(cache=True)
def gap_runs(uncovered: NDArray[np.bool_], dist_m: NDArray[np.float64],
             part: NDArray[np.int64], part_len_m: NDArray[np.float64]
             ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:  # pragma: no cover
    """Uncovered stretches of sampled route parts.

    Parameters
    ----------
    uncovered
        Whether each sample is without coverage.
    dist_m
        Chainage of each sample from the start of its part (m); rising within a part.
    part
        Part index of each sample; samples of one part are contiguous.
    part_len_m
        Length of each part (m).

    Returns
    -------
    gap_part, start_m, end_m
        Part and chainage range (m, from the start of the part) of every gap, in order.
    """
    n = uncovered.shape[0]
    out_part = np.empty(n, dtype=np.int64)
    out_start = np.empty(n, dtype=np.float64)
    out_end = np.empty(n, dtype=np.float64)
    k = 0
    i = 0
    while i < n:
        if not uncovered[i]:
            i += 1
            continue
        p = part[i]
        if i == 0 or part[i - 1] != p:
            a = 0.0
        else:
            a = 0.5 * (dist_m[i - 1] + dist_m[i])
        j = i
        while j + 1 < n and part[j + 1] == p and uncovered[j + 1]:
            j += 1
        if j + 1 >= n or part[j + 1] != p:
            b = part_len_m[p]
        else:
            b = 0.5 * (dist_m[j] + dist_m[j + 1])
        out_part[k] = p
        out_start[k] = a
        out_end[k] = b
        k += 1
        i = j + 1
    return out_part[:k], out_start[:k], out_end[:k]


def gap_runs_reference(uncovered: NDArray[np.bool_], dist_m: NDArray[np.float64],
                       part: NDArray[np.int64], part_len_m: NDArray[np.float64]
                       ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Slow twin of :func:`gap_runs`: the stretch of every sample, then runs joined in Python."""
    gaps: list[tuple[int, float, float]] = []
    n = len(uncovered)
    for i in range(n):
        p = int(part[i])
        lo = 0.0 if i == 0 or part[i - 1] != p else (dist_m[i - 1] + dist_m[i]) / 2
        hi = float(part_len_m[p]) if i == n - 1 or part[i + 1] != p else (dist_m[i] + dist_m[i + 1]) / 2
        if not uncovered[i]:
            continue
        if gaps and gaps[-1][0] == p and i > 0 and uncovered[i - 1] and part[i - 1] == p:
            gaps[-1] = (p, gaps[-1][1], hi)
        else:
            gaps.append((p, float(lo), float(hi)))
    if not gaps:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    arr = np.array(gaps, dtype=object)
    return (arr[:, 0].astype(np.int64), arr[:, 1].astype(np.float64),
            arr[:, 2].astype(np.float64))
