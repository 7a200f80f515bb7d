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


@dataclass(frozen=True)
class Scenario:
    """A whole scenario: the layers and every setting.

    ``base_dir`` is the folder the layer paths are relative to (the scenario file's folder).
    """

    province: ProvinceConfig = field(default_factory=ProvinceConfig)
    layers: dict[str, LayerSource] = field(default_factory=dict)
    thresholds: Thresholds = field(default_factory=Thresholds)
    radio: RadioConfig = field(default_factory=RadioConfig)
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
        for name in ("province", "thresholds", "radio"):
            out[name] = dataclasses.asdict(getattr(self, name))
        out["layers"] = {k: dataclasses.asdict(v) for k, v in self.layers.items()}
        return out


_SECTIONS: dict[str, type] = {
    "province": ProvinceConfig, "thresholds": Thresholds, "radio": RadioConfig,
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
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            msg = f"{where}: expected a table of names, e.g. {{ name = \"TEN\" }}, got {value!r}."
            raise ConfigError(msg)
        return dict(value)
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

def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
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
    for section in ("thresholds", "radio"):
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

