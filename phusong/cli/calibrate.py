"""``phusong calibrate``: fit the prediction to measured RSRP; write a calibrated scenario."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


@click.command("calibrate")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("measurements", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The calibrated scenario file to write.")
@click.option("--resolution", "resolution_m", type=click.FloatRange(min=1.0), default=None,
              help="Cell size of the prediction in metres (default: the scenario's).")
@click.option("--crs", default="", help="CRS of a measurements file that has none "
              "(default: lon/lat columns are EPSG:4326).")
@click.option("--no-slope", is_flag=True, help="Fit an offset only, no slope with distance.")
@click.option("--overwrite", is_flag=True, help="Replace an existing --out file.")
@click.pass_context
def command(ctx: click.Context, scenario: Path, measurements: Path, out_path: Path,
            resolution_m: float | None, crs: str, no_slope: bool, overwrite: bool) -> None:
    """Fit per operator and technology an RSRP offset and slope to MEASUREMENTS.

    Compares the predicted median RSRP of SCENARIO with the measured RSRP (rsrp_dbm) at each
    point, prints the mean error, RMSE and correlation before and after, and writes the
    scenario with the fitted radio.offsets_db and radio.slopes_db_per_decade to --out.
    """
    from phusong._io import check_writable
    from phusong.config import LayerSource
    from phusong.coverage.calibrate import calibrate, read_measurements
    from phusong.layers.validate import load_province

    check_writable(out_path, overwrite)
    progress = ctx.obj.get("progress", False) if ctx.obj else False
    province = load_province(scenario, progress=progress)
    points = read_measurements(measurements, province.crs,
                               LayerSource(path=str(measurements), crs=crs))
    result = calibrate(province, points, resolution_m=resolution_m, fit_slope=not no_slope,
                       progress=progress)
    click.echo(result.to_text())
    result.write(out_path, overwrite=overwrite)
    click.echo(f"Calibrated scenario written to {out_path}")
