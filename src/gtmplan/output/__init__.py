"""Formatting, reporters, renderers and atomic writes: everything that turns results into bytes."""
