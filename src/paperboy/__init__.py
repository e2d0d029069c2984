"""paperboy: a self-hosted collector of arXiv papers."""

__version__ = "0.1.0"
