"""Exports of a trained network: the LiteRT flatbuffer that is served and a `.keras` file."""

import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ml.dataset import FEATURES, SPECIES
from ml.trainer.network import forward


def export_tflite(tf: Any, weights: list[Any], mask: np.ndarray | None = None) -> bytes:
    """Convert the network, input mask and softmax included, to a float32 LiteRT flatbuffer.

    The input is [None, 4] so one model serves any batch size after a resize, and every
    level's model is served the same way whatever measurements it looks at.
    """
    holder = tf.Module()
    holder.weights = weights

    @tf.function(input_signature=[tf.TensorSpec([None, len(FEATURES)], tf.float32)])
    def probabilities(features: Any) -> Any:
        return tf.nn.softmax(forward(tf, weights, features, mask))

    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [probabilities.get_concrete_function()], holder
    )
    return bytes(converter.convert())


def export_keras(
    tf: Any, units: tuple[int, ...], trained: list[np.ndarray], mask: np.ndarray | None = None
) -> bytes:
    """Pack the trained weights into a Keras model (logits out) and return the .keras bytes."""
    if mask is not None:
        # (x * mask) @ W == x @ (mask[:, None] * W) exactly, so the mask folds into the first
        # kernel and the file stays a plain Sequential of Dense layers.
        trained = [trained[0] * mask[:, None], *trained[1:]]
    layers = [tf.keras.Input(shape=(len(FEATURES),), name="features")]
    layers += [
        tf.keras.layers.Dense(count, activation="relu", name=f"hidden_{number}")
        for number, count in enumerate(units, start=1)
    ]
    layers.append(tf.keras.layers.Dense(len(SPECIES), name="logits"))
    model = tf.keras.Sequential(layers, name="iris_classifier")
    model.set_weights(trained)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "model.keras"
        with warnings.catch_warnings():
            # Keras 3.15 saving TensorFlow variables trips numpy 2's `copy` keyword
            # deprecation inside Keras itself; the saved weights are unaffected.
            warnings.filterwarnings(
                "ignore", message="__array__ implementation", category=DeprecationWarning
            )
            model.save(path)
        return path.read_bytes()


def keras_predict_proba(keras_bytes: bytes, x: npt.ArrayLike) -> np.ndarray:
    """Load a `.keras` file produced by `train_classifier` and return softmax probabilities."""
    import tensorflow as tf

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "model.keras"
        path.write_bytes(keras_bytes)
        model = tf.keras.models.load_model(path, compile=False)
    features = np.asarray(x, dtype=np.float32).reshape(-1, len(FEATURES))
    return tf.nn.softmax(model(features, training=False)).numpy()
