"""Scenario discovery: in which futures, and for which choices, does portfolio A beat B?

The headline gives one number, P(A > B) over the scenario's futures. A committee wants
the conditions: *prevalence above 4% and phase II success above 35%: the nichebuster wins
in 85% of those futures, and they hold 60% of its wins.* Scenario discovery (Bryant &
Lempert 2010, *Technol Forecast Soc Change* 77:34) finds such boxes:

1. **Design** (:func:`lever_design`): the structural *levers* (any scenario field, a
   range ``low:high`` or a list of values: a template's biomarker prevalence or phase II
   success rate, a CDx delay probability, a price, the discount rate, a budget) are
   sampled by a Latin hypercube of ``experiments`` points (from the ``design`` stream of
   the scenario's seed); each point is a scenario variant, run for ``iterations``
   futures on the base's seed, so every point sees the same futures (common random
   numbers) and differs only by its levers;
2. **Data**: one row per (point, future): the levers, the market's shocks of that future
   (the uncertain inputs every portfolio shares), and ``y = NPV_A > NPV_B``;
3. **PRIM** (Friedman & Fisher 1999), the EMA workbench's implementation (the field's
   reference one; Kwakkel 2017, *Environ Model Softw* 96:239), peels the input space from
   its edges, ``peel_alpha`` of the remaining futures at a time, keeping the box whose
   *density* (the share of its futures where A wins) rises fastest, and stops at
   ``mass_min``. On this *peeling trajectory* the box chosen is, among those whose
   density reaches ``threshold``, the one with the best balance of density and
   *coverage* (the share of all of A's wins inside it): the highest harmonic mean of the
   two, as an F1 score balances precision and recall; then the covered futures are set
   aside and the next box is sought.
   CART (a classification tree, the workbench's second view) gives leaves as boxes too.

A future's uncertain inputs of each asset (a programme's own peak share) are not
offered to PRIM by default: a box on one programme's draws says little about a strategy.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import yaml

from simulator.core.seeding import generator
from simulator.engine.runner import run_variants
from simulator.scenario import Scenario, ScenarioError

__all__ = ["DiscoveryError", "discover", "find_boxes", "lever_design", "parse_lever"]


class DiscoveryError(ValueError):
    """A discovery that cannot run as asked (the message says what to change)."""


def parse_lever(text: str) -> tuple[str, tuple[float, float] | list[Any]]:
    """``'market.discount_rate_annual=0.07:0.13'`` -> a range; ``'path=a,b,c'`` -> values."""
    key, sep, values = text.partition("=")
    key = key.strip()
    if not sep or not key or not values.strip():
        raise DiscoveryError(
            f"--lever: expected PATH=LOW:HIGH or PATH=V1,V2,..., e.g. "
            f"market.discount_rate_annual=0.07:0.13; got {text!r}"
        )
    if ":" in values and "," not in values:
        lo, _, hi = values.partition(":")
        try:
            low, high = float(lo), float(hi)
        except ValueError:
            raise DiscoveryError(f"--lever {key}: could not read the range {values!r}") from None
        if not high > low:
            raise DiscoveryError(
                f"--lever {key}: the range {values} is empty; give LOW:HIGH with HIGH > LOW "
                "(to fix a value, use --set instead)"
            )
        return key, (low, high)
    parsed = yaml.safe_load(f"[{values}]")
    if not isinstance(parsed, list) or len(set(map(str, parsed))) < 2:
        raise DiscoveryError(
            f"--lever {key}: give at least two different values (or a range LOW:HIGH); "
            f"got {values!r}"
        )
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in parsed):
        raise DiscoveryError(f"--lever {key}: values must be numbers, got {values!r}")
    return key, parsed


def lever_design(
    levers: Mapping[str, tuple[float, float] | list[Any]], experiments: int, seed: int
) -> pd.DataFrame:
    """A Latin hypercube over ``levers``: a row per experiment, a column per lever (a range
    is sampled uniformly within; a list of values in equal shares)."""
    rng = generator(seed, 0, "design", *levers)
    out = {}
    for path, spec in levers.items():
        u = (rng.permutation(experiments) + rng.random(experiments)) / experiments
        if isinstance(spec, tuple):
            out[path] = spec[0] + u * (spec[1] - spec[0])
        else:
            out[path] = [spec[int(v * len(spec))] for v in u]
    return pd.DataFrame(out)


def find_boxes(
    x: pd.DataFrame,
    y: np.ndarray,
    threshold: float = 0.8,
    boxes: int = 3,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PRIM boxes of ``x`` where ``y`` (bool) is true (see the module docstring).

    Returns
    -------
    (boxes, trajectory)
        ``boxes``: a row per box (``box`` 1, 2, ...; ``coverage`` and ``density`` over all
        of ``y``'s wins and over the box's futures, ``mass``, ``res_dim``, ``limits`` as
        text, and ``<input>_low`` / ``<input>_high`` for each restricted input);
        ``trajectory``: the first box's peeling trajectory (``coverage``, ``density``,
        ``mass``, ``res_dim``, ``chosen``).
    """
    prim = _workbench("prim")
    y = np.asarray(y, dtype=bool)
    total = int(y.sum())
    if total == 0:
        raise DiscoveryError("A never beats B in this design: there is no box to find")
    with warnings.catch_warnings():  # the workbench's pandas deprecations
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y, threshold=threshold, peel_alpha=peel_alpha, mass_min=mass_min)
    initial = finder.box_init
    rows, trajectory = [], None
    for k in range(boxes):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = finder.find_box()
        if box is None:
            break
        traj = box.peeling_trajectory
        ok = traj["density"] >= threshold
        if not ok.any():
            break
        f1 = 2 * traj["coverage"] * traj["density"] / (traj["coverage"] + traj["density"])
        chosen = int(f1[ok].idxmax())
        box.select(chosen)
        if trajectory is None:
            trajectory = traj[["coverage", "density", "mass", "res_dim"]].copy()
            trajectory["chosen"] = trajectory.index == chosen
        lims = box.box_lim
        inside = _inside(x, lims)
        row = {
            "box": k + 1,
            "coverage": float(y[inside].sum() / total),
            "density": float(y[inside].mean()) if inside.any() else math.nan,
            "mass": float(inside.mean()),
            "n": int(inside.sum()),
        }
        restricted = [c for c in x.columns if not lims[c].equals(initial[c])]
        row["res_dim"] = len(restricted)
        row["limits"] = _describe(lims, initial, restricted)
        for c in restricted:
            row[f"{c}_low"], row[f"{c}_high"] = lims[c].iloc[0], lims[c].iloc[1]
        rows.append(row)
    if trajectory is None:
        raise DiscoveryError(
            f"no box reaches a density of {threshold:.0%} (A wins in "
            f"{total / y.size:.0%} of all futures): lower --threshold or widen the levers"
        )
    return pd.DataFrame(rows), trajectory


