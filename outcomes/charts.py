"""Geometry of the impact page's charts, computed here so the templates only draw inline SVG
(no script, no external asset). Values are shares (0-1) or means on the 1-5 scale."""

from __future__ import annotations

from dataclasses import dataclass, field

BAR_HEIGHT = 22
ROW_GAP = 10
LABEL_WIDTH = 130
PLOT_WIDTH = 280
VALUE_WIDTH = 80
MAX_BARS = 12  # bars of a horizontal chart, whatever the number of groups


@dataclass
class HBar:
    label: str
    y: int
    text_y: int
    label_x: int = LABEL_WIDTH - 8
    value_x: float = LABEL_WIDTH + 6
    width: float = 0
    inner_width: float = 0
    value_text: str = ""
    suppressed: bool = False


@dataclass
class HBarChart:
    title: str
    description: str
    width: int
    height: int
    plot_x: int
    bars: list[HBar] = field(default_factory=list)
    ticks: list[dict] = field(default_factory=list)
    empty: bool = False


def percent(value: float | None) -> str:
    """A share as a whole percentage, halves rounded up (0.625 -> 63%)."""
    return "—" if value is None else f"{int(value * 100 + 0.5)}%"


def _others(rows: list[dict], label: str) -> dict:
    """One bar for many groups: their (rounded, published) counts added up, the rates computed from the sums.
    Nothing a reader could not add up from the open tables."""
    employed = sum(r["employed"] for r in rows)
    respondents = sum(r["respondents"] for r in rows)
    sen = sum(r["employed_sen"] for r in rows)
    return {
        "label": label,
        "employed": employed,
        "respondents": respondents,
        "employment_rate": min(1.0, employed / respondents),
        "sen_employment_rate": min(1.0, sen / respondents),
    }


def employment_chart(
    rows: list[dict], *, title: str, description: str, lang: str, text: dict, others_label: str = ""
) -> HBarChart:
    """Horizontal bars: share employed at the latest wave, the SEN roles drawn darker inside it. Groups
    whose rate is suppressed are not drawn one by one (a list of blanks says nothing); a note counts them.
    At most MAX_BARS bars however many groups there are: past that, the MAX_BARS - 1 groups with the most
    respondents (in their listed order) and one bar for all the others (`others_label`, given their number)."""
    top = 24
    shown = [r for r in rows if r.get("employment_rate") is not None]
    hidden = len(rows) - len(shown)
    if len(shown) > MAX_BARS:
        largest = sorted(range(len(shown)), key=lambda i: (-shown[i]["respondents"], i))[: MAX_BARS - 1]
        kept = set(largest)
        rest = [r for i, r in enumerate(shown) if i not in kept]
        shown = [r for i, r in enumerate(shown) if i in kept] + [_others(rest, others_label.format(n=len(rest)))]
    lines = len(shown) + (1 if hidden else 0)
    chart = HBarChart(
        title=title,
        description=description,
        width=LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH,
        height=top + max(lines, 1) * (BAR_HEIGHT + ROW_GAP) + 6,
        plot_x=LABEL_WIDTH,
        empty=not rows,
    )
    for i, share in enumerate((0, 0.25, 0.5, 0.75, 1)):
        chart.ticks.append({"x": LABEL_WIDTH + share * PLOT_WIDTH, "label": f"{int(share * 100)}%", "i": i})
    for i, row in enumerate(shown):
        y = top + i * (BAR_HEIGHT + ROW_GAP)
        rate = row["employment_rate"]
        chart.bars.append(
            HBar(
                label=row.get("label") or row["label_sq"],
                y=y,
                text_y=y + BAR_HEIGHT - 6,
                width=round(rate * PLOT_WIDTH, 1),
                inner_width=round((row.get("sen_employment_rate") or 0) * PLOT_WIDTH, 1),
                value_x=LABEL_WIDTH + PLOT_WIDTH + 6,
                value_text=f"{percent(rate)} ({row['employed']}/{row['respondents']})",
            )
        )
    if hidden:
        y = top + len(shown) * (BAR_HEIGHT + ROW_GAP)
        chart.bars.append(
            HBar(
                label="",
                y=y,
                text_y=y + BAR_HEIGHT - 6,
                value_text=text["hidden_groups"].format(n=hidden),
                suppressed=True,
            )
        )
    return chart


@dataclass
class VBar:
    label: str
    x: float
    y: float
    height: float
    value_text: str
    suppressed: bool = False
    center_x: float = 0
    value_y: float = 0
    label_y: float = 0


@dataclass
class VBarChart:
    title: str
    description: str
    width: int
    height: int
    base_y: int
    bar_width: int
    bars: list[VBar] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    empty: bool = False


def over_time_chart(
    rows: list[dict],
    *,
    value_key: str,
    low: float,
    high: float,
    fmt,
    title: str,
    description: str,
    reference_lines: list[tuple[float, str]] = (),
    text: dict,
) -> VBarChart:
    """Vertical bars per year on a fixed scale [low, high], with optional reference lines (targets)."""
    plot_h, top, left, slot = 180, 20, 40, 80
    chart = VBarChart(
        title=title,
        description=description,
        width=left + max(len(rows), 1) * slot + 100,
        height=top + plot_h + 40,
        base_y=top + plot_h,
        bar_width=44,
        empty=not rows,
    )

    def y_of(value: float) -> float:
        return round(top + plot_h - (value - low) / (high - low) * plot_h, 1)

    for value, label in reference_lines:
        x2 = chart.width - 100 + 4
        chart.lines.append({"y": y_of(value), "label": label, "x1": left - 4, "x2": x2, "label_x": x2 + 4})
    for i, row in enumerate(rows):
        x = left + i * slot + (slot - chart.bar_width) / 2
        value = row.get(value_key)
        if value is None:
            bar = VBar(label=row["key"], x=x, y=chart.base_y, height=0, value_text=text["suppressed_short"])
            bar.suppressed, bar.value_y = True, chart.base_y - 6
        else:
            y = y_of(max(value, low))
            bar = VBar(label=row["key"], x=x, y=y, height=round(chart.base_y - y, 1), value_text=fmt(value))
            bar.value_y = y - 5
        bar.center_x, bar.label_y = x + chart.bar_width / 2, chart.base_y + 18
        chart.bars.append(bar)
    return chart
