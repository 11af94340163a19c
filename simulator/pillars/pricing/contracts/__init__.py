"""Payment contracts, one module per type, registered by name in :data:`CONTRACTS`.

:mod:`.base` says what a contract is and what the pricing step gives it to settle; each
other module is one contract type with its block's fields, its equations and how it
settles. Adding a type is its module plus one import line below: importing a module runs
its ``@CONTRACTS.register``.
"""

from simulator.pillars.pricing.contracts.annuity import Annuity as Annuity
from simulator.pillars.pricing.contracts.base import CONTRACTS as CONTRACTS
from simulator.pillars.pricing.contracts.list_price import ListPrice as ListPrice
from simulator.pillars.pricing.contracts.outcome_based import OutcomeBased as OutcomeBased
from simulator.pillars.pricing.contracts.subscription import Subscription as Subscription
from simulator.pillars.pricing.contracts.warranty import Warranty as Warranty
