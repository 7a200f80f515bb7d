"""The sectors the engine predicts, with their link budget filled in.

One row per on-air 4G or 5G sector of an on-air site (``status`` "planned" on the sector or
its site leaves it out), in the order of the sectors layer; the engine's ``server`` rasters
index this table. Missing values take the scenario's defaults (``[radio] default_*``):

* EIRP (dBm): ``eirp_dbm``, else ``tx_power_dbm + antenna_gain_dbi − feeder_loss_db``;
* antenna height above ground: the sector's, else the site's, else the default;
* bandwidth: the sector's, else the technology's default; ``N_RB`` from 3GPP TS 36.101
  Table 5.6-1 (4G) or TS 38.101-1 Table 5.3.2-1 (5G, 30 kHz);
* EIRP per resource element: ``EIRP − 10 log10(12 · N_RB)`` (the RSRP reference);
* noise per resource element: ``−174 + 10 log10(B) + NF − 10 log10(12 · N_RB)`` (dBm);
* azimuth: missing means omnidirectional; downtilt = mechanical + electrical (missing = 0);
* beamwidths: the sector's, else the defaults;
* calibration offset and slope from ``radio.offsets_db`` / ``radio.slopes_db_per_decade``
  under the key ``<operator>_<tech>``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from phusong.config import RadioConfig
from phusong.coverage.grid import TECHS
from phusong.coverage.models.link import n_resource_blocks, rsrp_per_re_dbm, thermal_noise_dbm
from phusong.errors import InputError

__all__ = ["calibration_key", "sector_table"]

log = logging.getLogger(__name__)

COLUMNS = ("sector_id", "site_id", "operator", "tech", "band_mhz", "bandwidth_mhz", "n_rb",
           "eirp_dbm", "eirp_re_dbm", "height_agl_m", "azimuth_deg", "omni", "tilt_deg",
           "beamwidth_h_deg", "beamwidth_v_deg", "max_radius_m", "offset_db", "slope_db",
           "noise_re_dbm", "x", "y")


def calibration_key(operator: str, tech: str) -> str:
    """Key of an operator and technology in ``radio.offsets_db``: ``"Viettel_4G"``."""
    return f"{operator}_{tech}"


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A numeric column as float (NaN where missing or absent)."""
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[name], errors="coerce").astype(float)


def _on_air(values: pd.Series | None, index: pd.Index) -> pd.Series:
    if values is None:
        return pd.Series(True, index=index)
    return values.astype("string").fillna("on_air") != "planned"


