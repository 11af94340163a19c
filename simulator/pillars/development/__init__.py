"""Development: the stages from discovery to review, their costs, lengths and success."""
