"""Static tables behind the synthetic demo province (names, anchors, route templates).

Nothing here is read from disk at run time: the demo must build on a fresh machine. The commune
list (2025 codes, names, kind, the former district each commune mostly came from, the centroid of
the real commune and its 2025 population) is public administrative data of Thái Nguyên province
after the 2025 merger with Bắc Kạn (GSO code lists, Resolution 202/2025/QH15). The demo uses the
centroids only as *anchors*: they are squeezed into a synthetic outline and jittered, so no
geometry of the demo is real. Park names follow the provincial plan texts; their places are
invented.
"""

from __future__ import annotations

__all__ = [
    "COMMUNES",
    "DEMO_COMMUNE",
    "DISTRICT_CENTRES",
    "NATIONAL_ROUTES",
    "RIVERS",
    "PROVINCIAL_REFS",
    "PARKS",
    "REQUIRED_5G_PARKS",
    "NO_5G_PARKS",
    "HOSPITALS",
    "UNIVERSITIES",
    "PUBLIC_OFFICES",
    "KINH_FIRST",
    "KINH_SECOND",
    "TAY_FIRST",
    "TAY_SECOND",
    "REPORTED_SERIES",
    "ANCHOR_OVERRIDES",
]

# (commune_code, name, kind, former_district, anchor lon, anchor lat, population 2025)
COMMUNES: tuple[tuple[str, str, str, str, float, float, int], ...] = (
    ("01840", "Đức Xuân", "phuong", "Thành phố Bắc Kạn", 105.8498, 22.1658, 22660),
    ("01843", "Bắc Kạn", "phuong", "Thành phố Bắc Kạn", 105.8598, 22.1085, 25387),
    ("01849", "Phong Quang", "xa", "Thành phố Bắc Kạn", 105.7555, 22.2038, 6144),
    ("01864", "Bằng Thành", "xa", "Huyện Pác Nặm", 105.6715, 22.6576, 13984),
    ("01879", "Cao Minh", "xa", "Huyện Pác Nặm", 105.6060, 22.5686, 12807),
    ("01882", "Nghiên Loan", "xa", "Huyện Pác Nặm", 105.7220, 22.5527, 11040),
    ("01894", "Phúc Lộc", "xa", "Huyện Ba Bể", 105.8247, 22.4712, 10354),
    ("01906", "Ba Bể", "xa", "Huyện Ba Bể", 105.6272, 22.4385, 11773),
    ("01912", "Chợ Rã", "xa", "Huyện Ba Bể", 105.7262, 22.4395, 14507),
    ("01921", "Thượng Minh", "xa", "Huyện Ba Bể", 105.8116, 22.3536, 11030),
    ("01933", "Đồng Phúc", "xa", "Huyện Ba Bể", 105.7005, 22.3125, 11722),
    ("01936", "Nà Phặc", "xa", "Huyện Ngân Sơn", 105.9043, 22.4020, 9231),
    ("01942", "Bằng Vân", "xa", "Huyện Ngân Sơn", 106.0523, 22.5080, 5643),
    ("01954", "Ngân Sơn", "xa", "Huyện Ngân Sơn", 105.9824, 22.4626, 8260),
    ("01957", "Thượng Quan", "xa", "Huyện Ngân Sơn", 106.0593, 22.3779, 3753),
    ("01960", "Hiệp Lực", "xa", "Huyện Ngân Sơn", 105.9680, 22.3273, 7317),
    ("01969", "Phủ Thông", "xa", "Huyện Bạch Thông", 105.8515, 22.2673, 13320),
    ("01981", "Vĩnh Thông", "xa", "Huyện Bạch Thông", 105.9700, 22.2197, 4631),
    ("02008", "Cẩm Giàng", "xa", "Huyện Bạch Thông", 105.8951, 22.1881, 11342),
    ("02014", "Bạch Thông", "xa", "Huyện Bạch Thông", 105.7071, 22.1381, 8251),
    ("02020", "Chợ Đồn", "xa", "Huyện Chợ Đồn", 105.5948, 22.1731, 16252),
    ("02026", "Nam Cường", "xa", "Huyện Chợ Đồn", 105.5636, 22.3437, 10793),
    ("02038", "Quảng Bạch", "xa", "Huyện Chợ Đồn", 105.6039, 22.2692, 3815),
    ("02044", "Yên Thịnh", "xa", "Huyện Chợ Đồn", 105.5023, 22.2174, 5476),
    ("02071", "Nghĩa Tá", "xa", "Huyện Chợ Đồn", 105.5274, 22.0530, 7787),
    ("02083", "Yên Phong", "xa", "Huyện Chợ Đồn", 105.6302, 22.0727, 7379),
    ("02086", "Chợ Mới", "xa", "Huyện Chợ Mới", 105.8232, 21.8769, 14219),
    ("02101", "Thanh Mai", "xa", "Huyện Chợ Mới", 105.7591, 22.0561, 7406),
    ("02104", "Tân Kỳ", "xa", "Huyện Chợ Mới", 105.8976, 22.0481, 7718),
    ("02107", "Thanh Thịnh", "xa", "Huyện Chợ Mới", 105.8210, 21.9633, 8802),
    ("02116", "Yên Bình", "xa", "Huyện Chợ Mới", 105.9359, 21.9433, 7036),
    ("02143", "Văn Lang", "xa", "Huyện Na Rì", 106.0607, 22.2586, 7558),
    ("02152", "Cường Lợi", "xa", "Huyện Na Rì", 106.1733, 22.3151, 5731),
    ("02155", "Na Rì", "xa", "Huyện Na Rì", 106.1793, 22.2152, 11494),
    ("02176", "Trần Phú", "xa", "Huyện Na Rì", 106.1186, 22.1400, 7049),
    ("02185", "Côn Minh", "xa", "Huyện Na Rì", 106.0246, 22.1038, 6635),
    ("02191", "Xuân Dương", "xa", "Huyện Na Rì", 106.0341, 21.9993, 7012),
    ("05443", "Phan Đình Phùng", "phuong", "Thành phố Thái Nguyên", 105.8338, 21.5887, 111482),
    ("05455", "Quyết Thắng", "phuong", "Thành phố Thái Nguyên", 105.7937, 21.5819, 29933),
    ("05467", "Gia Sàng", "phuong", "Thành phố Thái Nguyên", 105.8818, 21.5621, 44094),
    ("05482", "Quan Triều", "phuong", "Thành phố Thái Nguyên", 105.7954, 21.6301, 42292),
    ("05488", "Đại Phúc", "xa", "Thành phố Thái Nguyên", 105.7095, 21.5765, 39220),
    ("05500", "Tích Lương", "phuong", "Thành phố Thái Nguyên", 105.8507, 21.5432, 55278),
    ("05503", "Tân Cương", "xa", "Thành phố Thái Nguyên", 105.7869, 21.5194, 25525),
    ("05518", "Sông Công", "phuong", "Thành phố Sông Công", 105.8490, 21.4579, 21039),
    ("05528", "Bách Quang", "phuong", "Thành phố Sông Công", 105.8680, 21.5063, 26668),
    ("05533", "Bá Xuyên", "phuong", "Thành phố Sông Công", 105.8205, 21.4836, 20065),
    ("05542", "Lam Vỹ", "xa", "Huyện Định Hóa", 105.6912, 21.9978, 8073),
    ("05551", "Kim Phượng", "xa", "Huyện Định Hóa", 105.6263, 21.9670, 11104),
    ("05563", "Phượng Tiến", "xa", "Huyện Định Hóa", 105.7095, 21.9247, 13312),
    ("05569", "Định Hóa", "xa", "Huyện Định Hóa", 105.5938, 21.9101, 22333),
    ("05581", "Trung Hội", "xa", "Huyện Định Hóa", 105.6336, 21.8221, 13863),
    ("05587", "Bình Yên", "xa", "Huyện Định Hóa", 105.5729, 21.8597, 16106),
    ("05602", "Phú Đình", "xa", "Huyện Định Hóa", 105.5283, 21.8089, 11746),
    ("05605", "Bình Thành", "xa", "Huyện Định Hóa", 105.5714, 21.7878, 11525),
    ("05611", "Phú Lương", "xa", "Huyện Phú Lương", 105.7259, 21.7440, 43914),
    ("05620", "Yên Trạch", "xa", "Huyện Phú Lương", 105.7185, 21.8467, 23543),
    ("05632", "Hợp Thành", "xa", "Huyện Phú Lương", 105.6601, 21.7674, 10828),
    ("05641", "Vô Tranh", "xa", "Huyện Phú Lương", 105.7715, 21.7044, 38253),
    ("05662", "Trại Cau", "xa", "Huyện Đồng Hỷ", 106.0107, 21.5889, 17327),
    ("05665", "Văn Lăng", "xa", "Huyện Đồng Hỷ", 105.8294, 21.7857, 9503),
    ("05674", "Quang Sơn", "xa", "Huyện Đồng Hỷ", 105.8778, 21.7350, 10837),
    ("05680", "Văn Hán", "xa", "Huyện Đồng Hỷ", 105.9292, 21.6645, 19935),
    ("05692", "Đồng Hỷ", "xa", "Huyện Đồng Hỷ", 105.8337, 21.6732, 31012),
    ("05707", "Nam Hòa", "xa", "Huyện Đồng Hỷ", 105.9644, 21.6261, 16237),
    ("05710", "Linh Sơn", "phuong", "Thành phố Thái Nguyên", 105.8572, 21.6131, 46733),
    ("05716", "Võ Nhai", "xa", "Huyện Võ Nhai", 106.0750, 21.7551, 17509),
    ("05719", "Sảng Mộc", "xa", "Huyện Võ Nhai", 106.0038, 21.9018, 3286),
    ("05722", "Nghinh Tường", "xa", "Huyện Võ Nhai", 106.0605, 21.8491, 6554),
    ("05725", "Thần Sa", "xa", "Huyện Võ Nhai", 105.9244, 21.8287, 6010),
    ("05740", "La Hiên", "xa", "Huyện Võ Nhai", 105.9483, 21.7416, 12269),
    ("05746", "Tràng Xá", "xa", "Huyện Võ Nhai", 106.0634, 21.6888, 14609),
    ("05755", "Dân Tiến", "xa", "Huyện Võ Nhai", 106.1633, 21.6767, 19390),
    ("05773", "Phú Xuyên", "xa", "Huyện Đại Từ", 105.5200, 21.6758, 23053),
    ("05776", "Đức Lương", "xa", "Huyện Đại Từ", 105.5881, 21.7393, 13181),
    ("05788", "Phú Lạc", "xa", "Huyện Đại Từ", 105.6523, 21.6838, 21105),
    ("05800", "Phú Thịnh", "xa", "Huyện Đại Từ", 105.5748, 21.6881, 21333),
    ("05809", "An Khánh", "xa", "Huyện Đại Từ", 105.7223, 21.6276, 20104),
    ("05818", "La Bằng", "xa", "Huyện Đại Từ", 105.5614, 21.6225, 18237),
    ("05830", "Đại Từ", "xa", "Huyện Đại Từ", 105.6082, 21.5905, 27021),
    ("05845", "Vạn Phú", "xa", "Huyện Đại Từ", 105.6369, 21.5497, 22062),
    ("05851", "Quân Chu", "xa", "Huyện Đại Từ", 105.6814, 21.4922, 13096),
    ("05857", "Phúc Thuận", "phuong", "Thành phố Phổ Yên", 105.7648, 21.4521, 29051),
    ("05860", "Phổ Yên", "phuong", "Thành phố Phổ Yên", 105.8682, 21.4372, 49162),
    ("05881", "Thành Công", "xa", "Thành phố Phổ Yên", 105.7930, 21.3982, 28281),
    ("05890", "Vạn Xuân", "phuong", "Thành phố Phổ Yên", 105.8980, 21.3984, 61610),
    ("05899", "Trung Thành", "phuong", "Thành phố Phổ Yên", 105.8805, 21.3595, 37075),
    ("05908", "Phú Bình", "xa", "Huyện Phú Bình", 105.9555, 21.4735, 44845),
    ("05917", "Tân Khánh", "xa", "Huyện Phú Bình", 105.9405, 21.5446, 23724),
    ("05923", "Tân Thành", "xa", "Huyện Phú Bình", 106.0059, 21.5058, 25724),
    ("05941", "Điềm Thụy", "xa", "Huyện Phú Bình", 105.9212, 21.4567, 41860),
    ("05953", "Kha Sơn", "xa", "Huyện Phú Bình", 106.0092, 21.4330, 42240),
)

