"""The scenario file: frozen, typed settings and their loader.

A scenario (``scenario.toml``) names the file of each input layer and holds the settings of
every stage. Each setting is a field of a frozen dataclass below, with its type, unit, default,
and a one-line description with its source in the field's metadata; :func:`render_template`
writes all of them into one documented TOML template, so the documentation cannot drift from
the code. Unknown keys are rejected with the closest valid key suggested.

Example
-------
>>> from phusong.config import load_scenario
>>> scenario = load_scenario("demo/scenario.toml")  # doctest: +SKIP
>>> scenario.thresholds.rsrp_4g_dbm  # doctest: +SKIP
-110.0
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phusong.errors import ConfigError

__all__ = [
    "LayerSource",
    "ProvinceConfig",
    "Thresholds",
    "RadioConfig",
    "FiberConfig",
    "PlanningConfig",
    "Scenario",
    "load_scenario",
    "scenario_from_dict",
    "render_template",
    "render_scenario",
]

log = logging.getLogger(__name__)


def _setting(default: Any, doc: str, unit: str = "", **checks: Any) -> Any:
    """A dataclass field with its documentation (``doc``, ``unit``) and value checks.

    ``checks`` may hold ``minimum``, ``maximum`` and ``choices``.
    """
    meta = {"doc": doc, "unit": unit, **checks}
    if isinstance(default, (list, dict, set)):
        return field(default_factory=lambda: default, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class LayerSource:
    """Where one input layer is read from (``[layers.<name>]``)."""

    path: str = _setting("", "file of the layer, relative to the scenario file's folder")
    layer: str = _setting("", "layer inside a multi-layer file (GeoPackage); empty = the only one")
    crs: str = _setting(
        "", "CRS of a file that has none (CSV x/y, a Shapefile without .prj): EPSG:4326, "
        "EPSG:32648, vn2000_tm3:106.5 …; empty = read from the file (CSV lon/lat = EPSG:4326)")
    encoding: str = _setting("", "text encoding when the file is not UTF-8 (e.g. cp1258)")
    x: str = _setting("", "x or longitude column of a point CSV; empty = lon/x/longitude/kinh_do")
    y: str = _setting("", "y or latitude column of a point CSV; empty = lat/y/latitude/vi_do")
    where: str = _setting("", "attribute filter applied when reading (OGR SQL), e.g. "
                          "\"is_rail = 0\"; empty = every feature")
    columns: dict[str, str] = _setting(
        {}, "explicit column names as a table canonical = \"file column\", e.g. "
        "{ commune_code = \"dist_code_2019\" }, for names the aliases do not cover")


@dataclass(frozen=True)
class ProvinceConfig:
    """The province and the working coordinate system (``[province]``)."""

    name: str = _setting("Thái Nguyên", "province name printed on maps and reports")
    crs: str = _setting("EPSG:32648", "metric working CRS; every layer is reprojected to it "
                        "(WGS 84 / UTM 48N; VN-2000 TM-3 106°30′ is vn2000_tm3:106.5)")
    outside_tolerance_m: float = _setting(
        500.0, "how far outside the union of communes a point may lie before it is reported",
        "m", minimum=0.0)
    site_search_radius_m: float = _setting(
        30_000.0, "sites this far outside the province are kept (they serve border areas); "
        "farther ones are reported", "m", minimum=0.0)


@dataclass(frozen=True)
class Thresholds:
    """Coverage and indicator thresholds (``[thresholds]``); see docs/INDICATORS.md."""

    rsrp_4g_dbm: float = _setting(
        -110.0, "4G RSRP at or above which a place has usable signal "
        "(common operator planning value for outdoor data coverage)", "dBm",
        minimum=-150.0, maximum=-40.0)
    rsrp_5g_dbm: float = _setting(
        -110.0, "5G SS-RSRP at or above which a place has usable 5G signal", "dBm",
        minimum=-150.0, maximum=-40.0)
    min_dl_mbps: float = _setting(
        10.0, "download rate that counts as mobile broadband at a place", "Mbit/s", minimum=0.0)
    road_gap_km: float = _setting(
        1.0, "longest allowed stretch of road without signal (plan target T6)", "km", minimum=0.0)
    hamlet_covered_share: float = _setting(
        0.5, "share of a hamlet's area or people with signal for the hamlet to count as covered",
        "", minimum=0.0, maximum=1.0)
    fiber_reach_m: float = _setting(
        1_000.0, "largest drop-cable distance from a fiber node with free ports to a hamlet",
        "m", minimum=0.0)
    hamlet_radius_m: float = _setting(
        300.0, "for hamlets given as points: the people within this distance of the point "
        "stand for the hamlet's people (0 = the point's own cell only)", "m", minimum=0.0)
    poi_min_dl_mbps: float = _setting(
        100.0, "5G download rate required at hospitals and universities (T7) and for stable, "
        "high-quality 5G in industrial parks (K1b)", "Mbit/s", minimum=0.0)
    residential_5g_share: float = _setting(
        0.95, "share of a ward's or former district centre's people with 5G for it to count "
        "as covered (T8)", "", minimum=0.0, maximum=1.0)
    park_full_share: float = _setting(
        0.95, "share of an industrial park's area with 5G that counts as full coverage (K1a; "
        "K1b at poi_min_dl_mbps)", "", minimum=0.0, maximum=1.0)
    usable_rsrp_dbm: float = _setting(
        -120.0, "RSRP below which there is no usable signal at all: an uncovered place below it "
        "is trắng sóng, at or above it lõm sóng (D1)", "dBm", minimum=-150.0, maximum=-40.0)
    populated_min_per_km2: float = _setting(
        10.0, "people per km² below which a cell counts as uninhabited when dark spots are "
        "delimited (D1)", "people/km²", minimum=0.0)
    dark_spot_min_people: float = _setting(
        10.0, "dark spots with fewer people are not listed (D1)", "people", minimum=0.0)
    district_centres: str = _setting(
        "", "former district centres for T8, as commune names or codes separated by commas; "
        "empty = each commune named like its former district (Huyện Đại Từ → Đại Từ)")


@dataclass(frozen=True)
class RadioConfig:
    """Radio prediction settings (``[radio]``)."""

    model: str = _setting(
        "terrain", "propagation model", choices=(
            "terrain", "free_space", "hata", "cost231", "tr38901_rma", "tr38901_uma",
            "tr38901_umi"))
    resolution_m: float = _setting(30.0, "cell size of the coverage rasters", "m",
                                   minimum=1.0, maximum=1000.0)
    rx_height_m: float = _setting(1.5, "receiver height above ground (handset)", "m",
                                  minimum=0.0, maximum=50.0)
    k_factor: float = _setting(4 / 3, "effective earth-radius factor (ITU-R P.453 standard "
                               "atmosphere)", "", minimum=0.1, maximum=10.0)
    max_radius_4g_m: float = _setting(35_000.0, "largest distance predicted from a 4G sector",
                                      "m", minimum=100.0)
    max_radius_5g_m: float = _setting(15_000.0, "largest distance predicted from a 5G sector",
                                      "m", minimum=100.0)
    default_height_agl_m: float = _setting(30.0, "antenna height when a site or sector has none",
                                           "m", minimum=0.0)
    default_tx_power_dbm: float = _setting(46.0, "sector transmit power when none is given",
                                           "dBm")
    default_antenna_gain_dbi: float = _setting(17.0, "sector antenna gain when none is given",
                                               "dBi")
    default_beamwidth_h_deg: float = _setting(65.0, "horizontal 3 dB beamwidth when none is "
                                              "given (3GPP TR 38.901 Table 7.3-1)", "°")
    default_beamwidth_v_deg: float = _setting(10.0, "vertical 3 dB beamwidth when none is given",
                                              "°")
    load: float = _setting(0.5, "share of resources busy in interfering cells (SINR)", "",
                           minimum=0.0, maximum=1.0)
    shadowing_sigma_db: float = _setting(8.0, "log-normal shadow-fading standard deviation",
                                         "dB", minimum=0.0)
    edge_probability: float = _setting(0.75, "probability of coverage at the cell edge that the "
                                       "fading margin buys (0.5 = no margin)", "",
                                       minimum=0.5, maximum=0.999)
    terrain_base: str = _setting(
        "hata", "base loss of the terrain model, to which the DEM's diffraction loss is added "
        "(hata: Okumura-Hata to 1500 MHz, COST-231 Hata above; tr38901_rma: 38.901 RMa LOS)",
        choices=("hata", "cost231", "free_space", "tr38901_rma"))
    environment: str = _setting(
        "suburban", "land use of Hata's correction to the base loss, at every band: urban; "
        "suburban = villages and roads among trees and houses (Okumura); rural = open area, "
        "cleared land", choices=("suburban", "rural", "urban"))
    prediction_floor_dbm: float = _setting(
        -130.0, "median RSRP below which a sector is not predicted (its loss is out of budget): "
        "neither a server nor an interferer there; sets how far each radial is swept", "dBm",
        minimum=-170.0, maximum=-60.0)
    front_to_back_db: float = _setting(30.0, "sector antenna front-to-back ratio A_max "
                                       "(3GPP TR 38.901 Table 7.3-1)", "dB", minimum=0.0)
    sla_v_db: float = _setting(30.0, "vertical side-lobe limit SLA_V (3GPP TR 38.901 "
                               "Table 7.3-1)", "dB", minimum=0.0)
    default_bandwidth_4g_mhz: float = _setting(20.0, "4G carrier bandwidth when none is given",
                                               "MHz", minimum=1.4, maximum=20.0)
    default_bandwidth_5g_mhz: float = _setting(100.0, "5G carrier bandwidth when none is given",
                                               "MHz", minimum=5.0, maximum=400.0)
    noise_figure_db: float = _setting(9.0, "handset noise figure (3GPP TR 36.814 Table "
                                      "A.2.1.1-3)", "dB", minimum=0.0, maximum=20.0)
    mimo_layers_4g: int = _setting(2, "downlink MIMO layers of a 4G carrier (2x2)", "",
                                   minimum=1, maximum=8)
    mimo_layers_5g: int = _setting(4, "downlink MIMO layers of a 5G carrier (4x4)", "",
                                   minimum=1, maximum=8)
    overhead_4g: float = _setting(0.25, "share of 4G resources spent on control channels and "
                                  "reference signals", "", minimum=0.0, maximum=0.9)
    overhead_5g: float = _setting(0.14, "share of 5G resources spent on overhead (3GPP TS "
                                  "38.306 §4.1.2, FR1 downlink)", "", minimum=0.0, maximum=0.9)
    shannon_alpha: float = _setting(0.6, "attenuation factor α of the bounded Shannon mapping "
                                    "(3GPP TR 36.942 Table A.2.1)", "", minimum=0.05,
                                    maximum=1.0)
    sinr_min_db: float = _setting(-10.0, "SINR below which the throughput is 0 (3GPP TR 36.942 "
                                  "Table A.2.1)", "dB", minimum=-30.0, maximum=10.0)
    max_se_4g_bps_hz: float = _setting(4.4, "4G spectral efficiency ceiling Thr_max per layer "
                                       "(3GPP TR 36.942 Table A.2.1)", "bit/s/Hz", minimum=0.1,
                                       maximum=10.0)
    max_se_5g_bps_hz: float = _setting(7.4063, "5G spectral efficiency ceiling per layer (3GPP "
                                       "TS 38.214 Table 5.1.3.1-2, 256QAM 948/1024)", "bit/s/Hz",
                                       minimum=0.1, maximum=10.0)
    offsets_db: dict[str, float] = _setting(
        {}, "calibration: dB added to the predicted RSRP per operator and technology, e.g. "
        "{ Viettel_4G = 2.5 } (written by phusong calibrate)", "dB")
    slopes_db_per_decade: dict[str, float] = _setting(
        {}, "calibration: dB per decade of distance added to the predicted RSRP, "
        "slope × log10(d / 1 km) with d ≥ 0.1 km, per operator and technology, e.g. "
        "{ Viettel_4G = -3.0 } (written by phusong calibrate)", "dB/decade")


@dataclass(frozen=True)
class FiberConfig:
    """Fiber reach along roads and the extension plan (``[fiber]``).

    The drop distance itself is ``thresholds.fiber_reach_m`` (one key, used by T4, T2, T2b, T9,
    K2 and the plan alike).
    """

    max_snap_m: float = _setting(
        1_000.0, "largest distance from a place (hamlet, park, POI) or a fiber node to the road "
        "it is attached to; farther ones are reported as off the road network", "m", minimum=0.0)
    road_merge_m: float = _setting(
        1.0, "road ends and vertices closer than this are joined into one intersection "
        "(digitising gaps)", "m", minimum=0.0, maximum=50.0)
    route_match_m: float = _setting(
        25.0, "a road stretch carries existing cable when an on-air fiber route runs within "
        "this distance of it (extension plan: cable is only laid where there is none)", "m",
        minimum=0.0)
    gigabit_rate_mbps: float = _setting(
        1_000.0, "rate a fiber node must deliver for its places to count as gigabit "
        "(T2, T2b, T9, K2)", "Mbit/s", minimum=0.0)
    gpon_gigabit: bool = _setting(
        True, "GPON nodes can deliver gigabit plans (2.488 Gbit/s shared downstream, ITU-T "
        "G.984); false = only XGS-PON, XG-PON and other nodes whose max_rate_mbps reaches "
        "gigabit_rate_mbps count")
    cost_per_km_vnd: float = _setting(
        50_000_000.0, "cost of new cable along roads, per km (aerial on poles, hardware and "
        "labour)", "VND/km", minimum=0.0)
    cost_per_splitter_vnd: float = _setting(
        8_000_000.0, "cost of one new splitter / access point: at each place the extension "
        "connects, and beside each full node whose places wait for ports", "VND", minimum=0.0)


PRIORITY_DISTRICTS = ("Ba Bể, Bạch Thông, Chợ Đồn, Chợ Mới, Na Rì, Ngân Sơn, Pác Nặm, Bắc Kạn, "
                      "Định Hóa, Võ Nhai, Phú Lương, Đại Từ, Đồng Hỷ")
"""Default priority former districts (D1): the former Bắc Kạn province (the merged province's
north) and the mountainous former districts of Thái Nguyên."""


@dataclass(frozen=True)
class PlanningConfig:
    """BTS site proposals (``[planning]``): costs, gain weights, candidates and the solver.

    Costs are in VND per site; gains count indicator units (hamlets that pass T3, road gaps
    over the limit removed and their km, operating parks that get 5G, people newly covered),
    each times its weight, and times ``priority_factor`` in priority communes (D1).
    """

    resolution_m: float = _setting(
        100.0, "cell size of the coverage grids the plan works on (today, the candidates and "
        "after the proposals); the indicators before and after use it alike. Coarser is faster "
        "(on the demo province the selection proves a 0.5 % gap in about 15 s at 100 m, 2 s at "
        "200 m); check a plan at 30 m with phusong run on its scenario_after.toml",
        "m", minimum=10.0, maximum=1000.0)
    cost_new_site_vnd: float = _setting(
        1_500_000_000.0, "new tower with a 4G radio: land, tower, civil works, grid connection, "
        "transmission and installation", "VND", minimum=0.0)
    cost_colocation_vnd: float = _setting(
        450_000_000.0, "4G radio on another operator's existing tower (sharing / co-location: "
        "antennas, radio, installation, capitalised rent)", "VND", minimum=0.0)
    cost_5g_vnd: float = _setting(
        700_000_000.0, "5G radio and antennas added to a site: the 5G upgrade of a 4G site, or "
        "the 5G layer of a new or co-located site", "VND", minimum=0.0)
    cost_no_grid_power_vnd: float = _setting(
        350_000_000.0, "extra for a site without grid power (solar panels, batteries, "
        "generator)", "VND", minimum=0.0)
    new_sites_5g: bool = _setting(
        True, "new and co-located sites carry 5G sectors beside 4G (they then count for T5 "
        "and cost cost_5g_vnd more)")
    new_site_height_m: float = _setting(
        40.0, "antenna height of a new tower", "m", minimum=3.0, maximum=150.0)
    band_4g_mhz: float = _setting(
        0.0, "4G band of new sectors; 0 = the operator's lowest 4G band in the sectors layer "
        "(its coverage layer; 900 MHz when it has none)", "MHz", minimum=0.0, maximum=6000.0)
    band_5g_mhz: float = _setting(
        0.0, "5G band of new sectors; 0 = the operator's most used 5G band in the sectors "
        "layer (3500 MHz when it has none)", "MHz", minimum=0.0, maximum=6000.0)
    tilt_deg: float = _setting(
        2.0, "downtilt of the sectors of new and co-located sites (three sectors at 0°, 120°, "
        "240°)", "°", minimum=-10.0, maximum=20.0)
    weight_hamlet: float = _setting(
        100.0, "gain of a hamlet that passes T3 (its covered share reaches "
        "hamlet_covered_share)", "per hamlet", minimum=0.0)
    weight_person: float = _setting(
        0.1, "gain of a person newly covered by mobile broadband (hamlets, dark spots, road "
        "cells)", "per person", minimum=0.0)
    weight_road_gap: float = _setting(
        100.0, "gain of a road gap over road_gap_km that no longer has a stretch over the "
        "limit (T6)", "per gap", minimum=0.0)
    weight_road_km: float = _setting(
        20.0, "gain of a km of those road gaps newly covered", "per km", minimum=0.0)
    weight_park: float = _setting(
        100.0, "gain of an operating park that gets 5G (K1)", "per park", minimum=0.0)
    weight_park_ha: float = _setting(
        0.5, "gain of a hectare of an operating park newly covered by 5G while its 5G share is "
        "below park_full_share (K1a, K1b)", "per ha", minimum=0.0)
    priority_factor: float = _setting(
        1.5, "gains of hamlets and people in priority communes (northern, mountainous, ethnic "
        "minority: D1) are multiplied by it", "", minimum=1.0, maximum=100.0)
    priority_districts: str = _setting(
        PRIORITY_DISTRICTS, "former districts whose communes are priority communes, separated "
        "by commas (matched without diacritics or Huyện / Thành phố)")
    priority_communes: str = _setting(
        "", "further priority communes, as names or codes separated by commas")
    candidate_spacing_m: float = _setting(
        500.0, "generated candidates of one kind (high points, road, park) keep at most one per "
        "square of this side; also the window of a DEM high point", "m", minimum=10.0)
    search_radius_m: float = _setting(
        5_000.0, "high points are looked for this far around uncovered hamlets and dark spots",
        "m", minimum=0.0)
    high_points_per_unit: int = _setting(
        6, "highest local DEM maxima kept per uncovered hamlet or dark spot", "", minimum=0)
    max_candidates: int = _setting(
        30_000, "most candidates evaluated (the generated ones nearest to demand are kept "
        "first; co-locations and upgrades are never dropped for generated ones)", "",
        minimum=1)
    margin_db: float = _setting(
        3.0, "safety margin of the plan: a candidate covers a cell only with RSRP this far above "
        "the threshold and the rate still reached with its signals this much weaker (absorbs the "
        "differences between the plan's point-to-point prediction and the engine's grid, and "
        "some interference between proposals; the after-prediction checks)", "dB",
        minimum=0.0, maximum=30.0)
    max_radius_m: float = _setting(
        15_000.0, "largest distance at which a candidate's coverage is predicted (below it the "
        "exact link-budget reach applies: no cell beyond could reach the threshold even "
        "without terrain)", "m", minimum=100.0)
    grid_power_road_m: float = _setting(
        1_000.0, "a new tower farther than this from any road has no grid power (and costs "
        "cost_no_grid_power_vnd more)", "m", minimum=0.0)
    new_site_operator: str = _setting(
        "", "operator of new towers when the plan is for the whole province (no --operator); "
        "empty = the operator with the most sites")
    candidate_file: str = _setting(
        "", "user candidate sites in the sites layer format (site_id, operator, lon/lat or x/y, "
        "height_agl_m, grid_power), relative to the scenario file's folder; empty = none")
    repair_rounds: int = _setting(
        5, "rounds of re-planning after the after-prediction: what the proposals were meant to "
        "close but did not, or broke by interference, is planned again against the coverage "
        "with them (0 = none); the rounds stop when nothing is left (the demo province needs "
        "5: 22, 8, 3, 1, 1 sites)", "", minimum=0, maximum=10)
    time_limit_s: float = _setting(
        60.0, "time limit of the mixed-integer solver (HiGHS); the best solution found and its "
        "optimality gap are reported", "s", minimum=1.0)
    mip_gap: float = _setting(
        0.005, "relative optimality gap at which the solver stops", "", minimum=0.0,
        maximum=1.0)


@dataclass(frozen=True)
class Scenario:
    """A whole scenario: the layers and every setting.

    ``base_dir`` is the folder the layer paths are relative to (the scenario file's folder).
    """

    province: ProvinceConfig = field(default_factory=ProvinceConfig)
    layers: dict[str, LayerSource] = field(default_factory=dict)
    thresholds: Thresholds = field(default_factory=Thresholds)
    radio: RadioConfig = field(default_factory=RadioConfig)
    fiber: FiberConfig = field(default_factory=FiberConfig)
    planning: PlanningConfig = field(default_factory=PlanningConfig)
    base_dir: Path = field(default=Path("."), compare=False)
    source: str = field(default="", compare=False)

    def layer_path(self, name: str) -> Path | None:
        """Absolute path of a layer's file, or ``None`` when the scenario does not name it."""
        src = self.layers.get(name)
        if src is None or not src.path:
            return None
        path = Path(os.path.expanduser(src.path))
        return path if path.is_absolute() else (self.base_dir / path)

    def to_dict(self) -> dict[str, Any]:
        """Settings as plain data (for result metadata and reports)."""
        out: dict[str, Any] = {}
        for name in ("province", "thresholds", "radio", "fiber", "planning"):
            out[name] = dataclasses.asdict(getattr(self, name))
        out["layers"] = {k: dataclasses.asdict(v) for k, v in self.layers.items()}
        return out


_SECTIONS: dict[str, type] = {
    "province": ProvinceConfig, "thresholds": Thresholds, "radio": RadioConfig,
    "fiber": FiberConfig, "planning": PlanningConfig,
}


def _layer_names() -> tuple[str, ...]:
    from phusong.layers.schema import LAYERS, RASTER_LAYERS

    return (*LAYERS, *RASTER_LAYERS)


def _closest(key: str, valid: typing.Iterable[str]) -> str:
    valid = list(valid)
    match = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
    hint = f" Did you mean {match[0]!r}?" if match else ""
    return f"{hint} Valid keys: {', '.join(valid)}."


def _check_value(where: str, f: dataclasses.Field, value: Any) -> Any:
    """Check one value against the field's type and checks; return it converted."""
    hint = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    if str(hint).startswith("dict"):
        # tables of numbers (dict[str, float]) or of names (dict[str, str])
        numbers = str(hint) == "dict[str, float]"
        ok = (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)) if numbers \
            else (lambda v: isinstance(v, str))
        if not isinstance(value, dict) or not all(isinstance(k, str) and ok(v) for k, v in value.items()):
            example = "{ Viettel_4G = 2.5 }" if numbers else '{ name = "TEN" }'
            msg = (f"{where}: expected a table of {'numbers' if numbers else 'names'}, e.g. {example}, "
                   f"got {value!r}.")
            raise ConfigError(msg)
        return {k: float(v) for k, v in value.items()} if numbers else dict(value)
    expected = {"float": float, "int": int, "str": str, "bool": bool}.get(str(hint))
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if expected is not None and (not isinstance(value, expected) or
                                 (expected is not bool and isinstance(value, bool))):
        msg = (f"{where}: expected a {expected.__name__}, got {value!r} "
               f"({type(value).__name__}).")
        raise ConfigError(msg)
    meta = f.metadata
    if "minimum" in meta and value < meta["minimum"]:
        msg = f"{where} = {value!r} is below the minimum {meta['minimum']} {meta['unit']}".rstrip()
        raise ConfigError(msg + ".")
    if "maximum" in meta and value > meta["maximum"]:
        msg = f"{where} = {value!r} is above the maximum {meta['maximum']} {meta['unit']}".rstrip()
        raise ConfigError(msg + ".")
    if "choices" in meta and value not in meta["choices"]:
        msg = f"{where} = {value!r} is not one of {', '.join(map(repr, meta['choices']))}."
        raise ConfigError(msg)
    return value


