"""Charts of a trainee's progress (matplotlib, Agg), SVG with text kept as text: see ml.plots."""

from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ml.plots import GREY, PURPLE, new_figure, plotting, render

# (day, answered rounds, the trainee's correct answers, the AI's correct guesses)
DailyAccuracy = tuple[date, int, int, int]

# Beyond this many days of play, bars would be slivers: draw lines through the days instead.
MAX_BAR_DAYS = 14


def day_label(day: date) -> str:
    """A day as the current language writes it without the year (12月30日, Dec 30)."""
    return formats.date_format(day, "MONTH_DAY_FORMAT")


def accuracy_over_time(days: list[DailyAccuracy], *, title: str, fmt: str = "svg") -> bytes:
    """The trainee's and the AI's accuracy per day of play on the same rounds.

    One position per day played (days without play are not gaps of nothing), so one or two
    days read as one or two pairs of bars, each day labelled with its rounds.
    """
    with plotting():
        figure = new_figure(7.5, 3.8)
        axes = figure.subplots()
        positions = list(range(len(days)))
        trainee = [correct / n for _day, n, correct, _ai in days]
        ai = [ai_correct / n for _day, n, _correct, ai_correct in days]
        labels = [
            day_label(day) + "\n" + ngettext("%(n)d round", "%(n)d rounds", n) % {"n": n}
            for day, n, _correct, _ai in days
        ]
        if len(days) <= MAX_BAR_DAYS:
            width = 0.38
            axes.bar([p - width / 2 for p in positions], trainee, width, color=PURPLE,
                     label=_("trainee"))
            axes.bar([p + width / 2 for p in positions], ai, width, color=GREY,
                     label=_("AI"), hatch="//", edgecolor="white")
            axes.set_xlim(-0.75, max(len(days) - 0.25, 1.75))
        else:
            axes.plot(positions, trainee, marker="o", color=PURPLE, label=_("trainee"))
            axes.plot(positions, ai, marker="s", linestyle="--", color=GREY, label=_("AI"))
        step = max(1, len(days) // 8)
        axes.set_xticks(positions[::step], labels[::step])
        axes.set_ylim(0, 1.05)
        axes.set_yticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        axes.set_ylabel(_("accuracy"))
        axes.set_title(title)
        axes.grid(axis="y", alpha=0.3)
        axes.spines[["top", "right"]].set_visible(False)
        figure.legend(loc="outside right upper", fontsize="small", frameon=False)
        return render(figure, fmt, label=title)
