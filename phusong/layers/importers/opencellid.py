"""OpenCelliD cell export → ``sites`` and ``sectors`` layers.

The public OpenCelliD files (``452.csv.gz`` for Vietnam) have one row per cell with the columns
``radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal``
(format shared with Mozilla Location Service, ``ichnaea/docs/import_export.rst``). The
per-country downloads come with a header row; some mirrors drop it, so a headerless file in that
column order is accepted too.

What the file does not say, and what is assumed instead:

- **Site**: OpenCelliD locates cells, not masts, and its positions are estimates from crowd
  measurements. Cells of one operator within ``cluster_radius_m`` (50 m) of each other, chained,
  are taken as one site at their mean position.
- **Frequency band**: unknown. ``unit`` is the UMTS primary scrambling code or the LTE physical
  cell id, not an (E)ARFCN, so ``band_mhz`` is left NaN; give bands per operator later.
- **Antennas**: azimuth unknown (NaN = omni), height, transmit power and antenna gain are the
  defaults passed in; they are recorded in ``sites.attrs["defaults"]`` and
  ``sectors.attrs["defaults"]`` and logged, so reports can print them.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from phusong.crs import WORKING_CRS, parse_crs, to_working
from phusong.errors import InputError

__all__ = ["read_opencellid", "MNC_OPERATORS", "RADIO_TECH", "OPENCELLID_COLUMNS"]

log = logging.getLogger(__name__)

#: Column order of the OpenCelliD / MLS cell export.
OPENCELLID_COLUMNS: tuple[str, ...] = (
    "radio", "mcc", "net", "area", "cell", "unit", "lon", "lat", "range", "samples",
    "changeable", "created", "updated", "averageSignal",
)

#: Vietnamese MNCs (MCC 452) → canonical operator names.
MNC_OPERATORS: dict[int, str] = {4: "Viettel", 1: "MobiFone", 2: "VNPT", 5: "Vietnamobile"}

#: OpenCelliD ``radio`` → canonical ``tech``.
RADIO_TECH: dict[str, str] = {"GSM": "2G", "UMTS": "3G", "LTE": "4G", "NR": "5G"}

_REQUIRED = ("radio", "mcc", "net", "area", "cell", "lon", "lat")
_INTEGER = ("mcc", "net", "area", "cell")

_SITE_COLUMNS = ["site_id", "operator", "height_agl_m", "height_source", "status", "geometry"]
_SECTOR_COLUMNS = ["site_id", "sector_id", "tech", "band_mhz", "band_source", "azimuth_deg", "tx_power_dbm",
                   "antenna_gain_dbi", "range_m", "samples"]


DEFAULT_BANDS_MHZ: dict[tuple[str, str], float] = {
    # 5G licences of the 2024 auctions: Viettel 2500-2600 MHz (n41), VNPT 3700-3800 MHz and
    # MobiFone 3600-3700 MHz (n78); 4G mostly on 1800 MHz (band 3); 3G 2100, 2G 900.
    ("Viettel", "5G"): 2600.0,
    ("VNPT", "5G"): 3750.0,
    ("MobiFone", "5G"): 3650.0,
    ("", "5G"): 3500.0,
    ("", "4G"): 1800.0,
    ("", "3G"): 2100.0,
    ("", "2G"): 900.0,
}
"""Bands assumed for OpenCelliD cells, by (operator, technology); ``""`` = any operator."""


def _default_bands(operators: pd.Series, techs: pd.Series) -> np.ndarray:
    generic = techs.map({t: f for (op, t), f in DEFAULT_BANDS_MHZ.items() if op == ""})
    specific = pd.Series(list(zip(operators, techs, strict=True)), index=techs.index).map(
        {(op, t): f for (op, t), f in DEFAULT_BANDS_MHZ.items() if op})
    return specific.fillna(generic).to_numpy(dtype=float)


def read_opencellid(
    path: str | os.PathLike[str],
    *,
    mcc: int = 452,
    bbox: tuple[float, float, float, float] | None = None,
    default_height_agl_m: float = 30.0,
    default_tx_power_dbm: float = 43.0,
    default_antenna_gain_dbi: float = 15.0,
    crs: str = WORKING_CRS,
    cluster_radius_m: float = 50.0,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Read an OpenCelliD cell CSV into ``sites`` (points) and ``sectors`` (table).

    Parameters
    ----------
    path
        The CSV, optionally gzip-compressed (``452.csv.gz``), with or without its header row.
    mcc
        Mobile country code kept (452 = Vietnam); other rows are dropped.
    bbox
        ``(lon_min, lat_min, lon_max, lat_max)`` in WGS 84 degrees; cells outside are dropped.
    default_height_agl_m
        Antenna height above ground given to every site (OpenCelliD has none).
    default_tx_power_dbm
        Transmit power per sector.
    default_antenna_gain_dbi
        Antenna gain per sector (omni pattern; azimuth unknown).
    crs
        CRS of the returned sites (anything :func:`phusong.crs.parse_crs` accepts).
    cluster_radius_m
        Cells of one operator closer than this (chained) form one site.

    Returns
    -------
    sites : geopandas.GeoDataFrame
        ``site_id``, ``operator``, ``height_agl_m``, ``height_source`` (``"default"``),
        ``status`` (``"on_air"``), point geometry in ``crs``; ``site_id`` is ``"ocid-"`` + the
        ``sector_id`` of its first cell.
    sectors : pandas.DataFrame
        One row per cell: ``site_id``, ``sector_id`` (``"{mcc}-{net}-{area}-{cell}-{radio}"``),
        ``tech`` (2G/3G/4G/5G), ``band_mhz`` (NaN: not in OpenCelliD), ``azimuth_deg`` (NaN =
        omni), ``tx_power_dbm``, ``antenna_gain_dbi``, ``range_m``, ``samples``. The defaults
        used are in ``attrs["defaults"]`` of both frames.

    Raises
    ------
    InputError
        If the file is missing or unreadable, lacks the ``lon``/``lat`` (or other key) columns,
        has non-numeric ``mcc``/``net``/``area``/``cell``/``lon``/``lat`` values, or coordinates
        outside ±180°/±90°; the message names the file, the column and the first lines.
    """
    path = Path(path)
    defaults = {
        "height_agl_m": float(default_height_agl_m),
        "tx_power_dbm": float(default_tx_power_dbm),
        "antenna_gain_dbi": float(default_antenna_gain_dbi),
        "azimuth_deg": "omni (OpenCelliD has no azimuth)",
        "band_mhz": "assumed per operator and technology (OpenCelliD has no frequency; its "
                    "'unit' column is the UMTS PSC or LTE PCI, not the EARFCN): "
                    + ", ".join(f"{op or 'others'} {t} {f:g} MHz"
                                for (op, t), f in DEFAULT_BANDS_MHZ.items()),
        "cluster_radius_m": float(cluster_radius_m),
        "source": f"OpenCelliD file {path.name}",
    }
    raw, first_line = _read_csv(path)
    cells = _validate(raw, path, first_line)
    cells = cells[cells["mcc"] == mcc]
    if bbox is not None:
        cells = cells[_in_bbox(cells, bbox, path)]
    cells = _map_radio_and_operator(cells, path)
    cells = _drop_duplicate_cells(cells, path)
    target = parse_crs(crs)
    if cells.empty:
        log.warning("%s: no cells with MCC %d%s", path, mcc, " in the bbox" if bbox else "")
        sites = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in _SITE_COLUMNS[:-1]},
                                 geometry=gpd.GeoSeries([], crs=target), crs=target)
        sectors = pd.DataFrame({c: pd.Series(dtype=object) for c in _SECTOR_COLUMNS})
    else:
        sites, sectors = _build_sites(cells, defaults, cluster_radius_m, target, path)
    sites.attrs["defaults"] = dict(defaults)
    sectors.attrs["defaults"] = dict(defaults)
    log.info(
        "%s: %d cells → %d sites; assumed for every site/sector: height %.0f m AGL, Tx power "
        "%.0f dBm, antenna gain %.0f dBi, omni, band unknown",
        path, len(sectors), len(sites), defaults["height_agl_m"], defaults["tx_power_dbm"],
        defaults["antenna_gain_dbi"],
    )
    return sites, sectors


