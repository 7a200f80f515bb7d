"""``phusong check``: validate a scenario's files and print one report."""

from __future__ import annotations

from pathlib import Path

import click

from phusong.layers.validate import check_scenario

__all__ = ["command"]


@click.command("check")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the report as CSV (.csv) or JSON (.json).")
@click.option("--overwrite", is_flag=True, help="Replace an existing report file.")
@click.option("--info", "show_info", is_flag=True,
              help="Also list notes (aliases matched, codes filled by location).")
@click.pass_context
def command(ctx: click.Context, scenario: Path, strict: bool, report_path: Path | None,
            overwrite: bool, show_info: bool) -> None:
    """Check every layer named in SCENARIO; exit 1 if there are errors.

    Each problem names the file, layer, column and rows, and how to fix it.
    """
    report, _ = check_scenario(scenario, strict=strict, progress=ctx.obj.get("progress", False))
    if report_path is not None:
        report.write(report_path, overwrite=overwrite)
    click.echo(report.to_text(include_info=show_info))
    if report_path is not None:
        click.echo(f"Report written to {report_path}")
    ctx.exit(0 if report.ok else 1)
