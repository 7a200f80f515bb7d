"""Link budget: resource blocks, RSRP per resource element, noise, fading margin, throughput.

Resource blocks
    ``N_RB`` per channel bandwidth: LTE from 3GPP TS 36.101 Table 5.6-1 (15 kHz subcarriers);
    NR FR1 at 30 kHz subcarrier spacing from 3GPP TS 38.101-1 Table 5.3.2-1. Bandwidths that
    the tables do not list take ``floor(0.9 · B / (12 · Δf))`` (about the tables' 90 % occupancy).
RSRP
    Reference-signal received power is the power of one resource element (3GPP TS 36.214
    §5.1.1, TS 38.215 §5.1.1): with the sector's power spread evenly over its
    ``12 · N_RB`` subcarriers, ``RSRP = EIRP − 10 log10(12 · N_RB) − L − A`` (dBm), ``L`` the path
    loss and ``A`` the antenna pattern attenuation.
Thermal noise
    ``N = −174 dBm/Hz + 10 log10(B) + NF`` over the channel bandwidth ``B`` (kTB at 290 K),
    per resource element ``N − 10 log10(12 · N_RB)``.
Shadow-fading margin
    For log-normal shadowing of standard deviation ``σ``, the margin that gives a cell-edge
    coverage probability ``p`` is ``σ · Q⁻¹(1 − p) = σ · Φ⁻¹(p)`` (e.g. 8 dB, 75 % → 5.40 dB).
Throughput
    Bounded Shannon mapping of 3GPP TR 36.942 Annex A.2::

        Thr = 0                          SINR < SINR_min
        Thr = α · log2(1 + SINR)          SINR_min ≤ SINR < SINR_max
        Thr = Thr_max                    SINR ≥ SINR_max

    in bit/s/Hz, Table A.2.1 (downlink): ``α = 0.6``, ``SINR_min = −10 dB``,
    ``Thr_max = 4.4 bit/s/Hz`` (so ``SINR_max ≈ 22 dB``). The rate is
    ``Thr · B · layers · (1 − overhead)``. For NR the ceiling defaults to 7.4063 bit/s/Hz, the
    largest spectral efficiency of TS 38.214 Table 5.1.3.1-2 (256QAM, code rate 948/1024), and
    the overhead to 0.14, the FR1 downlink overhead of TS 38.306 §4.1.2.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from phusong.coverage.models._validity import as_float_array, require_positive
from phusong.errors import InputError

__all__ = [
    "LTE_N_RB",
    "NR_N_RB_30KHZ",
    "THERMAL_NOISE_DBM_HZ",
    "n_resource_blocks",
    "subcarrier_spacing_khz",
    "rsrp_per_re_dbm",
    "thermal_noise_dbm",
    "fading_margin_db",
    "bounded_shannon_se",
    "shannon_throughput_mbps",
    "sinr_max_db",
]

log = logging.getLogger(__name__)

#: LTE transmission bandwidth configuration N_RB per channel bandwidth (MHz), TS 36.101 Table 5.6-1.
LTE_N_RB: dict[float, int] = {1.4: 6, 3.0: 15, 5.0: 25, 10.0: 50, 15.0: 75, 20.0: 100}
#: NR FR1 N_RB at 30 kHz SCS per channel bandwidth (MHz), TS 38.101-1 Table 5.3.2-1.
NR_N_RB_30KHZ: dict[float, int] = {
    5.0: 11, 10.0: 24, 15.0: 38, 20.0: 51, 25.0: 65, 30.0: 78, 40.0: 106, 50.0: 133,
    60.0: 162, 70.0: 189, 80.0: 217, 90.0: 245, 100.0: 273}
#: Thermal noise power density at 290 K (dBm/Hz).
THERMAL_NOISE_DBM_HZ = -174.0


def subcarrier_spacing_khz(tech: str) -> float:
    """Subcarrier spacing assumed for a technology: 15 kHz (4G LTE), 30 kHz (5G NR FR1)."""
    if tech == "4G":
        return 15.0
    if tech == "5G":
        return 30.0
    msg = f"link budget: technology {tech!r} is not predicted; use '4G' or '5G'."
    raise InputError(msg)


def n_resource_blocks(bandwidth_mhz: ArrayLike, tech: str) -> NDArray[np.int64]:
    """Number of resource blocks of a carrier (TS 36.101 Table 5.6-1 / TS 38.101-1 Table 5.3.2-1).

    Parameters
    ----------
    bandwidth_mhz
        Channel bandwidth in MHz.
    tech
        ``"4G"`` (LTE, 15 kHz subcarriers) or ``"5G"`` (NR FR1, 30 kHz).

    Returns
    -------
    numpy.ndarray
        ``N_RB`` (int64, at least 1), from the table where the bandwidth is listed, else
        ``floor(0.9 · B / (12 · Δf))``.
    """
    bw = as_float_array(bandwidth_mhz, "bandwidth_mhz", "link budget")
    require_positive(bw, "bandwidth_mhz", "MHz", "link budget")
    table = LTE_N_RB if tech == "4G" else NR_N_RB_30KHZ
    scs = subcarrier_spacing_khz(tech)
    out = np.maximum(np.floor(0.9 * bw * 1000.0 / (12.0 * scs)), 1.0).astype(np.int64)
    for b, n in table.items():
        out = np.where(np.abs(bw - b) < 1e-6, n, out)
    return out


def rsrp_per_re_dbm(eirp_dbm: ArrayLike, n_rb: ArrayLike) -> NDArray[np.float64]:
    """EIRP of one resource element (dBm): ``EIRP − 10 log10(12 · N_RB)`` (TS 36.214 §5.1.1)."""
    return (np.asarray(eirp_dbm, dtype=np.float64)
            - 10.0 * np.log10(12.0 * np.asarray(n_rb, dtype=np.float64)))


def thermal_noise_dbm(bandwidth_hz: ArrayLike, noise_figure_db: float) -> NDArray[np.float64]:
    """Receiver noise ``−174 dBm/Hz + 10 log10(B) + NF`` (dBm) over ``bandwidth_hz``."""
    b = as_float_array(bandwidth_hz, "bandwidth_hz", "thermal noise")
    require_positive(b, "bandwidth_hz", "Hz", "thermal noise")
    return THERMAL_NOISE_DBM_HZ + 10.0 * np.log10(b) + noise_figure_db


def fading_margin_db(sigma_db: float, edge_probability: float) -> float:
    """Shadow-fading margin ``σ · Q⁻¹(1 − p)`` (dB) for cell-edge coverage probability ``p``.

    Parameters
    ----------
    sigma_db
        Standard deviation of the log-normal shadowing in dB (≥ 0).
    edge_probability
        Wanted probability of coverage at the cell edge, in [0.5, 1).

    Returns
    -------
    float
        The margin in dB (0 for ``p = 0.5``).
    """
    from scipy.special import ndtri

    if not (0.0 < edge_probability < 1.0) or not (sigma_db >= 0.0):
        msg = (f"fading margin: edge_probability must lie in (0, 1) and sigma_db be ≥ 0; got "
               f"{edge_probability!r} and {sigma_db!r}.")
        raise InputError(msg)
    return float(sigma_db * ndtri(edge_probability))


def sinr_max_db(alpha: float, max_se_bps_hz: float) -> float:
    """SINR (dB) at which ``α log2(1 + SINR)`` reaches ``Thr_max`` (TR 36.942 Annex A.2)."""
    return 10.0 * math.log10(2.0 ** (max_se_bps_hz / alpha) - 1.0)


def bounded_shannon_se(sinr_db: ArrayLike, alpha: float = 0.6, sinr_min_db: float = -10.0,
                       max_se_bps_hz: float = 4.4) -> NDArray[np.float64]:
    """Spectral efficiency (bit/s/Hz) of 3GPP TR 36.942 Annex A.2 from SINR (dB).

    Parameters
    ----------
    sinr_db
        SINR in dB; NaN gives NaN.
    alpha
        Attenuation factor ``α`` (implementation losses), Table A.2.1: 0.6.
    sinr_min_db
        Below this SINR the throughput is 0; Table A.2.1: −10 dB.
    max_se_bps_hz
        Ceiling ``Thr_max``; Table A.2.1 (downlink): 4.4 bit/s/Hz.

    Returns
    -------
    numpy.ndarray
        bit/s/Hz, float64.
    """
    s = np.asarray(sinr_db, dtype=np.float64)
    with np.errstate(over="ignore"):
        se = np.minimum(alpha * np.log2(1.0 + 10.0 ** (s / 10.0)), max_se_bps_hz)
    return np.where(s < sinr_min_db, 0.0, se)


def shannon_throughput_mbps(sinr_db: ArrayLike, bandwidth_mhz: ArrayLike, *,
                            alpha: float = 0.6, sinr_min_db: float = -10.0,
                            max_se_bps_hz: float = 4.4, mimo_layers: ArrayLike = 1,
                            overhead: ArrayLike = 0.0) -> NDArray[np.float64]:
    """Downlink rate (Mbit/s): bounded Shannon (TR 36.942 Annex A.2) × B × layers × (1 − OH).

    Parameters
    ----------
    sinr_db
        SINR in dB.
    bandwidth_mhz
        Channel bandwidth in MHz.
    alpha, sinr_min_db, max_se_bps_hz
        As for :func:`bounded_shannon_se`.
    mimo_layers
        Spatial layers (the rate scales with them: an ideal-MIMO simplification).
    overhead
        Share of resources spent on control and reference signals, in [0, 1).

    Returns
    -------
    numpy.ndarray
        Mbit/s, float64.
    """
    se = bounded_shannon_se(sinr_db, alpha, sinr_min_db, max_se_bps_hz)
    return (se * np.asarray(bandwidth_mhz, dtype=np.float64)
            * np.asarray(mimo_layers, dtype=np.float64)
            * (1.0 - np.asarray(overhead, dtype=np.float64)))
