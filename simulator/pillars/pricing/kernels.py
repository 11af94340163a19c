"""Value-based prices, payment contracts and IRA negotiation: the equations.

**Value-based ceiling.** A payer pays at most what the health gained is worth to it:

    net price <= wtp_per_qaly x qalys_gained + cost_offsets

(ICER's value-based benchmark: the price at $100,000-$150,000 per QALY gained; ultra-rare
ranges of $175,000-$500,000; published_figures.md section 7). Where the ceiling binds the
launch net price is scaled down by ``c = min(1, ceiling / net price)``; the list price and
its gross-to-net discount stay as written, the gap is a value-based discount.

**IRA negotiation.** In an iteration where the policy applies, a drug's net price is cut
by a share ``x`` from ``Y`` years after approval (9 for small molecules, 13 for biologics;
section 7) until loss of exclusivity (a drug with generic or biosimilar competition is no
longer selected); an asset with a single orphan indication is exempt. The multiplier is
``1 - x`` in months ``k`` after launch with ``12 Y <= k < X`` and 1 elsewhere.

**Budget-impact cap.** A payer that spends at most ``B`` a year on the asset gets the
spend above ``B / 12`` in any month back as a rebate: ``spend_m = min(value_m, B / 12)``.

**Contracts.** A unit treated in month ``m`` (a patient-year for an annual therapy, a
treatment for a one-time therapy) has a contract value ``V_m`` (units x net price after
the ceiling, IRA and cap). The payer pays a share ``w_j`` of it ``j`` months later, the
contract's expected *payment kernel*, with response probability ``q`` (of the truly
biomarker-positive; a false-positive tested patient never responds, so
``q_eff = q x PPV``, ``PPV = p se / (p se + (1 - p)(1 - sp))`` from the cohort funnel):

- ``list``: ``w_0 = 1``;
- ``outcome_based`` (Kymriah: paid only if the patient responds by month 1): the payer
  pays at the assessment month ``a``: ``w_a = q + (1 - q)(1 - s)``, ``s`` the share
  refunded for a non-responder (``s = 1``: pay only for responders). Expected revenue
  per treated unit: ``q x price`` when ``s = 1``;
- ``annuity`` (Zolgensma: 5 x $425,000): an upfront share ``u`` at treatment, then ``k``
  instalments of ``(1 - u) / k`` at months ``a + 12 i`` (``i = 0 .. k-1``), instalment
  ``i`` paid only while the response lasts: probability ``q exp(-h i)`` with ``h`` the
  annual hazard of losing the response. Its expected present value per unit of price,
  discounting at ``r`` a year (``v = (1 + r)^(-1/12)``) with ``a = 0``, is

      PV = u + (1 - u) / k  x  q  x  sum_{i=0}^{k-1} exp(-h i) v^(12 i);

- ``warranty`` (Lyfgenia's refund if less effective than expected): the price is paid at
  treatment, a share ``s`` is refunded at month ``a`` for a non-responder and in month
  ``j < 12 W`` for a responder who loses the response then:
  ``w_0 = 1``, ``w_a -= (1 - q) s``, ``w_j -= q s (exp(-h j/12) - exp(-h (j+1)/12))``.

Outcome-based, annuity and warranty contracts need outcomes tracked while payments depend
on them: a cost ``c`` per patient-year over a *tracking kernel* ``t_j`` (years tracked in
month ``j`` per unit): ``1/12`` before the assessment; for an annuity
``q exp(-h j/12) / 12`` until the last instalment; for a warranty every patient not yet
refunded until the window closes. An annual therapy on an outcome contract is tracked
for every patient-year on therapy.

**Timing: convolution, not per-patient draws.** Cash received is the convolution of the
monthly contract value with the expected payment kernel,

    cash_m = sum_j V_{m-j} w_j,

vectorized over iterations (a loop over the kernel's non-zero offsets). Response is
expected, not drawn patient by patient: a launched asset treats tens to thousands of
patients a month, so the binomial noise of who responds is small next to the
uncertainty in ``q`` and ``h`` themselves, which are drawn per iteration. Revenue is
*recognised* at treatment at its expected contract value ``V_m sum_j w_j``; instalments
due after the horizon are recognised but never received inside it.
"""

from __future__ import annotations

import numpy as np

from simulator.core.timeline import MONTHS_PER_YEAR


def ceiling_factor(
    net_price_usd: np.ndarray,
    wtp_per_qaly_usd: np.ndarray,
    qalys_gained: np.ndarray,
    cost_offsets_usd: np.ndarray,
) -> np.ndarray:
    """``min(1, (wtp x qalys + offsets) / net price)``: the share of the net price a
    value-based ceiling lets through (1 where the price is 0)."""
    ceiling = wtp_per_qaly_usd * qalys_gained + cost_offsets_usd
    safe = np.where(net_price_usd > 0, net_price_usd, 1.0)
    with np.errstate(over="ignore"):  # a subnormal price: the ceiling cannot bind (ratio inf)
        return np.where(net_price_usd > 0, np.minimum(1.0, ceiling / safe), 1.0)


