"""Error-spending functions: how much of a trial's error rate each look may use.

A group-sequential trial looks at its data several times. Each look that may stop the
trial for efficacy is a chance of a false positive, so the total one-sided type I error
``alpha`` has to be shared out between the looks. Lan and DeMets (1983) share it out as a
function of *information time* ``t`` (the fraction of the maximum statistical information
observed so far, 0 < t <= 1): a nondecreasing spending function ``f(t)`` with ``f(0) = 0``
and ``f(1) = alpha`` gives the cumulative error allowed up to time ``t``. Because the rule
is a function of ``t`` and not of the look number, the looks need not be equally spaced,
nor planned exactly. The same functions, with ``beta`` in place of ``alpha``, spend the
type II error on futility looks (beta spending, Pampallona, Tsiatis and Kim 2001).

The spending functions here (``total`` is alpha or beta):

* Lan-DeMets O'Brien-Fleming type (Lan and DeMets 1983), in its one-sided form as used by
  rpact (``asOF``) and gsDesign (``sfLDOF``)::

      f(t) = 2 * (1 - Phi(z_{1 - total/2} / sqrt(t)))

  It spends almost nothing early: for ``total = 0.025`` and ``t = 1/3`` it gives 0.0001.
* Lan-DeMets Pocock type (Lan and DeMets 1983; rpact ``asP``, gsDesign ``sfLDPocock``)::

      f(t) = total * ln(1 + (e - 1) * t)

* Hwang-Shih-DeCani (Hwang, Shih and DeCani 1990; rpact ``asHSD``, gsDesign ``sfHSD``)
  with shape ``gamma``::

      f(t) = total * (1 - exp(-gamma * t)) / (1 - exp(-gamma))   (gamma != 0)
      f(t) = total * t                                             (gamma == 0)

  ``gamma = -4`` resembles O'Brien-Fleming, ``gamma = 1`` resembles Pocock; larger gamma
  spends earlier.

References
----------
Lan KKG, DeMets DL (1983). Discrete sequential boundaries for clinical trials.
*Biometrika* 70:659-663.
Hwang IK, Shih WJ, DeCani JS (1990). Group sequential designs using a family of type I
error probability spending functions. *Stat Med* 9:1439-1445.
Jennison C, Turnbull BW (2000). *Group Sequential Methods with Applications to Clinical
Trials*, chapter 7. Chapman & Hall/CRC.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

SpendingName = Literal["obf", "pocock", "hsd"]
SPENDING_NAMES: tuple[str, ...] = ("obf", "pocock", "hsd")


def _as_times(t: ArrayLike) -> NDArray[np.float64]:
    times = np.asarray(t, dtype=np.float64)
    if np.any(times < 0.0) or np.any(times > 1.0) or np.any(np.isnan(times)):
        raise ValueError("information fractions must lie in [0, 1]")
    return times


def _check_total(total: float) -> None:
    if not 0.0 < total < 1.0:
        raise ValueError(f"total error to spend must lie in (0, 1), got {total}")


def obf_spending(t: ArrayLike, total: float) -> NDArray[np.float64]:
    """Lan-DeMets O'Brien-Fleming-type cumulative spending ``2(1 - Phi(z_{1-total/2}/sqrt(t)))``.

    Parameters
    ----------
    t : array_like
        Information fractions in [0, 1].
    total : float
        Error to spend by ``t = 1`` (one-sided alpha, or beta for futility).

    Returns
    -------
    numpy.ndarray
        Cumulative error spent at each ``t``; 0 at ``t = 0`` and ``total`` at ``t = 1``.
    """
    _check_total(total)
    times = _as_times(t)
    z = special.ndtri(1.0 - total / 2.0)
    with np.errstate(divide="ignore"):
        spent = 2.0 * special.ndtr(-z / np.sqrt(times))
    return np.where(times > 0.0, spent, 0.0)


def pocock_spending(t: ArrayLike, total: float) -> NDArray[np.float64]:
    """Lan-DeMets Pocock-type cumulative spending ``total * ln(1 + (e - 1) t)``.

    Parameters
    ----------
    t : array_like
        Information fractions in [0, 1].
    total : float
        Error to spend by ``t = 1``.

    Returns
    -------
    numpy.ndarray
        Cumulative error spent at each ``t``.
    """
    _check_total(total)
    times = _as_times(t)
    return total * np.log1p((np.e - 1.0) * times)


def hsd_spending(t: ArrayLike, total: float, gamma: float) -> NDArray[np.float64]:
    """Hwang-Shih-DeCani cumulative spending ``total (1 - e^{-gamma t}) / (1 - e^{-gamma})``.

    Parameters
    ----------
    t : array_like
        Information fractions in [0, 1].
    total : float
        Error to spend by ``t = 1``.
    gamma : float
        Shape; 0 gives linear spending ``total * t``, negative values spend late.

    Returns
    -------
    numpy.ndarray
        Cumulative error spent at each ``t``.
    """
    _check_total(total)
    times = _as_times(t)
    if abs(gamma) < 1e-12:  # the linear limit; exact to ~gamma/2, and no subnormal ratio
        return total * times
    return total * np.expm1(-gamma * times) / np.expm1(-gamma)


def cumulative_spending(
    name: str, t: ArrayLike, total: float, gamma: float | None = None
) -> NDArray[np.float64]:
    """Cumulative error spent at information fractions ``t`` by the named function.

    Parameters
    ----------
    name : {"obf", "pocock", "hsd"}
        Spending function.
    t : array_like
        Information fractions in [0, 1].
    total : float
        Error to spend by ``t = 1``.
    gamma : float, optional
        Hwang-Shih-DeCani shape; required for ``"hsd"`` and ignored otherwise.

    Returns
    -------
    numpy.ndarray
        Cumulative error spent at each ``t``.
    """
    if name == "obf":
        return obf_spending(t, total)
    if name == "pocock":
        return pocock_spending(t, total)
    if name == "hsd":
        if gamma is None:
            raise ValueError("Hwang-Shih-DeCani spending needs gamma")
        return hsd_spending(t, total, gamma)
    raise ValueError(f"unknown spending function {name!r}; expected one of {SPENDING_NAMES}")
