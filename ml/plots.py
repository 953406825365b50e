"""Metric plots of a model version as PNG bytes (matplotlib, Agg, no display needed)."""

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ml.dataset import SPECIES

PLOT_KINDS = ("loss", "accuracy", "confusion")


def new_figure(width: float, height: float):
    """A matplotlib Figure for a PNG response: no display, labels in any of our languages."""
    import matplotlib

    matplotlib.use("Agg")
    # A CJK font after the default, for Chinese labels where one is installed (the image has
    # fonts-wqy-microhei); elsewhere matplotlib falls back with a warning.
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", "WenQuanYi Micro Hei"]
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def png_bytes(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def plot_png(version, kind: str) -> bytes:
    """Render one plot of a trained version: its loss or accuracy curves, or its confusion."""
    figure = new_figure(5.5, 3.6)
    axes = figure.subplots()
    history = version.history or {}
    if kind in ("loss", "accuracy"):
        for key, label in ((kind, _("train")), (f"test_{kind}", _("test"))):
            values = history.get(key)
            if values:
                axes.plot(range(1, len(values) + 1), values, label=label)
        axes.set_xlabel(_("epoch"))
        label = pgettext("training metric", "loss") if kind == "loss" else _("accuracy")
        axes.set_ylabel(label)
        axes.set_title(_("Model v%(n)s: %(kind)s") % {"n": version.number, "kind": label})
        axes.grid(alpha=0.3)
        if axes.get_legend_handles_labels()[0]:
            axes.legend()
    elif kind == "confusion":
        matrix = (version.metrics or {}).get("confusion_matrix") or [[0] * 3] * 3
        image = axes.imshow(matrix, cmap="Purples")
        axes.set_xticks(range(3), SPECIES)
        axes.set_yticks(range(3), SPECIES)
        axes.set_xlabel(_("predicted"))
        axes.set_ylabel(_("true species"))
        axes.set_title(_("Model v%(n)s: test confusion") % {"n": version.number})
        for i, row in enumerate(matrix):
            for j, count in enumerate(row):
                axes.text(j, i, str(count), ha="center", va="center")
        figure.colorbar(image, ax=axes)
    else:
        raise ValueError(f"unknown plot {kind!r}")
    return png_bytes(figure)
