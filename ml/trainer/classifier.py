"""Training the iris classifier: hyper-parameters, the compiled loop, evaluation, export."""

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ml.dataset import FEATURES, SPECIES
from ml.trainer import export
from ml.trainer.metrics import classification_metrics
from ml.trainer.network import feature_mask, forward, initial_weights, validate_features

DEFAULT_HIDDEN_UNITS: tuple[int, ...] = (10, 10)
DEFAULT_LEARNING_RATE = 0.01
DEFAULT_BATCH_SIZE = 32
DEFAULT_EPOCHS = 201
DEFAULT_SEED = 14

MIN_EPOCHS, MAX_EPOCHS = 1, 5000
MIN_BATCH_SIZE, MAX_BATCH_SIZE = 1, 1024
MAX_LEARNING_RATE = 10.0
MIN_UNITS, MAX_UNITS = 1, 256
MIN_LAYERS, MAX_LAYERS = 1, 4
MAX_SEED = 2**31 - 1

# The callback usually writes a database row, so it is rate-limited to this many
# calls per training, the last one at the end.
MAX_PROGRESS_CALLS = 20

ProgressCallback = Callable[[int, int, float, float], None]


@dataclass(frozen=True)
class TrainingResult:
    """What one training produces; `metrics` and `history` are JSON-serialisable."""

    keras_bytes: bytes = field(repr=False)
    tflite_bytes: bytes = field(repr=False)
    history: dict[str, list[float]]
    metrics: dict[str, Any]
    duration_seconds: float
    hyperparameters: dict[str, Any]
    # The measurements the model looks at, in FEATURES order (all four unless restricted).
    features: tuple[str, ...] = FEATURES


def validate_hyperparameters(
    *,
    hidden_units: Sequence[int] = DEFAULT_HIDDEN_UNITS,
    learning_rate: float = DEFAULT_LEARNING_RATE,
    batch_size: int = DEFAULT_BATCH_SIZE,
    epochs: int = DEFAULT_EPOCHS,
    seed: int = DEFAULT_SEED,
) -> dict[str, Any]:
    """Check hyper-parameters against their bounds; return them normalised, or raise ValueError."""
    if isinstance(hidden_units, str | bytes) or not isinstance(hidden_units, Sequence):
        raise ValueError(f"hidden_units must be a sequence of integers, got {hidden_units!r}")
    units = tuple(hidden_units)
    if not MIN_LAYERS <= len(units) <= MAX_LAYERS:
        raise ValueError(
            f"hidden_units must have {MIN_LAYERS} to {MAX_LAYERS} layers, got {len(units)}"
        )
    for count in units:
        _check_int("each hidden layer's units", count, MIN_UNITS, MAX_UNITS)
    _check_int("epochs", epochs, MIN_EPOCHS, MAX_EPOCHS)
    _check_int("batch_size", batch_size, MIN_BATCH_SIZE, MAX_BATCH_SIZE)
    _check_int("seed", seed, 0, MAX_SEED)
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, int | float):
        raise ValueError(f"learning_rate must be a number, got {learning_rate!r}")
    if not (math.isfinite(learning_rate) and 0 < learning_rate <= MAX_LEARNING_RATE):
        raise ValueError(f"learning_rate must be in (0, {MAX_LEARNING_RATE}], got {learning_rate}")
    return {
        "hidden_units": [int(count) for count in units],
        "learning_rate": float(learning_rate),
        "batch_size": int(batch_size),
        "epochs": int(epochs),
        "seed": int(seed),
    }


