"""gtmplan: one go-to-market plan for sales and marketing, checked like code."""

__version__ = "0.3.0.dev0"  # 0.3 is unreleased (CHANGELOG.md); main carries its features
