"""The synthetic demo province: a Thái Nguyên-like province built from a seed.

``generate_demo`` builds every input layer phusong reads (communes, hamlets, roads, parks, POIs,
BTS sites and sectors, fiber routes and nodes, DEM, population, measurements, reported figures)
in memory; ``write_demo`` writes them as the files a ``scenario.toml`` names. Nothing is read
from disk, and the same seed gives byte-identical files. The geometry is invented; the commune
names, codes and populations are those of the real 2025 province, used as anchors.

How it is built (one step per helper module)
--------------------------------------------
1. Outline and communes (``_demo_terrain``): the 92 communes' real centroids, squeezed and
   jittered, are wrapped in a smooth hull scaled to 8,400 km²; communes are the Voronoi cells of
   the seats clipped to it, so they tile the province. About 15 are urban wards (phường).
2. Terrain (``_demo_terrain``): spectral noise under a relief envelope (southern plain ~10-50 m,
   hills, northern mountains peaking at 1,400-1,520 m, a south-western ridge), with river valleys
   and a valley network between the commune seats carved in; a 30 m DEM of ~13 M cells.
3. Hamlets (``_demo_settlement``): ~3,000 hamlets drawn per commune on valley floors and near
   the seat, with log-normal populations summing to the real 1,799,489; the population raster
   spreads each hamlet as a normalised Gaussian.
4. Roads (``_demo_roads``): least-cost routes on the DEM; national routes on fixed templates,
   provincial links up to ~2,500 km of main road, district and local roads as shortest-path
   trees from every hamlet to the main network.
5. Parks and POIs (``_demo_settlement``): the 14 parks of the plans on the southern plain near
   main roads; commune offices, health stations, schools, hospitals, universities, offices.
6. Network (``_demo_network``): ~3,000 sites of Viettel, VNPT and MobiFone following people and
   main roads; 3 sectors each with 4G carriers and, mostly in the south, a 5G carrier; fiber
   backbone and distribution along main roads, access routes and nodes out to served hamlets.
7. Measurements (``_demo_radio``): drive tests along main roads and i-SPEED tests in towns, drawn
   from a private "true" radio model (Hata + knife-edge terrain loss + clutter + correlated
   shadowing; see that module) that a plain prediction will not match exactly.

Problems the indicators must find (seed-independent mechanisms, seed-dependent places; details
in ``_demo_network``):

* **dark mountain valleys** (D1, T3): four populated northern valleys with no site within 6 km;
* **road gaps** (T6): five deep-valley stretches of national/provincial road in the north, and
  one on QL3B in Trần Phú, with no site within 4.5 km, i.e. gaps of up to several km;
* **operating parks without 5G** (K1): every 5G carrier within 4.5 km of KCN Nam Phổ Yên and
  KCN Sông Công I is off; KCN Điềm Thụy – Khu A has only an edge site (K1a partly met);
* **hamlets without fiber** (T4): fiber reaches hamlets only within 12 / 5 / 3 km along roads
  from the main network (south / middle / north) and not in the dark valleys; KCN Điềm Thụy –
  Khu B has no fiber node (K2);
* **full fiber nodes** (T2): 7 % of nodes have every port used; the north is GPON only.

``preset="commune"`` runs the same generator and keeps one commune: Trần Phú, a northern
mountain commune of ~60-80 km² with ~20-25 hamlets, crossed by QL3B (with one planted road gap).
It keeps the commune's hamlets, POIs, local roads, access fiber and measurements, the main roads
and backbone fiber within 1 km of it, the sites within 3 km, and DEM and population windows
reaching 5 km beyond it. The province-wide steps that are cheap (outline, terrain, hamlets, main
roads, sites, sectors) run in full, so these layers equal the province's in and around the
commune; only the rasters, the local roads and the truth model are computed for the commune
alone. It takes about 1.5 s.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from phusong._io import atomic_path, check_writable, write_csv, write_vectors
from phusong.layers import _demo_data as data
from phusong.layers import _demo_network as net
from phusong.layers import _demo_radio as radio
from phusong.layers import _demo_roads as rd
from phusong.layers import _demo_settlement as stl
from phusong.layers import _demo_terrain as ter

__all__ = ["PRESETS", "DemoFiles", "DemoProvince", "generate_demo", "write_demo"]

log = logging.getLogger(__name__)

PRESETS = ("province", "commune")
CRS = ter.CRS
DEM_NODATA = ter.NODATA
_GPKG_LAYERS = ("communes", "hamlets", "roads", "parks", "pois", "sites", "fiber_routes",
                "fiber_nodes")
_STREAMS = ("outline", "terrain", "hamlet_targets", "hamlets", "roads", "parks", "pois", "sites",
            "sectors", "fiber", "measure_points", "shadow", "reported")
_SITE_MARGIN_M = 3_000.0
_RASTER_MARGIN_M = 2_000.0


@dataclass(frozen=True)
class DemoFiles:
    """Relative file names inside the output folder, as a ``scenario.toml`` names them."""

    gpkg: str = "province.gpkg"
    sectors: str = "sectors.csv"
    measurements: str = "measurements.csv"
    dem: str = "dem.tif"
    population: str = "population.tif"
    reported: str = "reported.csv"


@dataclass(frozen=True, eq=False)
class DemoProvince:
    """The demo province in memory: every layer, in EPSG:32648 (metres).

    ``dem`` is float32 metres (whole metres, nodata ``-9999``) on a 30 m grid; ``population`` is
    float32 people per 100 m cell. ``measurements`` has WGS84 ``lon``/``lat`` columns besides its
    UTM geometry.
    """

    communes: gpd.GeoDataFrame
    hamlets: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    parks: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    sectors: pd.DataFrame
    fiber_routes: gpd.GeoDataFrame
    fiber_nodes: gpd.GeoDataFrame
    measurements: gpd.GeoDataFrame
    reported: pd.DataFrame
    dem: np.ndarray
    dem_transform: Affine
    population: np.ndarray
    population_transform: Affine
    seed: int
    preset: str
    crs: str = CRS


def _streams(seed: int) -> dict[str, np.random.SeedSequence]:
    """One independent seed sequence per generation step (fixed order, never the global RNG)."""
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    return dict(zip(_STREAMS, children, strict=True))


def _rng(ss: np.random.SeedSequence) -> np.random.Generator:
    return np.random.default_rng(ss)


class _Steps:
    """Progress over the named generation steps (a tqdm bar when asked for).

    Call it with a step's name when that step is done; the bar then names the next one.
    """

    def __init__(self, names: tuple[str, ...], progress: bool) -> None:
        self._names = names
        self._done = 0
        self._bar: Any = None
        if progress:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=len(names), desc="demo", unit="step")
            self._bar.set_postfix_str(names[0])

    def __call__(self, name: str) -> None:
        log.debug("demo: %s done", name)
        self._done += 1
        if self._bar is not None:
            nxt = self._names[self._done] if self._done < len(self._names) else "done"
            self._bar.set_postfix_str(nxt)
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


_STEP_NAMES = ("outline", "terrain", "hamlets", "main roads", "parks and POIs", "local roads",
               "dark zones", "sites and sectors", "fiber", "DEM", "population", "measurements",
               "assemble")


def generate_demo(seed: int = 2030, preset: str = "province", *,
                  progress: bool = False) -> DemoProvince:
    """Build the demo province (or one commune of it) in memory.

    Parameters
    ----------
    seed
        Seed of every random draw (``numpy.random.SeedSequence``); the same seed gives the same
        province.
    preset
        ``"province"`` (92 communes, ~3,000 hamlets and sites, ~13 M-cell DEM; ~20-30 s) or
        ``"commune"`` (one commune, Trần Phú; about a second).
    progress
        Show a progress bar over the generation steps.

    Returns
    -------
    DemoProvince
        Every layer, in EPSG:32648.
    """
    steps = _Steps(_STEP_NAMES, progress)
    try:
        return _generate(int(seed), preset, steps)
    finally:
        steps.close()


def _generate(seed: int, preset: str, step: Callable[[str], None]) -> DemoProvince:
    if preset not in PRESETS:
        msg = f"unknown demo preset {preset!r}; choose one of {', '.join(PRESETS)}"
        raise ValueError(msg)
    ss = _streams(seed)
    names = [r[1] for r in data.COMMUNES]
    codes = [r[0] for r in data.COMMUNES]
    name_index = {n: i for i, n in enumerate(names)}
    demo_ci = name_index[data.DEMO_COMMUNE]

    # 1. outline, commune seats and commune cells
    outline, seeds = ter.make_outline(_rng(ss["outline"]))
    polys = ter.commune_polygons(seeds, outline)
    step("outline")
    # 2. terrain on the coarse grid (the 30 m DEM is rendered in step 10)
    terrain = ter.build_terrain(outline, seeds, name_index, _rng(ss["terrain"]))
    step("terrain")
    # 3. hamlets, one random stream per commune
    hamlet_rngs = [_rng(s) for s in ss["hamlets"].spawn(len(names))]
    settle = stl.build_hamlets(terrain, outline, seeds, hamlet_rngs, _rng(ss["hamlet_targets"]))
    hamlets = settle.hamlets
    step("hamlets")
    # 4. main roads
    main = rd.build_main_roads(terrain, outline, seeds, hamlets, _rng(ss["roads"]))
    step("main roads")
    # 5. parks (near main roads) and points of interest
    parks = stl.build_parks(seeds, outline, main.access_xy, _rng(ss["parks"]))
    pois = stl.build_pois(hamlets, seeds, _rng(ss["pois"]))
    step("parks and POIs")
    # 6. district and local roads, per commune (only the demo commune in the commune preset)
    todo = range(len(names)) if preset == "province" else [demo_ci]
    hci = hamlets["commune_index"].to_numpy()
    hxy = np.column_stack([hamlets.geometry.x.to_numpy(), hamlets.geometry.y.to_numpy()])
    trees = {ci: rd.build_local_tree(terrain, settle.label, main, seeds[ci], hxy[hci == ci])
             for ci in todo}
    local_roads = _local_roads(trees, codes, names)
    step("local roads")
    # 7. where sites are left out on purpose
    zones = net.find_dark_zones(terrain, seeds, hamlets, main.roads, polys[demo_ci])
    step("dark zones")
    # 8. sites and sectors (province-wide: they are cheap, and a commune keeps its own)
    sites = net.build_sites(terrain, outline, hamlets, main.roads, parks, zones,
                            _rng(ss["sites"]))
    sectors = net.build_sectors(sites, parks, terrain.uv_box, _rng(ss["sectors"]))
    step("sites and sectors")
    # 9. fiber routes and nodes
    fiber_routes, fiber_nodes = _fiber(trees, hamlets, main.roads, parks, zones, terrain,
                                       ss["fiber"], codes)
    step("fiber")
    # 10. DEM window (whole province, or the commune with a margin)
    aoi = outline if preset == "province" else polys[demo_ci]
    margin_m = _RASTER_MARGIN_M + (0.0 if preset == "province" else _SITE_MARGIN_M)
    dem_grid = ter.Grid.covering(aoi.bounds, ter.FINE_M, margin_m)
    dem = terrain.fine(dem_grid)
    step("DEM")
    # 11. population raster from the hamlets kept
    keep_h = np.ones(len(hamlets), bool) if preset == "province" else hci == demo_ci
    pop_grid = ter.Grid.covering(aoi.bounds, stl.POP_M, margin_m)
    population = stl.population_raster(hamlets[keep_h], pop_grid)
    step("population")
    # 12. measurements from the hidden truth model
    pts = radio.measurement_points(main.roads, hamlets, _rng(ss["measure_points"]))
    if preset == "commune":
        pts = pts[shapely.contains_xy(aoi, pts["x"], pts["y"])]
    shadow = radio.shadow_fields(terrain, _rng(ss["shadow"]))
    measurements = radio.build_measurements(pts.reset_index(drop=True), sites, sectors, terrain,
                                            hamlets, shadow)
    pick_ss, value_ss = ss["reported"].spawn(2)
    reported_codes = sorted({codes[i] for i in _rng(pick_ss).choice(
        len(codes), size=12, replace=False)} | {codes[demo_ci]})
    reported = radio.build_reported(reported_codes, _rng(value_ss))
    step("measurements")

    # 13. assemble: contract columns only; the commune preset keeps what lies in or near it
    pops = np.bincount(hci, weights=hamlets["population"].to_numpy(), minlength=len(names))
    communes = stl.build_communes(polys, np.round(pops).astype(np.int64))
    roads = pd.concat([main.roads, local_roads], ignore_index=True)
    roads = gpd.GeoDataFrame(roads, geometry="geometry", crs=CRS)
    hamlets_out = hamlets.drop(columns=["commune_index"])
    sites_out = sites.drop(columns=["in_park", "urban"])
    if preset == "commune":
        code = codes[demo_ci]
        near = aoi.buffer(1_000.0)
        communes = communes[communes["commune_code"] == code]
        hamlets_out = hamlets_out[hamlets_out["commune_code"] == code]
        pois = pois[pois["commune_code"] == code]
        roads = roads[roads.intersects(near)]
        parks = parks[parks.intersects(aoi.buffer(_RASTER_MARGIN_M))]
        sites_out = sites_out[sites_out.within(aoi.buffer(_SITE_MARGIN_M))]
        sectors = sectors[sectors["site_id"].isin(sites_out["site_id"])]
        fiber_routes = fiber_routes[fiber_routes.intersects(near)]
        fiber_nodes = fiber_nodes[fiber_nodes.within(near)]
        reported = reported[reported["commune_code"].isin(["", code])]
    step("assemble")
    return DemoProvince(
        communes=_reset(communes), hamlets=_reset(hamlets_out), roads=_reset(roads),
        parks=_reset(parks), pois=_reset(pois), sites=_reset(sites_out),
        sectors=sectors.reset_index(drop=True), fiber_routes=_reset(fiber_routes),
        fiber_nodes=_reset(fiber_nodes), measurements=_reset(measurements),
        reported=reported.reset_index(drop=True), dem=dem, dem_transform=dem_grid.transform,
        population=population, population_transform=pop_grid.transform, seed=seed,
        preset=preset,
    )


def _reset(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.reset_index(drop=True)


def _local_roads(trees: dict[int, rd.LocalTree], codes: list[str], names: list[str]
                 ) -> gpd.GeoDataFrame:
    """District and local road chains of the communes routed so far.

    A chain is a district road (đường huyện / liên xã) when it lies on the commune seat's way to
    the main network or carries the traffic of at least 3 hamlets; the rest are local roads.
    """
    rows, geoms = [], []
    for ci, tree in trees.items():
        through: dict[int, int] = {}  # cell -> hamlets whose way to the main network uses it
        for c in tree.hamlet_cells.tolist():
            while c >= 0:
                through[c] = through.get(c, 0) + 1
                c = int(tree.parent[c])
        seat_path = set()
        c = tree.seat_cell
        while c >= 0 and c not in seat_path:
            seat_path.add(c)
            c = int(tree.parent[c])
        leaves = np.concatenate([tree.hamlet_cells, [tree.seat_cell]])
        for k, xy in enumerate(rd.tree_chains(tree, leaves)):
            r, cc = tree.grid.rowcol(xy[0, 0], xy[0, 1])
            first = int(r * tree.grid.ncols + cc)
            district = ((first in seat_path and len(seat_path) > 1)
                        or through.get(first, 0) >= 3)
            rows.append({
                "road_id": f"L-{codes[ci]}-{k + 1:04d}",
                "class": "district" if district else "local",
                "ref": "",
                "name": f"Đường liên xã {names[ci]}" if district else "",
            })
            geoms.append(shapely.LineString(rd.smooth_line(xy, 1)))
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=["road_id", "class", "ref", "name"]),
                            geometry=geoms, crs=CRS)


def _fiber(trees: dict[int, rd.LocalTree], hamlets: gpd.GeoDataFrame, roads: gpd.GeoDataFrame,
           parks: gpd.GeoDataFrame, zones: net.DarkZones, terrain: ter.Terrain,
           ss: np.random.SeedSequence, codes: list[str]
           ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Fiber routes along roads and access nodes at served hamlets (see ``_demo_network``)."""
    box = terrain.uv_box
    ss_main, ss_parks, ss_communes = ss.spawn(3)
    rng = _rng(ss_main)
    route_rows: list[dict] = []
    geoms: list[shapely.Geometry] = []
    # backbone (national roads, the expressway) and distribution (provincial roads)
    mid_v = np.array([(g.centroid.y - box[1]) / (box[3] - box[1]) for g in roads.geometry])
    draw = rng.random((len(roads), 2))
    for i, (rid, cls, ref, geom) in enumerate(zip(roads["road_id"], roads["class"], roads["ref"],
                                                  roads.geometry, strict=True)):
        if cls in ("expressway", "national"):
            ops = ["Viettel"] + (["VNPT"] if cls == "national" else [])
            ops += ["MobiFone"] if ref in ("QL3", "QL37", "CT07") else []
            kind = "backbone"
        elif cls == "provincial":
            ops = ["Viettel"] + (["VNPT"] if draw[i, 0] < 0.75 else [])
            p_mbf = 0.35 if mid_v[i] < 0.4 else 0.05
            ops += ["MobiFone"] if draw[i, 1] < p_mbf else []
            kind = "distribution"
        else:
            continue
        for op in ops:
            route_rows.append({"route_id": f"{net.OPERATORS[op][0]}-F-{rid}", "operator": op,
                               "kind": kind, "status": "on_air"})
            geoms.append(geom)
    # access: per commune, served hamlets per operator, their road paths and nodes
    node_rows = net.park_fiber_nodes(parks, _rng(ss_parks))
    comm_ss = ss_communes.spawn(len(codes))
    hci = hamlets["commune_index"].to_numpy()
    hv = (hamlets.geometry.y.to_numpy() - box[1]) / (box[3] - box[1])
    in_valley = zones.contains(hamlets.geometry.x.to_numpy(), hamlets.geometry.y.to_numpy(),
                               "valley")
    urban = hamlets["kind"].to_numpy() == "to_dan_pho"
    for ci, tree in trees.items():
        crng = _rng(comm_ss[ci])
        mine = np.flatnonzero(hci == ci)
        served = net.fiber_served(hv[mine], tree.to_main_m, in_valley[mine])
        south = hv[mine] < 0.4
        served_by = {
            "Viettel": served,
            "VNPT": served & (crng.random(len(mine)) < np.where(south, 0.85, 0.6)),
            "MobiFone": served & (crng.random(len(mine)) < np.where(
                urban[mine], 0.7, np.where(south, 0.45, 0.12))),
        }
        node_rows += net.build_fiber_nodes(hamlets.iloc[mine], served_by, crng)
        for op, mask in served_by.items():
            for k, xy in enumerate(rd.tree_chains(tree, tree.hamlet_cells[mask])):
                route_rows.append({"route_id": f"{net.OPERATORS[op][0]}-A-{codes[ci]}-{k + 1:03d}",
                                   "operator": op, "kind": "access", "status": "on_air"})
                geoms.append(shapely.LineString(rd.smooth_line(xy, 1)))
        # a few planned access routes towards unserved hamlets (Viettel)
        unserved = np.flatnonzero(~served & (crng.random(len(mine)) < 0.15))
        for k, xy in enumerate(rd.tree_chains(tree, tree.hamlet_cells[unserved])):
            route_rows.append({"route_id": f"VTL-P-{codes[ci]}-{k + 1:03d}", "operator": "Viettel",
                               "kind": "access", "status": "planned"})
            geoms.append(shapely.LineString(rd.smooth_line(xy, 1)))
    routes = gpd.GeoDataFrame(pd.DataFrame(route_rows, columns=["route_id", "operator", "kind",
                                                                "status"]),
                              geometry=geoms, crs=CRS)
    return routes, net.fiber_nodes_frame(node_rows)