def _build(cls: type, data: Any, where: str) -> Any:
    """Build a frozen settings dataclass from a TOML table, rejecting unknown keys."""
    if not isinstance(data, dict):
        msg = f"{where}: expected a table ([{where.split(': ')[-1]}]), got {data!r}."
        raise ConfigError(msg)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in data.items():
        if key not in fields:
            msg = f"{where}: unknown key {key!r}.{_closest(key, fields)}"
            raise ConfigError(msg)
        kwargs[key] = _check_value(f"{where}.{key}", fields[key], value)
    return cls(**kwargs)


def scenario_from_dict(data: dict[str, Any], base_dir: str | os.PathLike[str] = ".",
                       source: str = "<dict>") -> Scenario:
    """Build a :class:`Scenario` from parsed TOML data.

    Raises
    ------
    ConfigError
        On an unknown section, layer or key (with the closest valid one suggested), a value of
        the wrong type or outside its range.
    """
    valid = {*_SECTIONS, "layers"}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in valid:
            msg = f"{source}: unknown section [{key}].{_closest(key, sorted(valid))}"
            raise ConfigError(msg)
        if key == "layers":
            if not isinstance(value, dict):
                msg = f"{source}: [layers] must be a table of [layers.<name>] tables."
                raise ConfigError(msg)
            layers = {}
            names = _layer_names()
            for name, table in value.items():
                if name not in names:
                    msg = f"{source}: unknown layer [layers.{name}].{_closest(name, names)}"
                    raise ConfigError(msg)
                if isinstance(table, str):  # shorthand: communes = "communes.gpkg"
                    table = {"path": table}
                layers[name] = _build(LayerSource, table, f"{source}: layers.{name}")
            kwargs["layers"] = layers
        else:
            kwargs[key] = _build(_SECTIONS[key], value, f"{source}: {key}")
    scenario = Scenario(**kwargs, base_dir=Path(base_dir), source=source)
    _check_crs(scenario)
    return scenario


