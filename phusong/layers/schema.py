"""The column registry: every column of every input layer, declared once.

Readers use it to map a file's columns onto canonical names (``dan_so`` → ``population``) and to
check types, allowed values and plausible ranges; report writers take their Vietnamese and
English headers from the same entries. The layers and their columns are the contract in
``docs/INPUTS.md``.

A column is matched case-insensitively and without diacritics (``Dân số``, ``dan_so`` and
``DAN_SO`` are the same key); the text of the values is never folded.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "Column",
    "LayerSpec",
    "COLUMNS",
    "LAYERS",
    "VECTOR_LAYERS",
    "RASTER_LAYERS",
    "OPERATORS",
    "fold",
    "column",
    "layer_spec",
    "header",
]


def fold(text: str) -> str:
    """Return a matching key for ``text``: lower case, no diacritics, ``_`` between words.

    ``"Dân số"`` → ``"dan_so"``, ``"Mã xã"`` → ``"ma_xa"``, ``"ĐT"`` → ``"dt"``. Used only to
    compare names and category values; stored text keeps its diacritics.
    """
    text = str(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", "_", ascii_text.lower()).strip("_")


@dataclass(frozen=True)
class Column:
    """One canonical column.

    Attributes
    ----------
    name
        Canonical name, with the unit in it where there is one (``height_agl_m``).
    dtype
        ``"str"``, ``"int"``, ``"float"``, ``"bool"`` or ``"datetime"``.
    unit
        Unit symbol (``"m"``, ``"dBm"``, ``"MHz"``, ``"people"``) or ``""``.
    label_vi, label_en
        Report headers.
    aliases
        Other names accepted in input files (matched after :func:`fold`).
    minimum, maximum
        Hard limits: a value outside is an error (``negative_value`` / ``impossible_value``).
    plausible
        ``(low, high)``: a value outside is a warning (``implausible_value``).
    """

    name: str
    dtype: str
    unit: str
    label_vi: str
    label_en: str
    aliases: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    plausible: tuple[float, float] | None = None


@dataclass(frozen=True)
class LayerSpec:
    """One input layer: its geometry, columns, id and allowed values.

    Attributes
    ----------
    name
        Layer name used in ``scenario.toml`` (``[layers.hamlets]``).
    geometry
        Allowed shapely geometry types; ``()`` for a plain table.
    required, optional
        Canonical column names.
    id_column
        Column whose values must be unique (``""`` when the layer has none).
    choices
        Allowed values per column, each with its accepted spellings (folded).
    point_table
        Whether a CSV of this layer is read as points from ``lon``/``lat`` or ``x``/``y``.
    open_choices
        Columns whose unknown values are kept as written with a warning (operators: a
        province may have networks beyond the four national ones).
    """

    name: str
    label_vi: str
    label_en: str
    geometry: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    id_column: str = ""
    choices: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    point_table: bool = False
    open_choices: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Required then optional column names."""
        return self.required + self.optional

    @property
    def is_table(self) -> bool:
        """Whether the layer has no geometry (sectors, reported figures)."""
        return not self.geometry


def _c(*args: object, **kwargs: object) -> Column:
    return Column(*args, **kwargs)  # type: ignore[arg-type]


