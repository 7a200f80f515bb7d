"""What the benchmarks share: this checkout's ``phusong`` on the path, the demo province, memory.

Each benchmark is run as a script (``python benchmarks/x_bench.py``), so this folder is on
``sys.path`` and ``import _common`` finds this module; importing it puts the checkout's root
first on the path, whatever ``phusong`` is installed.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's phusong, whatever is installed


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def demo_province(folder: Path, preset: str = "province"):
    """The demo province: its layers and ``scenario.toml`` written by ``run_demo`` (no stages
    after validation), then loaded."""
    from phusong.layers import load_province
    from phusong.pipeline import run_demo

    result = run_demo(folder, preset=preset, overwrite=True, stages=False)
    return load_province(result.scenario_path)