def ira_multiplier(
    months_since_launch: np.ndarray,
    start_months: np.ndarray,
    end_months: np.ndarray,
    cut: np.ndarray,
    applies: np.ndarray,
) -> np.ndarray:
    """Price multiplier ``1 - cut`` where ``applies`` and ``start <= k < end``, else 1.

    ``months_since_launch`` is ``(rows, months)``; the others are per row.
    """
    k = months_since_launch
    inside = (k >= start_months[:, None]) & (k < end_months[:, None]) & applies[:, None]
    return np.where(inside, 1.0 - cut[:, None], 1.0)


def positive_predictive_value(prevalence, sensitivity, specificity):
    """Share of test-positive patients who are truly biomarker-positive."""
    tp = prevalence * sensitivity
    pos = tp + (1.0 - prevalence) * (1.0 - specificity)
    return np.where(pos > 0, tp / np.where(pos > 0, pos, 1.0), 1.0)


def payment_kernels(
    contract_type: str,
    *,
    response_probability: np.ndarray,
    assessment_months: int = 0,
    nonresponder_refund_share: np.ndarray | None = None,
    payments: int = 1,
    upfront_share: np.ndarray | None = None,
    response_loss_hazard_annual: np.ndarray | None = None,
    warranty_months: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected payment kernel ``w`` and tracking kernel ``t``, each ``(rows, K)``.

    ``w[:, j]`` is the expected share of a unit's contract value paid ``j`` months after
    treatment, ``t[:, j]`` the expected patient-years tracked in that month per unit (see
    the module docstring). Per-row parameters are arrays of equal length.
    """
    q = np.asarray(response_probability, dtype=float)
    rows = q.shape[0]
    zero = np.zeros(rows)
    h = zero if response_loss_hazard_annual is None else response_loss_hazard_annual
    a = int(assessment_months)
    if contract_type == "list":
        return np.ones((rows, 1)), np.zeros((rows, 1))
    if contract_type == "outcome_based":
        s = np.ones(rows) if nonresponder_refund_share is None else nonresponder_refund_share
        w = np.zeros((rows, a + 1))
        w[:, a] = q + (1.0 - q) * (1.0 - s)
        t = np.zeros((rows, a + 1))
        t[:, :a] = 1.0 / MONTHS_PER_YEAR
        return w, t
    if contract_type == "annuity":
        u = zero if upfront_share is None else upfront_share
        k = int(payments)
        last = a + MONTHS_PER_YEAR * (k - 1)
        w = np.zeros((rows, last + 1))
        w[:, 0] += u
        for i in range(k):
            w[:, a + MONTHS_PER_YEAR * i] += (1.0 - u) / k * q * np.exp(-h * i)
        j = np.arange(last + 1)
        t = np.where(j[None, :] < a, 1.0, q[:, None] * np.exp(-h[:, None] * j / MONTHS_PER_YEAR))
        t = np.where(j[None, :] < last, t / MONTHS_PER_YEAR, 0.0)
        return w, t
    if contract_type == "warranty":
        s = np.ones(rows) if nonresponder_refund_share is None else nonresponder_refund_share
        size = max(warranty_months, a + 1)
        j = np.arange(size)
        alive = np.exp(-h[:, None] * j / MONTHS_PER_YEAR)
        alive_next = np.exp(-h[:, None] * (j + 1) / MONTHS_PER_YEAR)
        w = -(q * s)[:, None] * (alive - alive_next) * (j[None, :] < warranty_months)
        w[:, 0] += 1.0
        w[:, a] -= (1.0 - q) * s
        waiting = (1.0 - q)[:, None] * (j[None, :] < a)
        t = (q[:, None] * alive + waiting) * (j[None, :] < warranty_months) / MONTHS_PER_YEAR
        return w, t
    raise ValueError(f"unknown contract type {contract_type!r}")


def convolve_months(values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``out[:, m] = sum_j values[:, m - j] kernel[:, j]``, cut at the horizon.

    ``values`` is ``(rows, months)``, ``kernel`` ``(rows, K)``; loops over the offsets
    where some row's kernel is non-zero (an annuity's are 12 months apart).
    """
    out = np.zeros_like(values, dtype=float)
    months = values.shape[1]
    for j in np.flatnonzero(np.any(kernel != 0.0, axis=0)):
        if j >= months:
            break
        out[:, j:] += values[:, : months - j] * kernel[:, j, None]
    return out


def annuity_pv_factor(
    payments: int,
    hazard_annual: float,
    rate_annual: float,
    upfront_share: float = 0.0,
    response_probability: float = 1.0,
) -> float:
    """Closed form: expected PV of an annuity contract per unit of price, at treatment.

    ``u + (1 - u) / k x q x sum_{i<k} exp(-h i) (1 + r)^(-i)`` (payments at years
    ``0 .. k-1``, the first at treatment).
    """
    i = np.arange(payments)
    terms = np.exp(-hazard_annual * i) * (1.0 + rate_annual) ** (-i.astype(float))
    share = (1.0 - upfront_share) / payments * response_probability
    return float(upfront_share + share * terms.sum())
