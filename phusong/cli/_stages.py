"""Options shared by the commands that run every stage (``phusong run``, ``phusong demo``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


def stage_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--resolution``, ``--lang``, ``--no-plan``, ``--no-report`` (as ``resolution_m``,
    ``lang``, ``no_plan``, ``no_report``), the arguments of :func:`phusong.pipeline.run_all`."""
    for option in reversed((
            click.option("--resolution", "resolution_m", type=float, default=None,
                         help="Coverage cell size in metres (default: the scenario's "
                         "radio.resolution_m, 30 m in the template)."),
            click.option("--lang", type=click.Choice(["vi", "en"]), default="vi",
                         show_default=True, help="Language of tables, maps and report."),
            click.option("--no-plan", is_flag=True, help="Skip the BTS site proposals."),
            click.option("--no-report", is_flag=True, help="Skip the maps and the report."))):
        command = option(command)
    return command
