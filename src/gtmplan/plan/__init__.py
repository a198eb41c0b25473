"""The plan format: models, the compiled validator, validation, integrity, quarters."""