# --------------------------------------------------------------------------- reading


def _read_csv(path: Path) -> tuple[pd.DataFrame, int]:
    """Read all columns as text; return the frame and the file line number of its first row."""
    if not path.exists():
        msg = f"{path}: OpenCelliD file not found; check the path"
        raise InputError(msg)
    try:
        head = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError, OSError) as e:
        msg = f"{path}: cannot read it as an OpenCelliD CSV ({e}); expected comma-separated text"
        raise InputError(msg) from e
    has_header = any(str(v).strip().lower() in ("radio", "mcc", "lon", "lat")
                     for v in head.iloc[0].tolist())
    try:
        if has_header:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
            df.columns = [str(c).strip() for c in df.columns]
        else:
            ncol = head.shape[1]
            if ncol > len(OPENCELLID_COLUMNS):
                msg = (f"{path}: the file has no header and {ncol} columns; an OpenCelliD file "
                       f"has {len(OPENCELLID_COLUMNS)} ({','.join(OPENCELLID_COLUMNS)}). Add that "
                       f"header line or export the file again")
                raise InputError(msg)
            df = pd.read_csv(path, header=None, names=list(OPENCELLID_COLUMNS[:ncol]), dtype=str,
                             keep_default_na=False, skipinitialspace=True)
            log.info("%s: no header row; columns taken in OpenCelliD order", path)
    except (pd.errors.ParserError, UnicodeDecodeError) as e:
        msg = f"{path}: cannot parse it as an OpenCelliD CSV ({e})"
        raise InputError(msg) from e
    return df, (2 if has_header else 1)


