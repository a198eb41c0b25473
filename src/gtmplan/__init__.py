"""gtmplan: one go-to-market plan for sales and marketing, checked like code."""

__version__ = "0.1.0"
