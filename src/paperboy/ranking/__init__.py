"""Ranking a day's listing for a research profile ("For you")."""

from paperboy.ranking.rank import RankedDay, RankedHit, RankingError, rank_day, rank_listing

__all__ = ["RankedDay", "RankedHit", "RankingError", "rank_day", "rank_listing"]
