"""The few tail probabilities and tests the analysis needs, from scipy.special (a third of the
import time of scipy.stats, which matters for a command-line run). Checked against scipy.stats
in the tests."""

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import special


def norm_ppf(p: float) -> float:
    """The standard normal quantile."""
    return float(special.ndtri(p))


def t_sf(t: Any, df: Any) -> Any:
    """P(T > t) for Student's t with df degrees of freedom."""
    return special.stdtr(df, -np.asarray(t, dtype=np.float64))


def f_sf(f: float, dfn: float, dfd: float) -> float:
    return float(special.fdtrc(dfn, dfd, f))


def chi2_sf(x: float, df: float) -> float:
    return float(special.chdtrc(df, x))


def welch(
    mean1: Any, std1: Any, n1: Any, mean2: Any, std2: Any, n2: Any
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Welch's t-test from summary statistics (vectorised): (t, two-sided p, df)."""
    m1, m2 = np.asarray(mean1, dtype=np.float64), np.asarray(mean2, dtype=np.float64)
    v1 = np.asarray(std1, dtype=np.float64) ** 2 / np.asarray(n1, dtype=np.float64)
    v2 = np.asarray(std2, dtype=np.float64) ** 2 / np.asarray(n2, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (m1 - m2) / np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (
            v1**2 / (np.asarray(n1, dtype=np.float64) - 1)
            + v2**2 / (np.asarray(n2, dtype=np.float64) - 1)
        )
        p = 2.0 * special.stdtr(df, -np.abs(t))
    return np.asarray(t), np.asarray(p), np.asarray(df)


def chi2_independence(table: npt.ArrayLike) -> tuple[float, float, int]:
    """Pearson's chi-square test of independence of a contingency table (no continuity
    correction): (statistic, p, degrees of freedom)."""
    observed = np.asarray(table, dtype=np.float64)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    statistic = float(((observed - expected) ** 2 / expected).sum())
    df = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    return statistic, chi2_sf(statistic, df), df
