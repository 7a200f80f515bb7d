"""``phusong coverage``: predict coverage for a scenario and write the rasters."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


@click.command("coverage")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the GeoTIFFs and sectors_coverage.csv.")
@click.option("--resolution", "resolution_m", type=click.FloatRange(min=1.0), default=None,
              help="Cell size in metres (default: radio.resolution_m of the scenario).")
@click.option("--operator", "operators", multiple=True,
              help="Predict only this operator (repeat for several).")
@click.option("--overwrite", is_flag=True, help="Replace the files of an earlier run.")
@click.pass_context
def command(ctx: click.Context, scenario: Path, out_dir: Path, resolution_m: float | None,
            operators: tuple[str, ...], overwrite: bool) -> None:
    """Predict RSRP, SINR and throughput of every operator and technology in SCENARIO.

    Writes Cloud-Optimised GeoTIFFs per quantity, operator and technology (and the union of
    operators, ANY) and a per-sector summary to --out; prints coverage shares and the settings.
    """
    from phusong.coverage._composite import summary_text
    from phusong.coverage._rasters import output_names
    from phusong.coverage.engine import predict_coverage
    from phusong.layers.validate import load_province

    progress = ctx.obj.get("progress", False) if ctx.obj else False
    province = load_province(scenario, progress=progress)
    grid = predict_coverage(province, resolution_m=resolution_m,
                            operators=list(operators) or None, progress=progress)
    if not overwrite:  # refuse before writing anything
        from phusong._io import check_writable

        for name in output_names(grid):
            check_writable(out_dir / name, overwrite)
    paths = grid.write(out_dir, overwrite=overwrite)
    click.echo(summary_text(grid, province.boundary))
    click.echo(f"{len(paths) - 1} rasters and {paths[-1].name} written to {out_dir}")