DEMO_COMMUNE = "Trần Phú"
"""The commune that ``preset="commune"`` cuts out (a mountain commune crossed by QL3B)."""

# Anchor overrides (lon, lat): Trần Phú is moved west, between Bắc Kạn and Côn Minh on the QL3B
# line, where its neighbours are close enough for a typical 40-80 km² mountain commune.
ANCHOR_OVERRIDES: dict[str, tuple[float, float]] = {"Trần Phú": (105.955, 22.12)}

DISTRICT_CENTRES: tuple[str, ...] = (
    "Phan Đình Phùng", "Sông Công", "Phổ Yên", "Bắc Kạn", "Đại Từ", "Định Hóa", "Phú Lương",
    "Đồng Hỷ", "Võ Nhai", "Phú Bình", "Chợ Mới", "Chợ Đồn", "Phủ Thông", "Chợ Rã", "Ngân Sơn",
    "Na Rì", "Bằng Thành",
)
"""Communes holding a former district town: the provincial road network joins them first."""

# Route templates: (ref, class, name, waypoints). A waypoint is a commune name (its seed point) or
# "edge:<bearing>", the province edge reached from the neighbouring waypoint on that compass
# bearing (degrees).
NATIONAL_ROUTES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("CT07", "expressway", "Cao tốc Hà Nội – Thái Nguyên – Chợ Mới",
     ("edge:190", "Vạn Xuân", "Bách Quang", "Gia Sàng", "Linh Sơn", "Đồng Hỷ", "Văn Lăng",
      "Chợ Mới")),
    ("QL3", "national", "Quốc lộ 3",
     ("edge:185", "Trung Thành", "Phổ Yên", "Sông Công", "Bách Quang", "Tích Lương",
      "Phan Đình Phùng", "Quan Triều", "Vô Tranh", "Phú Lương", "Chợ Mới", "Thanh Thịnh",
      "Bắc Kạn", "Đức Xuân", "Phủ Thông", "Nà Phặc", "Ngân Sơn", "edge:20")),
    ("QL3B", "national", "Quốc lộ 3B", ("Bắc Kạn", "Trần Phú", "Côn Minh", "Na Rì", "edge:80")),
    ("QL3C", "national", "Quốc lộ 3C",
     ("Phủ Thông", "Bạch Thông", "Chợ Đồn", "Yên Thịnh", "edge:270")),
    ("QL37", "national", "Quốc lộ 37",
     ("edge:280", "Phú Thịnh", "Đại Từ", "Vạn Phú", "Tân Cương", "Bá Xuyên", "Sông Công",
      "Điềm Thụy", "Phú Bình", "Kha Sơn", "edge:120")),
    ("QL1B", "national", "Quốc lộ 1B",
     ("Phan Đình Phùng", "Linh Sơn", "Đồng Hỷ", "La Hiên", "Võ Nhai", "edge:80")),
    ("QL17", "national", "Quốc lộ 17", ("Linh Sơn", "Nam Hòa", "Trại Cau", "Tân Thành", "edge:135")),
    ("QL279", "national", "Quốc lộ 279",
     ("edge:290", "Ba Bể", "Chợ Rã", "Thượng Minh", "Nà Phặc", "Hiệp Lực", "Thượng Quan",
      "edge:90")),
)

RIVERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Sông Cầu", ("Chợ Đồn", "Bắc Kạn", "Thanh Thịnh", "Chợ Mới", "Vô Tranh", "Quan Triều",
                  "Gia Sàng", "Tân Khánh", "Điềm Thụy", "edge:150")),
    ("Sông Công", ("Phú Đình", "Bình Thành", "Phú Thịnh", "Đại Từ", "Vạn Phú", "Tân Cương",
                   "Bá Xuyên", "Sông Công", "Trung Thành", "edge:200")),
    ("Sông Năng", ("Nghiên Loan", "Ba Bể", "Chợ Rã", "edge:300")),
    ("Sông Bắc Giang", ("Ngân Sơn", "Hiệp Lực", "Cường Lợi", "Na Rì", "edge:100")),
)

PROVINCIAL_REFS: tuple[str, ...] = (
    "ĐT261", "ĐT254", "ĐT254B", "ĐT255", "ĐT256", "ĐT257", "ĐT258", "ĐT258B", "ĐT259",
    "ĐT260", "ĐT262", "ĐT263", "ĐT264", "ĐT264B", "ĐT265", "ĐT266", "ĐT268", "ĐT269",
    "ĐT269B", "ĐT270", "ĐT271", "ĐT272", "ĐT273", "ĐT274", "ĐT275", "ĐT276", "ĐT277",
    "ĐT278", "ĐT252", "ĐT253", "ĐT251", "ĐT250",
)

