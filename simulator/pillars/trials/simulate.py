"""Simulate group-sequential trials, many Monte Carlo iterations at once.

**Parametrisation.** A two-arm trial randomises 1:1 and compares means of a normal
endpoint with known standard deviation; ``theta`` is the standardized effect (difference
in means over the standard deviation). With ``n`` patients in total (``n/2`` per arm) the
information is ``I = n / 4`` and the final z-statistic is ``Z ~ N(theta sqrt(n/4), 1)``.
The *drift* is the expected z at full information, ``drift = theta * sqrt(n_max / 4)``;
a trial's whole path is then a Brownian motion ``B(t) ~ N(drift * t, t)`` in information
time ``t``, seen at the looks: ``Z_k = B(t_k) / sqrt(t_k)`` (Jennison & Turnbull 2000,
section 3.1). Other endpoints (binary, time-to-event) fit the same frame asymptotically,
with their own information.

**Simulation.** For every iteration we draw the independent increments
``B(t_k) - B(t_{k-1}) ~ N(drift (t_k - t_{k-1}), t_k - t_{k-1})``, all ``K`` of an
iteration together (iteration-major, :func:`simulator.core.seeding.iteration_major`, so
iteration ``i``'s path is the same in a run of any length), and look by look apply
the design's bounds: success at the first look with ``Z_k >= b_k``, stop for futility at
the first interim look with ``Z_k <= a_k``, and at the last look succeed or fail.
Increments are drawn for every iteration and every look, whether or not the trial has
already stopped, so two designs with the same looks run on the same random paths (common
random numbers) and the draws never depend on the decisions.

Every iteration can have its own drift (each draws its own true effect), so one call
simulates a whole array of trials. Randomness comes only from the ``rng`` passed in.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from simulator.core.seeding import iteration_major
from simulator.pillars.trials.boundaries import GroupSequentialDesign


class TrialOutcome(NamedTuple):
    """Per-iteration results of simulated group-sequential trials (arrays of length N).

    Attributes
    ----------
    success : numpy.ndarray of bool
        The efficacy bound was crossed (at an interim or the final look).
    stage : numpy.ndarray of int8
        Look at which the trial stopped, 1..K.
    early_efficacy : numpy.ndarray of bool
        Stopped at an interim look (before K) for efficacy.
    early_futility : numpy.ndarray of bool
        Stopped at an interim look (before K) for futility.
    info_fraction : numpy.ndarray of float
        Information fraction used, ``t_stage``; times ``n_max`` gives the patients used.
    """

    success: NDArray[np.bool_]
    stage: NDArray[np.int8]
    early_efficacy: NDArray[np.bool_]
    early_futility: NDArray[np.bool_]
    info_fraction: NDArray[np.float64]


def drift_from_effect(effect_size: ArrayLike, n_total: ArrayLike) -> NDArray[np.float64]:
    """Expected final z of a 1:1 two-arm trial: ``theta * sqrt(n_total / 4)``.

    Parameters
    ----------
    effect_size : array_like
        Standardized effect ``theta`` (difference in means over the standard deviation).
    n_total : array_like
        Total number of patients at full information (both arms).

    Returns
    -------
    numpy.ndarray
        Drift, broadcast over the inputs.
    """
    return np.asarray(effect_size, dtype=np.float64) * np.sqrt(
        np.asarray(n_total, dtype=np.float64) / 4.0
    )


def max_sample_size(design: GroupSequentialDesign, effect_size: float) -> float:
    """Total patients at full information for the design to have its power at ``theta``.

    ``n_max = 4 * drift_design**2 / theta**2``, i.e. the fixed design's
    ``4 (z_{1-alpha} + z_{power})^2 / theta^2`` times the inflation factor.
    """
    if effect_size <= 0.0:
        raise ValueError("the design effect size must be positive")
    return 4.0 * design.drift_design**2 / effect_size**2


def simulate_group_sequential(
    design: GroupSequentialDesign,
    drift: ArrayLike,
    rng: np.random.Generator,
    obey_futility: bool = True,
) -> TrialOutcome:
    """Simulate one group-sequential trial per element of ``drift``.

    Parameters
    ----------
    design : GroupSequentialDesign
        Looks and bounds (built once, outside the Monte Carlo loop).
    drift : array_like, shape (N,)
        Expected z-statistic at full information of each iteration's trial,
        ``theta * sqrt(n_max / 4)`` (see :func:`drift_from_effect`); 0 under H0.
    rng : numpy.random.Generator
        Source of randomness; ``K * N`` standard normals are drawn, ``K`` per iteration
        in turn (iteration-major: iteration ``i``'s path does not depend on ``N``).
    obey_futility : bool
        If False, the sponsor overrides the (non-binding) futility bounds and continues.

    Returns
    -------
    TrialOutcome
        Success, stopping look, early-stop reasons and information fraction used.
    """
    drift = np.asarray(drift, dtype=np.float64)
    if drift.ndim != 1:
        raise ValueError("drift must be a one-dimensional array, one value per iteration")
    t = design.info_fractions
    k_max = t.size
    use_futility = obey_futility and design.futility_z is not None
    n = drift.size
    normals = iteration_major(rng.standard_normal, k_max, (n,))
    brownian = np.zeros(n)
    decided = np.zeros(n, dtype=bool)
    success = np.zeros(n, dtype=bool)
    stage = np.full(n, k_max, dtype=np.int8)
    t_prev = 0.0
    for k in range(k_max):
        dt = t[k] - t_prev
        brownian += drift * dt + np.sqrt(dt) * normals[k]
        z = brownian / np.sqrt(t[k])
        cross_up = ~decided & (z >= design.efficacy_z[k])
        if k + 1 == k_max:
            stop = ~decided
        elif use_futility:
            stop = cross_up | (~decided & (z <= design.futility_z[k]))
        else:
            stop = cross_up
        stage[stop] = k + 1
        success |= cross_up
        decided |= stop
        t_prev = t[k]
    early = stage < k_max
    return TrialOutcome(
        success=success,
        stage=stage,
        early_efficacy=success & early,
        early_futility=~success & early,
        info_fraction=t[stage - 1],
    )
