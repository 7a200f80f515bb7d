"""Mobile sites, sectors and fiber of the demo province, with the problems left on purpose.

Dark zones (seed-independent mechanisms, seed-dependent places):

* **valley zones**: the 4 northern hamlets (south-north position > 0.55) with the most people
  within 2.5 km, weighted by remoteness from main roads, that lie in a valley at least 250 m below
  the hills within 2 km, at least 6 km from a former district town and 18 km from one another.
  No site of any operator stands within 6 km of them and their hamlets get no fiber.
* **road zones**: the 5 vertices of national and provincial roads in the north (position > 0.45)
  with the deepest valley (highest hills within 2 km above the road), at least 4.5 km from every
  commune seat and 15 km from one another and from the valley zones, plus one on QL3B in the
  demo commune (Trần Phú), at its point farthest from the seat. No site stands within 4.5 km.
* **parks without 5G**: every 5G carrier within 4.5 km of the operating parks in
  ``NO_5G_PARKS`` is switched off; the parks in ``REQUIRED_5G_PARKS`` get an in-park 5G site.
* **fiber reach**: a hamlet is served only if its distance along roads to the main network is
  within 12 km (south), 5 km (middle) or 3 km (north, position > 0.65) and it is outside the
  valley zones; fiber nodes stand only at served hamlets (and at parks), so unserved hamlets
  are at least (distance - reach) from any node along roads. KCN Điềm Thụy – Khu B gets no
  fiber node.
"""

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

from phusong.layers import _demo_data as data
from phusong.layers._demo_terrain import CRS, Terrain, smoothstep

__all__ = [
    "OPERATORS",
    "DarkZones",
    "find_dark_zones",
    "build_sites",
    "build_sectors",
    "fiber_served",
    "build_fiber_nodes",
    "park_fiber_nodes",
    "fiber_nodes_frame",
]

log = logging.getLogger(__name__)

# operator -> (site-id prefix, share of sites, 5G base probability, 5G band, 4G rural, 4G urban)
OPERATORS: dict[str, tuple[str, float, float, int, tuple, tuple]] = {
    "Viettel": ("VTL", 0.44, 0.85, 2600, ((900, 10), (1800, 20)),
                ((1800, 20), (2100, 15), (900, 10))),
    "VNPT": ("VNP", 0.32, 0.6, 3700, ((900, 5), (1800, 15)), ((1800, 15), (2100, 15))),
    "MobiFone": ("MBF", 0.24, 0.5, 3500, ((1800, 15),), ((1800, 20), (2100, 10), (2600, 20))),
}
SITES_TOTAL = 3_000
VALLEY_R_M = 6_000.0
ROAD_R_M = 4_500.0
NO_5G_R_M = 4_500.0


@dataclass(frozen=True, eq=False)
class DarkZones:
    """Discs where no site is built: (x, y, radius_m, kind) rows."""

    xy: np.ndarray
    radius_m: np.ndarray
    kind: np.ndarray  # "valley" | "road"

    def contains(self, x: np.ndarray, y: np.ndarray, kind: str | None = None) -> np.ndarray:
        """Whether points fall in any zone (of one kind if given)."""
        x, y = np.asarray(x, float), np.asarray(y, float)
        sel = np.ones(len(self.xy), bool) if kind is None else self.kind == kind
        if not sel.any():
            return np.zeros(x.shape, bool)
        d = np.hypot(x[..., None] - self.xy[sel, 0], y[..., None] - self.xy[sel, 1])
        return (d < self.radius_m[sel]).any(axis=-1)


def _relief_above(terrain: Terrain, radius_m: float) -> np.ndarray:
    """Highest ground within a radius minus the ground itself, on the coarse grid."""
    k = int(round(radius_m / terrain.coarse.cell_m))
    yy, xx = np.mgrid[-k:k + 1, -k:k + 1]
    disc = (xx**2 + yy**2) <= k * k
    return ndimage.maximum_filter(terrain.z_m, footprint=disc) - terrain.z_m


def _greedy(cand_xy: np.ndarray, score: np.ndarray, k: int, spacing_m: float,
            avoid: np.ndarray | None = None) -> np.ndarray:
    """Indices of up to k best-scoring candidates at least ``spacing_m`` apart (and from avoid)."""
    chosen: list[int] = []
    taken = [] if avoid is None else [p for p in avoid]
    for i in np.argsort(-score, kind="stable"):
        if not np.isfinite(score[i]) or score[i] <= 0:
            break
        if all(np.hypot(*(cand_xy[i] - p)) >= spacing_m for p in taken):
            chosen.append(int(i))
            taken.append(cand_xy[i])
            if len(chosen) == k:
                break
    return np.asarray(chosen, dtype=np.int64)


