"""Maps: the offline interactive map (folium + Leaflet) and the print maps (matplotlib).

* :func:`web_map` / :func:`write_web_map`: one HTML file of the province and its indicators
  (communes shaded by a chosen indicator, hamlets by status, road gaps, dark spots, parks,
  priority places, sites per operator and technology, coverage rasters, fiber), opening
  without the internet;
* :func:`province_map`, :func:`commune_map`, :func:`write_print_maps`: A4/A3 pages with title,
  legend, scale bar, north arrow and source note;
* :func:`base_layers`: communes, roads and rivers simplified for display, shared by both.

Colour scales are fixed and documented in :mod:`phusong.maps._style`
(:data:`RSRP_CLASSES_DBM`, :data:`COMMUNE_INDICATORS`). folium and matplotlib are imported
only when a map is drawn.
"""

from phusong.maps._base import BaseLayers, base_layers, drainage_lines
from phusong.maps._style import COMMUNE_INDICATORS, RSRP_CLASSES_DBM, Choropleth, RsrpClass, rsrp_classes
from phusong.maps.static import PAPER_MM, PrintMaps, commune_map, province_map, write_print_maps
from phusong.maps.web import MAP_FILE, external_urls, raster_overlay, web_map, write_web_map

__all__ = [
    "BaseLayers",
    "COMMUNE_INDICATORS",
    "Choropleth",
    "MAP_FILE",
    "PAPER_MM",
    "PrintMaps",
    "RSRP_CLASSES_DBM",
    "RsrpClass",
    "base_layers",
    "commune_map",
    "drainage_lines",
    "external_urls",
    "province_map",
    "raster_overlay",
    "rsrp_classes",
    "web_map",
    "write_print_maps",
    "write_web_map",
]
