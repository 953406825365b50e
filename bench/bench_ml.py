"""The pure ML core against plain Keras in one process: training, inference per call (one
row, 10,000 rows), LiteRT across threads. `.venv/bin/python bench/bench_ml.py [--quick]`."""

import argparse
import os
import statistics
import threading
import time
import timeit
from concurrent.futures import ThreadPoolExecutor

import common  # noqa: F401 - puts the repository root on sys.path
import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
SCALE = 1  # --quick: 100, every count of calls divided by it (CI: does it still run?)


def timed(function, repeats: int) -> list[float]:
    """Seconds of each of `repeats` calls (divided by SCALE), with the garbage collector on."""
    return timeit.repeat(function, "gc.enable()", number=1, repeat=max(1, repeats // SCALE))


def table(title: str, rows: list[tuple[str, list[float], str]]) -> None:
    """Best, median and worst of each row, and the median's ratio to the first row's."""
    print(f"\n{title}\n  {'':44} {'best':>15} {'median':>15} {'worst':>15} {'x row 1':>8}")
    reference = statistics.median(rows[0][1])
    for label, times, note in rows:
        median = statistics.median(times)
        print(f"  {label:44}" + "".join(f" {t * 1e6:12,.1f} us" for t in (min(times), median,
              max(times))) + f" {median / reference:8.2f}  {note}")


def accuracies(values: list[float]) -> str:
    return "test accuracy " + ", ".join(f"{value:.3f}" for value in values)


def threaded_per_call(predict, x: np.ndarray, threads: int, calls: int) -> float:
    """Wall-clock seconds per call, `calls` calls spread over `threads` threads."""
    with ThreadPoolExecutor(threads) as pool:
        started = time.perf_counter()
        list(pool.map(lambda _: [predict(x) for _ in range(calls // threads)], range(threads)))
        return (time.perf_counter() - started) / (calls // threads * threads)


def main() -> None:
    global SCALE
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 training run, 1/100 the calls")
    quick = parser.parse_args().quick
    runs, keras_epochs, SCALE = (1, 2, 100) if quick else (3, None, 1)
    import tensorflow as tf

    from ml import trainer
    from ml.dataset import SPECIES, shipped_split_arrays
    from ml.litert import LiteRTClassifier, _Runner

    BATCH, EPOCHS, HIDDEN = (trainer.DEFAULT_BATCH_SIZE, trainer.DEFAULT_EPOCHS,
                             trainer.DEFAULT_HIDDEN_UNITS)

    print(f"TensorFlow {tf.__version__}, numpy {np.__version__}, {os.cpu_count()} CPUs"
          + (", quick: 1 run, Keras for 2 epochs, 1/100 the calls" if quick else ""))
    x_train, y_train, x_test, y_test = shipped_split_arrays()
    # Ours end to end, and its loop alone (to the last progress report, before evaluation
    # and export), against Keras compile + fit from the same initial weights; every run
    # builds a new model, as every training job does.
    ours_total, ours_loop, ours_accuracy, keras_fit, keras_accuracy = [], [], [], [], []
    for _ in range(runs):
        marks: list[float] = []
        started = time.perf_counter()
        result = trainer.train_classifier(
            x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test,
            on_progress=lambda *_, m=marks: m.append(time.perf_counter()))
        ours_total.append(time.perf_counter() - started)
        ours_loop.append(marks[-1] - started)
        ours_accuracy.append(result.metrics["accuracy"])
    for _ in range(runs):
        tf.keras.utils.set_random_seed(trainer.DEFAULT_SEED)
        model = tf.keras.Sequential(
            [tf.keras.Input(shape=(4,))]
            + [tf.keras.layers.Dense(units, activation="relu") for units in HIDDEN]
            + [tf.keras.layers.Dense(len(SPECIES))])
        model.set_weights(trainer.initial_weights(HIDDEN, np.random.default_rng(
            trainer.DEFAULT_SEED)))
        started = time.perf_counter()
        model.compile(optimizer=tf.keras.optimizers.SGD(trainer.DEFAULT_LEARNING_RATE),
                      loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
        model.fit(x_train, y_train, batch_size=BATCH, shuffle=True, verbose=0,
                  epochs=keras_epochs or EPOCHS)
        keras_fit.append(time.perf_counter() - started)
        predicted = model(x_test, training=False).numpy().argmax(axis=1)
        keras_accuracy.append(float((predicted == y_test).mean()))

    table(f"Training, {EPOCHS} epochs, batch {BATCH}, {len(y_train)} rows,"
          f" {runs} runs (the first includes tracing)", [
              ("ours: training loop (tf.function)", ours_loop, accuracies(ours_accuracy)),
              ("ours: train_classifier, with eval + export", ours_total, "LiteRT + .keras"),
              ("Keras compile + model.fit", keras_fit, accuracies(keras_accuracy))])
    print("  -> Keras fit / our loop, medians:"
          f" {statistics.median(keras_fit) / statistics.median(ours_loop):.1f}x")

    classifier = LiteRTClassifier(result.tflite_bytes)
    batch = np.random.default_rng(0).uniform([4.3, 2.0, 1.0, 0.1], [7.9, 4.4, 6.9, 2.5],
                                             (10_000, 4)).astype(np.float32)
    for title, x, calls in (("one row", x_test[:1], (20_000, 1_000, 200)),
                            ("10,000 rows", batch, (300, 50, 30))):
        rows = [("LiteRTClassifier.predict_proba", lambda x=x: classifier.predict_proba(x)),
                ("Keras model(x)", lambda x=x: model(x, training=False)),
                ("Keras model.predict(x, batch_size=len(x))",
                 lambda x=x: model.predict(x, batch_size=len(x), verbose=0))]
        for _, call in rows:
            call()  # warm up
        table(f"Inference, {title}, per call", [
            (label, timed(call, n), f"{n:,} calls") for (label, call), n in zip(rows, calls,
                                                                                strict=True)])

    runner, lock = _Runner(result.tflite_bytes), threading.Lock()

    def locked(x: np.ndarray) -> np.ndarray:  # the alternative: one interpreter, one lock
        with lock:
            return runner.run(np.ascontiguousarray(x, dtype=np.float32))

    print("\nLiteRT, 10,000 rows across threads, wall-clock per call (best of 3):"
          " an interpreter per thread (ours) / one behind a lock")
    for threads in (1, 2):
        ours, theirs = (min(threaded_per_call(predict, batch, threads, max(4, 1_200 // SCALE))
                            for _ in range(1 if quick else 3))
                        for predict in (classifier.predict_proba, locked))
        print(f"  {threads} thread(s): {ours * 1e6:,.0f} us / {theirs * 1e6:,.0f} us,"
              f" lock / ours {theirs / ours:.2f}")


if __name__ == "__main__":
    main()
