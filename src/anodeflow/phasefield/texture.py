"""Texture of a grown film: orientation fractions (overall, per row) and the winning orientation."""

from __future__ import annotations

import numpy as np

from .model import ORIENTATIONS


def orientation_fractions(gmap: np.ndarray, orientation: np.ndarray) -> np.ndarray:
    """Area fraction of each orientation among the filled cells of a grain map (NaN if none)."""
    filled = gmap >= 0
    if not filled.any():
        return np.full(len(ORIENTATIONS), np.nan)
    counts = np.bincount(orientation[gmap[filled]], minlength=len(ORIENTATIONS))
    return counts / counts.sum()


def fractions_by_row(gmap: np.ndarray, orientation: np.ndarray) -> np.ndarray:
    """(ny, 3) orientation fractions per row (NaN for empty rows)."""
    return np.array([orientation_fractions(row[None], orientation) for row in gmap])


def winning_texture(gmap: np.ndarray, orientation: np.ndarray, top_rows: int) -> dict:
    """The orientation with the largest area fraction in the topmost ``top_rows`` filled rows."""
    filled_rows = np.nonzero((gmap >= 0).any(axis=1))[0]
    if filled_rows.size == 0:
        return {"winner": None, "top_fractions": {o: float("nan") for o in ORIENTATIONS}}
    top = gmap[max(0, filled_rows.max() + 1 - top_rows) : filled_rows.max() + 1]
    f = orientation_fractions(top, orientation)
    return {
        "winner": ORIENTATIONS[int(np.nanargmax(f))],
        "top_fractions": {o: float(x) for o, x in zip(ORIENTATIONS, f)},
        "top_rows": int(top.shape[0]),
    }


def front_series(times, front_um, front_fractions) -> list[dict]:
    """Texture at the growth front against time: the top-rows fractions at each sample and the front height."""
    return [
        {"t_s": float(t), "front_um": float(h), **{o: float(f[k]) for k, o in enumerate(ORIENTATIONS)}}
        for t, h, f in zip(times, front_um, front_fractions)
    ]


def selection_at(front: list[dict], winner: str, share: float = 0.1) -> dict:
    """The winner's front fraction when the front has covered ``share`` of its growth (first sample at or
    above front_0 + share (front_end - front_0))."""
    h = np.array([f["front_um"] for f in front])
    target = h[0] + share * (h[-1] - h[0])
    k = int(np.nonzero(h >= target - 1e-9)[0][0])
    return {"share": share, "front_um": float(h[k]), "t_s": front[k]["t_s"], "winner_fraction": front[k][winner]}