def _check_crs(scenario: Scenario) -> None:
    """Reject a working CRS that is unknown or not metric."""
    from phusong.crs import parse_crs

    text = scenario.province.crs
    try:
        crs = parse_crs(text)
    except Exception as e:
        msg = f"{scenario.source}: province.crs = {text!r} is not a CRS pyproj knows ({e})."
        raise ConfigError(msg) from e
    if not crs.is_projected:
        msg = (f"{scenario.source}: province.crs = {text!r} is not a projected (metric) CRS; "
               "the tool measures in metres inside. Use EPSG:32648 (UTM 48N) or vn2000_tm3:106.5.")
        raise ConfigError(msg)


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load and check a scenario file.

    Raises
    ------
    ConfigError
        If the file is missing, is not valid TOML (with line and column), or holds an unknown
        key or a bad value.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as e:
        msg = f"{path}: scenario file not found. Create one with `phusong demo` or copy the template."
        raise ConfigError(msg) from e
    except OSError as e:
        msg = f"{path}: cannot read the scenario file ({e.strerror})."
        raise ConfigError(msg) from e
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        msg = f"{path}: not UTF-8 text (byte {e.start}); save the file as UTF-8."
        raise ConfigError(msg) from e
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = f"{path}: not valid TOML: {e}."
        raise ConfigError(msg) from e
    return scenario_from_dict(data, base_dir=path.parent.resolve(), source=str(path))


