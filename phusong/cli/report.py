"""``phusong report``: the offline map, print maps, one-file HTML report and PDF of a scenario."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command", "SHADINGS"]

SHADINGS = ("pop_5g_pct", "hamlets_covered_pct", "pop_broadband_pct", "dark_spot_people",
            "road_gap_over_km")
"""Commune shadings of ``--indicator`` (the keys of ``phusong.maps.COMMUNE_INDICATORS``, listed
here so that the command line starts without importing the map modules; a test keeps them equal)."""


@click.command("report")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for map.html, report.html, report.pdf, maps/ and the indicator tables.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the map, the report and the tables.")
@click.option("--indicator", type=click.Choice(SHADINGS), default="pop_5g_pct",
              show_default=True, help="Commune shading the map opens with (the others are a click "
                                      "away in its layer control).")
@click.option("--resolution", "resolution_m", type=float, default=None,
              help="Coverage cell size in metres (default: the scenario's).")
@click.option("--no-tables", is_flag=True, help="Do not write indicators.xlsx, .gpkg and csv/.")
@click.option("--overwrite", is_flag=True, help="Replace the files of an earlier run.")
@click.pass_context
def command(ctx: click.Context, scenario: Path, out_dir: Path, lang: str, indicator: str,
            resolution_m: float | None, no_tables: bool, overwrite: bool) -> None:
    """Map and report of SCENARIO's coverage against the plan targets, written to --out.

    Predicts coverage, computes every indicator, then writes map.html (opens without the
    internet), maps/*.png|pdf (A3 overview, one A4 page per commune), report.html (one file to
    email) and report.pdf.
    """
    from phusong.reports.report import run_report

    progress = ctx.obj.get("progress", False) if ctx.obj else False
    files = run_report(scenario, out_dir, lang=lang, indicator=indicator, overwrite=overwrite,
                       tables=not no_tables, resolution_m=resolution_m, progress=progress)
    click.echo(files.summary())
