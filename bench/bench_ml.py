"""Benchmark the pure ML core against plain Keras, side by side in one process.

Run from the repository root: `.venv/bin/python bench/bench_ml.py`. Prints absolute
figures and ratios; asserts nothing, so it never fails on a slow machine.
"""

import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TRAINING_RUNS = 3


def _timed(function: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def _format_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:8.2f} s "
    if seconds >= 1e-3:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds * 1e6:8.2f} us"


def _table(title: str, rows: list[tuple[str, list[float], str]]) -> None:
    """Print best, median and worst of each row, and the median's ratio to the first row's."""
    print(f"\n{title}")
    print(f"  {'':44} {'best':>11} {'median':>11} {'worst':>11} {'x row 1':>8}  note")
    reference = statistics.median(rows[0][1])
    for label, times, note in rows:
        median = statistics.median(times)
        print(
            f"  {label:44} {_format_seconds(min(times))} {_format_seconds(median)}"
            f" {_format_seconds(max(times))} {median / reference:8.2f}  {note}"
        )


class _LockedClassifier:
    """The alternative to ml.litert's interpreter per thread: one interpreter, one lock."""

    def __init__(self, tflite_bytes: bytes) -> None:
        from ml.litert import _Runner

        self._runner = _Runner(tflite_bytes)
        self._lock = threading.Lock()

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        with self._lock:
            return self._runner.run(np.ascontiguousarray(x, dtype=np.float32))