_COLUMN_LIST = [
    # identifiers and names
    _c("commune_code", "str", "", "Mã xã", "Commune code",
       ("ma_xa", "ma_phuong", "ma_dvhc", "commune_id", "ma_xa_phuong", "code", "xa_code")),
    _c("name", "str", "", "Tên", "Name", ("ten", "ten_xa", "ten_thon", "ten_tram", "ten_kcn", "name_vi")),
    _c("kind", "str", "", "Loại", "Kind", ("loai", "type", "kieu")),
    _c("population", "int", "people", "Dân số", "Population",
       ("dan_so", "pop", "so_dan", "population_2025", "danso"), minimum=0, plausible=(0, 200_000)),
    _c("former_district", "str", "", "Huyện cũ", "Former district", ("huyen_cu", "huyen", "district")),
    _c("hamlet_id", "str", "", "Mã thôn", "Hamlet id", ("ma_thon", "thon_id", "id_thon", "id")),
    _c("households", "int", "households", "Số hộ", "Households",
       ("so_ho", "ho_gia_dinh", "ho"), minimum=0, plausible=(0, 50_000)),
    _c("road_id", "str", "", "Mã đường", "Road id", ("ma_duong", "id", "osm_id")),
    _c("class", "str", "", "Cấp đường", "Road class", ("cap_duong", "loai_duong", "road_class", "highway")),
    _c("ref", "str", "", "Số hiệu đường", "Route number", ("so_hieu", "so_hieu_duong", "route")),
    _c("park_id", "str", "", "Mã KCN", "Park id", ("ma_kcn", "ma_ccn", "id")),
    _c("status", "str", "", "Tình trạng", "Status", ("trang_thai", "tinh_trang", "hien_trang")),
    _c("area_ha", "float", "ha", "Diện tích (ha)", "Area (ha)", ("dien_tich", "dien_tich_ha", "area"),
       minimum=0, plausible=(1, 5_000)),
    _c("enterprises", "int", "", "Số doanh nghiệp", "Enterprises", ("so_doanh_nghiep", "so_dn"),
       minimum=0, plausible=(0, 2_000)),
    _c("poi_id", "str", "", "Mã điểm", "POI id", ("ma_diem", "id")),
    _c("site_id", "str", "", "Mã trạm", "Site id", ("ma_tram", "tram_id", "site", "bts_id", "ma_bts")),
    _c("operator", "str", "", "Nhà mạng", "Operator", ("nha_mang", "doanh_nghiep", "mang", "nha_cung_cap")),
    _c("height_agl_m", "float", "m", "Độ cao anten (m)", "Antenna height (m)",
       ("do_cao", "do_cao_m", "chieu_cao", "height", "height_m", "antenna_height_m"),
       minimum=0, plausible=(3, 150)),
    _c("shared", "bool", "", "Dùng chung", "Shared", ("dung_chung", "chia_se")),
    _c("grid_power", "bool", "", "Điện lưới", "Grid power", ("dien_luoi", "co_dien")),
    _c("sector_id", "str", "", "Mã cell", "Sector id", ("ma_cell", "cell_id", "cell", "ma_sector")),
    _c("tech", "str", "", "Công nghệ", "Technology", ("cong_nghe", "radio", "rat", "technology_rat")),
    _c("band_mhz", "float", "MHz", "Băng tần (MHz)", "Band (MHz)",
       ("bang_tan", "tan_so", "frequency_mhz", "freq_mhz", "band"), minimum=0, plausible=(450, 6000)),
    _c("bandwidth_mhz", "float", "MHz", "Độ rộng băng (MHz)", "Bandwidth (MHz)",
       ("do_rong_bang", "bw_mhz", "bandwidth"), minimum=0, plausible=(1.4, 400)),
    _c("azimuth_deg", "float", "°", "Góc phương vị (°)", "Azimuth (°)",
       ("goc_phuong_vi", "azimuth", "huong"), minimum=0, maximum=360),
    _c("mech_tilt_deg", "float", "°", "Góc ngẩng cơ (°)", "Mechanical tilt (°)",
       ("tilt_co", "mech_tilt", "mtilt"), minimum=-90, maximum=90, plausible=(-5, 20)),
    _c("elec_tilt_deg", "float", "°", "Góc ngẩng điện (°)", "Electrical tilt (°)",
       ("tilt_dien", "elec_tilt", "etilt"), minimum=-90, maximum=90, plausible=(-5, 20)),
    _c("beamwidth_h_deg", "float", "°", "Độ rộng búp ngang (°)", "Horizontal beamwidth (°)",
       ("beamwidth_h", "hbw"), minimum=0, maximum=360),
    _c("beamwidth_v_deg", "float", "°", "Độ rộng búp đứng (°)", "Vertical beamwidth (°)",
       ("beamwidth_v", "vbw"), minimum=0, maximum=180),
    _c("eirp_dbm", "float", "dBm", "EIRP (dBm)", "EIRP (dBm)", ("eirp",), plausible=(20, 80)),
    _c("tx_power_dbm", "float", "dBm", "Công suất phát (dBm)", "Transmit power (dBm)",
       ("cong_suat", "cong_suat_dbm", "tx_power", "power_dbm"), plausible=(10, 60)),
    _c("antenna_gain_dbi", "float", "dBi", "Độ lợi anten (dBi)", "Antenna gain (dBi)",
       ("do_loi", "gain_dbi", "antenna_gain"), plausible=(-5, 30)),
    _c("feeder_loss_db", "float", "dB", "Suy hao feeder (dB)", "Feeder loss (dB)",
       ("suy_hao_feeder", "feeder_loss", "cable_loss_db"), minimum=0, plausible=(0, 10)),
    _c("route_id", "str", "", "Mã tuyến cáp", "Route id", ("ma_tuyen", "tuyen_id", "id")),
    _c("node_id", "str", "", "Mã thiết bị", "Node id", ("ma_thiet_bi", "ma_olt", "ma_tu", "id")),
    _c("technology", "str", "", "Công nghệ", "Technology", ("cong_nghe", "tech", "pon")),
    _c("ports_total", "int", "ports", "Tổng số cổng", "Ports total",
       ("tong_cong", "so_cong", "ports"), minimum=0, plausible=(1, 10_000)),
    _c("ports_used", "int", "ports", "Số cổng đã dùng", "Ports used",
       ("cong_da_dung", "cong_su_dung", "used_ports"), minimum=0),
    _c("max_rate_mbps", "float", "Mbit/s", "Tốc độ tối đa (Mbit/s)", "Max rate (Mbit/s)",
       ("toc_do_toi_da", "max_rate"), minimum=0, plausible=(1, 100_000)),
    _c("rsrp_dbm", "float", "dBm", "RSRP (dBm)", "RSRP (dBm)", ("rsrp", "ss_rsrp", "signal_dbm"),
       plausible=(-144, -30)),
    _c("dl_mbps", "float", "Mbit/s", "Tải xuống (Mbit/s)", "Download (Mbit/s)",
       ("toc_do_tai_xuong", "download_mbps", "download", "dl"), minimum=0, plausible=(0, 5_000)),
    _c("ul_mbps", "float", "Mbit/s", "Tải lên (Mbit/s)", "Upload (Mbit/s)",
       ("toc_do_tai_len", "upload_mbps", "upload", "ul"), minimum=0, plausible=(0, 2_000)),
    _c("time", "datetime", "", "Thời điểm đo", "Measured at", ("thoi_gian", "thoi_diem", "timestamp")),
    _c("source", "str", "", "Nguồn", "Source", ("nguon",)),
    _c("indicator", "str", "", "Chỉ tiêu", "Indicator", ("chi_tieu", "ma_chi_tieu")),
    _c("value", "float", "", "Giá trị", "Value", ("gia_tri",)),
    _c("date", "datetime", "", "Ngày", "Date", ("ngay", "ngay_bao_cao")),
]

