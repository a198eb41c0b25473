"""One module (or package) per command: what the CLI calls."""