def _threaded_per_call(predict: Callable, x: np.ndarray, threads: int, calls: int) -> float:
    """Return wall-clock seconds per call with `calls` calls spread over `threads` threads."""
    start = threading.Barrier(threads + 1)

    def work() -> None:
        start.wait()
        for _ in range(calls // threads):
            predict(x)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return (time.perf_counter() - started) / (calls // threads * threads)


def main() -> None:
    started = time.perf_counter()
    from ml.litert import LiteRTClassifier

    litert_import = time.perf_counter() - started
    started = time.perf_counter()
    import tensorflow as tf

    tf_import = time.perf_counter() - started

    from ml.dataset import SPECIES, shipped_split_arrays
    from ml.training import (
        DEFAULT_BATCH_SIZE,
        DEFAULT_EPOCHS,
        DEFAULT_HIDDEN_UNITS,
        DEFAULT_LEARNING_RATE,
        DEFAULT_SEED,
        initial_weights,
        train_classifier,
    )

    print(
        f"Python {sys.version.split()[0]}, TensorFlow {tf.__version__}, Keras "
        f"{tf.keras.__version__}, numpy {np.__version__}, {os.cpu_count()} CPUs"
    )
    print(f"imports: ml.litert {litert_import:.2f} s, tensorflow {tf_import:.2f} s")

    x_train, y_train, x_test, y_test = shipped_split_arrays()

    # Training: ours end to end, and its training loop alone (up to the last progress
    # report, before evaluation and export), against Keras compile + fit from the
    # same initial weights. Every run builds a new model, as every training job does.
    ours_total, ours_loop, ours_accuracy = [], [], []
    for _ in range(TRAINING_RUNS):
        progress_at: list[float] = []
        run_started = time.perf_counter()
        result = train_classifier(
            x_train=x_train,
            y_train=y_train,
            x_test=x_test,
            y_test=y_test,
            on_progress=lambda *_, marks=progress_at: marks.append(time.perf_counter()),
        )
        ours_total.append(time.perf_counter() - run_started)
        ours_loop.append(progress_at[-1] - run_started)
        ours_accuracy.append(result.metrics["accuracy"])

    keras_fit, keras_accuracy = [], []
    for _ in range(TRAINING_RUNS):
        tf.keras.utils.set_random_seed(DEFAULT_SEED)
        model = tf.keras.Sequential(
            [tf.keras.Input(shape=(4,))]
            + [tf.keras.layers.Dense(units, activation="relu") for units in DEFAULT_HIDDEN_UNITS]
            + [tf.keras.layers.Dense(len(SPECIES))]
        )
        model.set_weights(
            initial_weights(DEFAULT_HIDDEN_UNITS, np.random.default_rng(DEFAULT_SEED))
        )
        run_started = time.perf_counter()
        model.compile(
            optimizer=tf.keras.optimizers.SGD(learning_rate=DEFAULT_LEARNING_RATE),
            loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        model.fit(
            x_train,
            y_train,
            batch_size=DEFAULT_BATCH_SIZE,
            epochs=DEFAULT_EPOCHS,
            shuffle=True,
            verbose=0,
        )
        keras_fit.append(time.perf_counter() - run_started)
        predicted = model(x_test, training=False).numpy().argmax(axis=1)
        keras_accuracy.append(float((predicted == y_test).mean()))

    def accuracies(values: list[float]) -> str:
        return "test accuracy " + ", ".join(f"{value:.3f}" for value in values)

    _table(
        f"Training, {DEFAULT_EPOCHS} epochs, batch {DEFAULT_BATCH_SIZE}, "
        f"{len(y_train)} rows, {TRAINING_RUNS} runs (first run includes tracing)",
        [
            ("ours: training loop (tf.function)", ours_loop, accuracies(ours_accuracy)),
            ("ours: train_classifier, with eval + export", ours_total, "LiteRT + .keras"),
            ("Keras compile + model.fit", keras_fit, accuracies(keras_accuracy)),
        ],
    )
    loop_ratio = statistics.median(keras_fit) / statistics.median(ours_loop)
    print(f"  -> Keras fit / our loop, medians: {loop_ratio:.1f}x")

    # Inference, from the model the last training exported.
    classifier = LiteRTClassifier(result.tflite_bytes)
    keras_model = model
    one_row = x_test[:1]
    batch = (
        np.random.default_rng(0)
        .uniform([4.3, 2.0, 1.0, 0.1], [7.9, 4.4, 6.9, 2.5], (10_000, 4))
        .astype(np.float32)
    )
    for x in (one_row, batch):
        classifier.predict_proba(x)
        keras_model.predict(x, verbose=0)
        keras_model(x, training=False)

    _table(
        "Inference, one row, per call",
        [
            (
                "LiteRTClassifier.predict_proba",
                _timed(lambda: classifier.predict_proba(one_row), 20_000),
                "20,000 calls",
            ),
            (
                "Keras model(x)",
                _timed(lambda: keras_model(one_row, training=False), 1_000),
                "1,000 calls",
            ),
            (
                "Keras model.predict(x)",
                _timed(lambda: keras_model.predict(one_row, verbose=0), 200),
                "200 calls",
            ),
        ],
    )
    _table(
        "Inference, 10,000 rows, per call",
        [
            (
                "LiteRTClassifier.predict_proba",
                _timed(lambda: classifier.predict_proba(batch), 300),
                "300 calls",
            ),
            ("Keras model(x)", _timed(lambda: keras_model(batch, training=False), 50), "50 calls"),
            (
                "Keras model.predict(x, batch_size=10000)",
                _timed(lambda: keras_model.predict(batch, batch_size=10_000, verbose=0), 30),
                "30 calls",
            ),
            (
                "Keras model.predict(x) (batch 32)",
                _timed(lambda: keras_model.predict(batch, verbose=0), 5),
                "5 calls",
            ),
        ],
    )
    one_row_call = statistics.median(_timed(lambda: classifier.predict_proba(one_row), 5_000))
    batch_call = statistics.median(_timed(lambda: classifier.predict_proba(batch), 300))
    pair = _timed(lambda: (classifier.predict_proba(one_row), classifier.predict_proba(batch)), 300)
    print(
        "\n  alternating 1 row / 10,000 rows costs a resize + allocate each call: "
        f"{(statistics.median(pair) - one_row_call - batch_call) / 2 * 1e6:.0f} us per change"
    )

    # Thread safety: an interpreter per thread (ours) against one interpreter and a lock.
    locked = _LockedClassifier(result.tflite_bytes)
    print("\nLiteRT across threads, wall-clock per call (best of 5)")
    print(f"  {'':26} {'per thread (ours)':>18} {'one + lock':>12} {'lock / ours':>12}")
    for label, x, calls in (("1 row", one_row, 40_000), ("10,000 rows", batch, 1_200)):
        for threads in (1, 2, 4):
            ours = min(
                _threaded_per_call(classifier.predict_proba, x, threads, calls) for _ in range(5)
            )
            theirs = min(
                _threaded_per_call(locked.predict_proba, x, threads, calls) for _ in range(5)
            )
            print(
                f"  {label + f', {threads} thread(s)':26} {_format_seconds(ours):>18}"
                f" {_format_seconds(theirs):>12} {theirs / ours:12.2f}"
            )


if __name__ == "__main__":
    main()