def train_classifier(
    *,
    x_train: npt.ArrayLike,
    y_train: npt.ArrayLike,
    x_test: npt.ArrayLike,
    y_test: npt.ArrayLike,
    hidden_units: Sequence[int] = DEFAULT_HIDDEN_UNITS,
    learning_rate: float = DEFAULT_LEARNING_RATE,
    batch_size: int = DEFAULT_BATCH_SIZE,
    epochs: int = DEFAULT_EPOCHS,
    seed: int = DEFAULT_SEED,
    on_progress: ProgressCallback | None = None,
    features: Sequence[str] | None = None,
    export_keras: bool = True,
) -> TrainingResult:
    """Train the classifier, evaluate it on the test split and export it.

    The network is 4 inputs -> Dense(relu) per entry of `hidden_units` -> Dense(3)
    logits, trained by plain SGD on the mean sparse softmax cross-entropy, with the
    training rows reshuffled every epoch (the last batch may be partial).

    Deterministic for a given seed on a given machine: initial weights (Glorot
    uniform, zero biases) and the shuffles come from numpy's seeded generator, and
    the CPU kernels involved are deterministic.

    `on_progress(epoch, epochs, loss, accuracy)` gets the 1-based number of epochs
    done and that epoch's training loss and accuracy, at most MAX_PROGRESS_CALLS
    times, the last one with epoch == epochs.

    With `features` (some of FEATURES), the model sees only those measurements: the
    others are multiplied by 0 inside the network (see `forward`), so it still takes
    the four measurements, in training, evaluation and the LiteRT export alike. With
    `export_keras=False` no `.keras` file is made (`keras_bytes` is empty).

    `duration_seconds` is the wall-clock time of the whole call (training,
    evaluation, export), without the one-off TensorFlow import.
    """
    hyperparameters = validate_hyperparameters(
        hidden_units=hidden_units,
        learning_rate=learning_rate,
        batch_size=batch_size,
        epochs=epochs,
        seed=seed,
    )
    seen = validate_features(features)
    mask = feature_mask(seen)
    train_x, train_y = _checked_split("train", x_train, y_train)
    test_x, test_y = _checked_split("test", x_test, y_test)

    import tensorflow as tf

    started = time.perf_counter()
    units = tuple(hyperparameters["hidden_units"])
    rng = np.random.default_rng(hyperparameters["seed"])
    weights = [tf.Variable(value) for value in initial_weights(units, rng)]
    train_history, fit = _compile_training(
        tf,
        weights,
        train_x,
        train_y,
        test_x,
        test_y,
        learning_rate=hyperparameters["learning_rate"],
        batch_size=hyperparameters["batch_size"],
        mask=mask,
    )

    epochs = hyperparameters["epochs"]
    epochs_per_call = math.ceil(epochs / MAX_PROGRESS_CALLS)
    done = 0
    while done < epochs:
        count = min(epochs_per_call, epochs - done)
        permutations = np.stack([rng.permutation(len(train_y)) for _ in range(count)])
        chunk = fit(tf.constant(permutations.astype(np.int32)))
        for key, values in chunk.items():
            train_history[key].extend(float(value) for value in values.numpy())
        done += count
        if on_progress is not None:
            on_progress(done, epochs, train_history["loss"][-1], train_history["accuracy"][-1])

    test_logits = forward(tf, weights, tf.constant(test_x), mask).numpy()
    metrics = classification_metrics(test_logits, test_y)
    tflite_bytes = export.export_tflite(tf, weights, mask)
    keras_bytes = b""
    if export_keras:
        trained = [variable.numpy() for variable in weights]
        keras_bytes = export.export_keras(tf, units, trained, mask)
    return TrainingResult(
        keras_bytes=keras_bytes,
        tflite_bytes=tflite_bytes,
        history=train_history,
        metrics=metrics,
        duration_seconds=time.perf_counter() - started,
        hyperparameters=hyperparameters,
        features=seen,
    )


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")