def _lines(mask: np.ndarray | pd.Series, frame: pd.DataFrame, first_line: int) -> str:
    """The first file line numbers where ``mask`` holds, for messages."""
    pos = np.flatnonzero(np.asarray(mask))
    shown = ", ".join(str(int(frame.index[p]) + first_line) for p in pos[:5])
    more = f" and {len(pos) - 5} more" if len(pos) > 5 else ""
    return f"{shown}{more}"


def _validate(raw: pd.DataFrame, path: Path, first_line: int) -> pd.DataFrame:
    """Check the key columns and convert them to numbers; raise on anything unusable."""
    cols = {c.lower(): c for c in raw.columns}
    missing = [c for c in _REQUIRED if c not in cols]
    if missing:
        msg = (f"{path}: column(s) {', '.join(missing)} missing; found "
               f"{', '.join(map(str, raw.columns[:14]))}. An OpenCelliD export has "
               f"{','.join(OPENCELLID_COLUMNS)}; check the header line (or remove a header that "
               f"is not OpenCelliD's)")
        raise InputError(msg)
    df = raw.rename(columns={v: k for k, v in cols.items()})
    df.index = pd.RangeIndex(len(df))
    out = pd.DataFrame(index=df.index)
    out["radio"] = df["radio"].astype(str).str.strip().str.upper()
    for name in (*_INTEGER, "lon", "lat"):
        text = df[name].astype(str).str.strip()
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna().to_numpy(copy=True)
        if name in _INTEGER:
            filled = values.fillna(0).to_numpy(dtype=float)
            bad |= ~np.isclose(filled, np.round(filled))
        if bad.any():
            examples = ", ".join(repr(v) for v in text[bad].head(3))
            what = "an integer" if name in _INTEGER else "a number in decimal degrees"
            msg = (f"{path}: column {name!r} is not {what} on line(s) "
                   f"{_lines(bad, df, first_line)} (found {examples}); fix or delete those lines")
            raise InputError(msg)
        out[name] = values.astype("int64") if name in _INTEGER else values.astype(float)
    bad_lon = ~out["lon"].between(-180.0, 180.0)
    bad_lat = ~out["lat"].between(-90.0, 90.0)
    for name, bad in (("lon", bad_lon), ("lat", bad_lat)):
        if bad.any():
            examples = ", ".join(f"{v:g}" for v in out.loc[bad, name].head(3))
            msg = (f"{path}: column {name!r} is out of range on line(s) "
                   f"{_lines(bad, df, first_line)} (found {examples}); lon must lie in "
                   f"[-180, 180] and lat in [-90, 90] WGS 84 degrees (are lon and lat swapped?)")
            raise InputError(msg)
    for name, dtype in (("unit", float), ("range", float), ("samples", float)):
        if name in df.columns:
            out[name] = pd.to_numeric(df[name].astype(str).str.strip(), errors="coerce").astype(dtype)
        else:
            out[name] = np.nan
    out["line"] = df.index + first_line
    return out


def _in_bbox(cells: pd.DataFrame, bbox: tuple[float, float, float, float], path: Path) -> pd.Series:
    try:
        lon_min, lat_min, lon_max, lat_max = (float(v) for v in bbox)
    except (TypeError, ValueError) as e:
        msg = (f"{path}: bbox {bbox!r} is not (lon_min, lat_min, lon_max, lat_max) in degrees")
        raise InputError(msg) from e
    if not (lon_min < lon_max and lat_min < lat_max):
        msg = (f"{path}: bbox {bbox!r} is empty; give (lon_min, lat_min, lon_max, lat_max) with "
               f"min < max, e.g. (105.4, 21.3, 106.3, 22.8) for Thái Nguyên")
        raise InputError(msg)
    return cells["lon"].between(lon_min, lon_max) & cells["lat"].between(lat_min, lat_max)