# --- the documented template ---------------------------------------------------------------

def _toml_key(key: str) -> str:
    """A TOML key: bare when it can be, quoted otherwise."""
    if key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key):
        return key
    return _toml_value(str(key))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}"
                                for k, v in value.items()) + " }"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _field_comment(f: dataclasses.Field) -> str:
    meta = f.metadata
    hint = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    parts = [str(hint)]
    if meta.get("unit"):
        parts.append(f"unit {meta['unit']}")
    default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
    parts.append(f"default {_toml_value(default)}")
    if "minimum" in meta or "maximum" in meta:
        parts.append(f"range [{meta.get('minimum', '-inf')}, {meta.get('maximum', 'inf')}]")
    if "choices" in meta:
        parts.append("one of " + ", ".join(meta["choices"]))
    return f"# {meta.get('doc', '')} ({'; '.join(parts)})"


def _render_table(header: str, obj: Any, with_docs: bool) -> list[str]:
    lines = [f"[{header}]"]
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if with_docs:
            lines.append(_field_comment(f))
        if isinstance(obj, LayerSource) and value in ("", {}) and f.name != "path":
            continue
        lines.append(f"{f.name} = {_toml_value(value)}")
    return lines


def render_scenario(scenario: Scenario, with_docs: bool = True, title: str = "") -> str:
    """Write a scenario as TOML text, every key with its documentation when ``with_docs``."""
    lines = [f"# phusong scenario{': ' + title if title else ''}",
             "# Every key: description (type; unit; default; range). Paths are relative to this "
             "file's folder.", ""]
    lines += _render_table("province", scenario.province, with_docs) + [""]
    if with_docs:
        lines += ["# [layers.<name>]: one table per input layer (docs/INPUTS.md). Layers: "
                  + ", ".join(_layer_names()) + ".", "# Keys of each layer table:"]
        lines += ["#   " + f.name + ": " + _field_comment(f)[2:] for f in
                  dataclasses.fields(LayerSource)]
        lines.append("")
    for name, src in scenario.layers.items():
        lines += _render_table(f"layers.{name}", src, with_docs=False) + [""]
    for section in ("thresholds", "radio", "fiber", "planning"):
        lines += _render_table(section, getattr(scenario, section), with_docs) + [""]
    return "\n".join(lines)


def render_template() -> str:
    """The documented template: every key with type, unit and default; example layer paths."""
    example = {
        "communes": LayerSource(path="province.gpkg", layer="communes"),
        "hamlets": LayerSource(path="province.gpkg", layer="hamlets"),
        "sites": LayerSource(path="sites.csv", crs="EPSG:4326"),
        "sectors": LayerSource(path="sectors.csv"),
        "dem": LayerSource(path="dem.tif"),
    }
    return render_scenario(Scenario(layers=example), with_docs=True, title="template")

