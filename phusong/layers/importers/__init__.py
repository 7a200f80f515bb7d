"""Importers for public and office formats that arrive without hand editing.

Each importer turns one outside format into phusong's canonical layers (column names and values
of :mod:`phusong.layers.schema`), in the working CRS, and states the defaults it had to assume:

- :func:`read_opencellid`: OpenCelliD cell CSV → ``sites`` and ``sectors`` (omni, default
  heights and powers recorded in ``attrs["defaults"]``).
- :func:`read_osm`: OpenStreetMap ``.osm`` / ``.osm.pbf`` → ``roads``, ``hamlets``, ``pois``,
  ``parks``.
- :func:`read_tab` / :func:`write_tab`: MapInfo TAB in and out, by default in VN-2000 TM-3.
"""

from phusong.layers.importers.mapinfo import read_tab, write_tab
from phusong.layers.importers.opencellid import MNC_OPERATORS, RADIO_TECH, read_opencellid
from phusong.layers.importers.osm import normalise_road_ref, parse_hstore, read_osm

__all__ = [
    "MNC_OPERATORS",
    "RADIO_TECH",
    "normalise_road_ref",
    "parse_hstore",
    "read_opencellid",
    "read_osm",
    "read_tab",
    "write_tab",
]