# (name, host commune, status, area_ha, enterprises)
PARKS: tuple[tuple[str, str, str, float, int], ...] = (
    ("Yên Bình", "Vạn Xuân", "operating", 400.0, 42),
    ("Điềm Thụy – Khu A", "Điềm Thụy", "operating", 180.0, 26),
    ("Sông Công II", "Bách Quang", "operating", 250.0, 21),
    ("Sông Công I", "Sông Công", "operating", 220.0, 47),
    ("Nam Phổ Yên", "Thành Công", "operating", 200.0, 12),
    ("Điềm Thụy – Khu B", "Điềm Thụy", "operating", 170.0, 8),
    ("Quyết Thắng", "Quyết Thắng", "building", 200.0, 3),
    ("Tây Phổ Yên", "Phúc Thuận", "building", 200.0, 2),
    ("Thanh Bình", "Chợ Mới", "building", 150.0, 4),
    ("Trung Thành", "Trung Thành", "building", 120.0, 1),
    ("Phú Bình", "Phú Bình", "planned", 650.0, 0),
    ("Kha Sơn", "Kha Sơn", "planned", 100.0, 0),
    ("Đại Từ", "Đại Từ", "planned", 150.0, 0),
    ("Yên Bình 3", "Điềm Thụy", "planned", 295.0, 0),
)
REQUIRED_5G_PARKS: tuple[str, ...] = ("Yên Bình", "Điềm Thụy – Khu A", "Sông Công II")
"""Parks named by plan 003 (K1a, K4): each gets an in-park 5G site."""
NO_5G_PARKS: tuple[str, ...] = ("Nam Phổ Yên", "Sông Công I")
"""Operating parks around which every 5G carrier is switched off (K1 must flag them)."""

