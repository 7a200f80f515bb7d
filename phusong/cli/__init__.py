"""The ``phusong`` command line: a thin click group, one module per command.

Each command parses its options, calls one library function and prints the result. Errors a
user can cause (:class:`~phusong.errors.PhusongError`) end the command with a one-line message
and exit status 1, never with a traceback (``-v`` adds the traceback to the log for debugging).
"""

from __future__ import annotations

import logging
import sys
import warnings

import click

from phusong import __version__
from phusong.errors import PhusongError

__all__ = ["main", "cli"]

log = logging.getLogger("phusong")


def _setup_logging(verbosity: int) -> None:
    """Log to stderr, in UTF-8 so Vietnamese names stay intact whatever the locale."""
    level = {-2: logging.ERROR, -1: logging.WARNING, 0: logging.INFO}.get(
        verbosity, logging.DEBUG if verbosity > 0 else logging.ERROR)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            try:
                reconfigure(encoding="utf-8", errors="backslashreplace")
            except (ValueError, OSError):  # pragma: no cover - a closed or odd stream
                pass
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s %(message)s"))
    root = logging.getLogger("phusong")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    # model-range and library warnings go through the same handler, once, without source lines
    logging.captureWarnings(True)
    warnings.formatwarning = _one_line_warning
    warnings_log = logging.getLogger("py.warnings")
    warnings_log.handlers[:] = [handler]
    warnings_log.setLevel(level)
    warnings_log.propagate = False


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                      line: str | None = None) -> str:
    """Warnings as ``Category: message`` for users (no file, line or source)."""
    return f"{category.__name__}: {message}"


class _Group(click.Group):
    """A click group that turns phusong errors into one line and exit status 1."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except PhusongError as e:
            log.debug("traceback", exc_info=True)
            click.echo(f"Error: {e}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted; outputs already written are complete, others were not "
                       "started.", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="phusong")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", count=True, help="Less log output (-qq for errors only).")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: int) -> None:
    """phusong (phủ sóng): telecom coverage against the province's digital-infrastructure plan.

    Start with `phusong demo`, then `phusong check scenario.toml` on your own files.
    """
    _setup_logging(verbose - quiet)
    ctx.ensure_object(dict)
    ctx.obj["progress"] = quiet == 0 and sys.stderr.isatty()


def _register() -> None:
    from phusong.cli import (
        calibrate,
        check,
        coverage,
        demo,
        metrics,
        plan,
        plan_fiber,
        report,
        run,
        template,
    )

    for module in (demo, run, check, template, coverage, calibrate, metrics, plan_fiber, report,
                   plan):
        cli.add_command(module.command)


_register()


def main() -> None:
    """Entry point of the ``phusong`` script."""
    cli(prog_name="phusong")
