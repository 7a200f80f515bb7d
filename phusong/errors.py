"""One exception hierarchy for phusong.

Every error a user can cause is a :class:`PhusongError`. Each subclass also inherits the
matching builtin (as ``rasterio.errors.RasterioIOError`` inherits ``OSError``), so callers that
catch ``ValueError`` or ``OSError`` keep working. Messages name the file, layer, column and rows
involved, what was found, and how to fix it; the CLI prints them on one line without a traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from phusong.layers.validate import ValidationReport

__all__ = [
    "PhusongError",
    "InputError",
    "ConfigError",
    "CRSError",
    "OutputError",
    "OutputExistsError",
    "ValidationFailed",
    "ModelRangeError",
    "ModelRangeWarning",
]


class PhusongError(Exception):
    """Base class of every error phusong raises on purpose."""


class InputError(PhusongError, ValueError):
    """An input file, layer, column or value that cannot be used as it is."""


class ConfigError(InputError):
    """A scenario file (``scenario.toml``) that cannot be loaded: syntax, unknown key, bad value."""


class CRSError(InputError):
    """A coordinate reference system that is missing, unknown, or not metric where metres are needed."""


class ModelRangeError(InputError):
    """A model asked to work outside its range of validity."""


class ModelRangeWarning(UserWarning):
    """A model used outside its range of validity; the value and the valid range are named.

    Emitted instead of :class:`ModelRangeError` when the caller did not ask for ``strict``
    checking. The result is an extrapolation of the model and is reported as such.
    """


class OutputError(PhusongError, OSError):
    """An output that cannot be written."""


class OutputExistsError(OutputError, FileExistsError):
    """An output exists already and overwriting was not asked for (``--overwrite``)."""


class ValidationFailed(InputError):
    """Validation found errors; ``report`` holds every issue found, errors and warnings."""

    def __init__(self, message: str, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report
