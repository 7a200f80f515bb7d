"""Coordinate reference systems: the working CRS and Vietnam's VN-2000.

Everything inside phusong is in one metric CRS, :data:`WORKING_CRS` (WGS 84 / UTM zone 48N).
Vietnamese offices exchange data in VN-2000 (Quyết định 83/2000/QĐ-TTg), usually in the TM-3
projection with the province's central meridian (106°30′ E for Thái Nguyên and former Bắc Kạn,
scale factor 0.9999, false easting 500 km; Thông tư 973/2001/TT-TCĐC), and with the 7-parameter
datum shift to WGS 84 of Quyết định 05/2007/QĐ-BTNMT.

The datum shift and its rotation convention
-------------------------------------------
The decision publishes ΔX, ΔY, ΔZ = -191.90441429, -39.30318279, -111.45032835 m, rotations
ω, ψ, ε = -0.00928836″, +0.01975479″, -0.00427372″ and k - 1 = 0.252906278 ppm without naming a
rotation convention. Two readings circulate, 0.5-0.8 m apart in Vietnam:

* **coordinate frame** (EPSG method 9607): the reading of the EPSG registry (transformation
  EPSG:6960 "VN-2000 to WGS 84 (2)", used by PROJ for EPSG:9205-9218 "VN-2000 / TM-3 …"), of
  the MapInfo VN-2000 definitions in circulation (``CoordSys Earth Projection 8, 9999, 28,
  -191.90441429, …`` with the numbers as published; MapInfo applies coordinate-frame rotations,
  GDAL negates them when it writes a TAB from a ``TOWGS84``), and of PROJ ≥ 9.5,
  which on reading WKT1 or a GeoPackage/MapInfo file treats these exact numbers in a
  ``TOWGS84[…]`` clause as coordinate-frame values pasted into a position-vector slot and flips
  their signs (PROJ's ``toWGS84AutocorrectWrongValues``, PROJ PR #4172). This is the default here.
* **position vector** (EPSG method 9606): the widely copied proj4 string
  ``+towgs84=-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,
  0.252906278`` (``+towgs84`` is always position vector). Available as
  ``vn2000_tm3(..., convention="position_vector")`` for data digitised with that string; such a
  CRS survives WKT2 but is turned into the coordinate-frame reading by PROJ ≥ 9.5 whenever it
  passes through WKT1 (GeoPackage, MapInfo TAB), which is the "0.8 m sign flip".

A Shapefile ``.prj`` (ESRI WKT) holds no shift at all; the datum name ``D_Vietnam_2000`` written
from the CRS below makes PROJ pick EPSG:6960 on reading, the default reading again. (A CRS made
from the bare proj4 string has an unnamed datum and comes back from a ``.prj`` with no shift,
about 220 m off.)

The CRS is built as a WKT2 ``BOUNDCRS`` with an explicit ``ABRIDGEDTRANSFORMATION``, so that the
shift travels with the CRS: an EPSG code alone leaves the choice of transformation to PROJ's
database, which holds two for VN-2000 (EPSG:6960 and the Mekong-delta EPSG:5194, about 0.7 m
apart), and to whatever database a reader of the file has.
"""

from __future__ import annotations

import logging
import math
import re
from typing import TYPE_CHECKING, Literal

import numpy as np
import pyproj
from pyproj.exceptions import CRSError as _PyprojCRSError

from phusong.errors import CRSError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "WORKING_CRS",
    "VN2000_TOWGS84",
    "Convention",
    "vn2000_tm3",
    "parse_crs",
    "to_working",
]

log = logging.getLogger(__name__)

#: The metric CRS every layer is reprojected to (WGS 84 / UTM zone 48N).
WORKING_CRS = "EPSG:32648"

#: VN-2000 → WGS 84 shift of Quyết định 05/2007/QĐ-BTNMT, as published:
#: (ΔX m, ΔY m, ΔZ m, ωx ″, ωy ″, ωz ″, scale difference ppm).
VN2000_TOWGS84: tuple[float, float, float, float, float, float, float] = (
    -191.90441429, -39.30318279, -111.45032835,
    -0.00928836, 0.01975479, -0.00427372,
    0.252906278,
)