def find_dark_zones(terrain: Terrain, seeds: np.ndarray, hamlets: gpd.GeoDataFrame,
                    roads: gpd.GeoDataFrame, demo_polygon: shapely.Geometry) -> DarkZones:
    """Place the valley and road dark zones (see the module docstring)."""
    g = terrain.coarse
    box = terrain.uv_box
    relief = _relief_above(terrain, 2_000.0)
    name_index = {r[1]: i for i, r in enumerate(data.COMMUNES)}
    towns = seeds[[name_index[n] for n in data.DISTRICT_CENTRES]]
    main = roads[roads["class"].isin(["national", "provincial"])]
    vxy = shapely.get_coordinates(main.geometry.to_numpy())
    vtree = cKDTree(vxy)

    hx, hy = hamlets.geometry.x.to_numpy(), hamlets.geometry.y.to_numpy()
    hxy = np.column_stack([hx, hy])
    pop = hamlets["population"].to_numpy(dtype=float)
    htree = cKDTree(hxy)
    near_pop = np.array([pop[idx].sum() for idx in htree.query_ball_point(hxy, 2_500.0)])
    r, c = g.rowcol(hx, hy)
    v = (hy - box[1]) / (box[3] - box[1])
    d_town = cKDTree(towns).query(hxy)[0]
    d_road = vtree.query(hxy)[0]
    ok = (v > 0.55) & (relief[r, c] >= 250.0) & (d_town >= 6_000.0)
    score = np.where(ok, near_pop * (1.0 + d_road / 1_000.0), 0.0)
    valley = hxy[_greedy(hxy, score, 4, 18_000.0)]

    rv, cv = g.rowcol(vxy[:, 0], vxy[:, 1])
    vv = (vxy[:, 1] - box[1]) / (box[3] - box[1])
    d_seat = cKDTree(seeds).query(vxy)[0]
    ok = (vv > 0.45) & (d_seat >= ROAD_R_M)
    score = np.where(ok, relief[rv, cv], 0.0)
    road = vxy[_greedy(vxy, score, 5, 15_000.0, avoid=valley)]

    # one more on QL3B in the demo commune (or within 1 km of it), as far from its seat as the
    # road goes there; the seat may fall inside but keeps the sites just beyond the edge
    ql = roads[roads["ref"] == "QL3B"]
    qxy = shapely.get_coordinates(ql.geometry.to_numpy())
    inside = shapely.contains_xy(demo_polygon.buffer(1_000.0), qxy[:, 0], qxy[:, 1])
    extra_xy = np.zeros((0, 2))
    if inside.any():
        seat = seeds[name_index[data.DEMO_COMMUNE]]
        q = qxy[inside]
        k = int(np.argmax(np.hypot(q[:, 0] - seat[0], q[:, 1] - seat[1])))
        extra_xy = q[k:k + 1]
    xy = np.vstack([valley, road, extra_xy])
    radius = np.concatenate([np.full(len(valley), VALLEY_R_M),
                             np.full(len(road) + len(extra_xy), ROAD_R_M)])
    kind = np.array(["valley"] * len(valley) + ["road"] * (len(road) + len(extra_xy)))
    log.debug("dark zones: %d valley, %d road", len(valley), len(road) + len(extra_xy))
    return DarkZones(xy, radius, kind)


