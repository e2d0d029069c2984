"""Where papers come from: arXiv's query API, OAI-PMH and RSS/Atom feeds.

Every source yields `paperboy.record.Paper` records and nothing else; storing them is the
harvest layer's job. All network access goes through `http.PoliteClient`, which enforces
arXiv's terms of use (one request every three seconds) and retries transient failures.
"""

from paperboy.sources.http import PoliteClient, Retry, SourceError, VirtualClock

__all__ = ["PoliteClient", "Retry", "SourceError", "VirtualClock"]