Convention = Literal["coordinate_frame", "position_vector"]

_METHODS: dict[str, tuple[str, int]] = {
    "coordinate_frame": ("Coordinate Frame rotation (geog2D domain)", 9607),
    "position_vector": ("Position Vector transformation (geog2D domain)", 9606),
}

_WGS84_GEOGCRS = (
    'GEOGCRS["WGS 84",DATUM["World Geodetic System 1984",'
    'ELLIPSOID["WGS 84",6378137,298.257223563,LENGTHUNIT["metre",1]]],'
    'PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],'
    'CS[ellipsoidal,2],AXIS["geodetic latitude (Lat)",north,ORDER[1],'
    'ANGLEUNIT["degree",0.0174532925199433]],AXIS["geodetic longitude (Lon)",east,ORDER[2],'
    'ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4326]]'
)


def _meridian_label(central_meridian_deg: float) -> str:
    """``106.5`` → ``"106-30"`` (degrees-minutes, as EPSG names the TM-3 zones)."""
    minutes_total = round(central_meridian_deg * 60.0)
    deg, minutes = divmod(abs(minutes_total), 60)
    sign = "-" if minutes_total < 0 else ""
    return f"{sign}{deg}-{minutes:02d}"


def vn2000_tm3(
    central_meridian_deg: float = 106.5,
    scale: float = 0.9999,
    *,
    convention: Convention = "coordinate_frame",
) -> pyproj.CRS:
    """VN-2000 in a transverse Mercator zone, bound to WGS 84 by the national 7-parameter shift.

    Projection per Thông tư 973/2001/TT-TCĐC: transverse Mercator on the WGS 84 ellipsoid,
    latitude of origin 0, false easting 500 000 m, false northing 0; TM-3 zones use scale factor
    0.9999 and the province's central meridian. ``vn2000_tm3(105, 0.9996)`` is VN-2000 / UTM
    zone 48N (EPSG:3405 with the shift attached).

    Parameters
    ----------
    central_meridian_deg
        Central meridian in decimal degrees east (106.5 = 106°30′, Thái Nguyên and Bắc Kạn).
    scale
        Scale factor on the central meridian (0.9999 for TM-3, 0.9996 for UTM).
    convention
        How the rotations of :data:`VN2000_TOWGS84` are applied: ``"coordinate_frame"`` (EPSG
        method 9607, as EPSG:6960, MapInfo and PROJ ≥ 9.5 read them; the default) or
        ``"position_vector"`` (EPSG method 9606, as the common proj4 ``+towgs84`` string with
        these numbers). See the module docstring; the two differ by about 0.8 m.

    Returns
    -------
    pyproj.CRS
        A ``BoundCRS`` (VN-2000 projected CRS + explicit transformation to WGS 84) that survives
        WKT2, GeoPackage and MapInfo TAB round trips unchanged (for the default convention).

    Raises
    ------
    CRSError
        If the meridian or scale is out of range, or the convention is unknown.
    """
    if convention not in _METHODS:
        msg = (f"vn2000_tm3: unknown rotation convention {convention!r}; use "
               f"'coordinate_frame' (EPSG:6960, the default) or 'position_vector' (proj4 +towgs84)")
        raise CRSError(msg)
    if not (math.isfinite(central_meridian_deg) and 100.0 <= central_meridian_deg <= 112.0):
        msg = (f"vn2000_tm3: central meridian {central_meridian_deg!r}° E is outside Vietnam "
               f"(100-112° E); give it in decimal degrees, e.g. 106.5 for 106°30′")
        raise CRSError(msg)
    if not (math.isfinite(scale) and 0.99 <= scale <= 1.01):
        msg = (f"vn2000_tm3: scale factor {scale!r} is not plausible; TM-3 zones use 0.9999, "
               f"UTM zones 0.9996")
        raise CRSError(msg)
    zone = _meridian_label(central_meridian_deg)
    if scale == 0.9996 and central_meridian_deg in (105.0, 111.0):
        kind, zone = "UTM zone", f"{int(central_meridian_deg + 183) // 6}N"
    else:
        kind = "TM-3" if scale == 0.9999 else f"TM k={scale:g}"
    method, method_code = _METHODS[convention]
    tx, ty, tz, rx, ry, rz, ds = VN2000_TOWGS84
    arcsec = 'ANGLEUNIT["arc-second",4.84813681109536E-06]'
    metre = 'LENGTHUNIT["metre",1]'
    wkt = (
        f'BOUNDCRS[SOURCECRS[PROJCRS["VN-2000 / {kind} {zone}",'
        'BASEGEOGCRS["VN-2000",DATUM["Vietnam 2000",'
        'ELLIPSOID["WGS 84",6378137,298.257223563,LENGTHUNIT["metre",1]]],'
        'PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]]],'
        f'CONVERSION["Vietnam {kind} {zone}",METHOD["Transverse Mercator",ID["EPSG",9807]],'
        'PARAMETER["Latitude of natural origin",0,ANGLEUNIT["degree",0.0174532925199433],'
        'ID["EPSG",8801]],'
        f'PARAMETER["Longitude of natural origin",{central_meridian_deg!r},'
        'ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8802]],'
        f'PARAMETER["Scale factor at natural origin",{scale!r},SCALEUNIT["unity",1],'
        'ID["EPSG",8805]],'
        f'PARAMETER["False easting",500000,{metre},ID["EPSG",8806]],'
        f'PARAMETER["False northing",0,{metre},ID["EPSG",8807]]],'
        f'CS[Cartesian,2],AXIS["easting (E)",east,ORDER[1],{metre}],'
        f'AXIS["northing (N)",north,ORDER[2],{metre}]]],'
        f'TARGETCRS[{_WGS84_GEOGCRS}],'
        'ABRIDGEDTRANSFORMATION["VN-2000 to WGS 84 (QD 05/2007/QD-BTNMT)",'
        f'METHOD["{method}",ID["EPSG",{method_code}]],'
        f'PARAMETER["X-axis translation",{tx!r},{metre},ID["EPSG",8605]],'
        f'PARAMETER["Y-axis translation",{ty!r},{metre},ID["EPSG",8606]],'
        f'PARAMETER["Z-axis translation",{tz!r},{metre},ID["EPSG",8607]],'
        f'PARAMETER["X-axis rotation",{rx!r},{arcsec},ID["EPSG",8608]],'
        f'PARAMETER["Y-axis rotation",{ry!r},{arcsec},ID["EPSG",8609]],'
        f'PARAMETER["Z-axis rotation",{rz!r},{arcsec},ID["EPSG",8610]],'
        # Inside ABRIDGEDTRANSFORMATION PROJ reads "Scale difference" as the factor 1 + ds (unity)
        # whatever its unit, as it writes it; a ppm value here would be taken as a factor.
        f'PARAMETER["Scale difference",{1.0 + ds * 1e-6!r},SCALEUNIT["unity",1],'
        'ID["EPSG",8611]]]]'
    )
    return pyproj.CRS.from_wkt(wkt)


