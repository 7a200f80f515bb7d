"""``phusong plan-fiber``: fiber reach, fixed-broadband indicators and the extension plan."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


@click.command("plan-fiber")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for fiber.gpkg and csv/fiber_*.csv.")
@click.option("--operator", default="ANY", show_default=True,
              help="Plan for one operator's network (Viettel, VNPT …) or ANY.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of headers, statuses and notes.")
@click.option("--overwrite", is_flag=True, help="Replace the files of an earlier run.")
@click.pass_context
def command(ctx: click.Context, scenario: Path, out_dir: Path, operator: str, lang: str,
            overwrite: bool) -> None:
    """Which places of SCENARIO fiber reaches, and the cheapest cable to the rest.

    Measures fiber reach along roads (T4, T2, T2b, T9, K2), then plans new cable from the
    existing fiber to every hamlet, operating park and priority place without it (a Steiner
    tree on the road graph), ranked by places connected per km.
    """
    from phusong.planning.fiber_outputs import run_fiber

    progress = ctx.obj.get("progress", False) if ctx.obj else False
    result = run_fiber(scenario, out_dir, lang=lang, operator=operator, overwrite=overwrite,
                       progress=progress)
    click.echo(result.summary())
