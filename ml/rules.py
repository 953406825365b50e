"""Readable species rules: a shallow decision tree (CART, gini impurity) in pure numpy.

Trainees learn from rules like "petal length < 2.45 cm → setosa". The tree is fitted on the
training split only, so the rules never teach the test flowers of a challenge.
Pure: numpy and the standard library only, so web code may import it freely.
"""

from collections.abc import Sequence

import numpy as np

from ml.dataset import FEATURES, SPECIES

# Two splits whose scores differ by less than this are a tie (float rounding, not data):
# the first feature in FEATURES order, then the lowest threshold, wins.
_TIE = 1e-9


def _gini_score(counts_left: np.ndarray, counts_right: np.ndarray) -> np.ndarray:
    """Σ c²/n per side, for each candidate split (rows): higher means lower weighted gini.

    The weighted gini of a split is (n_L - Σc_L²/n_L + n_R - Σc_R²/n_R) / n, and n_L + n_R = n
    is the same for every candidate, so maximising this score minimises the impurity.
    """
    n_left = counts_left.sum(axis=1)
    n_right = counts_right.sum(axis=1)
    return (counts_left**2).sum(axis=1) / n_left + (counts_right**2).sum(axis=1) / n_right


def _best_split(x: np.ndarray, y: np.ndarray, n_classes: int) -> tuple[int, float] | None:
    """The (feature, threshold) of the purest split, or None when no split lowers the gini."""
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    best_score = (counts**2).sum() / len(y)  # the node itself, unsplit
    best: tuple[int, float] | None = None
    for feature in range(x.shape[1]):
        order = np.argsort(x[:, feature], kind="stable")
        values = x[order, feature]
        one_hot = np.eye(n_classes)[y[order]]
        # Boundaries between distinct sorted values: left = the first i+1 samples.
        boundaries = np.flatnonzero(values[1:] > values[:-1])
        if boundaries.size == 0:
            continue
        cumulative = one_hot.cumsum(axis=0)
        left = cumulative[boundaries]
        scores = _gini_score(left, counts - left)
        i = int(np.argmax(scores))  # the first (lowest threshold) of the best ones
        if scores[i] > best_score + _TIE:
            best_score = float(scores[i])
            threshold = (values[boundaries[i]] + values[boundaries[i] + 1]) / 2
            best = (feature, float(threshold))
    return best


def decision_rules(
    x: np.ndarray,
    y: np.ndarray,
    *,
    depth: int = 2,
    features: Sequence[str] = FEATURES,
    classes: Sequence[str] = SPECIES,
) -> list[dict]:
    """Fit a CART tree of at most `depth` levels and return one rule per non-empty leaf.

    `x` is (n, len(features)) in cm, `y` the class indexes. Each rule is
    `{"conditions": [{"feature", "op": "<" | ">=", "value"}], "species", "samples", "correct"}`
    with values rounded to 2 decimals, leaves left (`<`) before right (`>=`). A node is split
    while it is mixed, above `depth` and some split makes it purer.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1, len(features))
    y = np.asarray(y, dtype=np.int64).reshape(-1)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)} labels")
    if depth < 0:
        raise ValueError(f"depth must be >= 0, got {depth}")
    rules: list[dict] = []

    def grow(mask: np.ndarray, conditions: list[dict], level: int) -> None:
        labels = y[mask]
        if labels.size == 0:
            return  # an empty leaf teaches nothing
        counts = np.bincount(labels, minlength=len(classes))
        split = None
        if level < depth and np.count_nonzero(counts) > 1:
            split = _best_split(x[mask], labels, len(classes))
        if split is None:
            majority = int(np.argmax(counts))  # ties: the first species in order
            rules.append({
                "conditions": conditions,
                "species": classes[majority],
                "samples": int(labels.size),
                "correct": int(counts[majority]),
            })
            return
        feature, threshold = split
        below = x[:, feature] < threshold
        value = round(threshold, 2)
        name = features[feature]
        grow(mask & below, [*conditions, {"feature": name, "op": "<", "value": value}], level + 1)
        grow(mask & ~below, [*conditions, {"feature": name, "op": ">=", "value": value}], level + 1)

    grow(np.ones(len(y), dtype=bool), [], 0)
    return rules
