"""The demo's hidden "true" radio model, the measurements drawn from it, and reported figures.

The measurements are *not* a prediction that phusong's coverage engine could reproduce exactly:
they come from this private truth model, which differs from a plain prediction in ways a real
network does. For each measurement point and operator, every carrier of the 10 nearest on-air
sites of that operator (within 25 km) gives

``RSRP = EIRP per resource element + A(φ, θ) - L_Hata - J(ν) - clutter - shadowing``

* EIRP per resource element: ``tx_power_dbm - 10 log10(12 N_RB) + antenna_gain_dbi -
  feeder_loss_db`` (N_RB from the bandwidth, 15 kHz subcarriers for 4G, 30 kHz for 5G).
* ``A(φ, θ)``: the 3GPP sector pattern (3GPP TR 36.814 Table A.2.1.1-2 / TR 38.901 Table
  7.3-1): ``-min(12 (φ/φ3dB)² + 12 ((θ - tilt)/θ3dB)², 25)`` with 20 dB vertical floor.
* ``L_Hata``: Okumura-Hata (f ≤ 1500 MHz) or COST-231-Hata (above; +3 dB in dense urban), with
  the suburban and quasi-open-area corrections, ``20 log10(f / 2000)`` added above 2 GHz, the base
  height taken as mast height plus the ground height difference (clipped 15-200 m), and never
  below free-space loss. The environment class comes from the people living within 1 km (>
  3,000 /km² urban, > 400 /km² suburban, else rural).
* ``J(ν)``: single knife-edge diffraction loss over the worst obstacle of a 24-point terrain
  profile (ITU-R P.526-15 eq. 31), with the 4/3-earth bulge.
* clutter: +8 dB urban, +5 dB suburban, +3 dB rural (buildings and trees that a DEM lacks).
* shadowing: log-normal, σ ≈ 8 dB: a spatially correlated field per operator on the 240 m grid
  (σ 6.5 dB, 60 % shared between operators) plus 4.5 dB independent per sample.

The serving carrier is the strongest; SINR counts the same operator's other carriers on that
band at 50 % load plus thermal noise (-174 dBm/Hz, 7 dB noise figure). Downlink throughput is
``bandwidth × min(0.75 log2(1 + SINR), 5.5 (4G) | 7.4 (5G)) × MIMO (1.7 | 3.0) × (1 - load) ×
0.8`` (with 4G carrier aggregation over the serving sector's carriers); uplink is 12-30 % of it.
Below -124 dBm (4G) there is no service and both rates are 0. A phone uses 5G where it is 5G
capable (every drive-test phone, 70 % of i-SPEED phones) and the 5G RSRP is at least -115 dBm.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.spatial import cKDTree

from phusong.layers import _demo_data as data
from phusong.layers._demo_terrain import CRS, Terrain, spectral_noise

__all__ = ["measurement_points", "evaluate_truth", "build_measurements", "build_reported"]

log = logging.getLogger(__name__)

OPERATOR_SHARE = {"Viettel": 0.5, "VNPT": 0.28, "MobiFone": 0.22}
K_SITES = 10
DRIVE_STEP_M = 600.0
PROFILE_N = 24
CLUTTER_DB = np.array([8.0, 5.0, 3.0])  # urban, suburban, rural


def measurement_points(roads: gpd.GeoDataFrame, hamlets: gpd.GeoDataFrame,
                       rng: np.random.Generator) -> pd.DataFrame:
    """Measurement points with their per-point random draws.

    Drive tests: every 600 m along the expressway, the national roads and the four longest
    provincial routes, one drive per operator at 40 km/h. i-SPEED tests: 1,800 points around
    hamlets weighted by population^1.3 (towns), on random days of 2025 between 07:00 and 22:00.
    """
    main = roads[roads["class"].isin(["expressway", "national", "provincial"])]
    lengths = main.assign(km=main.length / 1e3).groupby("ref")["km"].sum()
    prov = lengths[lengths.index.str.startswith("ĐT")].sort_values(ascending=False)
    refs = [r for r, _ in zip(lengths.index, lengths, strict=True) if not r.startswith("ĐT")]
    refs += list(prov.index[:4])
    xs, ys, ops, times = [], [], [], []
    day0 = np.datetime64("2025-03-03T08:00:00")
    for k, ref in enumerate(sorted(refs)):
        geoms = main.loc[main["ref"] == ref].geometry.to_numpy()
        for j in range(len(OPERATOR_SHARE)):
            t = day0 + np.timedelta64(7 * (3 * k + j), "D")
            done_m = 0.0
            for geom in geoms:
                dist = np.arange(rng.uniform(0.0, DRIVE_STEP_M), geom.length, DRIVE_STEP_M)
                pts = shapely.get_coordinates(shapely.line_interpolate_point(geom, dist))
                xs.append(pts[:, 0])
                ys.append(pts[:, 1])
                ops.append(np.full(len(dist), j))
                times.append(t + ((done_m + dist) / (40.0 / 3.6)).astype("timedelta64[s]"))
                done_m += geom.length + 2_000.0
    n_drive = sum(len(a) for a in xs)
    n_speed = 1_800
    w = hamlets["population"].to_numpy(dtype=float) ** 1.3
    pick = rng.choice(len(hamlets), size=n_speed, p=w / w.sum())
    hx, hy = hamlets.geometry.x.to_numpy(), hamlets.geometry.y.to_numpy()
    day = rng.integers(0, 273, n_speed)
    sec = rng.integers(7 * 3600, 22 * 3600, n_speed)
    xs.append(hx[pick] + rng.normal(0.0, 220.0, n_speed))
    ys.append(hy[pick] + rng.normal(0.0, 220.0, n_speed))
    ops.append(rng.choice(len(OPERATOR_SHARE), size=n_speed, p=list(OPERATOR_SHARE.values())))
    times.append(np.datetime64("2025-01-01T00:00:00")
                 + (day * 86_400 + sec).astype("timedelta64[s]"))
    names = np.array(list(OPERATOR_SHARE))
    df = pd.DataFrame({
        "x": np.concatenate(xs),
        "y": np.concatenate(ys),
        "operator": names[np.concatenate(ops)],
        "source": np.repeat(["drive_test", "i-SPEED"], [n_drive, n_speed]),
        "time": np.concatenate(times).astype("datetime64[s]"),
    })
    n = len(df)
    df["shadow_iid_db"] = rng.normal(0.0, 4.5, n)
    df["load"] = rng.uniform(0.3, 0.7, n)
    df["cap5g"] = np.where(df["source"] == "drive_test", True, rng.random(n) < 0.7)
    df["ul_ratio"] = rng.uniform(0.12, 0.3, n)
    return df


def _n_rb(bw_mhz: np.ndarray, is5g: np.ndarray) -> np.ndarray:
    """Resource blocks for a carrier bandwidth (36.101 / 38.101-1 tables, approx.)."""
    return np.where(is5g, np.floor(bw_mhz * 1e3 * 0.98 / (12 * 30.0)),
                    np.floor(bw_mhz * 5.0))


def _hata_db(f_mhz: np.ndarray, d_km: np.ndarray, hb_m: np.ndarray, env: np.ndarray) -> np.ndarray:
    """Okumura-Hata / COST-231-Hata median loss with environment corrections (see module)."""
    f = np.clip(f_mhz, 150.0, 2000.0)
    lf = np.log10(f)
    hm = 1.5
    a_hm = (1.1 * lf - 0.7) * hm - (1.56 * lf - 0.8)
    d = np.maximum(d_km, 0.05)
    slope = (44.9 - 6.55 * np.log10(hb_m)) * np.log10(d)
    low = 69.55 + 26.16 * lf - 13.82 * np.log10(hb_m) - a_hm + slope
    high = 46.3 + 33.9 * lf - 13.82 * np.log10(hb_m) - a_hm + slope + np.where(env == 0, 3.0, 0.0)
    loss = np.where(f_mhz <= 1500.0, low, high)
    loss += np.where(env == 1, -2.0 * np.log10(f / 28.0) ** 2 - 5.4, 0.0)
    loss += np.where(env == 2, -4.78 * lf**2 + 18.33 * lf - 35.94, 0.0)
    loss += np.where(f_mhz > 2000.0, 20.0 * np.log10(f_mhz / 2000.0), 0.0)
    fspl = 32.45 + 20.0 * np.log10(f_mhz) + 20.0 * np.log10(d)
    return np.maximum(loss, fspl)


def _knife_edge_db(nu: np.ndarray) -> np.ndarray:
    """ITU-R P.526-15 eq. (31): J(ν) for ν > -0.78, else 0."""
    j = 6.9 + 20.0 * np.log10(np.sqrt((nu - 0.1) ** 2 + 1.0) + nu - 0.1)
    return np.where(nu > -0.78, j, 0.0)


def _site_carriers(sites: gpd.GeoDataFrame, sectors: pd.DataFrame, tech: str
                   ) -> dict[str, np.ndarray]:
    """Per on-air site, its carriers of one technology as padded (S, C) arrays."""
    sec = sectors[(sectors["tech"] == tech) & (sectors["status"] == "on_air")]
    idx = pd.Index(sites["site_id"]).get_indexer(sec["site_id"])
    sec = sec.assign(_s=idx)[idx >= 0].sort_values(["_s", "sector_id"], kind="stable")
    counts = np.bincount(sec["_s"].to_numpy(), minlength=len(sites))
    c_max = max(1, int(counts.max()) if len(counts) else 1)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.arange(len(sec)) - np.repeat(start, counts)
    out = {}
    is5 = tech == "5G"
    bw = sec["bandwidth_mhz"].to_numpy(dtype=float)
    eirp_re = (sec["tx_power_dbm"].to_numpy() - 10.0 * np.log10(12.0 * _n_rb(bw, np.full(
        len(sec), is5))) + sec["antenna_gain_dbi"].to_numpy() - sec["feeder_loss_db"].to_numpy())
    cols = {
        "eirp_re": eirp_re,
        "band": sec["band_mhz"].to_numpy(dtype=float),
        "bw": bw,
        "az": sec["azimuth_deg"].to_numpy(dtype=float),
        "tilt": (sec["mech_tilt_deg"] + sec["elec_tilt_deg"]).to_numpy(dtype=float),
        "bwv": sec["beamwidth_v_deg"].to_numpy(dtype=float),
        "bwh": sec["beamwidth_h_deg"].to_numpy(dtype=float),
        "sector": sec["sector_id"].str.rsplit("-", n=1).str[0].to_numpy(),
    }
    for name, vals in cols.items():
        fill = "" if name == "sector" else np.nan
        arr = np.full((len(sites), c_max), fill, dtype=object if name == "sector" else float)
        arr[sec["_s"].to_numpy(), slot] = vals
        out[name] = arr
    out["has"] = counts > 0
    return out


def evaluate_truth(pts: pd.DataFrame, sites: gpd.GeoDataFrame, sectors: pd.DataFrame,
                   terrain: Terrain, hamlets: gpd.GeoDataFrame, shadow: dict[str, np.ndarray]
                   ) -> pd.DataFrame:
    """Apply the truth model (module docstring) to measurement points; adds result columns."""
    out = pts.copy()
    n = len(out)
    for col in ("rsrp_dbm", "dl_mbps", "ul_mbps"):
        out[col] = np.nan
    out["tech"] = "4G"
    if n == 0:
        return out
    hxy = np.column_stack([hamlets.geometry.x, hamlets.geometry.y])
    hpop = hamlets["population"].to_numpy(dtype=float)
    x, y = out["x"].to_numpy(), out["y"].to_numpy()
    near = cKDTree(hxy).query_ball_point(np.column_stack([x, y]), 1_000.0)
    dens = np.array([hpop[i].sum() for i in near]) / np.pi
    env = np.where(dens > 3_000.0, 0, np.where(dens > 400.0, 1, 2))
    z_pt = terrain.smooth(x, y)
    g = terrain.coarse
    gr, gc = g.rowcol(x, y)
    for op in OPERATOR_SHARE:
        rows = np.flatnonzero(out["operator"].to_numpy() == op)
        mine = sites[(sites["operator"] == op) & (sites["status"] == "on_air")].reset_index(
            drop=True)
        if len(rows) == 0 or len(mine) == 0:
            continue
        sxy = np.column_stack([mine.geometry.x, mine.geometry.y])
        k = min(K_SITES, len(mine))
        dist, idx = cKDTree(sxy).query(np.column_stack([x[rows], y[rows]]), k=k,
                                       distance_upper_bound=25_000.0)
        dist, idx = dist.reshape(len(rows), k), idx.reshape(len(rows), k)
        valid = np.isfinite(dist)
        idx = np.where(valid, idx, 0)
        dist = np.where(valid, np.maximum(dist, 20.0), 1e9)
        z_site = terrain.smooth(sxy[:, 0], sxy[:, 1])
        h_tx = z_site[idx] + mine["height_agl_m"].to_numpy()[idx]
        h_rx = z_pt[rows][:, None] + 1.5
        # terrain profile and the worst knife edge (computed at 1 GHz, scaled by sqrt(f))
        t = (np.arange(PROFILE_N) + 1.0) / (PROFILE_N + 1.0)
        px = sxy[idx, 0][..., None] + (x[rows][:, None, None] - sxy[idx, 0][..., None]) * t
        py = sxy[idx, 1][..., None] + (y[rows][:, None, None] - sxy[idx, 1][..., None]) * t
        zp = terrain.smooth(px, py)
        d1 = dist[..., None] * t
        d2 = dist[..., None] - d1
        bulge = d1 * d2 / (2.0 * 8_494_000.0)
        h_los = h_tx[..., None] + (h_rx[..., None] - h_tx[..., None]) * t
        lam_1g = 0.2998
        nu_1g = ((zp + bulge - h_los) * np.sqrt(2.0 * dist[..., None] / (lam_1g * d1 * d2))
                 ).max(axis=-1)
        bearing = np.degrees(np.arctan2(x[rows][:, None] - sxy[idx, 0],
                                        y[rows][:, None] - sxy[idx, 1])) % 360.0
        elev = np.degrees(np.arctan2(h_tx - h_rx, dist))
        hb = np.clip(mine["height_agl_m"].to_numpy()[idx] + (z_site[idx] - z_pt[rows][:, None]),
                     15.0, 200.0)
        e = env[rows][:, None]
        shadow_db = (shadow[op][gr[rows], gc[rows]] + out["shadow_iid_db"].to_numpy()[rows])
        load = out["load"].to_numpy()[rows]
        res = {}
        for tech in ("4G", "5G"):
            car = _site_carriers(mine, sectors, tech)
            band = car["band"][idx]  # (R, K, C)
            ok = valid[..., None] & np.isfinite(band)
            f = np.where(ok, band, 1800.0)
            phi = (bearing[..., None] - car["az"][idx] + 180.0) % 360.0 - 180.0
            a_h = 12.0 * (phi / car["bwh"][idx]) ** 2
            a_v = np.minimum(12.0 * ((elev[..., None] - car["tilt"][idx]) / car["bwv"][idx]) ** 2,
                             20.0)
            gain = -np.minimum(a_h + a_v, 25.0)
            loss = _hata_db(f, dist[..., None] / 1e3, hb[..., None], e[..., None])
            diff = _knife_edge_db(nu_1g[..., None] * np.sqrt(f / 1_000.0))
            rsrp = (car["eirp_re"][idx] + gain - loss - diff - CLUTTER_DB[e][..., None]
                    - shadow_db[:, None, None])
            rsrp = np.where(ok, rsrp, -np.inf)
            flat = rsrp.reshape(len(rows), -1)
            best = np.argmax(flat, axis=1)
            s_dbm = flat[np.arange(len(rows)), best]
            b_band = f.reshape(len(rows), -1)[np.arange(len(rows)), best]
            same = (f.reshape(len(rows), -1) == b_band[:, None]) & np.isfinite(flat)
            lin = np.where(same, 10.0 ** (flat / 10.0), 0.0)
            s_lin = 10.0 ** (s_dbm / 10.0)
            interf = (lin.sum(axis=1) - np.where(np.isfinite(s_dbm), s_lin, 0.0)) * 0.5
            noise = 10.0 ** ((-174.0 + 10.0 * np.log10(30e3 if tech == "5G" else 15e3) + 7.0)
                             / 10.0)
            sinr = s_lin / (interf + noise)
            bw_best = car["bw"][idx].reshape(len(rows), -1)[np.arange(len(rows)), best]
            if tech == "4G":  # carrier aggregation over the serving sector's carriers
                sec_id = car["sector"][idx].reshape(len(rows), -1)
                sid_best = sec_id[np.arange(len(rows)), best]
                bw_all = np.where(sec_id == sid_best[:, None],
                                  np.nan_to_num(car["bw"][idx].reshape(len(rows), -1)), 0.0)
                bw_best = bw_all.sum(axis=1)
            se = np.minimum(0.75 * np.log2(1.0 + sinr), 5.5 if tech == "4G" else 7.4)
            mimo = 1.7 if tech == "4G" else 3.0
            dl = np.nan_to_num(bw_best) * se * mimo * (1.0 - load) * 0.8
            res[tech] = (s_dbm, dl)
        r4, d4 = res["4G"]
        r5, d5 = res["5G"]
        use5 = out["cap5g"].to_numpy()[rows] & (r5 >= -115.0)
        rsrp = np.where(use5, r5, r4)
        dl = np.where(use5, d5, np.where(r4 >= -124.0, d4, 0.0))
        cap = np.where(use5, 200.0, 50.0)
        ul = np.minimum(dl * out["ul_ratio"].to_numpy()[rows], cap)
        out.loc[out.index[rows], "tech"] = np.where(use5, "5G", "4G")
        out.loc[out.index[rows], "rsrp_dbm"] = np.clip(np.nan_to_num(rsrp, neginf=-140.0),
                                                       -140.0, -44.0)
        out.loc[out.index[rows], "dl_mbps"] = dl
        out.loc[out.index[rows], "ul_mbps"] = ul
    return out


def shadow_fields(terrain: Terrain, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Correlated shadowing (dB) per operator on the coarse grid, σ 6.5 dB, 60 % shared."""
    g = terrain.coarse
    common = spectral_noise(rng, g.shape, g.cell_m, 0.5, 300.0, 2_000.0)
    out = {}
    for op in OPERATOR_SHARE:
        own = spectral_noise(rng, g.shape, g.cell_m, 0.5, 300.0, 2_000.0)
        out[op] = 6.5 * (np.sqrt(0.6) * common + np.sqrt(0.4) * own)
    return out


