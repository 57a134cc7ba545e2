"""A small server-side SVG line chart: new and closed tickets per day.

Pure function, no Flask: the caller passes the words already translated. All text is escaped.
The two series differ in colour, line style and marker, so they read without colour too.
"""

from html import escape
from math import ceil, log10

WIDTH, HEIGHT = 560, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 28, 44, 40
LEGEND_FONT = 20  # legend spacing allows for the larger text a stylesheet may set on phones
SERIES = (  # key, colour, dash, marker fill
    ("new", "#1f5fbf", "", "#1f5fbf"),
    ("closed", "#1e7b34", "6 4", "#fff"),
)


def _nice_step(top: int, ticks: int = 4) -> int:
    """A 1-2-5 step so that about `ticks` steps cover `top`."""
    raw = max(top / ticks, 1)
    magnitude = 10 ** int(log10(raw))
    return next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)


def _text_width(text: str, size: float = LEGEND_FONT) -> float:
    """Rough width: CJK characters are square, Latin ones a bit over half as wide."""
    return sum(size if ord(c) >= 0x2E80 else size * 0.6 for c in text)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def trend_svg(days: list[dict], *, title: str, desc: str, labels: dict[str, str],
              empty: str, chart_id: str = "trend-chart") -> str:
    """Render `days` ([{"date": "YYYY-MM-DD", "new": n, "closed": m}, ...], oldest first).

    `labels` names the series ({"new": ..., "closed": ...}); `empty` is shown when there are no
    days. The SVG scales to its container (viewBox) and carries <title> and <desc>."""
    e = escape
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" id="{e(chart_id)}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-labelledby="{e(chart_id)}-title {e(chart_id)}-desc" font-size="13">',
           f'<title id="{e(chart_id)}-title">{e(title)}</title>',
           f'<desc id="{e(chart_id)}-desc">{e(desc)}</desc>']

    # legend, top left
    x = LEFT
    for key, colour, dash, fill in SERIES:
        out.append(f'<g class="legend legend-{key}">'
                   f'<line x1="{_num(x)}" y1="16" x2="{_num(x + 28)}" y2="16" '
                   f'stroke="{colour}" stroke-width="2.5" stroke-dasharray="{dash}"/>'
                   f'<circle cx="{_num(x + 14)}" cy="16" r="3.5" fill="{fill}" '
                   f'stroke="{colour}" stroke-width="2"/>'
                   f'<text x="{_num(x + 34)}" y="16" dominant-baseline="central">'
                   f'{e(labels[key])}</text></g>')
        x += 34 + _text_width(labels[key]) + 20

    axis_y = TOP + plot_h
    if not days:
        out.append(f'<line class="axis" x1="{LEFT}" y1="{axis_y}" x2="{LEFT + plot_w}" '
                   f'y2="{axis_y}" stroke="#5d6778"/>')
        out.append(f'<text class="empty" x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" '
                   f'text-anchor="middle" fill="#5d6778">{e(empty)}</text>')
        out.append("</svg>")
        return "".join(out)

    top_value = max(max(d["new"], d["closed"]) for d in days)
    step = _nice_step(top_value)
    y_max = max(step * ceil(top_value / step), step)

    def px(i: int) -> float:
        return LEFT + (plot_w * i / (len(days) - 1) if len(days) > 1 else plot_w / 2)

    def py(value: int) -> float:
        return TOP + plot_h - plot_h * value / y_max

    # horizontal grid lines and y labels
    for value in range(0, y_max + 1, step):
        y = _num(py(value))
        out.append(f'<line class="grid" x1="{LEFT}" y1="{y}" x2="{LEFT + plot_w}" y2="{y}" '
                   f'stroke="#d8dde6"/>')
        out.append(f'<text class="y-label" x="{LEFT - 8}" y="{y}" dominant-baseline="central" '
                   f'text-anchor="end" fill="#5d6778">{value}</text>')
    # axes
    out.append(f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{axis_y}" '
               f'stroke="#5d6778"/>')
    out.append(f'<line class="axis" x1="{LEFT}" y1="{axis_y}" x2="{LEFT + plot_w}" '
               f'y2="{axis_y}" stroke="#5d6778"/>')
    # x labels (MM-DD), about six of them, always the last day (today)
    every = max(1, ceil(len(days) / 6))
    for i, d in enumerate(days):
        if (len(days) - 1 - i) % every == 0:
            x = _num(px(i))
            out.append(f'<line x1="{x}" y1="{axis_y}" x2="{x}" y2="{axis_y + 4}" '
                       f'stroke="#5d6778"/>')
            out.append(f'<text class="x-label" x="{x}" y="{axis_y + 8}" text-anchor="middle" '
                       f'dominant-baseline="hanging" fill="#5d6778">{e(d["date"][5:])}</text>')

    # the two series: a line and one marker per day (with the exact figure as its tooltip)
    for key, colour, dash, fill in SERIES:
        points = " ".join(f"{_num(px(i))},{_num(py(d[key]))}" for i, d in enumerate(days))
        out.append(f'<g class="series series-{key}">')
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                   f'stroke-width="2.5" stroke-linejoin="round" stroke-dasharray="{dash}"/>')
        for i, d in enumerate(days):
            out.append(f'<circle class="point" cx="{_num(px(i))}" cy="{_num(py(d[key]))}" '
                       f'r="3.5" fill="{fill}" stroke="{colour}" stroke-width="2">'
                       f'<title>{e(d["date"])} {e(labels[key])}: {int(d[key])}</title>'
                       f'</circle>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
