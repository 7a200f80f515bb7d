"""Remake the example images of the README from a demo run.

Usage::

    phusong demo phusong-demo            # or: --preset commune
    python maps/regenerate.py phusong-demo

It screenshots ``report/map.html`` in headless Chromium (network cut off, as in the tests) into
``maps/web_map.png`` and copies the province overview print map to ``maps/print_map.png``.
Needs Debian's ``chromium`` and ``chromium-driver`` and ``pip install -e '.[test]'``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def main(demo_dir: Path) -> None:
    from _browser import open_page

    report = demo_dir / "report"
    page = open_page(report / "map.html", screenshot=HERE / "web_map.png", size=(1280, 760),
                     settle_s=3.0)
    if page.failed or page.console_errors:
        raise SystemExit(f"map.html did not draw cleanly: {page.failed} {page.console_errors}")
    shutil.copyfile(report / "maps" / "province.png", HERE / "print_map.png")
    print(f"wrote {HERE / 'web_map.png'} and {HERE / 'print_map.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "phusong-demo"))