COLUMNS: Mapping[str, Column] = MappingProxyType({c.name: c for c in _COLUMN_LIST})
"""Every canonical column, by name."""

OPERATORS: tuple[str, ...] = ("Viettel", "VNPT", "MobiFone", "Vietnamobile")
"""Canonical operator names."""


def _choices(values: dict[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    """Allowed values with their accepted spellings (the value itself is always accepted)."""
    return MappingProxyType({k: tuple(fold(a) for a in (k, *v)) for k, v in values.items()})


_OPERATOR_CHOICES = _choices({
    "Viettel": ("vtl", "viettel telecom", "vietel"),
    "VNPT": ("vinaphone", "vnpt vinaphone", "vnp"),
    "MobiFone": ("mobifone", "mbf", "mobi"),
    "Vietnamobile": ("vnmobile", "vietnam mobile", "vnm"),
})
_ON_AIR = _choices({"on_air": ("active", "dang hoat dong", "hoat dong", "phat song", "existing"),
                    "planned": ("quy hoach", "ke hoach", "du kien", "proposed")})
_TECH = _choices({"2G": ("gsm",), "3G": ("umts", "wcdma"), "4G": ("lte",), "5G": ("nr",)})

LAYERS: Mapping[str, LayerSpec] = MappingProxyType({
    "communes": LayerSpec(
        "communes", "Xã, phường", "Communes and wards", ("Polygon", "MultiPolygon"),
        ("commune_code", "name"), ("kind", "population", "former_district"), "commune_code",
        {"kind": _choices({"xa": ("xã",), "phuong": ("phường", "ward"),
                           "dac_khu": ("đặc khu", "special zone")})},
    ),
    "hamlets": LayerSpec(
        "hamlets", "Thôn, xóm, bản, tổ dân phố", "Hamlets", ("Point", "Polygon", "MultiPolygon"),
        ("hamlet_id", "name"), ("commune_code", "population", "households", "kind"), "hamlet_id",
        {"kind": _choices({"thon": ("thôn", "village"), "xom": ("xóm", "hamlet"), "ban": ("bản",),
                           "to_dan_pho": ("tổ dân phố", "tdp"), "other": ("khac",)})},
        point_table=True,
    ),
    "roads": LayerSpec(
        "roads", "Đường giao thông", "Roads", ("LineString", "MultiLineString"),
        ("road_id", "class"), ("ref", "name"), "road_id",
        {"class": _choices({
            "expressway": ("cao toc", "duong cao toc", "motorway"),
            "national": ("quoc lo", "ql", "trunk", "quoc gia"),
            "provincial": ("tinh lo", "duong tinh", "dt", "dt_tinh", "cap tinh"),
            "district": ("huyen lo", "duong huyen", "dh"),
            "local": ("duong xa", "lien xa", "lien thon", "duong thon", "other"),
        })},
    ),
    "parks": LayerSpec(
        "parks", "Khu, cụm công nghiệp", "Industrial parks", ("Polygon", "MultiPolygon", "Point"),
        ("park_id", "name", "status"), ("area_ha", "enterprises"), "park_id",
        {"status": _choices({
            "operating": ("dang hoat dong", "hoat dong", "van hanh", "active"),
            "building": ("dang xay dung", "xay dung", "under construction", "construction"),
            "planned": ("quy hoach", "du kien", "ke hoach", "chua xay dung", "approved"),
        })},
        point_table=True,
    ),
    "pois": LayerSpec(
        "pois", "Điểm công cộng", "Public places", ("Point",),
        ("poi_id", "name", "kind"), ("commune_code",), "poi_id",
        {"kind": _choices({
            "hospital": ("benh vien",), "university": ("dai hoc", "truong dai hoc", "college"),
            "school": ("truong hoc", "truong"), "health_station": ("tram y te", "clinic"),
            "commune_office": ("ubnd xa", "tru so xa", "townhall"),
            "public_office": ("co quan", "co quan nha nuoc"), "other": ("khac",),
        })},
        point_table=True,
    ),
    "sites": LayerSpec(
        "sites", "Trạm BTS", "BTS sites", ("Point",),
        ("site_id", "operator"), ("height_agl_m", "shared", "grid_power", "status"), "site_id",
        {"operator": _OPERATOR_CHOICES, "status": _ON_AIR},
        point_table=True, open_choices=("operator",),
    ),
    "sectors": LayerSpec(
        "sectors", "Cell / sector", "Sectors", (),
        ("site_id", "sector_id", "tech", "band_mhz"),
        ("bandwidth_mhz", "azimuth_deg", "mech_tilt_deg", "elec_tilt_deg", "beamwidth_h_deg",
         "beamwidth_v_deg", "eirp_dbm", "tx_power_dbm", "antenna_gain_dbi", "feeder_loss_db",
         "height_agl_m", "status"),
        "sector_id",
        {"tech": _TECH, "status": _ON_AIR},
    ),
    "fiber_routes": LayerSpec(
        "fiber_routes", "Tuyến cáp quang", "Fiber routes", ("LineString", "MultiLineString"),
        ("route_id", "operator"), ("kind", "status"), "route_id",
        {"operator": _OPERATOR_CHOICES, "status": _ON_AIR,
         "kind": _choices({"backbone": ("truc", "cap truc"), "distribution": ("phan phoi",),
                           "access": ("truy nhap", "thue bao")})},
        open_choices=("operator",),
    ),
    "fiber_nodes": LayerSpec(
        "fiber_nodes", "Thiết bị quang (OLT, splitter, tủ)", "Fiber nodes", ("Point",),
        ("node_id", "operator", "technology"), ("ports_total", "ports_used", "max_rate_mbps"),
        "node_id",
        {"operator": _OPERATOR_CHOICES,
         "technology": _choices({"GPON": (), "XGS-PON": ("xgspon", "xgs"), "XG-PON": ("xgpon",),
                                 "other": ("epon", "khac")})},
        point_table=True, open_choices=("operator",),
    ),
    "measurements": LayerSpec(
        "measurements", "Điểm đo (i-SPEED, drive test)", "Measurements", ("Point",),
        ("operator", "tech"), ("rsrp_dbm", "dl_mbps", "ul_mbps", "time", "source"), "",
        {"operator": _OPERATOR_CHOICES, "tech": _TECH},
        point_table=True, open_choices=("operator",),
    ),
    "reported": LayerSpec(
        "reported", "Số liệu báo cáo", "Reported figures", (),
        ("indicator", "value", "date"), ("source", "commune_code"), "",
    ),
})
"""Every vector or table layer, by the name used in ``scenario.toml``."""

RASTER_LAYERS: tuple[str, ...] = ("dem", "population")
"""Raster layers: the DEM (metres above sea level) and a population grid (people per cell)."""

VECTOR_LAYERS: tuple[str, ...] = tuple(LAYERS)

REQUIRED_LAYERS: tuple[str, ...] = ("communes",)
"""Layers a scenario must name; every other layer is optional and its indicators are skipped."""


def column(name: str) -> Column:
    """Return the registry entry of a canonical column (``KeyError`` names close matches)."""
    try:
        return COLUMNS[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, COLUMNS, n=3)
        msg = f"unknown column {name!r}; close: {close}"
        raise KeyError(msg) from None


def layer_spec(name: str) -> LayerSpec:
    """Return the spec of an input layer by its scenario name."""
    return LAYERS[name]


def header(name: str, language: str = "vi", with_unit: bool = False) -> str:
    """Report header for a canonical column in ``"vi"`` or ``"en"``; unknown names pass through."""
    col = COLUMNS.get(name)
    if col is None:
        return name
    label = col.label_vi if language == "vi" else col.label_en
    if with_unit and col.unit and f"({col.unit})" not in label:
        label = f"{label} ({col.unit})"
    return label
