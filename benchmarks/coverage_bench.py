"""Benchmark of the coverage engine on the demo province, against SPLAT! and gdal_viewshed.

Usage::

    python benchmarks/coverage_bench.py [--out DIR] [--cores 2] [--skip-province] [--skip-splat]

Writes the demo province (seed 2030) into a temporary folder (or ``--out``), pins the process
to ``--cores`` CPUs (numba threads too), warms the JIT up on the demo commune, then measures:

Wall-clock figures depend on what else the machine runs; ``*_cpu_s`` (process CPU time, all
threads) and ``load_average_1m`` are printed beside them.

* ``site_25km_30m_s``: one sector in the middle of the demo DEM, every cell within 25 km at
  30 m (no cut-off: the floor at −250 dBm), the radial sweep and the rasterisation (after JIT
  warm-up; the DEM already read); ``site_25km_30m_cutoff_s`` the same with the scenario's
  prediction floor; ``site_25km_30m_total_s`` :func:`predict_coverage` end to end for that one
  sector (DEM read and composite included);
* ``splat_25km_30m_s``: SPLAT! HD 1.4.2 (Debian ``splat``) computing the same site's path-loss
  map (``splat-hd -t tx.qth -L 1.5 -R 25 -metric -d sdf -dbm -o map -ngs -olditm``) on the same
  DEM resampled to WGS 84 1″ ``.hgt`` tiles converted with ``srtm2sdf-hd`` (conversion not
  timed); ``speedup_vs_splat`` the ratio; null with a reason when SPLAT! cannot run;
* ``viewshed_agreement_pct`` and ``gdal_viewshed_s``: the line-of-sight mask of that site
  (observer at the antenna height, target 1.5 m, 25 km, curvature coefficient 0.85714 = k 7/6)
  against ``gdal_viewshed`` (Debian ``gdal-bin``), and ``viewshed_s`` ours;
* ``province_100m_s``, ``province_30m_s``: :func:`predict_coverage` for all sites, operators
  and technologies of the demo province (wall clock, and ``*_cpu_s`` process CPU time);
  ``peak_rss_mb`` the process's peak resident memory.

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from _common import peak_rss_mb


def _pin(cores: int) -> list[int]:
    """Pin this process (and the numba threads it starts) to ``cores`` CPUs."""
    cpus = sorted(os.sched_getaffinity(0))[:cores]
    os.sched_setaffinity(0, set(cpus))
    os.environ["NUMBA_NUM_THREADS"] = str(len(cpus))
    return cpus


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _site(dem_path: Path):
    """The benchmark site: the demo DEM's centre cell (a 30 m mast, one 1800 MHz sector)."""
    import rasterio

    with rasterio.open(dem_path) as ds:
        t = ds.transform
        row, col = ds.height // 2, ds.width // 2
        x, y = t * (col + 0.5, row + 0.5)
    return float(x), float(y)


def _one_sector_province(province, x: float, y: float, radius_m: float, floor_dbm: float):
    import dataclasses

    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point, box

    sites = gpd.GeoDataFrame({"site_id": ["BENCH"], "operator": ["Viettel"],
                              "height_agl_m": [30.0], "status": ["on_air"]},
                             geometry=[Point(x, y)], crs=province.crs)
    sectors = pd.DataFrame({"site_id": ["BENCH"], "sector_id": ["BENCH-1"], "tech": ["4G"],
                            "band_mhz": [1800.0], "bandwidth_mhz": [20.0],
                            "azimuth_deg": [90.0], "mech_tilt_deg": [2.0],
                            "elec_tilt_deg": [4.0], "tx_power_dbm": [46.0],
                            "antenna_gain_dbi": [17.0], "feeder_loss_db": [2.0]})
    communes = gpd.GeoDataFrame({"commune_code": ["B"], "name": ["bench"]},
                                geometry=[box(x - radius_m, y - radius_m, x + radius_m,
                                              y + radius_m)], crs=province.crs)
    radio = dataclasses.replace(province.scenario.radio, max_radius_4g_m=radius_m,
                                prediction_floor_dbm=floor_dbm)
    scenario = dataclasses.replace(province.scenario, radio=radio)
    return dataclasses.replace(province, scenario=scenario, sites=sites, sectors=sectors,
                               communes=communes, hamlets=None, roads=None)


def bench_site(province, x: float, y: float) -> dict:
    """Kernel time of one sector over 25 km at 30 m, with and without the cut-off."""
    from phusong.coverage import engine as E

    out = {}
    timings: dict[str, list[float]] = {}
    original = E._predict_transmitters

    def timed(*args, **kwargs):
        t0, c0 = time.perf_counter(), _cpu_s()
        stats = original(*args, **kwargs)
        timings.setdefault("k", []).append(time.perf_counter() - t0)
        timings.setdefault("cpu", []).append(_cpu_s() - c0)
        return stats

    E._predict_transmitters = timed
    try:
        for name, floor in (("site_25km_30m_s", -250.0),
                            ("site_25km_30m_cutoff_s", province.scenario.radio.prediction_floor_dbm)):
            one = _one_sector_province(province, x, y, 25_000.0, floor)
            E.predict_coverage(one, resolution_m=30.0)  # warm-up
            timings.clear()
            totals = []
            for _ in range(3):
                t0 = time.perf_counter()
                grid = E.predict_coverage(one, resolution_m=30.0)
                totals.append(time.perf_counter() - t0)
            out[name] = round(min(timings["k"]), 3)
            out[name.replace("_s", "_cpu_s")] = round(min(timings["cpu"]), 3)
            if name == "site_25km_30m_s":
                out["site_25km_30m_total_s"] = round(min(totals), 3)
                layer = grid.layer("Viettel", "4G")
                out["site_25km_30m_cells"] = int((layer.server >= 0).sum())
    finally:
        E._predict_transmitters = original
    return out