def build_measurements(pts: pd.DataFrame, sites: gpd.GeoDataFrame, sectors: pd.DataFrame,
                       terrain: Terrain, hamlets: gpd.GeoDataFrame,
                       shadow: dict[str, np.ndarray]) -> gpd.GeoDataFrame:
    """Measurement layer: truth model at the points, WGS84 lon/lat columns, rounded values."""
    res = evaluate_truth(pts, sites, sectors, terrain, hamlets, shadow)
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(
        res["x"].to_numpy(), res["y"].to_numpy())
    df = pd.DataFrame({
        "lon": np.round(lon, 6),
        "lat": np.round(lat, 6),
        "operator": res["operator"].to_numpy(),
        "tech": res["tech"].to_numpy(),
        "rsrp_dbm": np.round(res["rsrp_dbm"].to_numpy(dtype=float), 1),
        "dl_mbps": np.round(res["dl_mbps"].to_numpy(dtype=float), 2),
        "ul_mbps": np.round(res["ul_mbps"].to_numpy(dtype=float), 2),
        "time": pd.DatetimeIndex(res["time"]).strftime("%Y-%m-%dT%H:%M:%S+07:00"),
        "source": res["source"].to_numpy(),
    })
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(res["x"], res["y"]), crs=CRS)


def build_reported(commune_codes: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """Reported figures N1-N7 (several dated values each), province level plus commune N2."""
    rows = []
    for ind, source, series in data.REPORTED_SERIES:
        for date, value in series:
            rows.append((ind, round(value * rng.uniform(0.97, 1.03), 1), date, source, ""))
    n2_last = [r for r in rows if r[0] == "N2"][-1][1]
    for code in commune_codes:
        rows.append(("N2", round(min(99.0, n2_last * rng.uniform(0.6, 1.3)), 1), "2025-06-30",
                     "UBND xã/phường", code))
    return pd.DataFrame(rows, columns=["indicator", "value", "date", "source", "commune_code"])
