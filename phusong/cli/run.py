"""``phusong run``: every stage on a scenario (coverage, indicators, fiber, sites, report)."""

from __future__ import annotations

from pathlib import Path

import click

from phusong.cli._stages import stage_options
from phusong.pipeline import run_all

__all__ = ["command"]


@click.command("run")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Output folder.")
@stage_options
@click.option("--overwrite", is_flag=True, help="Replace outputs of an earlier run.")
@click.pass_context
def command(ctx: click.Context, scenario: Path, out_dir: Path, resolution_m: float | None,
            lang: str, no_plan: bool, no_report: bool, overwrite: bool) -> None:
    """Check SCENARIO's files, then predict coverage, compute the indicators, plan fiber and BTS
    sites, and write the maps and the report."""
    result = run_all(scenario, out_dir, lang=lang, resolution_m=resolution_m, plan=not no_plan,
                     report=not no_report, overwrite=overwrite,
                     progress=ctx.obj.get("progress", False))
    click.echo(result.summary())
