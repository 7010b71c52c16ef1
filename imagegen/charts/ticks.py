"""Value-axis ticks as Chart.js draws them: steps of 1, 2 or 5 × 10ⁿ, a range that ends
on ticks, labels without needless decimals, offsets or scientific notation.

`Ticks` are chosen for an axis of a given length by `value_ticks`, which tries fewer
and fewer ticks until their labels, measured, fit side by side without touching.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

STEPS = (1, 2, 5, 10)
MAX_TICKS = 11
# Beyond these sizes, numbers are written in scientific notation even by default: written
# out they would take more room than the plot, or be mostly zeros.
_WRITTEN_OUT = 1e15
_SMALLEST_STEP = 1e-4

LOG_EVERY = (1, 2, 3, 5, 10, 20, 50)  # powers of ten between ticks, on log axes
Ends = tuple[float | None, float | None]  # axis ends given by the user, if any


@dataclass(frozen=True)
class Ticks:
    """Where an axis' ticks go, what they say, and the axis' range."""

    values: list[float]
    labels: list[str]
    low: float
    high: float


def nice_step(span: float, count: int) -> float:
    """The smallest step of 1, 2 or 5 × 10ⁿ that covers `span` in `count` - 1 steps."""
    raw = span / max(count - 1, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in STEPS if m * magnitude >= raw * (1 - 1e-9))


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9))


def tick_writer(
    step: float, number_format: str | None, write: Callable[[float], str]
) -> Callable[[float], str]:
    """How the ticks of an axis with this `step` are written: by `number_format` when one
    is given (compact numbers for `compact`), else with thousands separators and as many
    decimals as the step has (none when it is whole)."""
    if number_format is not None:
        return write
    decimals = _decimals(step)

    def written(value: float) -> str:
        if value == 0:
            return "0"
        if abs(value) >= _WRITTEN_OUT or step < _SMALLEST_STEP:
            return f"{value:.3g}"
        return f"{value:,.{decimals}f}"

    return written


def data_range(low: float, high: float, from_zero: bool) -> tuple[float, float]:
    """The span the ticks must cover: the data's, from zero for bars and areas; a
    single value gets room around it, and no data at all (or all zero) gives 0 to 1."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    if from_zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if low == high:
        if low == 0:
            return 0.0, 1.0
        room = abs(low) / 10
        low, high = (0.0, high) if from_zero and low > 0 else (low - room, high + room)
        if from_zero and high < 0:
            low, high = low, 0.0
    return low, high


def _linear(low: float, high: float, count: int, ends: Ends) -> tuple[list[float], float, float]:
    """About `count` ticks over `low`…`high` at a nice step, and the axis' ends: the
    nearest ticks outside the data, or the ends `ends` fixes."""
    step = nice_step(high - low, count)
    start = ends[0] if ends[0] is not None else math.floor(low / step + 1e-9) * step
    stop = ends[1] if ends[1] is not None else math.ceil(high / step - 1e-9) * step
    first, last = math.ceil(start / step - 1e-9), math.floor(stop / step + 1e-9)
    values = [round(k * step, 12) + 0.0 for k in range(first, last + 1)]  # no -0.0
    return values, start, stop


def _log(low: float, high: float, every: int, ends: Ends) -> tuple[list[float], float, float]:
    """Powers of ten (each `every`th) over `low`…`high`, and the axis' ends: the powers
    of ten around the data, or the ends `ends` fixes."""
    first = math.log10(ends[0]) if ends[0] is not None else math.floor(math.log10(low) + 1e-9)
    last = math.log10(ends[1]) if ends[1] is not None else math.ceil(math.log10(high) - 1e-9)
    last = max(last, first + 1)
    powers = range(math.ceil(first - 1e-9), math.floor(last + 1e-9) + 1)
    return [10.0**k for k in powers if k % every == 0], 10.0**first, 10.0**last


def choose_ticks(
    span: tuple[float, float],
    log: bool,
    ends: Ends,
    writer: Callable[[float], Callable[[float], str]],
    fits: Callable[[list[str]], bool],
) -> Ticks:
    """The most ticks, up to `MAX_TICKS`, whose labels `fits` accepts, over `span`.
    `writer(step)` gives the function that writes the labels of ticks `step` apart (for
    a log axis, the step is 1). The last try is taken if none fits."""
    tries = (
        (_log(*span, every, ends) for every in LOG_EVERY)
        if log
        else (_linear(*span, count, ends) for count in range(MAX_TICKS, 1, -1))
    )
    ticks = Ticks([], [], *span)
    for values, start, stop in tries:
        step = values[1] - values[0] if len(values) > 1 and not log else 1.0
        write = writer(step)
        ticks = Ticks(values, [write(v) for v in values], start, stop)
        if fits(ticks.labels):
            break
    return ticks


def extent(values: np.ndarray) -> tuple[float, float]:
    """The lowest and highest finite value; NaN, NaN when there is none."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return math.nan, math.nan
    return float(finite.min()), float(finite.max())
