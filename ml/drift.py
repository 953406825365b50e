"""Input drift statistics: numpy only, no database, so they are easy to test and reuse.

Measurements are compared as float32, the precision the model sees: the shipped data sit on
a 0.1 cm grid with many ties, and 1.4 read from a float32 request must fall in the same bin
as the 1.4 of a training sample stored as a double.
"""

import math

import numpy as np

from ml.dataset import FEATURES

# Quintiles of the training split: its ~120 flowers give ~24 per bin (deciles would hold 12,
# and the PSI of the 30 test flowers alone would exceed 1).
PSI_BINS = 5
# Added to every bin's count on both sides, so an empty bin gives a large but finite PSI.
PSI_SMOOTHING = 0.5


def as_measurements(values) -> np.ndarray:
    """float32 values as float64: the same number for the same flower, whatever its source."""
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def psi(reference: np.ndarray, sample: np.ndarray, bins: int = PSI_BINS) -> float:
    """Population stability index of sample against reference, with the reference's quantile
    bins (ties merged): sum over bins of (a - e) * ln(a / e)."""
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))

    def shares(values: np.ndarray) -> np.ndarray:
        counts = np.bincount(
            np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1
        ) + PSI_SMOOTHING
        return counts / counts.sum()

    expected, actual = shares(reference), shares(sample)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def ks_statistic(reference: np.ndarray, sample: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical
    distribution functions."""
    reference, sample = np.sort(reference), np.sort(sample)
    points = np.concatenate([reference, sample])
    gap = (
        np.searchsorted(reference, points, side="right") / len(reference)
        - np.searchsorted(sample, points, side="right") / len(sample)
    )
    return float(np.max(np.abs(gap)))


def ks_critical(n: int, m: int, alpha: float) -> float:
    """The KS statistic above which two samples of sizes n and m differ at level alpha
    (the asymptotic two-sample bound, c(alpha) * sqrt((n + m) / (n * m)))."""
    return math.sqrt(-math.log(alpha / 2) / 2) * math.sqrt((n + m) / (n * m))


def feature_drift(
    reference: np.ndarray, sample: np.ndarray, *, psi_threshold: float, ks_alpha: float
) -> dict[str, dict]:
    """Per measurement: PSI, KS and whether it drifted, for (n, 4) arrays.

    A measurement has drifted when the shift is large (PSI above the threshold) and not
    chance (KS above its critical value). PSI alone ignores the sample sizes: the 30 test
    flowers have a PSI of 0.20 on petal length against the 120 training flowers they were
    split from, while their KS statistic (0.13) is far below the critical value.
    """
    reference, sample = as_measurements(reference), as_measurements(sample)
    critical = ks_critical(len(sample), len(reference), ks_alpha)
    report = {}
    for column, name in enumerate(FEATURES):
        value_psi = psi(reference[:, column], sample[:, column])
        value_ks = ks_statistic(reference[:, column], sample[:, column])
        report[name] = {
            "psi": round(value_psi, 4),
            "ks": round(value_ks, 4),
            "ks_critical": round(critical, 4),
            "drifted": value_psi > psi_threshold and value_ks > critical,
        }
    return report