def _hgt_tiles(dem_path: Path, lon: float, lat: float, radius_m: float, folder: Path) -> list[Path]:
    """The DEM resampled (bilinear) to WGS 84 1″ SRTM ``.hgt`` tiles around a point."""
    import math

    import numpy as np
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.transform import from_origin
    from rasterio.warp import reproject

    pad_lat = radius_m / 111_000.0 + 0.02
    pad_lon = pad_lat / math.cos(math.radians(lat))
    tiles = []
    for ilat in range(math.floor(lat - pad_lat), math.floor(lat + pad_lat) + 1):
        for ilon in range(math.floor(lon - pad_lon), math.floor(lon + pad_lon) + 1):
            arr = np.zeros((3601, 3601), dtype=np.float32)
            dst_t = from_origin(ilon - 0.5 / 3600, ilat + 1 + 0.5 / 3600, 1 / 3600, 1 / 3600)
            with rasterio.open(dem_path) as src:
                reproject(rasterio.band(src, 1), arr, dst_transform=dst_t, dst_crs="EPSG:4326",
                          resampling=Resampling.bilinear, dst_nodata=0.0)
            name = f"{'N' if ilat >= 0 else 'S'}{abs(ilat):02d}{'E' if ilon >= 0 else 'W'}" \
                   f"{abs(ilon):03d}.hgt"
            path = folder / name
            np.round(np.nan_to_num(arr)).astype(">i2").tofile(path)
            tiles.append(path)
    return tiles


def bench_splat(dem_path: Path, x: float, y: float, crs: str, work: Path) -> dict:
    """SPLAT! HD's path-loss map of the benchmark site, timed without the terrain conversion."""
    from pyproj import Transformer

    splat = shutil.which("splat-hd")
    convert = shutil.which("srtm2sdf-hd")
    if splat is None or convert is None:
        return {"splat_25km_30m_s": None, "splat_note": "splat-hd / srtm2sdf-hd not on PATH "
                "(Debian package splat: apt-get install -y splat)"}
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
    sdf = work / "sdf"
    sdf.mkdir(parents=True, exist_ok=True)
    for tile in _hgt_tiles(dem_path, lon, lat, 26_000.0, sdf):
        subprocess.run([convert, tile.name], cwd=sdf, check=True, capture_output=True)
    (work / "tx.qth").write_text(f"BENCH\n{lat:.6f}\n{360.0 - lon:.6f}\n30 meters\n")
    (work / "tx.lrp").write_text(
        "15.000 ; Earth Dielectric Constant\n0.005 ; Earth Conductivity (S/m)\n"
        "301.000 ; Atmospheric Bending Constant (N-units)\n1800.000 ; Frequency (MHz)\n"
        "5 ; Radio Climate (continental temperate)\n1 ; Polarization (vertical)\n"
        "0.50 ; Fraction of situations\n0.50 ; Fraction of time\n"
        "1000.0 ; ERP (W)\n")
    cmd = [splat, "-t", "tx.qth", "-L", "1.5", "-R", "25", "-metric", "-d", "sdf/", "-dbm",
           "-o", "map", "-ngs", "-olditm", "-N"]
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    run = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - t0
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)
    made = list(work.glob("map*.ppm"))
    if run.returncode != 0 or not made:
        tail = (run.stderr or run.stdout).strip().splitlines()[-3:]
        return {"splat_25km_30m_s": None,
                "splat_note": f"splat-hd failed (exit {run.returncode}): {' | '.join(tail)}"}
    return {"splat_25km_30m_s": round(seconds, 2), "splat_25km_30m_cpu_s": round(cpu, 2),
            "splat_note": f"SPLAT! HD 1.4.2, ITM (-olditm), {' '.join(cmd[1:])}"}


