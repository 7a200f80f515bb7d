"""phusong ("phủ sóng", coverage): where a province's telecom network misses its plan targets.

The flow, one subpackage per stage::

    layers  -> coverage -> metrics -> planning -> maps / reports

``layers`` reads, validates and normalises the province's input files (and generates the
synthetic demo province); the later stages build on the :class:`phusong.layers.Province` bundle.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("phusong")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