def _thin(xy: np.ndarray, spacing: np.ndarray, n_max: int) -> np.ndarray:
    """Greedy min-spacing filter in the given order (grid hash); returns kept indices."""
    cell = float(spacing.max())
    buckets: dict[tuple[int, int], list[int]] = {}
    kept: list[int] = []
    for i in range(len(xy)):
        bx, by = int(xy[i, 0] // cell), int(xy[i, 1] // cell)
        clash = False
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for j in buckets.get((bx + dx, by + dy), ()):
                    if math.hypot(*(xy[i] - xy[j])) < min(spacing[i], spacing[j]):
                        clash = True
                        break
                if clash:
                    break
            if clash:
                break
        if not clash:
            kept.append(i)
            buckets.setdefault((bx, by), []).append(i)
            if len(kept) == n_max:
                break
    return np.asarray(kept, dtype=np.int64)


def build_sites(terrain: Terrain, outline: shapely.Geometry, hamlets: gpd.GeoDataFrame,
                roads: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, zones: DarkZones,
                rng: np.random.Generator) -> gpd.GeoDataFrame:
    """~3,000 sites of three operators, following people and main roads, none in dark zones."""
    box = terrain.uv_box
    hx, hy = hamlets.geometry.x.to_numpy(), hamlets.geometry.y.to_numpy()
    urban_h = hamlets["kind"].to_numpy() == "to_dan_pho"
    w_h = hamlets["population"].to_numpy(dtype=float) ** 0.8
    nat = roads[roads["class"].isin(["national", "expressway"])]
    rxy = shapely.get_coordinates(
        shapely.segmentize(nat.geometry.to_numpy(), 2_000.0))
    rxy = rxy[:: max(1, len(rxy) // 600)]
    dem_xy = np.vstack([np.column_stack([hx, hy]), rxy])
    dem_w = np.concatenate([w_h, np.full(len(rxy), np.median(w_h))])
    dem_urban = np.concatenate([urban_h, np.zeros(len(rxy), bool)])
    utree = cKDTree(np.column_stack([hx[urban_h], hy[urban_h]]))
    frames = []
    scale = rng.uniform(0.97, 1.03)
    for op, (_, share, *_rest) in OPERATORS.items():
        n_op = int(round(SITES_TOTAL * share * scale))
        m = int(n_op * 3.5)
        pick = rng.choice(len(dem_xy), size=m, p=dem_w / dem_w.sum())
        sd = np.where(dem_urban[pick], 260.0, 500.0)
        off = rng.normal(0.0, 1.0, size=(m, 4, 2)) * sd[:, None, None]
        cand = dem_xy[pick][:, None, :] + off
        z = terrain.smooth(cand[..., 0], cand[..., 1])
        best = np.where(dem_urban[pick], 0, np.argmax(z, axis=1))  # rural: the highest of 4
        xy = cand[np.arange(m), best]
        keep = shapely.contains_xy(outline, xy[:, 0], xy[:, 1]) & ~zones.contains(xy[:, 0],
                                                                                    xy[:, 1])
        xy = xy[keep]
        d_urban = utree.query(xy)[0]
        spacing = np.where(d_urban < 700.0, 330.0, 1_400.0)
        xy = xy[_thin(xy, spacing, n_op)]
        frames.append(pd.DataFrame({"operator": op, "x": xy[:, 0], "y": xy[:, 1]}))
    df = pd.concat(frames, ignore_index=True)
    # co-location: a quarter of VNPT and MobiFone sites move onto a Viettel tower nearby
    vt = df.index[df["operator"] == "Viettel"].to_numpy()
    vtree = cKDTree(df.loc[vt, ["x", "y"]].to_numpy())
    shared = np.zeros(len(df), bool)
    others = df.index[df["operator"] != "Viettel"].to_numpy()
    d, j = vtree.query(df.loc[others, ["x", "y"]].to_numpy())
    move = (rng.random(len(others)) < 0.25) & (d < 1_500.0)
    tgt = vt[j[move]]
    df.loc[others[move], ["x", "y"]] = df.loc[tgt, ["x", "y"]].to_numpy()
    shared[others[move]] = True
    shared[tgt] = True
    # in-park sites for the parks the plans name
    extra = []
    for name in data.REQUIRED_5G_PARKS:
        geom = parks.loc[parks["name"] == name].geometry.iloc[0]
        c = np.array(geom.centroid.coords[0])
        ops = ("Viettel", "VNPT", "MobiFone") if name == "Yên Bình" else ("Viettel",)
        if name == "Điềm Thụy – Khu A":  # at the edge: the park is only partly covered
            b = np.array(geom.exterior.coords[0])
            c = b + (c - b) * 0.3
        for k, op in enumerate(ops):
            ang = 2 * math.pi * k / max(1, len(ops))
            extra.append({"operator": op, "x": c[0] + 150 * math.cos(ang),
                          "y": c[1] + 150 * math.sin(ang), "in_park": name})
    df["in_park"] = ""
    df = pd.concat([df, pd.DataFrame(extra)], ignore_index=True)
    shared = np.concatenate([shared, np.zeros(len(extra), bool)])
    n = len(df)
    x, y = df["x"].to_numpy(), df["y"].to_numpy()
    v = (y - box[1]) / (box[3] - box[1])
    urban = utree.query(np.column_stack([x, y]))[0] < 700.0
    height = np.where(urban, rng.uniform(15.0, 30.0, n), rng.uniform(25.0, 45.0, n))
    grid_power = ~((~urban) & (v > 0.5) & (rng.random(n) < 0.12))
    status = np.where(rng.random(n) < 0.04, "planned", "on_air")
    status[df["in_park"].to_numpy() != ""] = "on_air"
    ids = []
    counters = {op: 0 for op in OPERATORS}
    for op in df["operator"]:
        counters[op] += 1
        ids.append(f"{OPERATORS[op][0]}-{counters[op]:05d}")
    out = gpd.GeoDataFrame(
        {
            "site_id": ids,
            "operator": df["operator"].to_numpy(),
            "height_agl_m": np.round(height * 2.0) / 2.0,
            "shared": shared,
            "grid_power": grid_power,
            "status": status,
            "in_park": df["in_park"].to_numpy(),
            "urban": urban,
        },
        geometry=gpd.points_from_xy(x, y),
        crs=CRS,
    )
    log.debug("sites: %s", out["operator"].value_counts().to_dict())
    return out


def build_sectors(sites: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, box: tuple,
                  rng: np.random.Generator) -> pd.DataFrame:
    """Three sectors per site, one row per sector and carrier (4G layers, 5G where deployed).

    All random draws are made for every site at once, so a subset of sites (the commune preset)
    gets exactly the rows it has in the province.
    """
    n = len(sites)
    x, y = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
    v = (y - box[1]) / (box[3] - box[1])
    urban = sites["urban"].to_numpy()
    op = sites["operator"].to_numpy()
    in_park = sites["in_park"].to_numpy() != ""
    no5g = np.zeros(n, bool)
    for name in data.NO_5G_PARKS:
        c = parks.loc[parks["name"] == name].geometry.iloc[0].centroid
        no5g |= np.hypot(x - c.x, y - c.y) < NO_5G_R_M
    n_layers = 4  # up to three 4G carriers and one 5G carrier
    band = np.zeros((n, n_layers))
    bw = np.zeros((n, n_layers))
    present = np.zeros((n, n_layers), bool)
    p5 = np.zeros(n)
    band5 = np.zeros(n)
    for name, (_, _, p5_base, b5, rural4, urban4) in OPERATORS.items():
        for is_urban, layers in ((False, rural4), (True, urban4)):
            sel = (op == name) & (urban == is_urban)
            for j, (b, w) in enumerate(layers):
                band[sel, j], bw[sel, j], present[sel, j] = b, w, True
        sel = op == name
        p5[sel] = p5_base
        band5[sel] = b5
    p5 *= (0.08 + 0.92 * (1.0 - smoothstep(0.25, 0.6, v))) * np.where(urban, 1.0, 0.55)
    has5 = ((rng.random(n) < p5) & ~no5g) | in_park
    band[:, 3], present[:, 3] = band5, has5
    bw[:, 3] = rng.choice([60, 80, 100], size=n, p=[0.15, 0.25, 0.6])
    az = (rng.uniform(0.0, 120.0, n)[:, None] + 120.0 * np.arange(3)
          + rng.normal(0.0, 8.0, (n, 3))) % 360.0
    mech = np.round(rng.uniform(0.0, 3.0, (n, 3)) * 2.0) / 2.0
    u = rng.random((4, n, 3, n_layers))  # electrical tilt, power, gain, feeder loss
    is5 = np.zeros((n, 3, n_layers), bool)
    is5[..., 3] = True
    low = (band < 1000.0)[:, None, :]
    urb = urban[:, None, None]
    elec = np.where(urb, 3.0 + 5.0 * u[0], 4.0 * u[0])
    tx = np.where(is5, 47.0 + 2.0 * u[1], 43.0 + 3.0 * u[1])
    gain = np.where(is5, 17.0 + u[2], np.where(low, 15.0 + u[2], 16.5 + 1.5 * u[2]))
    feeder = np.where(is5, 0.5 + 0.5 * u[3], 1.0 + 2.0 * u[3])
    bwv = np.where(is5, 7.0, np.where(low, 10.0, 8.0))
    mask = np.broadcast_to(present[:, None, :], (n, 3, n_layers))
    si, sk, sj = np.nonzero(mask)
    site_id = sites["site_id"].to_numpy()[si]
    tech = np.where(sj == 3, "5G", "4G")
    label = np.where(sj == 3, "N", "L")
    b = band[si, sj].astype(np.int64)
    sector_id = (pd.Series(site_id) + "-" + pd.Series(sk + 1).astype(str) + "-"
                 + pd.Series(label) + pd.Series(b).astype(str))
    return pd.DataFrame({
        "site_id": site_id,
        "sector_id": sector_id.to_numpy(),
        "tech": tech,
        "band_mhz": b,
        "bandwidth_mhz": bw[si, sj].astype(np.int64),
        "azimuth_deg": np.round(az[si, sk], 1),
        "mech_tilt_deg": mech[si, sk],
        "elec_tilt_deg": np.round(elec[si, sk, sj], 1),
        "beamwidth_h_deg": 65.0,
        "beamwidth_v_deg": bwv[si, sk, sj],
        "tx_power_dbm": np.round(tx[si, sk, sj], 1),
        "antenna_gain_dbi": np.round(gain[si, sk, sj], 1),
        "feeder_loss_db": np.round(feeder[si, sk, sj], 1),
        "height_agl_m": sites["height_agl_m"].to_numpy()[si],
        "status": sites["status"].to_numpy()[si],
    })


def fiber_served(v: np.ndarray, to_main_m: np.ndarray, in_valley_zone: np.ndarray) -> np.ndarray:
    """Whether fiber reaches a hamlet: reach along roads shrinks from south to north."""
    reach = np.where(v < 0.4, 12_000.0, np.where(v < 0.65, 5_000.0, 3_000.0))
    return (to_main_m <= reach) & ~in_valley_zone


def build_fiber_nodes(hamlets: gpd.GeoDataFrame, served_by: dict[str, np.ndarray],
                      rng: np.random.Generator) -> list[tuple]:
    """Access points (splitters / cabinets) at one commune's served hamlets.

    Returns rows ``(node_id, operator, technology, ports_total, ports_used, x, y)``; one node per
    ~100 subscribers, some of them full (7 %).
    """
    hx, hy = hamlets.geometry.x.to_numpy(), hamlets.geometry.y.to_numpy()
    hh = hamlets["households"].to_numpy(dtype=float)
    hid = hamlets["hamlet_id"].to_numpy()
    urban = hamlets["kind"].to_numpy() == "to_dan_pho"
    share = {"Viettel": 0.45, "VNPT": 0.35, "MobiFone": 0.2}
    rows = []
    for op, served in served_by.items():
        for i in np.flatnonzero(served):
            demand = hh[i] * share[op] * 0.6
            n_nodes = max(1, math.ceil(demand / 100.0))
            xgs = rng.random() < (0.6 if urban[i] else 0.06)
            for k in range(n_nodes):
                need = demand / n_nodes
                total = 128 if urban[i] else next((p for p in (16, 32, 64, 128)
                                                   if p >= need * 1.3), 128)
                used = min(total, int(round(need * rng.uniform(0.6, 1.1))))
                if rng.random() < 0.07:
                    used = total
                ang = rng.uniform(0.0, 2 * math.pi)
                rows.append((f"{OPERATORS[op][0]}-N-{hid[i]}-{k + 1}", op,
                             "XGS-PON" if xgs else "GPON", total, used,
                             hx[i] + (40 + 30 * k) * math.cos(ang),
                             hy[i] + (40 + 30 * k) * math.sin(ang)))
    return rows


def park_fiber_nodes(parks: gpd.GeoDataFrame, rng: np.random.Generator) -> list[tuple]:
    """XGS-PON nodes of Viettel and VNPT at operating parks, except KCN Điềm Thụy – Khu B."""
    rows = []
    for pid, name, status, geom in zip(parks["park_id"], parks["name"], parks["status"],
                                       parks.geometry, strict=True):
        if status != "operating" or name == "Điềm Thụy – Khu B":
            continue
        c = geom.centroid
        for k, op in enumerate(("Viettel", "VNPT")):
            rows.append((f"{OPERATORS[op][0]}-N-{pid}", op, "XGS-PON", 128,
                         int(rng.integers(20, 90)), c.x + 60 * k, c.y))
    return rows


def fiber_nodes_frame(rows: list[tuple]) -> gpd.GeoDataFrame:
    """The fiber_nodes layer from node rows."""
    df = pd.DataFrame(rows, columns=["node_id", "operator", "technology", "ports_total",
                                     "ports_used", "x", "y"])
    df["ports_total"] = df["ports_total"].astype(np.int64)
    df["ports_used"] = df["ports_used"].astype(np.int64)
    df["max_rate_mbps"] = np.where(df["technology"] == "XGS-PON", 9953, 2488).astype(np.int64)
    return gpd.GeoDataFrame(df.drop(columns=["x", "y"]),
                            geometry=gpd.points_from_xy(df["x"], df["y"]), crs=CRS)
