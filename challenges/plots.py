"""Charts of a trainee's progress as PNG bytes (matplotlib, Agg, no display needed)."""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from ml.plots import new_figure, png_bytes

# (day, answered rounds, the trainee's correct answers, the AI's correct guesses)
DailyAccuracy = tuple[date, int, int, int]


def accuracy_over_time_png(days: list[DailyAccuracy], *, title: str) -> bytes:
    """Plot the trainee's and the AI's accuracy per day on the same rounds, with the volume."""
    figure = new_figure(7.5, 4.0)
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, DayLocator
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    axes = figure.subplots()
    when = [day for day, _rounds, _correct, _ai in days]
    rounds = [n for _day, n, _correct, _ai in days]
    # The volume goes behind the lines, on its own scale: 2 rounds at 100% is not 40 at 90%.
    volume = axes.twinx()
    volume.bar(when, rounds, width=0.8, color="#999999", alpha=0.25, label=_("rounds answered"))
    volume.set_ylabel(_("rounds answered"))
    volume.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_zorder(volume.get_zorder() + 1)
    axes.patch.set_visible(False)

    trainee = [correct / n for _day, n, correct, _ai in days]
    ai = [ai_correct / n for _day, n, _correct, ai_correct in days]
    axes.plot(when, trainee, marker="o", color="#417690", label=_("trainee"))
    axes.plot(when, ai, marker="s", linestyle="--", color="#ba2121", label=_("AI"))
    axes.set_ylim(-0.05, 1.05)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0))
    axes.set_ylabel(_("accuracy"))
    # Whole days only: a few days apart, an automatic locator ticks at 12:00 too.
    span = (when[-1] - when[0]).days if when else 0
    locator = DayLocator() if span <= 10 else AutoDateLocator(maxticks=8)
    if when:
        axes.set_xlim(when[0] - timedelta(days=1), when[-1] + timedelta(days=1))
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.set_title(title)
    axes.grid(alpha=0.3)
    handles, labels = axes.get_legend_handles_labels()
    bar_handles, bar_labels = volume.get_legend_handles_labels()
    figure.legend(
        handles + bar_handles, labels + bar_labels, loc="outside lower center", ncols=3,
        fontsize="small",
    )
    return png_bytes(figure)
