"""Commercial: uptake to peak share, net price, loss of exclusivity and the costs of selling."""