def bench_viewshed(dem_path: Path, x: float, y: float, work: Path) -> dict:
    """Our line-of-sight mask against gdal_viewshed: agreement and both times."""
    import numpy as np
    import rasterio

    from phusong.coverage.viewshed import viewshed

    viewshed(dem_path, x, y, 30.0, 2000.0)  # JIT warm-up
    t0 = time.perf_counter()
    ours = viewshed(dem_path, x, y, 30.0, 25_000.0, target_height_m=1.5, k_factor=7 / 6,
                    earth_radius_m=6_378_137.0)
    out = {"viewshed_s": round(time.perf_counter() - t0, 3)}
    exe = shutil.which("gdal_viewshed")
    if exe is None:
        out.update(viewshed_agreement_pct=None, gdal_viewshed_s=None,
                   viewshed_note="gdal_viewshed not on PATH (apt-get install -y gdal-bin)")
        return out
    target = work / "gdal_vs.tif"
    cmd = [exe, "-q", "-ox", repr(x), "-oy", repr(y), "-oz", "30", "-tz", "1.5", "-md", "25000",
           "-cc", "0.85714", "-vv", "1", "-iv", "0", "-ov", "255", str(dem_path), str(target)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    out["gdal_viewshed_s"] = round(time.perf_counter() - t0, 3)
    with rasterio.open(target) as ds:
        g, gt = ds.read(1), ds.transform
    r0 = round((gt.f - ours.transform.f) / ours.transform.e)
    c0 = round((gt.c - ours.transform.c) / ours.transform.a)
    full = np.full(ours.visible.shape, 255, dtype=np.uint8)
    rs, cs = max(r0, 0), max(c0, 0)
    sub = g[rs - r0:rs - r0 + full.shape[0] - rs, cs - c0:cs - c0 + full.shape[1] - cs]
    full[rs:rs + sub.shape[0], cs:cs + sub.shape[1]] = sub
    both = ours.inside & (full != 255)
    out["viewshed_agreement_pct"] = round(100.0 * float(np.mean(
        (full[both] == 1) == ours.visible[both])), 3)
    out["viewshed_cells"] = int(both.sum())
    return out


def bench_province(province, resolution_m: float) -> tuple[float, float, dict]:
    from phusong.coverage.engine import predict_coverage
    from phusong.coverage.grid import ANY

    c0, t0 = _cpu_s(), time.perf_counter()
    grid = predict_coverage(province, resolution_m=resolution_m)
    wall, cpu = time.perf_counter() - t0, _cpu_s() - c0
    shares = {f"{tech}": round(float(grid.covered(ANY, tech).mean()), 4) for tech in ("4G", "5G")}
    return wall, cpu, shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="folder for the demo and files")
    parser.add_argument("--cores", type=int, default=2, help="CPUs to pin the process to")
    parser.add_argument("--skip-province", action="store_true")
    parser.add_argument("--skip-splat", action="store_true")
    args = parser.parse_args()
    cpus = _pin(args.cores)
    warnings.simplefilter("ignore")
    import numba

    from phusong.layers.validate import load_province
    from phusong.pipeline import run_demo

    result: dict = {"cores": len(cpus), "numba_threads": numba.get_num_threads()}
    tmp = tempfile.TemporaryDirectory(prefix="phusong_cov_bench_")
    base = args.out or Path(tmp.name)
    base.mkdir(parents=True, exist_ok=True)
    # the demo province and commune
    t0 = time.perf_counter()
    demo = run_demo(base / "province", preset="province", overwrite=True, stages=False)
    commune = run_demo(base / "commune", preset="commune", overwrite=True, stages=False)
    result["demo_s"] = round(time.perf_counter() - t0, 1)
    province = load_province(demo.scenario_path)
    # JIT warm-up (or cache load) on the commune
    from phusong.coverage.engine import predict_coverage

    t0 = time.perf_counter()
    predict_coverage(load_province(commune.scenario_path), resolution_m=100.0)
    result["jit_warmup_s"] = round(time.perf_counter() - t0, 1)
    dem = province.dem_path
    x, y = _site(dem)
    result.update(bench_site(province, x, y))
    if args.skip_splat:
        result.update(splat_25km_30m_s=None, splat_note="skipped (--skip-splat)")
    else:
        try:
            result.update(bench_splat(dem, x, y, province.crs, base / "splat"))
        except Exception as e:  # noqa: BLE001 - reported in the JSON instead
            result.update(splat_25km_30m_s=None, splat_note=f"SPLAT! could not run: {e}")
    splat_s = result.get("splat_25km_30m_s")
    result["speedup_vs_splat"] = (round(splat_s / result["site_25km_30m_s"], 1)
                                  if splat_s else None)
    splat_cpu = result.get("splat_25km_30m_cpu_s")
    result["speedup_vs_splat_cpu"] = (round(splat_cpu / result["site_25km_30m_cpu_s"], 1)
                                      if splat_cpu else None)
    result.update(bench_viewshed(dem, x, y, base))
    if not args.skip_province:
        for res, key in ((100.0, "province_100m"), (30.0, "province_30m")):
            wall, cpu, shares = bench_province(province, res)
            result[f"{key}_s"] = round(wall, 1)
            result[f"{key}_cpu_s"] = round(cpu, 1)
            result[f"{key}_covered_any"] = shares
    else:
        result.update(province_100m_s=None, province_30m_s=None)
    result["n_sectors"] = int((province.sectors["status"].astype(str) != "planned").sum())
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    load = os.getloadavg()
    result["load_average_1m"] = round(load[0], 2)
    tmp.cleanup()
    print(json.dumps(result, ensure_ascii=False))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
