"""Validate a scenario's inputs and load them into a :class:`~phusong.layers.Province`.

Each rule is a function that takes layers and returns a list of
:class:`~phusong.layers.issues.Issue`; :func:`check_scenario` runs the per-layer reader checks
(:func:`~phusong.layers.read.read_layer`) and then every cross-layer rule below, and gathers
everything into one :class:`~phusong.layers.issues.ValidationReport`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from phusong.config import LayerSource, Scenario, load_scenario
from phusong.errors import ValidationFailed
from phusong.layers.issues import ERROR, INFO, WARNING, Issue, ValidationReport
from phusong.layers.province import Province
from phusong.layers.read import read_layer
from phusong.layers.schema import LAYERS, RASTER_LAYERS, REQUIRED_LAYERS

__all__ = [
    "check_scenario",
    "load_province",
    "rule_hamlet_communes",
    "rule_joins",
    "rule_outside_province",
    "rule_fiber_ports",
    "rule_park_points",
    "rule_raster",
    "rule_dem_nodata",
    "rule_sites_have_sectors",
]

log = logging.getLogger(__name__)

_KNOWN_REPORTED = {f"N{i}" for i in range(1, 8)}


def _file(scenario: Scenario, name: str) -> str:
    path = scenario.layer_path(name)
    return str(path) if path else ""


def _rows(mask: np.ndarray | pd.Series, index: pd.Index) -> tuple[int, ...]:
    return tuple(int(i) for i in index[np.asarray(mask, dtype=bool)])


def rule_hamlet_communes(hamlets: gpd.GeoDataFrame, communes: gpd.GeoDataFrame,
                         file: str = "") -> tuple[gpd.GeoDataFrame, list[Issue]]:
    """Join hamlets to communes: fill missing codes by location, check the given ones.

    Returns a copy of ``hamlets`` with ``commune_code`` filled where it was missing.
    """
    issues: list[Issue] = []
    out = hamlets.copy()
    points = out.geometry.representative_point()
    tree = shapely.STRtree(communes.geometry.values)
    hit_h, hit_c = tree.query(points.values, predicate="within")
    located = pd.Series(pd.NA, index=out.index, dtype="string")
    located.iloc[hit_h] = communes["commune_code"].to_numpy()[hit_c]
    if "commune_code" not in out.columns:
        out["commune_code"] = pd.Series(pd.NA, index=out.index, dtype="string")
    given = out["commune_code"]
    fill = given.isna() & located.notna()
    if fill.any():
        out.loc[fill, "commune_code"] = located[fill]
        issues.append(Issue(INFO, "filled_by_location", "hamlets", file,
                            f"{int(fill.sum())} hamlets without commune_code placed in the commune "
                            "that contains them.", "commune_code", _rows(fill, out.index)))
    known = set(communes["commune_code"].dropna())
    unknown = given.notna() & ~given.isin(known)
    if unknown.any():
        shown = ", ".join(repr(str(v)) for v in given[unknown].drop_duplicates().head(3))
        issues.append(Issue(ERROR, "unjoined_code", "hamlets", file,
                            f"commune codes not in the communes layer: {shown}.", "commune_code",
                            _rows(unknown, out.index),
                            "use the codes of the communes layer (5-digit national codes), or "
                            "leave the cell empty to place the hamlet by location."))
    elsewhere = given.notna() & ~unknown & located.notna() & (given != located)
    if elsewhere.any():
        issues.append(Issue(WARNING, "commune_mismatch", "hamlets", file,
                            "hamlets lie in another commune than their commune_code says.",
                            "commune_code", _rows(elsewhere, out.index),
                            "check the code or the location (lon/lat swapped?)."))
    return out, issues


def rule_joins(province: dict[str, pd.DataFrame | None], scenario: Scenario) -> list[Issue]:
    """Codes that must join another layer: sector → site, POI/reported → commune."""
    issues: list[Issue] = []
    sectors, sites = province.get("sectors"), province.get("sites")
    if sectors is not None and sites is not None and "site_id" in sectors:
        bad = sectors["site_id"].notna() & ~sectors["site_id"].isin(set(sites["site_id"]))
        if bad.any():
            shown = ", ".join(repr(str(v)) for v in sectors["site_id"][bad].drop_duplicates()[:3])
            issues.append(Issue(ERROR, "unjoined_code", "sectors", _file(scenario, "sectors"),
                                f"site ids not in the sites layer: {shown}.", "site_id",
                                _rows(bad, sectors.index),
                                "add the sites, or correct the site_id of these sectors."))
    communes = province.get("communes")
    known = set(communes["commune_code"].dropna()) if communes is not None else set()
    for name in ("pois", "reported"):
        frame = province.get(name)
        if frame is None or communes is None or "commune_code" not in frame:
            continue
        bad = frame["commune_code"].notna() & ~frame["commune_code"].isin(known)
        if bad.any():
            issues.append(Issue(WARNING, "unjoined_code", name, _file(scenario, name),
                                "commune codes not in the communes layer; these rows count for "
                                "the province only.", "commune_code", _rows(bad, frame.index),
                                "use the codes of the communes layer."))
    reported = province.get("reported")
    if reported is not None and "indicator" in reported:
        odd = reported["indicator"].notna() & ~reported["indicator"].str.upper().isin(
            _KNOWN_REPORTED)
        if odd.any():
            issues.append(Issue(WARNING, "unknown_value", "reported", _file(scenario, "reported"),
                                "indicators other than N1–N7 are kept but not reported.",
                                "indicator", _rows(odd, reported.index),
                                "use the IDs N1…N7 of docs/INDICATORS.md."))
    return issues


def rule_outside_province(name: str, gdf: gpd.GeoDataFrame, boundary: shapely.Geometry,
                          tolerance_m: float, file: str = "") -> list[Issue]:
    """Features outside the province (union of communes) by more than ``tolerance_m``.

    Hamlets, POIs and parks outside are errors (they would count for no commune); sites up to
    the search radius are normal (they serve border areas), so the caller passes that radius;
    other layers get a warning.
    """
    geoms = gdf.geometry.values
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    zone = shapely.buffer(boundary, tolerance_m)
    shapely.prepare(zone)
    outside = ok & ~shapely.intersects(zone, geoms)
    if not outside.any():
        return []
    n = int(outside.sum())
    if name in ("roads", "fiber_routes"):  # extracts often reach beyond the border
        return [Issue(INFO, "outside_province", name, file, f"{n} lines lie wholly outside the "
                      "province and are not used.", "geometry", _rows(outside, gdf.index))]
    severity = ERROR if name in ("hamlets", "pois", "parks") else WARNING
    return [Issue(severity, "outside_province", name, file,
                  f"{n} features lie more than {tolerance_m / 1000:g} km outside "
                  "the province (the union of the communes).", "geometry",
                  _rows(outside, gdf.index),
                  "check the coordinates (lon/lat swapped? wrong CRS?) or remove these rows.")]


def rule_park_points(parks: gpd.GeoDataFrame, file: str = "") -> list[Issue]:
    """Parks given as points: usable, but coverage is then judged at one point only."""
    points = (parks.geom_type == "Point").to_numpy()
    if not points.any():
        return []
    return [Issue(WARNING, "park_points", "parks", file,
                  f"{int(points.sum())} parks are points, not outlines; their coverage is judged "
                  "at the point only.", "geometry", _rows(points, parks.index),
                  "draw the park outlines (polygons) for a fair area share.")]


def rule_fiber_ports(nodes: gpd.GeoDataFrame, file: str = "") -> list[Issue]:
    """``ports_used`` must not exceed ``ports_total``."""
    if not {"ports_used", "ports_total"} <= set(nodes.columns):
        return []
    over = (nodes["ports_used"].astype("float64") > nodes["ports_total"].astype("float64"))
    over = over.fillna(False).to_numpy(dtype=bool)
    if not over.any():
        return []
    return [Issue(ERROR, "ports_exceed", "fiber_nodes", file,
                  "ports_used is larger than ports_total.", "ports_used",
                  _rows(over, nodes.index), "correct the port counts.")]


def rule_sites_have_sectors(sites: gpd.GeoDataFrame, sectors: pd.DataFrame | None,
                            file: str = "") -> list[Issue]:
    """Sites without any sector radiate nothing: a warning."""
    if sectors is None:
        return [Issue(WARNING, "missing_layer", "sectors", "", "no sectors layer: sites cannot be "
                      "predicted.", fix="add [layers.sectors] to the scenario.")]
    lonely = ~sites["site_id"].isin(set(sectors["site_id"].dropna()))
    if not lonely.any():
        return []
    return [Issue(WARNING, "site_without_sectors", "sites", file,
                  f"{int(lonely.sum())} sites have no sector and are ignored for coverage.",
                  "site_id", _rows(lonely, sites.index), "add their sectors.")]


def rule_raster(name: str, path: Path, src: LayerSource, working_crs: str) -> list[Issue]:
    """A raster layer opens, has a CRS and plausible values."""
    import rasterio
    from rasterio.errors import RasterioIOError

    file = str(path)
    if not path.exists():
        return [Issue(ERROR, "file_not_found", name, file, "the file does not exist.",
                      fix=f"check [layers.{name}] path in the scenario.")]
    try:
        with rasterio.open(path) as ds:
            crs, nodata, count = ds.crs, ds.nodata, ds.count
            step = max(1, int(max(ds.width, ds.height) // 1000))
            sample = ds.read(1, out_shape=(max(1, ds.height // step), max(1, ds.width // step)),
                             masked=True)
    except RasterioIOError as e:
        return [Issue(ERROR, "unreadable_file", name, file, f"GDAL cannot open it as a raster "
                      f"({str(e).splitlines()[0]}).", fix="use a GeoTIFF.")]
    issues: list[Issue] = []
    if crs is None and not src.crs:
        issues.append(Issue(ERROR, "missing_crs", name, file, "the raster has no CRS.",
                            fix=f"set crs = \"…\" in [layers.{name}] or add it with gdal_edit.py "
                            "-a_srs."))
    if count != 1:
        issues.append(Issue(WARNING, "extra_bands", name, file,
                            f"{count} bands; only band 1 is used."))
    values = sample.compressed()
    if name == "dem":
        if nodata is None:
            issues.append(Issue(INFO, "no_nodata", name, file, "no nodata value declared; every "
                                "cell is taken as a height."))
        if values.size and (values.min() < -100 or values.max() > 9000):
            issues.append(Issue(WARNING, "implausible_value", name, file,
                                f"heights from {values.min():g} to {values.max():g} m; expected "
                                "metres above sea level (Việt Nam: 0 to 3,143 m).", "band 1",
                                fix="check the unit (feet? centimetres?) and the nodata value."))
    elif name == "population" and values.size and values.min() < 0:
        issues.append(Issue(ERROR, "negative_value", name, file,
                            f"negative people per cell (min {values.min():g}).", "band 1",
                            fix="set the nodata value of the raster."))
    return issues


def rule_dem_nodata(dem_path: Path, layers: dict[str, gpd.GeoDataFrame | None],
                    working_crs: str) -> list[Issue]:
    """Sites and hamlets must stand on DEM cells that hold a height."""
    import rasterio

    issues: list[Issue] = []
    with rasterio.open(dem_path) as ds:
        for name in ("sites", "hamlets"):
            gdf = layers.get(name)
            if gdf is None or len(gdf) == 0:
                continue
            pts = gdf.geometry.representative_point().to_crs(ds.crs or working_crs)
            ok = ~(pts.is_empty | pts.isna())
            xs, ys = pts.x.to_numpy()[ok], pts.y.to_numpy()[ok]
            rows, cols = rasterio.transform.rowcol(ds.transform, xs, ys)
            rows, cols = np.asarray(rows), np.asarray(cols)
            inside = (rows >= 0) & (rows < ds.height) & (cols >= 0) & (cols < ds.width)
            bad = ~inside
            if inside.any():
                values = np.array([v[0] for v in ds.sample(zip(xs[inside], ys[inside], strict=True))],
                                  dtype="float64")
                hole = ~np.isfinite(values)
                if ds.nodata is not None:
                    hole |= np.isclose(values, ds.nodata)
                bad[np.flatnonzero(inside)[hole]] = True
            if bad.any():
                issues.append(Issue(ERROR, "dem_nodata", name, str(dem_path),
                                    f"{int(bad.sum())} {name} stand on DEM nodata or outside the "
                                    "DEM, so no height can be taken there.", "geometry",
                                    tuple(int(i) for i in gdf.index[ok][bad]),
                                    "fill the holes (gdal_fillnodata.py) or extend the DEM over "
                                    "the whole province plus the site search radius."))
    return issues


def check_scenario(scenario: Scenario | str | os.PathLike[str], strict: bool = False,
                   progress: bool = False) -> tuple[ValidationReport, Province | None]:
    """Read and check every layer the scenario names.

    Parameters
    ----------
    scenario
        A loaded :class:`~phusong.config.Scenario` or the path of a ``scenario.toml``.
    strict
        Count warnings as errors.
    progress
        Show a progress bar over the layers.

    Returns
    -------
    report, province
        Every issue found, and the province (``None`` when a layer it needs is unusable or
        there are errors).
    """
    from tqdm.auto import tqdm

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    report = ValidationReport(strict=strict)
    crs = scenario.province.crs
    from phusong.crs import parse_crs

    working = parse_crs(crs)
    frames: dict[str, pd.DataFrame | None] = {}
    # 1. each vector/table layer on its own: columns, types, values, geometry, CRS, ids
    for name in REQUIRED_LAYERS:
        if name not in scenario.layers:
            report.extend([Issue(ERROR, "missing_layer", name, scenario.source,
                                 f"the scenario names no {name} layer; it is required.",
                                 fix=f"add [layers.{name}] with path = \"…\".")])
    names = [n for n in LAYERS if n in scenario.layers]
    for name in tqdm(names, desc="reading layers", disable=not progress, unit="layer"):
        result = read_layer(name, LAYERS[name], scenario.layers[name],
                            scenario.layer_path(name) or Path(), working)
        report.extend(result.issues)
        frames[name] = result.frame
    # 2. rasters: readable, CRS, plausible values
    for name in RASTER_LAYERS:
        if name in scenario.layers:
            report.extend(rule_raster(name, scenario.layer_path(name) or Path(),
                                      scenario.layers[name], crs))
    # 3. cross-layer rules
    communes = frames.get("communes")
    if communes is not None:
        boundary = shapely.union_all(communes.geometry.values)
        if frames.get("hamlets") is not None:
            hamlets, found = rule_hamlet_communes(frames["hamlets"], communes,
                                                  _file(scenario, "hamlets"))
            frames["hamlets"] = hamlets
            report.extend(found)
        for name in ("hamlets", "pois", "parks", "measurements", "roads", "fiber_routes",
                     "fiber_nodes"):
            if frames.get(name) is not None:
                report.extend(rule_outside_province(name, frames[name], boundary,
                                                    scenario.province.outside_tolerance_m,
                                                    _file(scenario, name)))
        if frames.get("sites") is not None:
            report.extend(rule_outside_province("sites", frames["sites"], boundary,
                                                scenario.province.site_search_radius_m,
                                                _file(scenario, "sites")))
    report.extend(rule_joins(frames, scenario))
    if frames.get("parks") is not None:
        report.extend(rule_park_points(frames["parks"], _file(scenario, "parks")))
    if frames.get("fiber_nodes") is not None:
        report.extend(rule_fiber_ports(frames["fiber_nodes"], _file(scenario, "fiber_nodes")))
    if frames.get("sites") is not None:
        report.extend(rule_sites_have_sectors(frames["sites"], frames.get("sectors"),
                                              _file(scenario, "sites")))
    dem_path = scenario.layer_path("dem")
    dem_ok = dem_path is not None and not any(
        i.layer == "dem" and i.severity == ERROR for i in report.issues)
    if dem_ok and dem_path is not None:
        report.extend(rule_dem_nodata(dem_path, frames, crs))  # type: ignore[arg-type]
    province = None
    if report.ok and communes is not None:
        pop_path = scenario.layer_path("population")
        province = Province(scenario=scenario, crs=crs, communes=communes,
                            **{k: v for k, v in frames.items() if k != "communes"},
                            dem_path=dem_path if dem_ok else None,
                            population_path=pop_path, report=report)
    log.info("validation of %s: %s", scenario.source or "scenario", report.summary())
    return report, province


def load_province(scenario: Province | Scenario | str | os.PathLike[str], strict: bool = False,
                  progress: bool = False) -> Province:
    """Read, check and return the province of a scenario (a province already loaded is
    returned as it is, so that every stage can take either).

    Raises
    ------
    ValidationFailed
        If any error is found; its ``report`` lists every issue.
    """
    if isinstance(scenario, Province):
        return scenario
    report, province = check_scenario(scenario, strict=strict, progress=progress)
    if province is None:
        first = report.errors[0].to_text() if report.errors else "no communes layer"
        msg = f"the inputs have {report.summary()}; first: {first}"
        raise ValidationFailed(msg, report)
    return province
