"""arXiv's category taxonomy (stub; replaced by the full module on merge)."""

from __future__ import annotations


def is_known_category(name: str) -> bool:
    return name in {
        "cs.CV",
        "cs.LG",
        "cs.AI",
        "cs.CL",
        "cs.RO",
        "eess.IV",
        "stat.ML",
        "quant-ph",
        "math.AG",
        "hep-th",
    }