def cart_boxes(x: pd.DataFrame, y: np.ndarray, mass_min: float = 0.05, top: int = 3):
    """The leaves of a CART classification tree where A wins most often, as boxes."""
    cart = _workbench("cart")
    y = np.asarray(y, dtype=bool)
    # the workbench names a leaf's (absent) feature by index -2 of the inputs' names, which
    # fails with one input: a constant second column, which a tree never splits on
    fitted = x if x.shape[1] > 1 else x.assign(_constant=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = cart.CART(fitted, y, mass_min=mass_min)
        tree.build_tree()
    initial = x.agg(["min", "max"]).reset_index(drop=True)
    rows = []
    for lims, stats in zip(tree.boxes, tree.stats, strict=True):
        restricted = [c for c in x.columns if not np.allclose(lims[c], initial[c])]
        rows.append(
            {
                "coverage": stats["coverage"],
                "density": stats["density"],
                "mass": stats["mass"],
                "res_dim": len(restricted),
                "limits": _describe(lims, initial, restricted),
            }
        )
    table = pd.DataFrame(rows).sort_values("density", ascending=False).head(top)
    return table.reset_index(drop=True)


def discover(
    scenario: Scenario,
    pair: tuple[str, str] | None = None,
    levers: Mapping[str, tuple[float, float] | list[Any]] | None = None,
    experiments: int = 64,
    threshold: float = 0.8,
    boxes: int = 3,
    inputs: Sequence[str] | None = None,
    backend: str = "sequential",
    workers: int | None = None,
    progress=None,
) -> pd.DataFrame:
    """Boxes of levers and shared inputs where ``pair[0]`` beats ``pair[1]``.

    ``scenario.simulation.iterations`` futures are run at each of ``experiments`` points
    (see the module docstring); ``inputs`` adds per-iteration input columns by name
    (default: the market's shocks). Returns the PRIM boxes (:func:`find_boxes`) with
    ``attrs``: ``pair``, ``levers``, ``experiments``, ``iterations``, ``base_rate`` (A's
    share of wins over the whole design), ``trajectory``, ``cart`` (CART's best leaves).
    """
    a, b = pair or scenario.pairs()[0]
    for p in (a, b):
        if p not in scenario.portfolios:
            known = ", ".join(scenario.portfolios)
            raise DiscoveryError(f"unknown portfolio {p!r} in the pair; known: {known}")
    levers = dict(levers or {})
    if not levers:
        experiments = 1
    elif experiments < 2:
        raise DiscoveryError(f"--experiments: a design needs at least 2 points, got {experiments}")
    design = lever_design(levers, experiments, scenario.simulation.seed) if levers else None
    variants = []
    for i in range(experiments):
        point = {} if design is None else {k: _plain(v) for k, v in design.iloc[i].items()}
        try:
            variants.append(scenario.with_(point))
        except ScenarioError as exc:
            raise DiscoveryError(
                f"--lever: the design point {point} is not a valid scenario:\n{exc}"
            ) from None
    outs = run_variants(variants, backend=backend, workers=workers, progress=progress)
    frames, wins = [], []
    for i, out in enumerate(outs):
        cols = out.columns
        n = cols[f"{a}.npv_musd"].size
        names = list(inputs) if inputs is not None else [c for c in cols if c.startswith("market.")]
        frame = {c: cols[c] for c in names}
        if design is not None:
            frame.update({k: np.full(n, float(v)) for k, v in design.iloc[i].items()})
        frames.append(pd.DataFrame(frame))
        wins.append(cols[f"{a}.npv_musd"] > cols[f"{b}.npv_musd"])
    x = pd.concat(frames, ignore_index=True)
    y = np.concatenate(wins)
    x = x.loc[:, x.nunique() > 1]
    if x.shape[1] == 0:
        raise DiscoveryError("nothing varies: give --lever PATH=LOW:HIGH (a field to vary)")
    table, trajectory = find_boxes(x, y, threshold=threshold, boxes=boxes)
    table.attrs.update(
        pair=(a, b),
        levers={k: list(v) for k, v in levers.items()},
        experiments=experiments,
        iterations=scenario.simulation.iterations,
        seed=scenario.simulation.seed,
        base_rate=float(y.mean()),
        trajectory=trajectory,
        cart=cart_boxes(x, y),
    )
    return table


def _inside(x: pd.DataFrame, lims: pd.DataFrame) -> np.ndarray:
    ok = np.ones(len(x), dtype=bool)
    for c in x.columns:
        ok &= (x[c] >= lims[c].iloc[0]).to_numpy() & (x[c] <= lims[c].iloc[1]).to_numpy()
    return ok


def _describe(lims: pd.DataFrame, initial: pd.DataFrame, restricted: list[str]) -> str:
    parts = []
    for c in restricted:
        lo, hi = lims[c].iloc[0], lims[c].iloc[1]
        lo0, hi0 = initial[c].iloc[0], initial[c].iloc[1]
        if lo > lo0 and hi < hi0:
            parts.append(f"{lo:.4g} <= {c} <= {hi:.4g}")
        elif lo > lo0:
            parts.append(f"{c} >= {lo:.4g}")
        else:
            parts.append(f"{c} <= {hi:.4g}")
    return " and ".join(parts) or "everywhere"


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def _workbench(module: str):
    """The EMA workbench's ``analysis.<module>``, imported quietly (it warns about its
    optional parallel backends on import)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import importlib

        return importlib.import_module(f"ema_workbench.analysis.{module}")