# --------------------------------------------------------------------------- writing


def write_demo(out_dir: str | os.PathLike[str], seed: int = 2030, preset: str = "province",
               overwrite: bool = False, progress: bool = False) -> dict[str, Path]:
    """Generate the demo and write its files into ``out_dir`` (see :class:`DemoFiles`).

    Every file is written to a temporary name and moved into place; existing files are refused
    (before anything is written) unless ``overwrite`` is true.

    Parameters
    ----------
    out_dir
        Output folder (created if missing).
    seed, preset
        As for :func:`generate_demo`.
    overwrite
        Replace existing files.
    progress
        Show a progress bar over the generation and writing steps.

    Returns
    -------
    dict of str to Path
        Layer name -> file (the vector layers all live in the GeoPackage).

    Raises
    ------
    phusong.errors.OutputExistsError
        If a file exists already and ``overwrite`` is false.
    """
    out = Path(out_dir)
    files = DemoFiles()
    paths = {name: out / getattr(files, name) for name in
             ("gpkg", "sectors", "measurements", "dem", "population", "reported")}
    for p in paths.values():
        check_writable(p, overwrite)
    steps = _Steps(_STEP_NAMES + ("write vectors", "write tables", "write rasters"), progress)
    try:
        demo = _generate(int(seed), preset, steps)
        write_vectors(paths["gpkg"], {name: getattr(demo, name) for name in _GPKG_LAYERS},
                      overwrite=overwrite)
        steps("write vectors")
        write_csv(paths["sectors"], demo.sectors, overwrite=overwrite)
        write_csv(paths["measurements"], pd.DataFrame(demo.measurements.drop(columns="geometry")),
                  overwrite=overwrite)
        write_csv(paths["reported"], demo.reported, overwrite=overwrite)
        steps("write tables")
        _write_tif(paths["dem"], demo.dem.astype(np.int16), demo.dem_transform, DEM_NODATA,
                   overwrite, predictor=2)
        _write_tif(paths["population"], demo.population, demo.population_transform, None,
                   overwrite, predictor=3)
        steps("write rasters")
    finally:
        steps.close()
    result = {name: paths["gpkg"] for name in _GPKG_LAYERS}
    result.update({"sectors": paths["sectors"], "measurements": paths["measurements"],
                   "reported": paths["reported"], "dem": paths["dem"],
                   "population": paths["population"]})
    log.info("demo (%s, seed %d) written to %s", preset, seed, out)
    return result


def _write_tif(path: Path, array: np.ndarray, transform: Affine, nodata: float | None,
               overwrite: bool, predictor: int) -> None:
    """Write a single-band tiled, deflate-compressed GeoTIFF atomically (deterministic bytes)."""
    import rasterio

    profile = {
        "driver": "GTiff", "width": array.shape[1], "height": array.shape[0], "count": 1,
        "dtype": array.dtype.name, "crs": CRS, "transform": transform, "nodata": nodata,
        "tiled": True, "blockxsize": 256, "blockysize": 256, "compress": "deflate",
        "predictor": predictor, "zlevel": 6, "num_threads": "ALL_CPUS",
    }
    with atomic_path(path, overwrite) as tmp, rasterio.open(tmp, "w", **profile) as ds:
        ds.write(array, 1)
