"""Metric plots of a model version (matplotlib, Agg, no display needed).

The admin shows them as SVG with the text kept as text (`svg.fonttype = "none"`): the
browser's own fonts draw the labels, so Chinese reads right on a server with no CJK font.
PNG stays available for API clients. User text never reaches mathtext (`text.parse_math`
off), so a `$` in a name is a dollar sign, not a formula that can fail.
"""

import io
import re
import warnings
from contextlib import contextmanager

from django.core.cache import cache
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from ml.dataset import SPECIES

PLOT_KINDS = ("loss", "accuracy", "confusion")
FORMATS = ("svg", "png")
# Cached plots of finished versions: change the version when the plots' look changes; the
# timeout only lets plots nobody looks at any more leave the cache.
PLOT_CACHE_VERSION = 1
PLOT_CACHE_SECONDS = 7 * 24 * 3600

# DejaVu Sans ships inside matplotlib, so laying text out never looks for a missing font (no
# "findfont" warnings); in SVG the browser then draws the text with a CSS stack of its own.
RC = {
    "font.family": ["DejaVu Sans"],
    "svg.fonttype": "none",
    "svg.hashsalt": "flower-power",  # stable ids: the same plot is the same bytes
    "text.parse_math": False,
    "axes.unicode_minus": False,
}
SVG_FONT_STACK = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', " \
    "'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif"
PURPLE = "#6b3fa0"
GREY = "#8a8a8a"
DARK_TEXT = "#1d1d1f"


def species_names() -> dict[str, str]:
    """The species as the current language names them (the labels of `Species`)."""
    from ml.models import Species

    return {value: str(label) for value, label in Species.choices}


@contextmanager
def plotting():
    """matplotlib with our settings, its missing-glyph warnings silenced (the browser draws
    the glyphs in SVG; in a PNG they are boxes, which no log line can fix)."""
    import matplotlib

    matplotlib.use("Agg")
    with matplotlib.rc_context(RC), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        warnings.filterwarnings("ignore", message=r"Matplotlib currently does not support")
        yield


def new_figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


SVG_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
SVG_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
# matplotlib's `*{stroke-linejoin…}` rule would style the whole page once the SVG is inline.
SVG_STYLE = re.compile(r"\s*<defs>\s*<style[^>]*>.*?</style>\s*</defs>", re.DOTALL)
SVG_FONT_FAMILY = re.compile(r";? ?font-family: 'DejaVu Sans'")


def render(figure, fmt: str, *, label: str = "") -> bytes:
    """The figure as PNG bytes, or as an SVG element (UTF-8) to put inline in a page."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    if fmt != "svg":
        return buffer.getvalue()
    svg = SVG_PROLOGUE.sub("", buffer.getvalue().decode("utf-8"), count=1)
    svg = SVG_METADATA.sub("", svg, count=1)
    svg = SVG_STYLE.sub("", svg, count=1)
    # One font stack on the root instead of DejaVu Sans on every text: the browser's fonts.
    svg = SVG_FONT_FAMILY.sub("", svg)
    from django.utils.html import escape

    # An image to assistive technology, named by the caller, instead of loose text.
    svg = svg.replace("<svg ", (
        f'<svg role="img" aria-label="{escape(label)}" class="plot" '
        f'style="font-family: {SVG_FONT_STACK}" '
    ), 1)
    return svg.encode("utf-8")


def relative_luminance(rgba) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour_on(rgba) -> str:
    """Black or white, whichever contrasts more with a cell's colour."""
    luminance = relative_luminance(rgba)
    # Contrast with white: 1.05 / (L + 0.05); with black: (L + 0.05) / 0.05.
    return "white" if 1.05 / (luminance + 0.05) > (luminance + 0.05) / 0.05 else "black"


def plot_title(version, kind: str) -> str:
    if kind == "confusion":
        return _("Model v%(n)s: test confusion") % {"n": version.number}
    label = pgettext("training metric", "loss") if kind == "loss" else _("accuracy")
    return _("Model v%(n)s: %(kind)s") % {"n": version.number, "kind": label}


def plot(version, kind: str, fmt: str = "svg") -> bytes:
    """One plot of a version, rendered once per language when the version is finished.

    A finished version (ready, rejected or failed) never changes again, and matplotlib takes
    tens of milliseconds a plot: its plots are kept in the shared cache. A version still
    queued or training is drawn afresh each time.
    """
    from ml.models import ModelVersion

    if version.status in ModelVersion.IN_PROGRESS:
        return plot_render(version, kind, fmt)
    key = f"plot:{PLOT_CACHE_VERSION}:{version.pk}:{kind}:{fmt}:{get_language()}"
    picture = cache.get(key)
    if picture is None:
        picture = plot_render(version, kind, fmt)
        cache.set(key, picture, timeout=PLOT_CACHE_SECONDS)
    return picture


def plot_render(version, kind: str, fmt: str = "svg") -> bytes:
    """Render one plot of a trained version: its loss or accuracy curves, or its confusion."""
    if kind not in PLOT_KINDS:
        raise ValueError(f"unknown plot {kind!r}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    with plotting():
        figure = new_figure(5.5, 3.6)
        axes = figure.subplots()
        history = version.history or {}
        title = plot_title(version, kind)
        if kind in ("loss", "accuracy"):
            for key, label, colour, style in (
                (kind, _("train"), PURPLE, "-"), (f"test_{kind}", _("test"), GREY, "--"),
            ):
                values = history.get(key)
                if values:
                    axes.plot(range(1, len(values) + 1), values, label=label, color=colour,
                              linestyle=style)
            from matplotlib.ticker import MaxNLocator

            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            axes.set_xlabel(_("epoch"))
            axes.set_ylabel(pgettext("training metric", "loss") if kind == "loss"
                            else _("accuracy"))
            axes.grid(alpha=0.3)
            if axes.get_legend_handles_labels()[0]:
                axes.legend()
        else:
            confusion_axes(axes, (version.metrics or {}).get("confusion_matrix"))
        axes.set_title(title)
        return render(figure, fmt, label=title)


def confusion_axes(axes, matrix) -> None:
    matrix = matrix or [[0] * len(SPECIES) for _species in SPECIES]
    names = species_names()
    labels = [names[s] for s in SPECIES]
    # Vector cells (pcolormesh, not imshow): no embedded bitmap, text stays text.
    mesh = axes.pcolormesh(matrix, cmap="Purples", vmin=0, edgecolors="white", linewidth=2)
    axes.set_xticks([i + 0.5 for i in range(len(SPECIES))], labels)
    axes.set_yticks([i + 0.5 for i in range(len(SPECIES))], labels)
    axes.invert_yaxis()
    axes.set_aspect("equal")
    axes.set_xlabel(_("predicted"))
    axes.set_ylabel(_("true species"))
    axes.tick_params(length=0)
    axes.spines[:].set_visible(False)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            # The count in black or white, whichever reads on this cell's shade.
            colour = text_colour_on(mesh.cmap(mesh.norm(count)))
            axes.text(j + 0.5, i + 0.5, str(count), ha="center", va="center", color=colour,
                      fontweight="bold", fontsize="large")


def plot_png(version, kind: str) -> bytes:
    """The PNG of a plot, for API clients (text drawn with the fonts of the server)."""
    return plot(version, kind, "png")
