"""Benchmark of the demo province: write it, then read back a few figures.

Usage::

    python benchmarks/demo_bench.py [--seed 2030] [--preset province] [--out DIR]

Times :func:`phusong.layers.demo.write_demo` (generation and writing) into a temporary folder
(or ``--out``), reports the process's peak resident memory, and summarises what was written.
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import rasterio

from phusong.layers.demo import write_demo

MAIN_CLASSES = ("expressway", "national", "provincial")


def run(out_dir: Path, seed: int, preset: str) -> dict:
    """Write the demo into ``out_dir`` and return the benchmark figures."""
    t0 = time.perf_counter()
    paths = write_demo(out_dir, seed=seed, preset=preset, overwrite=True)
    seconds = time.perf_counter() - t0
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    gpkg = paths["communes"]
    communes = gpd.read_file(gpkg, layer="communes")
    hamlets = gpd.read_file(gpkg, layer="hamlets")
    sites = gpd.read_file(gpkg, layer="sites")
    roads = gpd.read_file(gpkg, layer="roads")
    sectors = pd.read_csv(paths["sectors"], encoding="utf-8-sig")
    measurements = pd.read_csv(paths["measurements"], encoding="utf-8-sig")
    with rasterio.open(paths["dem"]) as ds:
        dem_shape = [ds.height, ds.width]
        dem_max = float(ds.read(1, masked=True).max())
    main = roads[roads["class"].isin(MAIN_CLASSES)]
    size_mb = sum(p.stat().st_size for p in set(paths.values())) / 2**20
    return {
        "seed": seed,
        "preset": preset,
        "demo_seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "n_communes": len(communes),
        "n_phuong": int((communes["kind"] == "phuong").sum()),
        "n_hamlets": len(hamlets),
        "population_total": int(hamlets["population"].sum()),
        "area_km2": round(float(communes.area.sum()) / 1e6, 1),
        "n_sites": len(sites),
        "n_sectors": len(sectors),
        "n_sites_5g": int(sectors.loc[sectors["tech"] == "5G", "site_id"].nunique()),
        "road_km_main": round(float(main.length.sum()) / 1e3, 1),
        "road_km_all": round(float(roads.length.sum()) / 1e3, 1),
        "n_measurements": len(measurements),
        "dem_shape": dem_shape,
        "dem_max_m": dem_max,
        "files_mb": round(size_mb, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2030)
    parser.add_argument("--preset", default="province", choices=("province", "commune"))
    parser.add_argument("--out", type=Path, default=None,
                        help="write here (replacing earlier files) instead of a temporary folder")
    args = parser.parse_args(argv)
    if args.out is not None:
        result = run(args.out, args.seed, args.preset)
    else:
        with tempfile.TemporaryDirectory(prefix="phusong-demo-bench-") as tmp:
            result = run(Path(tmp), args.seed, args.preset)
    print(f"demo ({result['preset']}, seed {result['seed']}): "
          f"{result['demo_seconds']:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB, "
          f"{result['files_mb']:.1f} MB of files")
    print(f"  {result['n_communes']} communes ({result['n_phuong']} phường), "
          f"{result['area_km2']:,.0f} km², {result['n_hamlets']:,} hamlets, "
          f"{result['population_total']:,} people")
    print(f"  {result['n_sites']:,} sites ({result['n_sites_5g']:,} with 5G), "
          f"{result['n_sectors']:,} sector carriers, {result['n_measurements']:,} measurements")
    print(f"  {result['road_km_main']:,.0f} km of main roads ({result['road_km_all']:,.0f} km in "
          f"all), DEM {result['dem_shape'][0]} x {result['dem_shape'][1]} cells, "
          f"peak {result['dem_max_m']:.0f} m")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
