"""The shipped iris data set and the rule that splits it into train and test.

Pure: numpy and the standard library only, so web code may import it freely.
"""

import csv
from collections import Counter
from pathlib import Path
from typing import Literal

import numpy as np

SPECIES: tuple[str, ...] = ("setosa", "versicolor", "virginica")
FEATURES: tuple[str, ...] = ("sepal_length", "sepal_width", "petal_length", "petal_width")

SHIPPED_CSV_PATH = Path(__file__).resolve().parent / "data" / "iris.csv"

Split = Literal["train", "test"]


def load_shipped_rows() -> list[dict[str, float | str]]:
    """Read the shipped 150-row iris CSV, in file order, as dicts of floats plus `species`."""
    with SHIPPED_CSV_PATH.open(newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != (*FEATURES, "species"):
            raise ValueError(f"unexpected header in {SHIPPED_CSV_PATH}: {reader.fieldnames}")
        rows: list[dict[str, float | str]] = []
        for raw in reader:
            if raw["species"] not in SPECIES:
                raise ValueError(f"unknown species {raw['species']!r} in {SHIPPED_CSV_PATH}")
            row: dict[str, float | str] = {name: float(raw[name]) for name in FEATURES}
            row["species"] = raw["species"]
            rows.append(row)
    return rows


def split_for_index(k: int) -> Split:
    """Return the split of the k-th sample (0-based) of its species.

    Every fifth sample of each species, k = 4, 9, 14, ..., is a test sample and the
    others are training samples. Counting k within the species (not over the whole
    file) makes the split stratified: 50 samples per species give 40 train and 10
    test each, 120/30 overall. It depends only on the order of the samples within
    their species, so it is stable: the same sample always lands in the same split.
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    return "test" if k % 5 == 4 else "train"


def rows_to_split_arrays(
    rows: list[dict[str, float | str]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split rows by `split_for_index` into (x_train, y_train, x_test, y_test) arrays.

    Features are float32 of shape (n, 4) in `FEATURES` order; labels are int32 indexes
    into `SPECIES`.
    """
    seen: Counter[str] = Counter()
    parts: dict[Split, tuple[list[list[float]], list[int]]] = {
        "train": ([], []),
        "test": ([], []),
    }
    for row in rows:
        species = str(row["species"])
        features, labels = parts[split_for_index(seen[species])]
        seen[species] += 1
        features.append([float(row[name]) for name in FEATURES])
        labels.append(SPECIES.index(species))

    def arrays(split: Split) -> tuple[np.ndarray, np.ndarray]:
        features, labels = parts[split]
        x = np.asarray(features, dtype=np.float32).reshape(-1, len(FEATURES))
        return x, np.asarray(labels, dtype=np.int32)

    x_train, y_train = arrays("train")
    x_test, y_test = arrays("test")
    return x_train, y_train, x_test, y_test


def shipped_split_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the shipped data as (x_train, y_train, x_test, y_test): 120 and 30 rows."""
    return rows_to_split_arrays(load_shipped_rows())
