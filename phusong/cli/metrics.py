"""``phusong metrics``: the plan indicators of a scenario as XLSX, CSV and GeoPackage."""

from __future__ import annotations

from pathlib import Path

import click

from phusong._io import check_writable

__all__ = ["command"]


@click.command("metrics")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for indicators.xlsx, indicators.gpkg and csv/.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of headers, names and statuses.")
@click.option("--overwrite", is_flag=True, help="Replace the files of an earlier run.")
@click.pass_context
def command(ctx: click.Context, scenario: Path, out_dir: Path, lang: str, overwrite: bool) -> None:
    """Compute every plan indicator of SCENARIO (T1 … N7) and write the tables to --out.

    Predicts coverage first (model and settings from the scenario), then checks each indicator
    against its target: value, target, deadline, status (đạt / chưa đạt) and shortfall.
    """
    from phusong.coverage.engine import predict_coverage
    from phusong.layers.validate import load_province
    from phusong.metrics import REGISTRY, IndicatorResults, compute_indicators
    from phusong.reports.tables import output_paths, write_indicator_tables

    # refuse to touch an earlier run before the (long) coverage prediction
    for path in output_paths(out_dir, list(IndicatorResults.TABLES)).values():
        check_writable(path, overwrite)
    progress = ctx.obj.get("progress", False) if ctx.obj else False
    province = load_province(scenario, progress=progress)
    grid = predict_coverage(province)
    results = compute_indicators(province, grid, lang=lang)
    paths = write_indicator_tables(results, out_dir, lang=lang, overwrite=overwrite)
    click.echo(results.to_text())
    info = results.info()
    click.echo(f"{len(REGISTRY)} indicators: {info['met']} met, {info['not_met']} not met, "
               f"{info['not_computed']} not computed.")
    click.echo(f"Workbook: {paths['xlsx']}")
