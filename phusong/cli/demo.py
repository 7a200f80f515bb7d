"""``phusong demo``: write the demo province and run every stage on it."""

from __future__ import annotations

from pathlib import Path

import click

from phusong.cli._stages import stage_options
from phusong.pipeline import run_demo

__all__ = ["command"]


@click.command("demo")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path),
                default=Path("phusong-demo"))
@click.option("--seed", type=int, default=2030, show_default=True,
              help="Random seed; the same seed gives byte-identical files.")
@click.option("--preset", type=click.Choice(["province", "commune"]), default="province",
              show_default=True, help="The whole province, or one commune (seconds).")
@click.option("--layers-only", is_flag=True,
              help="Write the layers, scenario and validation report; skip the other stages.")
@stage_options
@click.option("--overwrite", is_flag=True, help="Replace files of an earlier demo in OUT_DIR.")
@click.pass_context
def command(ctx: click.Context, out_dir: Path, seed: int, preset: str, layers_only: bool,
            resolution_m: float | None, lang: str, no_plan: bool, no_report: bool,
            overwrite: bool) -> None:
    """Write a synthetic province shaped like Thái Nguyên into OUT_DIR and run it."""
    result = run_demo(out_dir, seed=seed, preset=preset, overwrite=overwrite,
                      progress=ctx.obj.get("progress", False), stages=not layers_only,
                      resolution_m=resolution_m, lang=lang, plan=not no_plan,
                      report=not no_report)
    click.echo(result.summary())
