"""Small provinces with known fiber answers, built in memory (coordinates in metres from X0, Y0)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
from shapely.geometry import LineString, Point, box

from phusong.config import FiberConfig, Scenario, Thresholds
from phusong.layers.province import Province

CRS = "EPSG:32648"
X0, Y0 = 590_000.0, 2_384_000.0


def pt(x: float, y: float) -> Point:
    """A point ``(x, y)`` metres from the fixture origin."""
    return Point(X0 + x, Y0 + y)


def line(*xy: tuple[float, float]) -> LineString:
    """A line through points given in metres from the fixture origin."""
    return LineString([(X0 + x, Y0 + y) for x, y in xy])


def rect(x0: float, y0: float, x1: float, y1: float) -> Any:
    """A rectangle in metres from the fixture origin."""
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def communes(splits: Sequence[float] = (), extent: tuple[float, float, float, float]
             = (-20_000, -20_000, 20_000, 20_000)) -> gpd.GeoDataFrame:
    """Communes side by side, cut at the x positions in ``splits``."""
    x0, y0, x1, y1 = extent
    edges = [x0, *splits, x1]
    n = len(edges) - 1
    return gpd.GeoDataFrame(
        {"commune_code": [f"C{i + 1}" for i in range(n)], "name": [f"Xã {i + 1}" for i in range(n)],
         "kind": ["xa"] * n},
        geometry=[rect(edges[i], y0, edges[i + 1], y1) for i in range(n)], crs=CRS)


def roads(*lines: LineString) -> gpd.GeoDataFrame:
    """A roads layer of these lines."""
    n = len(lines)
    return gpd.GeoDataFrame({"road_id": [f"R{i + 1}" for i in range(n)], "class": ["local"] * n,
                             "ref": [None] * n, "name": [f"Đường {i + 1}" for i in range(n)]},
                            geometry=list(lines), crs=CRS)


def hamlets(points: Sequence[Point], households: Sequence[float] | None = None,
            commune: str | Sequence[str] = "C1", population: Sequence[float] | None = None
            ) -> gpd.GeoDataFrame:
    """A hamlets layer: ids H1 …, 100 households and 400 people each unless given."""
    n = len(points)
    hh = list(households) if households is not None else [100] * n
    pop = list(population) if population is not None else [4 * h for h in hh]
    codes = [commune] * n if isinstance(commune, str) else list(commune)
    return gpd.GeoDataFrame({"hamlet_id": [f"H{i + 1}" for i in range(n)],
                             "name": [f"Thôn {i + 1}" for i in range(n)], "commune_code": codes,
                             "population": pop, "households": hh, "kind": ["thon"] * n},
                            geometry=list(points), crs=CRS)


def nodes(rows: Sequence[dict[str, Any]]) -> gpd.GeoDataFrame:
    """A fiber_nodes layer from dicts with ``xy`` and optional fields (defaults: VNPT, XGS-PON,
    64 ports, 10 used)."""
    data: dict[str, list[Any]] = {k: [] for k in ("node_id", "operator", "technology",
                                                  "ports_total", "ports_used")}
    rates = []
    geoms = []
    for i, row in enumerate(rows):
        data["node_id"].append(row.get("node_id", f"N{i + 1}"))
        data["operator"].append(row.get("operator", "VNPT"))
        data["technology"].append(row.get("technology", "XGS-PON"))
        data["ports_total"].append(row.get("ports_total", 64))
        data["ports_used"].append(row.get("ports_used", 10))
        rates.append(row.get("max_rate_mbps"))
        geoms.append(pt(*row["xy"]))
    frame = gpd.GeoDataFrame(data, geometry=geoms, crs=CRS)
    if any(r is not None for r in rates):
        frame["max_rate_mbps"] = [float("nan") if r is None else float(r) for r in rates]
    return frame


def fiber_routes(lines: Sequence[LineString], operator: str | Sequence[str] = "VNPT"
                 ) -> gpd.GeoDataFrame:
    """A fiber_routes layer (on air)."""
    n = len(lines)
    ops = [operator] * n if isinstance(operator, str) else list(operator)
    return gpd.GeoDataFrame({"route_id": [f"F{i + 1}" for i in range(n)], "operator": ops,
                             "kind": ["distribution"] * n, "status": ["on_air"] * n},
                            geometry=list(lines), crs=CRS)


def province(*, reach_m: float = 1000.0, fiber: FiberConfig | None = None,
             commune_layer: gpd.GeoDataFrame | None = None, **layers: Any) -> Province:
    """A Province from in-memory layers with the given drop distance and fiber settings."""
    scenario = Scenario(thresholds=Thresholds(fiber_reach_m=reach_m), fiber=fiber or FiberConfig())
    return Province(scenario=scenario, crs=CRS,
                    communes=commune_layer if commune_layer is not None else communes(),
                    **layers)
