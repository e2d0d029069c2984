"""Records a source delivered but paperboy cannot read.

One bad entry must not cost its whole window (or, repeated on every run, the window for
ever), nor be dropped silently: each one becomes a `RecordProblem` naming where it came
from, its id and the field at fault; the rest of the window is kept, and the harvest does
not record the window complete, so a later run asks for it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from paperboy.record import RecordError


@dataclass(frozen=True, slots=True)
class RecordProblem:
    where: str  # the window, or the URL, that delivered the record
    arxiv_id: str  # as the source gave it; '' when it gave none
    field: str  # the element at fault, e.g. 'id', 'published'
    message: str

    def __str__(self) -> str:
        return f"{self.where}: record {self.arxiv_id or '(no id)'}, {self.field}: {self.message}"


class FieldError(RecordError):
    """A record's field that cannot be read; carries the field's name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@contextmanager
def reading(field: str) -> Iterator[None]:
    """Any bad value met while reading `field` becomes a FieldError naming it."""
    try:
        yield
    except FieldError:
        raise
    except (ValueError, TypeError, IndexError) as exc:  # RecordError is a ValueError
        raise FieldError(field, str(exc)) from None
