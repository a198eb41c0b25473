"""Sources: YAML with locations, the plan's files on disk or at a git revision, scenarios, ``--set``, actuals."""
