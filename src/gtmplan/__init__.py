"""gtmplan: one go-to-market plan for sales and marketing, checked like code."""

__version__ = "0.2.0"
