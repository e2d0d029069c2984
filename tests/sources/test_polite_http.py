"""PoliteClient against the local arXiv: delays, Retry-After, retries, and giving up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from arxiv_server import ArxivServer

from paperboy import __version__
from paperboy.sources.http import (
    DEFAULT_DELAY,
    HttpStatusError,
    PoliteClient,
    Retry,
    SourceError,
    VirtualClock,
    parse_retry_after,
    user_agent,
)


class FakeClock:
    """Time that moves only when slept: every wait is recorded, none is real."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def status(response: httpx.Response) -> int:
    return response.status_code


def client_with(clock: FakeClock, **options: float) -> PoliteClient:
    return PoliteClient(clock=clock.clock, sleep=clock.sleep, **options)  # type: ignore[arg-type]


def test_one_request_per_delay_per_host(arxiv_server: ArxivServer) -> None:
    clock = FakeClock()
    with client_with(clock, delay=3.0) as client:
        for _ in range(4):
            client.fetch(arxiv_server.api_url, status)
    assert clock.sleeps == [3.0, 3.0, 3.0]
    assert client.stats.requests == 4 and client.stats.waited_delay == 9.0
    assert client.stats.by_host == {"127.0.0.1": 4}


def test_no_wait_when_the_delay_has_already_passed(arxiv_server: ArxivServer) -> None:
    clock = FakeClock()
    with client_with(clock, delay=3.0) as client:
        client.fetch(arxiv_server.api_url, status)
        clock.now += 10
        client.fetch(arxiv_server.api_url, status)
    assert clock.sleeps == []


def test_the_delay_is_never_below_three_seconds_for_real_hosts() -> None:
    with PoliteClient(delay=0) as client:
        assert client.delay_for("127.0.0.1") == 0
        assert client.delay_for("localhost") == 0
        assert client.delay_for("export.arxiv.org") == DEFAULT_DELAY
        assert client.delay_for("oaipmh.arxiv.org") == DEFAULT_DELAY


def test_delay_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOY_ARXIV_DELAY", "5.5")
    with PoliteClient() as client:
        assert client.delay == 5.5
    monkeypatch.delenv("PAPERBOY_ARXIV_DELAY")
    with PoliteClient() as client:
        assert client.delay == DEFAULT_DELAY
    monkeypatch.setenv("PAPERBOY_ARXIV_DELAY", "-1")
    with pytest.raises(ValueError, match="PAPERBOY_ARXIV_DELAY"):
        PoliteClient()


def test_user_agent_names_the_project_and_a_contact(
    arxiv_server: ArxivServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAPERBOY_MAILTO", raising=False)
    assert user_agent() == f"paperboy/{__version__} (+https://github.com/paperboy)"
    monkeypatch.setenv("PAPERBOY_MAILTO", "ops@example.org")
    with PoliteClient(delay=0) as client:
        client.fetch(arxiv_server.api_url, status)
    assert arxiv_server.log[-1].user_agent == (
        f"paperboy/{__version__} (+https://github.com/paperboy; mailto:ops@example.org)"
    )


def test_retry_after_is_honoured(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("503", retry_after=7)
    arxiv_server.inject("429", retry_after=11)
    clock = FakeClock()
    with client_with(clock, delay=0, backoff=1.0) as client:
        assert client.fetch(arxiv_server.api_url, status) == 200
    assert clock.sleeps == [7.0, 11.0]
    assert client.stats.retries == 2 and client.stats.requests == 3
    assert arxiv_server.requests["api"] == 3


def test_backoff_is_exponential_and_capped(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("500", 4)
    clock = FakeClock()
    with client_with(clock, delay=0, backoff=2.0, max_backoff=10.0) as client:
        assert client.fetch(arxiv_server.api_url, status) == 200
    assert clock.sleeps == [2.0, 4.0, 8.0, 10.0]
    assert client.stats.waited_backoff == 24.0


@pytest.mark.parametrize("fault", ["reset", "cut", "503", "429", "500"])
def test_transport_and_status_faults_are_retried(arxiv_server: ArxivServer, fault: str) -> None:
    arxiv_server.inject(fault, 2, retry_after=0)  # type: ignore[arg-type]
    with client_with(FakeClock(), delay=0) as client:
        assert client.fetch(arxiv_server.api_url, status) == 200
    assert client.stats.requests == 3


def test_a_parse_that_asks_for_retry_is_retried(arxiv_server: ArxivServer) -> None:
    answers = iter([Retry("empty page"), Retry("truncated"), None])

    def parse(response: httpx.Response) -> str:
        problem = next(answers)
        if problem is not None:
            raise problem
        return "ok"

    with client_with(FakeClock(), delay=0) as client:
        assert client.fetch(arxiv_server.api_url, parse) == "ok"
    assert client.stats.retries == 2


def test_slow_answers_time_out_and_are_retried(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("slow", seconds=0.5)
    with client_with(FakeClock(), delay=0, timeout=0.2) as client:
        assert client.fetch(arxiv_server.api_url, status) == 200
    assert client.stats.retries == 1


def test_giving_up_names_the_url_and_the_last_problem(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("503", 10, retry_after=0)
    clock = FakeClock()
    url = f"{arxiv_server.api_url}?search_query=cat%3Acs.CV"
    with (
        client_with(clock, delay=0, max_retries=3) as client,
        pytest.raises(SourceError) as caught,
    ):
        client.fetch(url, status)
    assert caught.value.url == url and caught.value.attempts == 4
    assert url in str(caught.value) and "HTTP 503" in str(caught.value)
    assert arxiv_server.requests["api"] == 4 and arxiv_server.pending_faults() == 6


def test_too_long_retry_after_is_not_waited_out(arxiv_server: ArxivServer) -> None:
    arxiv_server.inject("503", retry_after=3600)
    clock = FakeClock()
    with client_with(clock, delay=0) as client, pytest.raises(SourceError, match="3600s"):
        client.fetch(arxiv_server.api_url, status)
    assert clock.sleeps == []


def test_client_errors_are_not_retried(arxiv_server: ArxivServer) -> None:
    with client_with(FakeClock(), delay=0) as client, pytest.raises(HttpStatusError) as caught:
        client.fetch(f"{arxiv_server.url}/nowhere", status)
    assert caught.value.status == 404 and arxiv_server.requests["other"] == 1


def test_virtual_clock_reports_the_wait_without_sleeping(arxiv_server: ArxivServer) -> None:
    client = PoliteClient.virtual(delay=3.0)
    began = datetime.now(UTC)
    with client:
        for _ in range(5):
            client.fetch(arxiv_server.api_url, status)
    assert datetime.now(UTC) - began < timedelta(seconds=3)
    assert client.stats.waited == pytest.approx(12.0, abs=0.5)
    clock = VirtualClock()
    clock.sleep(2.5)
    assert clock.slept == 2.5


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert parse_retry_after(None) == 0.0 and parse_retry_after("soon") == 0.0


def test_a_host_that_was_never_reached_fails_fast() -> None:
    """No network at all: two tries, not a minute of backoff, and the URL in the error."""
    import socket

    from paperboy.sources import PoliteClient, SourceError

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    slept: list[float] = []
    with PoliteClient(delay=0, sleep=slept.append) as client:
        try:
            client.fetch(f"http://127.0.0.1:{port}/api/query", lambda r: r.content)
        except SourceError as exc:
            assert f"127.0.0.1:{port}" in str(exc) and "gave up after 2 attempts" in str(exc)
        else:
            raise AssertionError("fetching from a closed port must fail")
        assert client.stats.requests == 2 and sum(slept) <= 2.0
