"""Shared platform risk: assets in one risk group succeed or fail together.

Assets built on one platform, target or biomarker share biology: if the hypothesis is
wrong, all of them fail. A one-factor Gaussian copula captures it. For stage ``s``, member
``i`` of group ``g`` succeeds when its uniform ``u_i`` falls below its probability, with

    u_i = Phi( sqrt(rho) * Z_{g,s} + sqrt(1 - rho) * eps_{i,s} ),

``Z`` the group's factor for that stage, ``eps`` the asset's own noise, both standard
normal. Each member keeps its marginal probability of success exactly; two members that
both run stage ``s`` have latent correlation ``rho``. ``rho = 0`` is independence, and
an asset without a group uses ``u = Phi(eps)``.
"""

from __future__ import annotations

import numpy as np
from scipy import special


def correlated_uniforms(eps: np.ndarray, factor: np.ndarray | None, rho: float) -> np.ndarray:
    """Uniforms from own noise ``eps`` and a shared ``factor`` with latent correlation ``rho``."""
    if factor is None or rho == 0.0:
        return special.ndtr(eps)
    return special.ndtr(np.sqrt(rho) * factor + np.sqrt(1.0 - rho) * eps)