def sector_table(sites: pd.DataFrame | None, sectors: pd.DataFrame | None, radio: RadioConfig,
                 operators: Sequence[str] | None = None) -> pd.DataFrame:
    """The predicted sectors with their link budget (columns :data:`COLUMNS`), index 0 … n−1.

    Parameters
    ----------
    sites
        Sites (``site_id``, ``operator``, point geometry in the working CRS; optional
        ``height_agl_m``, ``status``).
    sectors
        Sectors (canonical columns of the ``sectors`` layer).
    radio
        Radio settings (defaults, maximum radius per technology, calibration).
    operators
        Only these operators (``None``: all).

    Raises
    ------
    InputError
        If there are no sites or sectors, or no on-air 4G/5G sector of the chosen operators.
    """
    if sites is None or sectors is None or len(sites) == 0 or len(sectors) == 0:
        msg = ("coverage: the scenario needs a sites layer and a sectors layer with rows; "
               "name them under [layers.sites] and [layers.sectors].")
        raise InputError(msg)
    site = pd.DataFrame({
        "site_id": sites["site_id"].astype(str).to_numpy(),
        "operator": sites["operator"].astype(str).to_numpy(),
        "site_height_m": _column(sites, "height_agl_m").to_numpy(),
        "site_on_air": _on_air(sites.get("status"), sites.index).to_numpy(),
        "x": sites.geometry.x.to_numpy(), "y": sites.geometry.y.to_numpy(),
    }).drop_duplicates("site_id")
    sec = pd.DataFrame(sectors).copy()
    sec["site_id"] = sec["site_id"].astype(str)
    sec["sector_on_air"] = _on_air(sec.get("status"), sec.index)
    merged = sec.merge(site, on="site_id", how="left", validate="many_to_one")
    orphan = merged["operator"].isna()
    if orphan.any():
        shown = ", ".join(merged.loc[orphan, "site_id"].drop_duplicates().head(3))
        log.warning("coverage: %d sector(s) name a site that is not in the sites layer (%s …); "
                    "they are not predicted", int(orphan.sum()), shown)
    tech = merged["tech"].astype(str)
    keep = (~orphan & tech.isin(TECHS) & merged["sector_on_air"].astype(bool)
            & merged["site_on_air"].fillna(False).astype(bool)
            & _column(merged, "band_mhz").gt(0))
    if operators is not None:
        keep &= merged["operator"].isin(list(operators))
    m = merged.loc[keep].reset_index(drop=True)
    if m.empty:
        chosen = f" of {', '.join(operators)}" if operators is not None else ""
        msg = (f"coverage: no on-air 4G or 5G sector{chosen} to predict (sectors of 2G/3G, "
               "planned ones and ones on planned sites are not predicted).")
        raise InputError(msg)
    tech = m["tech"].astype(str).to_numpy()
    is5 = tech == "5G"
    bw = _column(m, "bandwidth_mhz").to_numpy()
    bw = np.where(np.isfinite(bw) & (bw > 0), bw,
                  np.where(is5, radio.default_bandwidth_5g_mhz, radio.default_bandwidth_4g_mhz))
    n_rb = np.where(is5, n_resource_blocks(bw, "5G"), n_resource_blocks(bw, "4G"))
    power = _column(m, "tx_power_dbm").fillna(radio.default_tx_power_dbm)
    gain = _column(m, "antenna_gain_dbi").fillna(radio.default_antenna_gain_dbi)
    feeder = _column(m, "feeder_loss_db").fillna(0.0)
    eirp = _column(m, "eirp_dbm").fillna(power + gain - feeder).to_numpy()
    height = (_column(m, "height_agl_m").fillna(m["site_height_m"].astype(float))
              .fillna(radio.default_height_agl_m).to_numpy())
    azimuth = _column(m, "azimuth_deg").to_numpy()
    tilt = (_column(m, "mech_tilt_deg").fillna(0.0) + _column(m, "elec_tilt_deg").fillna(0.0))
    bw_h = _column(m, "beamwidth_h_deg").to_numpy()
    bw_v = _column(m, "beamwidth_v_deg").to_numpy()
    keys = [calibration_key(o, t) for o, t in zip(m["operator"], tech, strict=True)]
    out = pd.DataFrame({
        "sector_id": m["sector_id"].astype(str).to_numpy(),
        "site_id": m["site_id"].to_numpy(),
        "operator": m["operator"].astype(str).to_numpy(),
        "tech": tech,
        "band_mhz": _column(m, "band_mhz").to_numpy(),
        "bandwidth_mhz": bw,
        "n_rb": n_rb,
        "eirp_dbm": eirp,
        "eirp_re_dbm": rsrp_per_re_dbm(eirp, n_rb),
        "height_agl_m": height,
        "azimuth_deg": np.where(np.isfinite(azimuth), azimuth % 360.0, np.nan),
        "omni": ~np.isfinite(azimuth),
        "tilt_deg": tilt.to_numpy(),
        "beamwidth_h_deg": np.where(np.isfinite(bw_h) & (bw_h > 0), bw_h,
                                    radio.default_beamwidth_h_deg),
        "beamwidth_v_deg": np.where(np.isfinite(bw_v) & (bw_v > 0), bw_v,
                                    radio.default_beamwidth_v_deg),
        "max_radius_m": np.where(is5, radio.max_radius_5g_m, radio.max_radius_4g_m),
        "offset_db": [radio.offsets_db.get(k, 0.0) for k in keys],
        "slope_db": [radio.slopes_db_per_decade.get(k, 0.0) for k in keys],
        "noise_re_dbm": (thermal_noise_dbm(bw * 1e6, radio.noise_figure_db)
                         - 10.0 * np.log10(12.0 * n_rb)),
        "x": m["x"].to_numpy(dtype=float),
        "y": m["y"].to_numpy(dtype=float),
    })
    bad = ~np.isfinite(out["eirp_dbm"]) | ~np.isfinite(out["x"]) | ~np.isfinite(out["y"])
    if bad.any():
        log.warning("coverage: %d sector(s) without a usable EIRP or site position are not "
                    "predicted (%s …)", int(bad.sum()),
                    ", ".join(out.loc[bad, "sector_id"].head(3)))
        out = out.loc[~bad].reset_index(drop=True)
    log.info("coverage: %d sectors to predict (%s)", len(out),
             ", ".join(f"{k[0]} {k[1]}: {v}" for k, v in
                       out.groupby(["operator", "tech"]).size().items()))
    return out
