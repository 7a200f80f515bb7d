"""``phusong template``: print the documented scenario template."""

from __future__ import annotations

from pathlib import Path

import click

from phusong._io import write_text
from phusong.config import render_template

__all__ = ["command"]


@click.command("template")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of printing.")
@click.option("--overwrite", is_flag=True, help="Replace an existing file.")
def command(out: Path | None, overwrite: bool) -> None:
    """Print a scenario.toml with every key, its type, unit and default."""
    text = render_template()
    if out is None:
        click.echo(text)
    else:
        write_text(out, text, overwrite=overwrite)
        click.echo(f"Template written to {out}")