def _map_radio_and_operator(cells: pd.DataFrame, path: Path) -> pd.DataFrame:
    cells = cells.copy()
    cells["tech"] = cells["radio"].map(RADIO_TECH)
    unknown = cells["tech"].isna()
    if unknown.any():
        kinds = ", ".join(sorted(cells.loc[unknown, "radio"].unique()))
        log.warning("%s: %d cells with radio %s dropped (phusong knows GSM, UMTS, LTE, NR)",
                    path, int(unknown.sum()), kinds)
        cells = cells[~unknown]
    cells["operator"] = cells["net"].map(MNC_OPERATORS)
    other = cells["operator"].isna()
    if other.any():
        nets = sorted(int(n) for n in cells.loc[other, "net"].unique())
        log.warning("%s: %d cells with MNC %s, which is none of Viettel (04), MobiFone (01), "
                    "VNPT (02), Vietnamobile (05); kept as operator 'MNC <n>'",
                    path, int(other.sum()), ", ".join(f"{n:02d}" for n in nets))
        cells.loc[other, "operator"] = "MNC " + cells.loc[other, "net"].astype(str)
    return cells


def _drop_duplicate_cells(cells: pd.DataFrame, path: Path) -> pd.DataFrame:
    key = ["radio", "mcc", "net", "area", "cell"]
    dup = cells.duplicated(key, keep=False)
    if not dup.any():
        return cells
    lines = ", ".join(str(v) for v in cells.loc[dup, "line"].head(6))
    log.warning("%s: the same cell appears more than once (lines %s); the row with the most "
                "samples is kept", path, lines)
    order = cells.sort_values(["samples", "line"], ascending=[False, True], na_position="last")
    return order.drop_duplicates(key, keep="first").sort_values("line")


# --------------------------------------------------------------------------- sites


def _build_sites(
    cells: pd.DataFrame,
    defaults: dict,
    cluster_radius_m: float,
    target,
    path: Path,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    cells = cells.reset_index(drop=True)
    points = gpd.GeoDataFrame(
        geometry=shapely.points(cells["lon"].to_numpy(), cells["lat"].to_numpy()),
        crs="EPSG:4326",
    )
    metric = target if target.is_projected else points.estimate_utm_crs()
    xy = shapely.get_coordinates(to_working(points, metric, source=str(path)).geometry.values)
    # One tree for all operators: shift each operator far apart on x so that no pair crosses.
    op_codes, op_index = np.unique(cells["operator"].to_numpy(dtype=str), return_inverse=True)
    shifted = xy + np.column_stack([op_index * 1.0e8, np.zeros(len(xy))])
    pairs = cKDTree(shifted).query_pairs(r=float(cluster_radius_m), output_type="ndarray")
    n = len(cells)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    n_sites, label = connected_components(graph, directed=False)

    cells["sector_id"] = (cells["mcc"].astype(str) + "-" + cells["net"].astype(str) + "-"
                          + cells["area"].astype(str) + "-" + cells["cell"].astype(str) + "-"
                          + cells["radio"])
    cells["_site"] = label
    cells["_x"], cells["_y"] = xy[:, 0], xy[:, 1]
    # The site takes the id of its first cell in sector_id order: stable from run to run.
    first = cells.sort_values("sector_id").drop_duplicates("_site").set_index("_site")
    site_key = "ocid-" + first["sector_id"]
    grouped = cells.groupby("_site", sort=True)
    site_xy = grouped[["_x", "_y"]].mean()
    sites = gpd.GeoDataFrame(
        {
            "site_id": site_key.reindex(site_xy.index).to_numpy(),
            "operator": first["operator"].reindex(site_xy.index).to_numpy(),
            "height_agl_m": defaults["height_agl_m"],
            "height_source": "default",
            "status": "on_air",
        },
        geometry=shapely.points(site_xy["_x"].to_numpy(), site_xy["_y"].to_numpy()),
        crs=metric,
    )
    if not sites.crs.equals(target):
        sites = sites.to_crs(target)
    sites = sites.sort_values("site_id").reset_index(drop=True)
    sectors = pd.DataFrame(
        {
            "site_id": site_key.reindex(cells["_site"]).to_numpy(),
            "sector_id": cells["sector_id"].to_numpy(),
            "tech": cells["tech"].to_numpy(),
            "band_mhz": _default_bands(cells["operator"], cells["tech"]),
            "band_source": "default",
            "azimuth_deg": np.nan,
            "tx_power_dbm": defaults["tx_power_dbm"],
            "antenna_gain_dbi": defaults["antenna_gain_dbi"],
            "range_m": cells["range"].to_numpy(dtype=float),
            "samples": pd.array(cells["samples"].round(), dtype="Int64"),
        }
    )
    sectors = sectors.sort_values(["site_id", "sector_id"]).reset_index(drop=True)
    log.debug("%s: %d cells of %d operators clustered into %d sites (r = %.0f m)", path, n,
              len(op_codes), n_sites, cluster_radius_m)
    return sites, sectors
