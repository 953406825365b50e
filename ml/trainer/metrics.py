"""Test-split figures of a trained classifier: pure numpy, no TensorFlow."""

from typing import Any

import numpy as np

from ml.dataset import SPECIES


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def classification_metrics(logits: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    """Accuracy, loss, per-class precision/recall/F1 and the confusion matrix, JSON-ready."""
    probabilities = softmax(logits.astype(np.float64))
    predicted = probabilities.argmax(axis=1)
    classes = len(SPECIES)
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    per_class: dict[str, dict[str, float | int]] = {}
    for index, species in enumerate(SPECIES):
        true_positives = int(confusion[index, index])
        predicted_count = int(confusion[:, index].sum())
        support = int(confusion[index, :].sum())
        precision = true_positives / predicted_count if predicted_count else 0.0
        recall = true_positives / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[species] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": support,
        }
    picked = probabilities[np.arange(len(labels)), labels]
    return {
        "accuracy": float((predicted == labels).mean()),
        "loss": float(-np.log(np.maximum(picked, np.finfo(np.float64).tiny)).mean()),
        "per_class": per_class,
        "confusion_matrix": confusion.tolist(),
    }