HOSPITALS: tuple[tuple[str, str], ...] = (
    ("Bệnh viện Trung ương Thái Nguyên", "Phan Đình Phùng"),
    ("Bệnh viện C Thái Nguyên", "Phan Đình Phùng"),
    ("Bệnh viện A Thái Nguyên", "Quan Triều"),
    ("Bệnh viện Gang Thép", "Gia Sàng"),
    ("Bệnh viện Đa khoa Bắc Kạn", "Đức Xuân"),
    ("Bệnh viện Đa khoa Phổ Yên", "Phổ Yên"),
    ("Bệnh viện Đa khoa Đại Từ", "Đại Từ"),
    ("Bệnh viện Đa khoa Định Hóa", "Định Hóa"),
    ("Bệnh viện Đa khoa Ba Bể", "Chợ Rã"),
)
UNIVERSITIES: tuple[tuple[str, str], ...] = (
    ("Trường Đại học Y – Dược, Đại học Thái Nguyên", "Phan Đình Phùng"),
    ("Trường Đại học Sư phạm, Đại học Thái Nguyên", "Phan Đình Phùng"),
    ("Trường Đại học Kỹ thuật Công nghiệp", "Tích Lương"),
    ("Trường Đại học Nông Lâm", "Quyết Thắng"),
    ("Trường Đại học Kinh tế và Quản trị Kinh doanh", "Quyết Thắng"),
    ("Trường Đại học Công nghệ Thông tin và Truyền thông", "Quyết Thắng"),
    ("Trường Đại học Khoa học", "Quyết Thắng"),
)
PUBLIC_OFFICES: tuple[tuple[str, str], ...] = (
    ("Trụ sở HĐND – UBND tỉnh Thái Nguyên", "Phan Đình Phùng"),
    ("Sở Khoa học và Công nghệ", "Phan Đình Phùng"),
    ("Sở Y tế", "Phan Đình Phùng"),
    ("Sở Giáo dục và Đào tạo", "Phan Đình Phùng"),
    ("Trung tâm Phục vụ hành chính công tỉnh", "Phan Đình Phùng"),
    ("Ban Quản lý các khu công nghiệp", "Tích Lương"),
    ("Cơ sở hành chính Bắc Kạn", "Đức Xuân"),
)

