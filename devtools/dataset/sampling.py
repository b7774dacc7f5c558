"""Sampling helpers: exact quotas (largest remainder), weighted picks without replacement,
and calibration by bisection. Everything takes a random.Random, so a seed repeats it."""

import bisect
import itertools
import math
import random
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta


def scaled(count: int, scale: float) -> int:
    """`count` × `scale`, rounded, at least 1."""
    return max(1, round(count * scale))


def at(day: date, seconds: int = 9 * 3600) -> datetime:
    """A deterministic timestamp on `day` (UTC)."""
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(seconds=seconds)


def quotas(weights: dict[str, float], total: int) -> dict[str, int]:
    """Split `total` by `weights` in whole numbers adding up to `total` (largest remainder)."""
    norm = sum(weights.values())
    exact = {key: total * value / norm for key, value in weights.items()}
    counts = {key: math.floor(value) for key, value in exact.items()}
    left = total - sum(counts.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - counts[k]), list(exact).index(k)))[:left]:
        counts[key] += 1
    return counts


def quota_list(rng: random.Random, weights: dict[str, float], total: int) -> list[str]:
    """`total` keys in the exact proportions of `weights`, shuffled."""
    keys = [key for key, count in quotas(weights, total).items() for _ in range(count)]
    rng.shuffle(keys)
    return keys


def assign_by_affinity(
    rng: random.Random, affinities: Sequence[dict[str, float]], weights: dict[str, float]
) -> list[str]:
    """Give each item a key so that the counts are the exact quotas of `weights` and an item
    gets a key more likely the higher its affinity for it (weighted sampling without
    replacement, Efraimidis-Spirakis keys, one key after the other)."""
    counts = quotas(weights, len(affinities))
    result: list[str | None] = [None] * len(affinities)
    remaining = list(range(len(affinities)))
    keys = list(counts)
    for key in keys[:-1]:
        scored = sorted(
            remaining,
            key=lambda i: -math.log(rng.random() or 1e-300) / max(affinities[i][key], 1e-9),
        )
        chosen = set(scored[: counts[key]])
        for i in chosen:
            result[i] = key
        remaining = [i for i in remaining if i not in chosen]
    for i in remaining:
        result[i] = keys[-1]
    return result  # type: ignore[return-value]


def weighted_index(rng: random.Random, cumulative: list[float]) -> int:
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def split_cents(rng: random.Random, total: int, parts: int, floor: float = 0.3) -> list[int]:
    """`total` cents in `parts` random positive amounts adding up exactly."""
    if parts == 1:
        return [total]
    raw = [rng.expovariate(1.0) + floor for _ in range(parts)]
    norm = sum(raw)
    exact = [total * value / norm for value in raw]
    amounts = [max(1, int(value)) for value in exact]
    diff = total - sum(amounts)
    order = sorted(range(parts), key=lambda i: -(exact[i] - int(exact[i])))
    index = 0
    while diff != 0:
        i = order[index % parts]
        if diff > 0:
            amounts[i] += 1
            diff -= 1
        elif amounts[i] > 1:
            amounts[i] -= 1
            diff += 1
        index += 1
    return amounts


def bisect_parameter(
    function: Callable[[float], float], target: float, low: float, high: float, steps: int = 40
) -> float:
    """The parameter in [low, high] for which the increasing `function` is nearest `target`."""
    for _ in range(steps):
        middle = (low + high) / 2
        if function(middle) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def tilted(weights: dict[str, float], values: dict[str, float], mean: float) -> dict[str, float]:
    """`weights` × exp(θ · value), θ chosen by bisection so that the mean of `values` under
    the new weights is `mean` (as near as the values allow: the lowest or the highest)."""
    spread = (max(values.values()) - min(values.values())) or 1.0

    def weighted(theta: float) -> dict[str, float]:
        return {key: w * math.exp(theta * values[key] / spread) for key, w in weights.items()}

    def average(theta: float) -> float:
        tilted_ = weighted(theta)
        return sum(w * values[key] for key, w in tilted_.items()) / sum(tilted_.values())

    return weighted(bisect_parameter(average, mean, -30.0, 30.0, steps=60))