# --------------------------------------------------------------------------- parsing

_SHORTHAND = re.compile(
    r"""^\s*vn[\s_-]*2000\s*(?:/\s*)?[\s_:-]*
        (?P<kind>tm[\s_-]*3|utm)
        (?:\s*(?:[:\s_]|zone)\s*(?P<arg>.+?))?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_DMS = re.compile(r"^(?P<d>\d{2,3})(?:[°\s_-]+(?P<m>\d{1,2})\s*[′']?)?$")
_HINT = ('use "EPSG:4326" (lon/lat), "EPSG:32648" (UTM 48N), "vn2000_tm3:106.5" (VN-2000 TM-3 '
         '106°30′), a WKT string or a proj string such as "+proj=utm +zone=48 +datum=WGS84"')


def _parse_meridian(arg: str, text: str) -> float:
    arg = arg.strip().replace(",", ".")
    try:
        return float(arg)
    except ValueError:
        pass
    m = _DMS.match(arg)
    if m is None:
        msg = (f"crs = {text!r}: cannot read the central meridian {arg!r}; write it in decimal "
               f"degrees (106.5) or degrees-minutes (106-30 or 106°30′)")
        raise CRSError(msg)
    return int(m["d"]) + int(m["m"] or 0) / 60.0


def parse_crs(text: str | pyproj.CRS) -> pyproj.CRS:
    """Turn a CRS as users write it in ``scenario.toml`` into a :class:`pyproj.CRS`.

    Accepted forms: ``"EPSG:4326"`` (any authority code pyproj knows), WKT1/WKT2, PROJJSON, proj
    strings (``"+proj=utm +zone=48 +datum=WGS84"``), and the VN-2000 shorthands
    ``"vn2000_tm3"`` (106°30′), ``"vn2000_tm3:106.5"``, ``"VN-2000 TM-3 106.5"``,
    ``"VN-2000 / TM-3 106-30"``, ``"vn2000_utm:48"`` (VN-2000 / UTM 48N or 49N), all built by
    :func:`vn2000_tm3` with the shift attached.

    Parameters
    ----------
    text
        The CRS text (a :class:`pyproj.CRS` is returned as is).

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    CRSError
        If the text is empty or not a CRS, with the accepted forms listed.
    """
    if isinstance(text, pyproj.CRS):
        return text
    if not isinstance(text, str) or not text.strip():
        msg = f"crs = {text!r}: no coordinate reference system given; {_HINT}"
        raise CRSError(msg)
    m = _SHORTHAND.match(text)
    if m is not None:
        arg = m["arg"]
        if m["kind"].lower().startswith("utm"):
            zone = 48 if arg is None else _parse_meridian(arg, text)
            if zone not in (48, 49):
                msg = f"crs = {text!r}: VN-2000 UTM zones are 48 (105° E) and 49 (111° E)"
                raise CRSError(msg)
            return vn2000_tm3(6.0 * zone - 183.0, 0.9996)
        meridian = 106.5 if arg is None else _parse_meridian(arg, text)
        return vn2000_tm3(meridian)
    try:
        crs = pyproj.CRS.from_user_input(text.strip())
    except _PyprojCRSError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        msg = f"crs = {text!r} is not a coordinate reference system pyproj knows ({first}); {_HINT}"
        raise CRSError(msg) from e
    _warn_if_position_vector_vn2000(crs, text)
    return crs


def _warn_if_position_vector_vn2000(crs: pyproj.CRS, text: str) -> None:
    """Log a warning when a CRS applies the VN-2000 rotations in the position-vector reading."""
    if not crs.is_bound or crs.coordinate_operation is None:
        return
    op = crs.coordinate_operation
    if "Position Vector" not in (op.method_name or ""):
        return
    values = [p.value for p in op.params]
    if len(values) != 7:
        return
    if np.allclose(values[3:6], VN2000_TOWGS84[3:6], rtol=0, atol=1e-7) and np.allclose(
        values[:3], VN2000_TOWGS84[:3], rtol=0, atol=1e-3
    ):
        log.warning(
            "crs = %r applies the VN-2000 rotations of QĐ 05/2007 in the position-vector "
            "convention (proj4 +towgs84); EPSG:6960, MapInfo and PROJ ≥ 9.5 read them as "
            "coordinate-frame rotations, about 0.8 m away, and PROJ flips them when this CRS "
            "is written to GeoPackage, MapInfo TAB or Shapefile. Use 'vn2000_tm3:<meridian>' "
            "unless the data were digitised with this very string.",
            text,
        )


# --------------------------------------------------------------------------- reprojection


def to_working(
    gdf: gpd.GeoDataFrame,
    crs: str | pyproj.CRS = WORKING_CRS,
    *,
    source: str = "",
) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` reprojected to ``crs`` (the working CRS by default).

    Before reprojecting, the coordinates are checked against the CRS they claim: values beyond
    ±180/±90 in a lon/lat CRS, or a whole layer inside ±180/±90 in a metric CRS, are the sign of
    a wrong or missing ``crs`` setting and raise.

    Parameters
    ----------
    gdf
        The layer; it is not modified.
    crs
        Target CRS (anything :func:`parse_crs` accepts).
    source
        The file (and layer) the frame came from, for error messages.

    Returns
    -------
    geopandas.GeoDataFrame
        A reprojected copy (a plain copy when it is in ``crs`` already).

    Raises
    ------
    CRSError
        If ``gdf`` has no CRS, its coordinates do not fit its CRS, or it cannot be reprojected.
    """
    where = source or "the layer"
    target = parse_crs(crs)
    if gdf.crs is None:
        msg = (f"{where}: the data have no coordinate reference system. Set crs = \"...\" for "
               f"this layer in scenario.toml: \"EPSG:4326\" for lon/lat degrees, \"EPSG:32648\" "
               f"for UTM 48N metres, or \"vn2000_tm3:106.5\" for VN-2000 TM-3 106°30′ "
               f"(phusong.crs.vn2000_tm3()); or add the .prj/.tab definition to the file")
        raise CRSError(msg)
    _check_coordinates_fit(gdf, where)
    if gdf.crs == target:
        return gdf.copy()
    try:
        out = gdf.to_crs(target)
    except Exception as e:  # pyproj raises several types; all mean the same here
        msg = (f"{where}: cannot reproject from {gdf.crs.name} to {target.name} ({e}); check the "
               f"layer's crs setting")
        raise CRSError(msg) from e
    bounds = out.geometry.bounds.to_numpy()
    valid = ~np.isnan(bounds).any(axis=1)
    bad = valid & ~np.isfinite(bounds).all(axis=1)
    if bad.any():
        rows = ", ".join(str(r) for r in out.index[bad][:5])
        msg = (f"{where}: rows {rows} do not reproject from {gdf.crs.name} to {target.name} "
               f"(infinite coordinates); their coordinates are not in {gdf.crs.name}")
        raise CRSError(msg)
    return out


def _check_coordinates_fit(gdf: gpd.GeoDataFrame, where: str) -> None:
    """Raise when the coordinates clearly are not in the CRS the frame declares."""
    geoms = gdf.geometry
    bounds = geoms.bounds.to_numpy()
    valid = ~np.isnan(bounds).any(axis=1)
    if not valid.any():
        return
    b = bounds[valid]
    in_lon = (np.abs(b[:, [0, 2]]) <= 180.0).all(axis=1)
    in_lat = (np.abs(b[:, [1, 3]]) <= 90.0).all(axis=1)
    crs = gdf.crs
    if crs.is_geographic:
        bad = ~(in_lon & in_lat)
        if bad.any():
            rows = gdf.index[valid][bad]
            shown = ", ".join(str(r) for r in rows[:5])
            swapped = (np.abs(b[:, [0, 2]]) <= 90.0).all() and (np.abs(b[:, [1, 3]]) <= 180.0).all()
            hint = (" The values look like latitude, longitude in swapped columns: put longitude "
                    "in x/lon and latitude in y/lat." if swapped else
                    " They look like metres: set the layer's metric crs, e.g. \"EPSG:32648\" or "
                    "\"vn2000_tm3:106.5\" (VN-2000 TM-3).")
            msg = (f"{where}: rows {shown} ({int(bad.sum())} in all) have coordinates outside "
                   f"±180°/±90° although the CRS is {crs.name} (degrees).{hint}")
            raise CRSError(msg)
    elif crs.is_projected:
        if (in_lon & in_lat).all():
            span = max(b[:, 2].max() - b[:, 0].min(), b[:, 3].max() - b[:, 1].min())
            msg = (f"{where}: every coordinate lies within ±180/±90 (extent {span:.3g} "
                   f"{_unit(crs)}) although the CRS is {crs.name}, a projected CRS in "
                   f"{_unit(crs)}; the values look like lon/lat degrees: set crs = \"EPSG:4326\" "
                   f"for this layer")
            raise CRSError(msg)


def _unit(crs: pyproj.CRS) -> str:
    try:
        return crs.axis_info[0].unit_name or "units"
    except (IndexError, AttributeError):
        return "units"