KINH_FIRST: tuple[str, ...] = (
    "Đồng", "Tân", "Trung", "Làng", "Bãi", "Cầu", "Gò", "Soi", "Núi", "Xuân", "Phú", "Hợp",
    "Long", "Đoàn", "Quyết", "Thống", "Hòa", "Tiến", "Cây", "Trại", "Bờ", "Na",
)
KINH_SECOND: tuple[str, ...] = (
    "Tâm", "Lập", "Nhất", "Bình", "Mới", "Xe", "Mai", "Bằng", "Thành", "Tiến", "Kết", "Đình",
    "Bầu", "Hoàng", "Thị", "Chủ", "Sang", "Cài", "Đậu", "Kem", "Hòa", "Bộ", "Thọ", "Danh", "Mít",
    "Phấn", "Đá", "Cả", "Sơn", "Giang", "Chè", "Vàng",
)
TAY_FIRST: tuple[str, ...] = (
    "Nà", "Khuổi", "Pác", "Phiêng", "Khau", "Cốc", "Lủng", "Bản", "Pò", "Nặm", "Khâu", "Slam",
    "Tổng", "Kéo", "Bó", "Nà Làng", "Thẳm", "Phja",
)
TAY_SECOND: tuple[str, ...] = (
    "Pục", "Mạ", "Lùng", "Quang", "Vài", "Cọ", "Đẩy", "Lạn", "Tràng", "Hin", "Mòn", "Coóc",
    "Slảng", "Mu", "Khang", "Chang", "Piềng", "Ngần", "Luông", "Mực", "Mỏ", "Chả", "Đon",
    "Phầy", "Sliến", "Tát", "Pàn", "Hẩu", "Lác", "Táu",
)

# (indicator, source, ((date, value), ...)): values in per cent; N7 is the growth of private
# mobile revenue (%/year), one series per indicator so (indicator, date, commune) is a key.
REPORTED_SERIES: tuple[tuple[str, str, tuple[tuple[str, float], ...]], ...] = (
    ("N1", "VNNIC – thống kê IPv6", (("2023-12-31", 58.2), ("2024-12-31", 66.5),
                                     ("2025-06-30", 71.3))),
    ("N2", "Sở Khoa học và Công nghệ", (("2024-06-30", 38.5), ("2024-12-31", 45.0),
                                        ("2025-06-30", 52.4))),
    ("N3", "VNNIC – tên miền .vn", (("2023-12-31", 41.0), ("2024-12-31", 44.6),
                                    ("2025-06-30", 47.1))),
    ("N4", "Ban Quản lý các khu công nghiệp", (("2024-12-31", 18.0), ("2025-06-30", 24.5))),
    ("N5", "Ban Quản lý các khu công nghiệp", (("2024-12-31", 22.0), ("2025-06-30", 27.0))),
    ("N6", "Ban Quản lý các khu công nghiệp", (("2024-12-31", 6.0), ("2025-06-30", 9.5))),
    ("N7", "Sở Khoa học và Công nghệ – doanh thu di động", (("2023-12-31", 8.9),
                                                            ("2024-12-31", 10.2),
                                                            ("2025-06-30", 11.4))),
)
