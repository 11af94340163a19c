"""Adaptive two-arm designs, simulated at the level of their z-statistics, many at once.

**Units.** Every function here works with the *drift per patient* ``delta``: a 1:1 two-arm
trial with ``n`` patients in total has final statistic ``Z ~ N(delta sqrt(n), 1)``. For a
continuous endpoint with standardized effect ``theta`` (difference in means over the SD)
``delta = theta / 2``, since the information is ``n / 4``; other endpoints enter through
their information per patient ``i`` (:func:`drift_per_patient`): ``delta = theta sqrt(i/4)``.
An estimate of the effect is ``Z / sqrt(n)`` on this scale. Arrays broadcast: each Monte
Carlo iteration may have its own true effect, sample size and prevalence.

**Designs** (each returns a :class:`DesignOutcome` per iteration):

- *fixed*: one analysis; success if ``Z >= z_{1-alpha}``, or, for a phase II go/no-go,
  if the estimate reaches a threshold.
- *group-sequential*: :func:`simulate_gsd` wraps :mod:`.simulate` (bounds from
  :mod:`.boundaries`, computed once per design).
- *sample-size re-estimation* (promising zone; Mehta & Pocock 2011): at the interim
  (fraction ``t1`` of the planned ``n``) the conditional power under the observed trend,
  ``CP``, sorts the trial into zones: favourable (``CP >= cp_target``) and unfavourable
  (``CP < cp_min``) continue as planned; promising (in between) raises the second stage
  to the size that gives ``CP = cp_target``, capped at ``max_increase x n`` in total. The
  final test is the weighted inverse-normal combination with weights fixed in advance,
  ``Z = sqrt(t1) Z_1 + sqrt(1 - t1) Z_2``, where ``Z_2`` uses stage-2 patients only
  (Cui, Hung & Wang 1999; Lehmacher & Wassmer 1999): under H0 it is N(0, 1) whatever the
  new size, so the type I error of the two-look group-sequential bounds holds exactly.
- *adaptive enrichment*: stage 1 enrols all-comers (share ``p`` biomarker-positive); from
  the stratum estimates the trial stops for futility, continues in all-comers, or
  continues in positives only. Two hypotheses, full population F and positive subgroup
  S, are tested by **closed testing with the inverse-normal combination test**: the
  intersection H_FS is tested with Simes' (or Bonferroni's) combination of the two
  stage-wise p-values (stage 2 after enrichment has S only, so its p-value is S's); H_F
  (or H_S) is rejected if both H_FS and H_F (H_S) are rejected by the combination test at
  level alpha. This controls the familywise error rate in the strong sense whatever the
  interim decision (Bretz et al. 2006; Brannath et al. 2009; Jenkins, Stallard & Friede
  2011); Simes is valid here because the statistics are positively correlated (Sarkar
  1998). Success is any rejection; the label is *positives only* if H_S alone is rejected.
- *seamless phase II/III* (inferentially seamless; Bauer & Kieser 1999, Bretz et al.
  2006): stage 1 (phase II) compares ``arms`` doses with a shared control, selects the
  best, stops if it misses the go threshold, otherwise the selected dose and control go
  on without a gap. The final test combines both stages' data with the inverse-normal
  test; the stage-1 p-value of the selected arm is Bonferroni-adjusted for the
  selection (``min(1, arms x p_1)``, the closed test's worst intersection), so the
  type I error holds for any selection rule.

Randomness comes only from the ``rng`` passed in, and every iteration draws the same
number of normals whatever the decisions (common random numbers across designs).

References: Mehta CR, Pocock SJ (2011), *Stat Med* 30:3267-3284; Cui L, Hung HMJ, Wang SJ
(1999), *Biometrics* 55:853-857; Lehmacher W, Wassmer G (1999), *Biometrics* 55:1286-1290;
Bretz F et al. (2006), *Biom J* 48:623-634; Brannath W et al. (2009), *Stat Med*
28:1445-1463; Jenkins M, Stallard N, Friede T (2011), *Pharm Stat* 10:347-356; Sarkar SK
(1998), *Ann Stat* 26:494-504; Bauer P, Kieser M (1999), *Stat Med* 18:1833-1848; Simon R,
Maitournam A (2004), *Clin Cancer Res* 10:6759-6763.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from simulator.pillars.trials.boundaries import GroupSequentialDesign, design_group_sequential
from simulator.pillars.trials.simulate import simulate_group_sequential

Array = NDArray[np.float64]


class DesignOutcome(NamedTuple):
    """Per-iteration results of simulated trials (arrays of length N).

    Attributes
    ----------
    success : bool
        The trial's primary hypothesis (or, for enrichment, one of its two) was rejected.
    stage : int8
        Look or stage at which the trial stopped, 1..K.
    early_efficacy, early_futility : bool
        Stopped before the last look for efficacy, or for futility (no-go).
    patients : float
        Patients enrolled in total.
    enriched_patients : float
        Of those, patients enrolled from the positive stratum only after an enrichment
        (they must be found by screening); 0 for other designs.
    adapted : bool
        The design adapted: sample size increased (re-estimation) or enriched.
    label_positive_only : bool
        Success in the biomarker-positive stratum only (the label narrows to it).
    """

    success: NDArray[np.bool_]
    stage: NDArray[np.int8]
    early_efficacy: NDArray[np.bool_]
    early_futility: NDArray[np.bool_]
    patients: Array
    enriched_patients: Array
    adapted: NDArray[np.bool_]
    label_positive_only: NDArray[np.bool_]


def _outcome(success, stage, k_max, patients, enriched=None, adapted=None, label=None):
    n = success.size
    early = stage < k_max
    return DesignOutcome(
        success=success,
        stage=stage.astype(np.int8),
        early_efficacy=success & early,
        early_futility=~success & early,
        patients=np.asarray(patients, dtype=np.float64),
        enriched_patients=np.zeros(n) if enriched is None else enriched,
        adapted=np.zeros(n, dtype=bool) if adapted is None else adapted,
        label_positive_only=np.zeros(n, dtype=bool) if label is None else label,
    )


# ------------------------------------------------------------------------------------
# information and sample sizes
# ------------------------------------------------------------------------------------
def information_per_patient(
    endpoint: str,
    effect: ArrayLike,
    control_rate: float | None = None,
    event_fraction: ArrayLike | None = None,
) -> Array:
    """Statistical information one patient brings, in units where a continuous endpoint's is 1.

    - ``continuous``: ``theta`` is the difference in means over the SD; information 1.
    - ``binary``: ``theta`` is the difference in response rates (treatment - control);
      the variance of one patient's response at the average rate
      ``pbar = control_rate + theta / 2`` gives information ``1 / (pbar (1 - pbar))``.
    - ``time_to_event``: ``theta = -log(hazard ratio)``; Schoenfeld's formula gives
      information ``events / 4`` for a 1:1 trial, i.e. ``event_fraction`` (events per
      patient at the analysis) per patient on this scale.
    """
    theta = np.asarray(effect, dtype=np.float64)
    if endpoint == "continuous":
        return np.ones_like(theta)
    if endpoint == "binary":
        if control_rate is None:
            raise ValueError("a binary endpoint needs the control arm's response rate")
        pbar = np.clip(control_rate + theta / 2.0, 0.005, 0.995)
        return 1.0 / (pbar * (1.0 - pbar))
    if endpoint == "time_to_event":
        if event_fraction is None:
            raise ValueError("a time-to-event endpoint needs the share of patients with an event")
        return np.broadcast_to(np.asarray(event_fraction, dtype=np.float64), theta.shape).copy()
    raise ValueError(f"unknown endpoint {endpoint!r}")


def drift_per_patient(theta: ArrayLike, info_per_patient: ArrayLike) -> Array:
    """``delta = theta sqrt(i / 4)``: a trial of ``n`` patients has ``Z ~ N(delta sqrt(n), 1)``."""
    return np.asarray(theta, dtype=np.float64) * np.sqrt(np.asarray(info_per_patient) / 4.0)


def fixed_sample_size(
    effect: float, alpha: float = 0.025, power: float = 0.9, info_per_patient: float = 1.0
) -> float:
    """Patients (both arms) a fixed 1:1 design needs: ``4 (z_{1-a} + z_{pow})^2 / (theta^2 i)``."""
    if effect <= 0.0:
        raise ValueError("the effect the trial is sized for must be positive")
    z = special.ndtri(1.0 - alpha) + special.ndtri(power)
    return float(4.0 * z * z / (effect * effect * info_per_patient))


def population_effect(theta_pos: ArrayLike, theta_neg: ArrayLike, prevalence: ArrayLike) -> Array:
    """Effect in all-comers: ``p theta_+ + (1 - p) theta_-`` (a mixture of the strata)."""
    p = np.asarray(prevalence, dtype=np.float64)
    return p * np.asarray(theta_pos) + (1.0 - p) * np.asarray(theta_neg)


def untargeted_sample_size_ratio(prevalence: float, negative_ratio: float = 0.0) -> float:
    """Patients an untargeted fixed design needs over a targeted one, for equal power.

    With ``theta_- = r theta_+`` the all-comer effect is ``(p + (1 - p) r) theta_+``, so the
    ratio is ``1 / (p + (1 - p) r)^2``; with no effect in negatives, ``1 / p^2``
    (Simon & Maitournam 2004).
    """
    return 1.0 / (prevalence + (1.0 - prevalence) * negative_ratio) ** 2


# ------------------------------------------------------------------------------------
# fixed and group-sequential
# ------------------------------------------------------------------------------------
def simulate_fixed(
    delta: ArrayLike,
    n: ArrayLike,
    rng: np.random.Generator,
    alpha: float = 0.025,
    go_delta: ArrayLike | None = None,
    go_z: float | None = None,
) -> DesignOutcome:
    """One analysis of ``n`` patients: success if ``Z >= z_{1-alpha}``.

    A phase II go/no-go may instead require the estimate ``Z / sqrt(n)`` to reach
    ``go_delta`` (an effect threshold on the drift-per-patient scale) or ``Z`` to reach
    ``go_z``.
    """
    delta, n = np.broadcast_arrays(np.asarray(delta, float), np.asarray(n, float))
    z = delta * np.sqrt(n) + rng.standard_normal(delta.shape)
    if go_delta is not None:
        success = z / np.sqrt(n) >= go_delta
    elif go_z is not None:
        success = z >= go_z
    else:
        success = z >= special.ndtri(1.0 - alpha)
    return _outcome(success, np.ones(delta.shape, dtype=np.int8), 1, n)


def simulate_gsd(
    design: GroupSequentialDesign,
    delta: ArrayLike,
    n: ArrayLike,
    rng: np.random.Generator,
    obey_futility: bool = True,
) -> DesignOutcome:
    """A group-sequential trial of at most ``n`` patients; stopping at look ``k`` enrols
    ``t_k n`` (enrolment stops at the look: patients recruited while the data mature are
    not counted)."""
    delta, n = np.broadcast_arrays(np.asarray(delta, float), np.asarray(n, float))
    out = simulate_group_sequential(design, delta * np.sqrt(n), rng, obey_futility)
    return _outcome(out.success, out.stage, design.k, out.info_fraction * n)


# ------------------------------------------------------------------------------------
# sample-size re-estimation (promising zone)
# ------------------------------------------------------------------------------------
@lru_cache(maxsize=64)
def two_stage_bounds(
    interim_fraction: float, alpha: float, spending: str | None, gamma: float = -4.0
) -> tuple[float, float]:
    """Efficacy bounds ``(b_1, b_2)`` of a two-look design; ``spending=None``: no interim
    efficacy stop (``b_1 = inf``, ``b_2 = z_{1-alpha}``). Computed once per design."""
    if spending is None:
        return float("inf"), float(special.ndtri(1.0 - alpha))
    d = design_group_sequential(
        alpha=alpha, spending=spending, gamma=gamma, info_fractions=(interim_fraction, 1.0)
    )
    return float(d.efficacy_z[0]), float(d.efficacy_z[1])


@dataclass(frozen=True)
class PromisingZone:
    """A promising-zone sample-size re-estimation design (see the module docstring).

    ``interim_fraction`` of the planned patients are analysed at the interim;
    ``interim_efficacy`` names the alpha-spending function for an interim efficacy stop
    (None: none); conditional power below ``futility_cp`` stops for futility (non-binding,
    None: never); ``cp_min <= CP < cp_target`` is the promising zone; the total may grow to
    ``max_increase`` times the plan.
    """

    interim_fraction: float = 0.5
    alpha: float = 0.025
    interim_efficacy: str | None = "obf"
    gamma: float = -4.0
    futility_cp: float | None = None
    cp_min: float = 0.36
    cp_target: float = 0.8
    max_increase: float = 2.0

    def bounds(self) -> tuple[float, float]:
        t1, spending = self.interim_fraction, self.interim_efficacy
        return two_stage_bounds(t1, self.alpha, spending, self.gamma)


def conditional_power(z1, n1, n2, b2: float, t1: float) -> Array:
    """P(final combination test rejects | Z_1 = z1) under the observed trend.

    The trend is the interim estimate ``z1 / sqrt(n1)``; ``n2`` the second-stage patients;
    the test rejects when ``sqrt(t1) z1 + sqrt(1 - t1) Z_2 >= b2``.
    """
    z1 = np.asarray(z1, dtype=np.float64)
    trend = z1 / np.sqrt(n1)
    needed = (b2 - np.sqrt(t1) * z1) / np.sqrt(1.0 - t1)
    return special.ndtr(trend * np.sqrt(n2) - needed)


def reestimated_stage2(design: PromisingZone, z1, n) -> tuple[Array, Array, NDArray[np.bool_]]:
    """Second-stage patients after the interim, the conditional power at the planned size,
    and whether the interim fell in the promising zone."""
    t1 = design.interim_fraction
    _, b2 = design.bounds()
    n = np.asarray(n, dtype=np.float64)
    n1, n2 = t1 * n, (1.0 - t1) * n
    cp = conditional_power(z1, n1, n2, b2, t1)
    promising = (cp >= design.cp_min) & (cp < design.cp_target)
    trend = np.asarray(z1) / np.sqrt(n1)
    needed = (b2 - np.sqrt(t1) * np.asarray(z1)) / np.sqrt(1.0 - t1)
    n2_max = design.max_increase * n - n1
    with np.errstate(divide="ignore", invalid="ignore"):
        target = ((needed + special.ndtri(design.cp_target)) / trend) ** 2
    target = np.where(trend > 0.0, target, n2_max)
    n2_new = np.where(promising, np.clip(target, n2, n2_max), n2)
    return n2_new, cp, promising


def simulate_ssr(
    design: PromisingZone, delta: ArrayLike, n: ArrayLike, rng: np.random.Generator
) -> DesignOutcome:
    """Promising-zone trials with ``n`` patients planned (see the module docstring)."""
    delta, n = np.broadcast_arrays(np.asarray(delta, float), np.asarray(n, float))
    t1 = design.interim_fraction
    b1, b2 = design.bounds()
    n1 = t1 * n
    e = rng.standard_normal((2, *delta.shape))
    z1 = delta * np.sqrt(n1) + e[0]
    n2, cp, promising = reestimated_stage2(design, z1, n)
    efficacy1 = z1 >= b1
    futile1 = ~efficacy1 & (cp < design.futility_cp) if design.futility_cp is not None else False
    go_on = ~efficacy1 & ~futile1
    z2 = delta * np.sqrt(n2) + e[1]
    final = np.sqrt(t1) * z1 + np.sqrt(1.0 - t1) * z2 >= b2
    success = efficacy1 | (go_on & final)
    stage = np.where(go_on, 2, 1)
    patients = n1 + np.where(go_on, n2, 0.0)
    return _outcome(success, stage, 2, patients, adapted=go_on & promising)


# ------------------------------------------------------------------------------------
# adaptive enrichment
# ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnrichmentRule:
    """Two-stage adaptive enrichment with closed testing (see the module docstring).

    At the interim (``interim_fraction`` of the planned patients, all-comers) the stratum
    estimates decide: stop for futility if the positives' estimate is below
    ``futility_below`` (None: never); else continue in positives only if the negatives'
    estimate is below ``enrich_below``; else continue in all-comers. Thresholds are on the
    drift-per-patient scale (the engine converts effects). ``intersection`` is the test of
    H_F and H_S together: ``"simes"`` or ``"bonferroni"``.
    """

    interim_fraction: float = 0.5
    alpha: float = 0.025
    intersection: str = "simes"


def _intersection_p(p_f, p_s, how: str) -> Array:
    lo, hi = np.minimum(p_f, p_s), np.maximum(p_f, p_s)
    if how == "simes":
        return np.minimum(2.0 * lo, hi)
    if how == "bonferroni":
        return np.minimum(2.0 * lo, 1.0)
    raise ValueError(f"unknown intersection test {how!r}; expected 'simes' or 'bonferroni'")


def _p(z) -> Array:
    return special.ndtr(-np.asarray(z))


def _z(p) -> Array:
    return -special.ndtri(np.clip(p, 1e-300, 1.0))


def simulate_enrichment(
    rule: EnrichmentRule,
    delta_pos: ArrayLike,
    delta_neg: ArrayLike,
    n: ArrayLike,
    prevalence: ArrayLike,
    rng: np.random.Generator,
    enrich_below: ArrayLike = 0.0,
    futility_below: ArrayLike | None = None,
) -> DesignOutcome:
    """Adaptive-enrichment trials of ``n`` patients planned (stage 2 keeps its planned size,
    all positives after enrichment); strata are split at their expected sizes ``p n``."""
    delta_pos, delta_neg, n, p = np.broadcast_arrays(
        *(np.asarray(x, dtype=np.float64) for x in (delta_pos, delta_neg, n, prevalence))
    )
    t1 = rule.interim_fraction
    w1, w2 = np.sqrt(t1), np.sqrt(1.0 - t1)
    crit = special.ndtri(1.0 - rule.alpha)
    n1, n2 = t1 * n, (1.0 - t1) * n
    e = rng.standard_normal((4, *delta_pos.shape))
    # stage 1, all-comers: stratum statistics and the full-population one
    z1p = delta_pos * np.sqrt(p * n1) + e[0]
    z1m = delta_neg * np.sqrt((1.0 - p) * n1) + e[1]
    z1f = np.sqrt(p) * z1p + np.sqrt(1.0 - p) * z1m
    est_pos = z1p / np.sqrt(p * n1)
    est_neg = z1m / np.sqrt((1.0 - p) * n1)
    futile = np.zeros(delta_pos.shape, dtype=bool)
    if futility_below is not None:
        futile = est_pos < futility_below
    enriched = ~futile & (est_neg < enrich_below)
    # stage 2: all-comers, or the same number of patients all positive
    z2p_all = delta_pos * np.sqrt(p * n2) + e[2]
    z2m = delta_neg * np.sqrt((1.0 - p) * n2) + e[3]
    z2f = np.sqrt(p) * z2p_all + np.sqrt(1.0 - p) * z2m
    z2s = np.where(enriched, delta_pos * np.sqrt(n2) + e[2], z2p_all)
    # closed testing with the inverse-normal combination
    p1f, p1s, p2f, p2s = _p(z1f), _p(z1p), _p(z2f), _p(z2s)
    p1fs = _intersection_p(p1f, p1s, rule.intersection)
    p2fs = np.where(enriched, p2s, _intersection_p(p2f, p2s, rule.intersection))

    def combined(a, b):
        return w1 * _z(a) + w2 * _z(b) >= crit

    reject_fs = combined(p1fs, p2fs)
    reject_s = ~futile & reject_fs & combined(p1s, p2s)
    reject_f = ~futile & ~enriched & reject_fs & combined(p1f, p2f)
    success = reject_s | reject_f
    stage = np.where(futile, 1, 2)
    patients = n1 + np.where(futile, 0.0, n2)
    return _outcome(
        success,
        stage,
        2,
        patients,
        enriched=np.where(enriched, n2, 0.0),
        adapted=enriched,
        label=success & ~reject_f,
    )


# ------------------------------------------------------------------------------------
# seamless phase II/III
# ------------------------------------------------------------------------------------
def simulate_seamless(
    delta: ArrayLike,
    n1: ArrayLike,
    n2: ArrayLike,
    rng: np.random.Generator,
    *,
    arms: int = 1,
    alpha: float = 0.025,
    go_z: float | None = 0.0,
    go_delta: ArrayLike | None = None,
) -> DesignOutcome:
    """Inferentially seamless phase II/III trials (see the module docstring).

    ``n1`` patients in stage 1 share ``arms`` doses and a control equally; every dose has
    the true drift ``delta``. The best dose (largest z) goes on if its z reaches ``go_z``
    (or its estimate ``go_delta``); stage 2 randomises ``n2`` patients 1:1 to it and
    control. The final test combines the selected comparison's two stages with weights
    fixed by the planned sizes, ``w_1^2 = 2 n_1/(arms+1) / (2 n_1/(arms+1) + n_2)``, and the
    stage-1 p-value Bonferroni-adjusted for the selection. Stage 1 is ``stage == 1``
    (no-go, ``early_futility``); ``success`` needs go and rejection.
    """
    if arms < 1:
        raise ValueError("a seamless design needs at least one experimental arm")
    delta, n1, n2 = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (delta, n1, n2)))
    per_arm = n1 / (arms + 1)
    e = rng.standard_normal((arms + 2, *delta.shape))
    # arm j vs control: Z_j = delta sqrt(2 per_arm) + (A_j - A_0)/sqrt(2); corr 1/2
    z_arms = delta * np.sqrt(2.0 * per_arm) + (e[1 : arms + 1] - e[0]) / np.sqrt(2.0)
    z1 = z_arms.max(axis=0)
    if go_delta is not None:
        go = z1 / np.sqrt(2.0 * per_arm) >= go_delta
    elif go_z is not None:
        go = z1 >= go_z
    else:
        go = np.ones(delta.shape, dtype=bool)
    p1 = np.minimum(arms * _p(z1), 1.0)
    w1 = np.sqrt(2.0 * per_arm / (2.0 * per_arm + n2))
    w2 = np.sqrt(1.0 - w1 * w1)
    z2 = delta * np.sqrt(n2) + e[arms + 1]
    final = w1 * _z(p1) + w2 * z2 >= special.ndtri(1.0 - alpha)
    success = go & final
    stage = np.where(go, 2, 1)
    return _outcome(success, stage, 2, n1 + np.where(go, n2, 0.0))