def _checked_split(name: str, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    features = np.asarray(x, dtype=np.float32)
    labels = np.asarray(y)
    if features.ndim != 2 or features.shape[1] != len(FEATURES) or len(features) == 0:
        raise ValueError(
            f"x_{name} must have shape (n, {len(FEATURES)}) with n >= 1, got {features.shape}"
        )
    if not np.isfinite(features).all():
        raise ValueError(f"x_{name} must be finite")
    if labels.shape != (len(features),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"y_{name} must be {len(features)} integer labels, got {labels.shape}")
    if labels.min() < 0 or labels.max() >= len(SPECIES):
        raise ValueError(f"y_{name} labels must be in 0..{len(SPECIES) - 1}")
    return features, labels.astype(np.int32)


def _compile_training(
    tf: Any,
    weights: list[Any],
    train_x: np.ndarray,
    train_y: np.ndarray,
    test_x: np.ndarray,
    test_y: np.ndarray,
    *,
    learning_rate: float,
    batch_size: int,
    mask: np.ndarray | None,
) -> tuple[dict[str, list[float]], Callable[[Any], dict[str, Any]]]:
    """Return an empty history and a compiled function training one epoch per permutation.

    The whole run of epochs and batches is a single graph (AutoGraph while loops), so
    Python is entered once per call rather than once per batch, which is what makes
    it several times faster than `Model.fit` on a data set this small.
    """
    x_all, y_all = tf.constant(train_x), tf.constant(train_y)
    x_eval, y_eval = tf.constant(test_x), tf.constant(test_y)
    rows = len(train_y)
    batches = math.ceil(rows / batch_size)
    rate = tf.constant(learning_rate, tf.float32)

    def loss_and_hits(logits: Any, labels: Any) -> tuple[Any, Any]:
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        predicted = tf.argmax(logits, axis=1, output_type=tf.int32)
        hits = tf.reduce_sum(tf.cast(tf.equal(predicted, labels), tf.float32))
        return losses, hits

    @tf.function(input_signature=[tf.TensorSpec([None, rows], tf.int32)])
    def fit(permutations: Any) -> dict[str, Any]:
        count = tf.shape(permutations)[0]
        losses_out = tf.TensorArray(tf.float32, size=count)
        accuracies_out = tf.TensorArray(tf.float32, size=count)
        test_losses_out = tf.TensorArray(tf.float32, size=count)
        test_accuracies_out = tf.TensorArray(tf.float32, size=count)
        for epoch in tf.range(count):
            order = permutations[epoch]
            epoch_x, epoch_y = tf.gather(x_all, order), tf.gather(y_all, order)
            loss_sum, hit_sum = tf.constant(0.0), tf.constant(0.0)
            for batch in tf.range(batches):
                start = batch * batch_size
                batch_x = epoch_x[start : start + batch_size]
                batch_y = epoch_y[start : start + batch_size]
                with tf.GradientTape() as tape:
                    losses, hits = loss_and_hits(forward(tf, weights, batch_x, mask), batch_y)
                    loss = tf.reduce_mean(losses)
                for variable, gradient in zip(weights, tape.gradient(loss, weights), strict=True):
                    variable.assign_sub(rate * gradient)
                loss_sum += tf.reduce_sum(losses)
                hit_sum += hits
            test_losses, test_hits = loss_and_hits(forward(tf, weights, x_eval, mask), y_eval)
            # Like Model.fit, training figures are averaged over the epoch's batches
            # as they were seen, test figures use the weights at the end of the epoch.
            losses_out = losses_out.write(epoch, loss_sum / rows)
            accuracies_out = accuracies_out.write(epoch, hit_sum / rows)
            test_losses_out = test_losses_out.write(epoch, tf.reduce_mean(test_losses))
            test_accuracies_out = test_accuracies_out.write(epoch, test_hits / len(test_y))
        return {
            "loss": losses_out.stack(),
            "accuracy": accuracies_out.stack(),
            "test_loss": test_losses_out.stack(),
            "test_accuracy": test_accuracies_out.stack(),
        }

    empty: dict[str, list[float]] = {
        "loss": [],
        "accuracy": [],
        "test_loss": [],
        "test_accuracy": [],
    }
    return empty, fit
