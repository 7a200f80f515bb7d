"""``phusong plan``: BTS site proposals against the plan indicators (T3, T6, K1, D1, T5)."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["command"]


def _targets(value: str | None) -> tuple[str, ...] | None:
    if not value:
        return None
    return tuple(t.strip().upper() for t in value.split(",") if t.strip())


@click.command("plan")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for sites_plan.gpkg, csv/, after/ and scenario_after.toml.")
@click.option("--operator", default=None,
              help="The operator that builds (Viettel, VNPT …), closing its own network's gaps; "
              "default: the province's indicators, any operator.")
@click.option("--budget", "budget_sites", type=click.IntRange(min=0), default=None,
              help="Most sites to propose: the plan then maximises the gain.")
@click.option("--budget-vnd", "budget_vnd", type=click.FloatRange(min=0), default=None,
              help="Most money to spend (VND): the plan then maximises the gain.")
@click.option("--target", "target", default=None, metavar="T3,T6,K1",
              help="Without a budget: reach these targets at least cost (default T3,T6,K1). "
              "With a budget: only these gains count (T3, T6, K1, D1).")
@click.option("--resolution", "resolution_m", type=click.FloatRange(min=1.0), default=None,
              help="Cell size of the plan's coverage grids in m (default [planning] "
              "resolution_m).")
@click.option("--candidates", "candidate_file", default=None,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Extra candidate sites in the sites layer format.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the texts in the tables.")
@click.option("--overwrite", is_flag=True, help="Replace the files of an earlier run.")
@click.pass_context
def command(ctx: click.Context, scenario: Path, out_dir: Path, operator: str | None,
            budget_sites: int | None, budget_vnd: float | None, target: str | None,
            resolution_m: float | None, candidate_file: Path | None, lang: str,
            overwrite: bool) -> None:
    """Propose BTS sites for SCENARIO that close the most gaps, or reach targets at least cost.

    Candidates: co-location on other operators' towers, 5G upgrades of 4G sites, DEM high
    points near uncovered hamlets and dark spots, points along road gaps over the limit, points
    in and beside parks without 5G, and --candidates. Each is predicted with the coverage
    engine's models; a MILP (HiGHS) picks them, with a greedy fallback and the optimality gap.
    Coverage and indicators are then predicted again with the proposals, beside today's.
    """
    from phusong.errors import InputError
    from phusong.planning.site_plan import run_plan

    if budget_sites is not None and budget_vnd is not None:
        msg = "give --budget (sites) or --budget-vnd (VND), not both."
        raise InputError(msg)
    progress = ctx.obj.get("progress", False) if ctx.obj else False
    try:
        plan = run_plan(scenario, out_dir, operator=operator, budget_sites=budget_sites,
                        budget_vnd=budget_vnd, targets=_targets(target),
                        resolution_m=resolution_m, candidate_file=candidate_file, lang=lang,
                        overwrite=overwrite, progress=progress)
    except ValueError as e:
        raise InputError(str(e)) from e
    click.echo(plan.summary())
    click.echo(f"GeoPackage: {out_dir / 'sites_plan.gpkg'}")
    click.echo(f"Scenario with the proposals: {out_dir / 'scenario_after.toml'}")
