"""Communes, hamlets, population raster, points of interest and parks of the demo province."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage
from scipy.spatial import cKDTree
from shapely import affinity
from shapely.geometry import Point

from phusong.layers import _demo_data as data
from phusong.layers._demo_terrain import CRS, Grid, Terrain, smoothstep

__all__ = [
    "POPULATION_TOTAL",
    "Settlement",
    "build_communes",
    "build_hamlets",
    "population_raster",
    "build_pois",
    "build_parks",
]

log = logging.getLogger(__name__)

POPULATION_TOTAL = 1_799_489
"""Thái Nguyên's 2025 population (after the merger with Bắc Kạn): the demo's total."""
HAMLETS_TOTAL = 3_000
POP_M = 100.0


@dataclass(frozen=True, eq=False)
class Settlement:
    """Where people live: hamlets and helpers shared by the later steps."""

    hamlets: gpd.GeoDataFrame  # with a helper column ``commune_index``
    label: np.ndarray  # commune index of each coarse cell (-1 outside the province)


def commune_v(seeds: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """South-north position (0 south edge, 1 north edge) of points."""
    return (seeds[:, 1] - box[1]) / (box[3] - box[1])


def build_communes(polys: np.ndarray, pops: np.ndarray) -> gpd.GeoDataFrame:
    """The commune layer (population = sum of the commune's hamlets)."""
    rows = data.COMMUNES
    return gpd.GeoDataFrame(
        {
            "commune_code": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "kind": [r[2] for r in rows],
            "population": np.asarray(pops, dtype=np.int64),
            "former_district": [r[3] for r in rows],
        },
        geometry=list(polys),
        crs=CRS,
    )


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` that sum exactly to ``total``."""
    raw = weights / weights.sum() * total
    out = np.floor(raw).astype(np.int64)
    short = total - int(out.sum())
    if short > 0:
        order = np.argsort(-(raw - out), kind="stable")
        out[order[:short]] += 1
    return out


def _commune_targets(v: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Population and hamlet count of each commune."""
    real = np.array([r[6] for r in data.COMMUNES], dtype=float)
    pops = _largest_remainder(real * rng.lognormal(0.0, 0.05, len(real)), POPULATION_TOTAL)
    urban = np.array([r[2] == "phuong" for r in data.COMMUNES])
    mean_size = np.where(urban, 2_600.0, 1_150.0 - 600.0 * smoothstep(0.15, 0.7, v))
    raw = pops / mean_size
    n = np.maximum(4, np.round(raw * HAMLETS_TOTAL / raw.sum())).astype(np.int64)
    return pops, n


def _hamlet_names(kinds: list[str], rng: np.random.Generator) -> list[str]:
    """Unique hamlet names for one commune."""
    used: set[str] = set()
    out = []
    tdp = 0
    for kind in kinds:
        if kind == "to_dan_pho":
            tdp += 1
            out.append(f"Tổ dân phố {tdp}")
            continue
        prefix = {"thon": "Thôn", "xom": "Xóm", "ban": "Bản"}[kind]
        for attempt in range(50):
            if kind == "ban" or (kind == "thon" and rng.random() < 0.4):
                core = f"{rng.choice(data.TAY_FIRST)} {rng.choice(data.TAY_SECOND)}"
            elif attempt < 40 and rng.random() < 0.85:
                core = f"{rng.choice(data.KINH_FIRST)} {rng.choice(data.KINH_SECOND)}"
            else:
                core = str(len(used) + 1)
            name = f"{prefix} {core}"
            if name not in used:
                break
        used.add(name)
        out.append(name)
    return out


def build_hamlets(terrain: Terrain, outline: shapely.Geometry, seeds: np.ndarray,
                  rngs: list[np.random.Generator], rng_targets: np.random.Generator
                  ) -> Settlement:
    """Hamlet points: valley floors and commune seats first, dense in the south.

    Each commune draws its hamlets with its own random stream, on the 240 m cells that are
    nearest to its seat (its Voronoi cell) and inside the province, weighted towards low ground
    relative to the surroundings (valleys), gentle slopes and the commune seat. Hamlet
    populations are log-normal shares of the commune population, larger near the seat.
    """
    g = terrain.coarse
    xs, ys = np.meshgrid(g.xs(), g.ys())
    z = terrain.z_m
    tree = cKDTree(seeds)
    _, label = tree.query(np.column_stack([xs.ravel(), ys.ravel()]))
    label = label.reshape(g.shape)
    inner = outline.buffer(-250.0)
    inside = shapely.contains_xy(inner, xs, ys)
    label = np.where(inside, label, -1)
    zmin = ndimage.minimum_filter(z, size=13)
    gy, gx = np.gradient(z, g.cell_m)
    slope = np.hypot(gx, gy)
    suit = np.exp(-(z - zmin) / 60.0) * np.exp(-slope / 0.22)

    v = commune_v(seeds, terrain.uv_box)
    pops, counts = _commune_targets(v, rng_targets)
    frames = []
    for ci, row in enumerate(data.COMMUNES):
        rng = rngs[ci]
        cells = np.flatnonzero(label.ravel() == ci)
        cx, cy = xs.ravel()[cells], ys.ravel()[cells]
        d_seat = np.hypot(cx - seeds[ci, 0], cy - seeds[ci, 1])
        urban = row[2] == "phuong"
        if urban:
            w = np.exp(-d_seat / 2_200.0) + 0.25
        else:
            w = suit.ravel()[cells] * (1.0 + 3.0 * np.exp(-d_seat / 1_200.0)) + 1e-6
        n = min(int(counts[ci]), len(cells))
        pick = rng.choice(len(cells), size=n, replace=False, p=w / w.sum())
        px = cx[pick] + rng.uniform(-90.0, 90.0, n)
        py = cy[pick] + rng.uniform(-90.0, 90.0, n)
        moved = tree.query(np.column_stack([px, py]))[1] != ci
        px[moved], py[moved] = cx[pick][moved], cy[pick][moved]
        # larger hamlets near the seat
        order = np.argsort(d_seat[pick] * rng.lognormal(0.0, 0.6, n), kind="stable")
        shares = np.sort(rng.lognormal(0.0, 0.35 if urban else 0.55, n))[::-1]
        pop_sorted = _largest_remainder(shares, int(pops[ci]))
        pop = np.empty(n, dtype=np.int64)
        pop[order] = pop_sorted
        if urban:
            kinds = ["to_dan_pho"] * n
        else:
            p_ban = 0.05 + 0.55 * smoothstep(0.35, 0.75, v[ci])
            p_xom = 0.75 * (1.0 - smoothstep(0.2, 0.6, v[ci]))
            draw = rng.random(n)
            drawn = np.where(draw < p_ban, "ban", np.where(draw < p_ban + p_xom, "xom", "thon"))
            kinds = [str(k) for k in drawn]
        hh = np.maximum(1, np.round(pop / rng.uniform(3.5, 4.1, n))).astype(np.int64)
        frames.append(pd.DataFrame({
            "hamlet_id": [f"{row[0]}-{k + 1:03d}" for k in range(n)],
            "name": _hamlet_names(kinds, rng),
            "commune_code": row[0],
            "population": pop,
            "households": hh,
            "kind": kinds,
            "x": px,
            "y": py,
            "commune_index": ci,
        }))
    df = pd.concat(frames, ignore_index=True)
    gdf = gpd.GeoDataFrame(df.drop(columns=["x", "y"]),
                           geometry=gpd.points_from_xy(df["x"], df["y"]), crs=CRS)
    log.debug("hamlets: %d, population %d", len(gdf), int(gdf["population"].sum()))
    return Settlement(gdf, label)


def population_raster(hamlets: gpd.GeoDataFrame, grid: Grid) -> np.ndarray:
    """People per 100 m cell: each hamlet spread as a normalised Gaussian around its point.

    Every hamlet's stamp sums to its population, so the raster total equals the hamlets' total
    (up to float32 rounding) as long as the stamps fall inside the grid.
    """
    x = hamlets.geometry.x.to_numpy()
    y = hamlets.geometry.y.to_numpy()
    pop = hamlets["population"].to_numpy(dtype=float)
    sigma = np.where(hamlets["kind"].to_numpy() == "to_dan_pho", 170.0, 240.0)
    k = 8
    off = np.arange(-k, k + 1)
    r0, c0 = grid.rowcol(x, y)
    rr = r0[:, None, None] + off[None, :, None]
    cc = c0[:, None, None] + off[None, None, :]
    cyc = grid.y0 - (rr + 0.5) * grid.cell_m
    cxc = grid.x0 + (cc + 0.5) * grid.cell_m
    d2 = (cxc - x[:, None, None]) ** 2 + (cyc - y[:, None, None]) ** 2
    w = np.exp(-0.5 * d2 / sigma[:, None, None] ** 2)
    ok = (rr >= 0) & (rr < grid.nrows) & (cc >= 0) & (cc < grid.ncols)
    w = np.where(ok, w, 0.0)
    w = w / w.sum(axis=(1, 2), keepdims=True) * pop[:, None, None]
    flat = np.where(ok, rr * grid.ncols + cc, 0)
    out = np.bincount(flat.ravel(), weights=w.ravel(), minlength=grid.nrows * grid.ncols)
    return out.reshape(grid.shape).astype(np.float32)


def _offset_points(x: np.ndarray, y: np.ndarray, rng: np.random.Generator, r_m: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    ang = rng.uniform(0.0, 2 * np.pi, len(x))
    return x + r_m * np.cos(ang), y + r_m * np.sin(ang)


def build_pois(hamlets: gpd.GeoDataFrame, seeds: np.ndarray, rng: np.random.Generator
               ) -> gpd.GeoDataFrame:
    """Commune offices, health stations, schools, hospitals, universities, offices, markets."""
    tree = cKDTree(seeds)
    name_index = {r[1]: i for i, r in enumerate(data.COMMUNES)}
    hx = hamlets.geometry.x.to_numpy()
    hy = hamlets.geometry.y.to_numpy()
    hci = hamlets["commune_index"].to_numpy()
    hpop = hamlets["population"].to_numpy()
    names: list[str] = []
    kinds: list[str] = []
    px: list[float] = []
    py: list[float] = []

    def add(name: str, kind: str, x: float, y: float, ci: int) -> None:
        # keep the point in the intended commune (a 60-150 m offset may cross a boundary)
        if tree.query([x, y])[1] != ci:
            x, y = seeds[ci] + 40.0
        names.append(name)
        kinds.append(kind)
        px.append(float(x))
        py.append(float(y))

    for ci, row in enumerate(data.COMMUNES):
        label = "phường" if row[2] == "phuong" else "xã"
        sx, sy = seeds[ci]
        add(f"UBND {label} {row[1]}", "commune_office", sx + 60.0, sy + 40.0, ci)
        mine = np.flatnonzero(hci == ci)
        near = mine[np.argsort(np.hypot(hx[mine] - sx, hy[mine] - sy), kind="stable")]
        h = near[min(1, len(near) - 1)]
        ox, oy = _offset_points(hx[h:h + 1], hy[h:h + 1], rng, 70.0)
        add(f"Trạm Y tế {label} {row[1]}", "health_station", ox[0], oy[0], ci)
        n_school = int(np.clip(round(row[6] / 5_000.0) + 1, 2, 12))
        base = [f"Trường Mầm non {row[1]}", f"Trường Tiểu học {row[1]}", f"Trường THCS {row[1]}"]
        if row[6] > 15_000 or row[1] in data.DISTRICT_CENTRES:
            base.append(f"Trường THPT {row[1]}")
        p = hpop[mine] / hpop[mine].sum()
        hosts = rng.choice(mine, size=n_school, replace=len(mine) < n_school, p=p)
        for k in range(n_school):
            if k < len(base):
                nm = base[k]
            else:
                level = ("Mầm non", "Tiểu học")[k % 2]
                nm = f"Trường {level} {row[1]} số {k // 2 + 1}"
            h = hosts[k]
            ox, oy = _offset_points(hx[h:h + 1], hy[h:h + 1], rng, 110.0)
            add(nm, "school", ox[0], oy[0], ci)
    for table, kind in ((data.HOSPITALS, "hospital"), (data.UNIVERSITIES, "university"),
                        (data.PUBLIC_OFFICES, "public_office")):
        for name, host in table:
            ci = name_index[host]
            mine = np.flatnonzero(hci == ci)
            h = rng.choice(mine, p=hpop[mine] / hpop[mine].sum())
            ox, oy = _offset_points(hx[h:h + 1], hy[h:h + 1], rng, 150.0)
            add(name, kind, ox[0], oy[0], ci)
    for host in data.DISTRICT_CENTRES:
        ci = name_index[host]
        add(f"Chợ trung tâm {host}", "other", seeds[ci, 0] - 120.0, seeds[ci, 1] - 90.0, ci)
    ci_final = tree.query(np.column_stack([px, py]))[1]
    return gpd.GeoDataFrame(
        {
            "poi_id": [f"POI-{k + 1:05d}" for k in range(len(names))],
            "name": names,
            "kind": kinds,
            "commune_code": [data.COMMUNES[i][0] for i in ci_final],
        },
        geometry=gpd.points_from_xy(px, py),
        crs=CRS,
    )


def build_parks(seeds: np.ndarray, outline: shapely.Geometry, road_xy: np.ndarray,
                rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Industrial parks: ellipses of the stated area, 0.4-1.5 km from a main road.

    Each park is placed near its host commune's seat, on the candidate spot (rings of 1.2-4 km
    around the seat) closest to 800 m from the nearest main-road vertex, at least 250 m from
    parks placed before it (by their long axes) and 300 m from every commune seat.
    """
    name_index = {r[1]: i for i, r in enumerate(data.COMMUNES)}
    road_tree = cKDTree(road_xy)
    seat_tree = cKDTree(seeds)
    shapely.prepare(outline)
    placed: list[shapely.Geometry] = []
    placed_xy: list[tuple[float, float, float]] = []  # centre and half long axis
    rows = []
    for name, host, status, area_ha, ent in data.PARKS:
        ci = name_index[host]
        ratio = rng.uniform(1.2, 1.8)
        a = math.sqrt(area_ha * 1e4 * ratio / math.pi)
        b = a / ratio
        rot = rng.uniform(0.0, 180.0)
        shape = affinity.rotate(affinity.scale(Point(0, 0).buffer(1.0, quad_segs=16), a, b),
                                rot, origin=(0, 0))
        best, best_score, best_c = None, np.inf, (0.0, 0.0)
        for r_m in (1_200.0, 1_800.0, 2_500.0, 3_200.0, 4_000.0):
            for ang in np.linspace(0.0, 2 * np.pi, 16, endpoint=False) + rng.uniform(0, 0.4):
                cx = seeds[ci, 0] + r_m * math.cos(ang)
                cy = seeds[ci, 1] + r_m * math.sin(ang)
                if seat_tree.query_ball_point([cx, cy], a + 300.0):
                    continue  # would cover (or nearly) a commune seat
                if any(math.hypot(cx - px, cy - py) < a + pa + 250.0 for px, py, pa in placed_xy):
                    continue
                poly = affinity.translate(shape, cx, cy)
                if not outline.contains(poly):
                    continue
                d_road = road_tree.query([cx, cy])[0]
                score = abs(d_road - max(a, 800.0)) + 0.15 * r_m
                if score < best_score:
                    best, best_score, best_c = poly, score, (cx, cy)
        if best is None:  # pragma: no cover - the rings always leave room in the south
            best_c = (seeds[ci, 0] + 2_000.0, seeds[ci, 1])
            best = affinity.translate(shape, *best_c)
        placed.append(best)
        placed_xy.append((best_c[0], best_c[1], a))
        rows.append({
            "name": name,
            "status": status,
            "area_ha": round(best.area / 1e4, 1),
            "enterprises": int(round(ent * rng.uniform(0.85, 1.15))) if ent else 0,
        })
    df = pd.DataFrame(rows)
    df.insert(0, "park_id", [f"KCN-{k + 1:02d}" for k in range(len(df))])
    return gpd.GeoDataFrame(df, geometry=placed, crs=CRS)
