"""Pure computations over a validated plan: the funnel, statistics."""
