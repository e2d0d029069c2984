"""Sending a digest to a real SMTP server on 127.0.0.1: over STARTTLS and TLS with a login,
and every way it can fail (refused, bad login, no STARTTLS, server gone mid-message), each
a clear error naming the server, and nothing recorded as sent."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from delivery.conftest import ADDRESS, SENDER, smtp_settings
from mail_server import free_port, mail_server
from stores import DAY

from paperboy import config
from paperboy.delivery.due import deliver
from paperboy.delivery.send import SendError
from paperboy.ranking import rank_day
from paperboy.store import Store, open_store
from paperboy.store.deliveries import Key
from paperboy.vectors import neighbours

LOGIN = ("reader", "s3cret-passw0rd")


def send_day(store: Store, smtp: config.SMTPSettings) -> str:
    profile = store.profiles.get("pc")
    index = neighbours.load(store)
    assert profile is not None and index is not None
    ranked = rank_day(store, profile, DAY, index, limit=20)
    return deliver(store, smtp, profile, ranked, [ADDRESS])


def state(store: Store) -> str | None:
    pid = store.profiles.id_of("pc")
    assert pid is not None
    return store.deliveries.state(Key(pid, "cs.CV", DAY, ADDRESS))


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_a_digest_goes_over_tls_with_a_login(
    tmp_path: Path, mail_db: Path, security: config.Security
) -> None:
    with mail_server(tmp_path, security, LOGIN) as server, open_store(mail_db) as store:
        message_id = send_day(store, smtp_settings(server, security, LOGIN))
        assert state(store) == "sent"
    [got] = server.mailbox.received
    assert got.sender == SENDER and got.recipients == [ADDRESS]
    assert got.message["Message-ID"] == message_id
    assert got.message["Subject"].startswith("cs.CV for pc, Tue 23 Nov 2021: top 20 of ")
    assert got.message.get_content_type() == "multipart/alternative"


def test_a_line_starting_with_a_dot_arrives_whole(tmp_path: Path, mail_db: Path) -> None:
    """The message ends at a line holding one dot: a body line starting with a dot gets
    another, and the server takes it off again."""
    from email.message import EmailMessage

    from paperboy.delivery.send import send

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = SENDER, ADDRESS, "dots"
    msg.set_content("first\n.\n..two dots\n.end\n")
    with mail_server(tmp_path) as server:
        send(smtp_settings(server), msg)
    [got] = server.mailbox.received
    assert got.message.get_content().replace("\r\n", "\n") == "first\n.\n..two dots\n.end\n"


def test_refused_connection_names_the_server(tmp_path: Path, mail_db: Path) -> None:
    port = free_port()  # nothing listens there
    env = {"PAPERBOY_SMTP_HOST": "127.0.0.1", "PAPERBOY_SMTP_PORT": str(port)}
    smtp = config.smtp(env | {"PAPERBOY_SMTP_SECURITY": "none", "PAPERBOY_SMTP_FROM": SENDER})
    assert smtp is not None
    with open_store(mail_db) as store:
        with pytest.raises(SendError, match=rf"^127\.0\.0\.1:{port}: .*[Rr]efused"):
            send_day(store, smtp)
        assert state(store) == "failed"


def test_a_wrong_password_is_a_failed_login(tmp_path: Path, mail_db: Path) -> None:
    with mail_server(tmp_path, "starttls", LOGIN) as server, open_store(mail_db) as store:
        smtp = smtp_settings(server, "starttls", (LOGIN[0], "wrong"))
        with pytest.raises(SendError, match=rf":{server.port}: login as reader failed: 535 "):
            send_day(store, smtp)
        assert state(store) == "failed"
    assert server.mailbox.received == []


def test_starttls_is_never_skipped(tmp_path: Path, mail_db: Path) -> None:
    """A server that does not offer STARTTLS gets nothing, not the password in clear."""
    with mail_server(tmp_path, "none") as server, open_store(mail_db) as store:
        with pytest.raises(SendError, match="does not offer STARTTLS"):
            send_day(store, smtp_settings(server, "starttls", LOGIN))
        assert state(store) == "failed"
    assert server.mailbox.received == []


def test_an_untrusted_certificate_is_refused(tmp_path: Path, mail_db: Path) -> None:
    with mail_server(tmp_path, "tls") as server, open_store(mail_db) as store:
        smtp = smtp_settings(server, "tls")
        untrusted = config.SMTPSettings(smtp.host, smtp.port, "tls", smtp.sender)  # no CA
        with pytest.raises(SendError, match="TLS failed: CERTIFICATE_VERIFY_FAILED"):
            send_day(store, untrusted)
        assert state(store) == "failed"
    assert server.mailbox.received == []


@contextmanager
def vanishing_server() -> Iterator[int]:
    """An SMTP server that takes the message's first bytes after DATA, then is gone."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 vanishing ESMTP\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb == b"EHLO":
                    conn.sendall(b"250-vanishing\r\n250 8BITMIME\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    lines.read(100)
                    break
                else:
                    conn.sendall(b"250 OK\r\n")
        listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port
    thread.join(timeout=10)


def test_a_server_gone_mid_message_records_nothing_sent(mail_db: Path) -> None:
    with vanishing_server() as port, open_store(mail_db) as store:
        env = {"PAPERBOY_SMTP_HOST": "127.0.0.1", "PAPERBOY_SMTP_PORT": str(port)}
        smtp = config.smtp(env | {"PAPERBOY_SMTP_SECURITY": "none", "PAPERBOY_SMTP_FROM": SENDER})
        assert smtp is not None
        with pytest.raises(SendError, match=rf"^127\.0\.0\.1:{port}: "):
            send_day(store, smtp)
        assert state(store) == "failed"


@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"PAPERBOY_SMTP_SECURITY": "ssl"}, "PAPERBOY_SMTP_SECURITY is 'ssl': use one of"),
        ({"PAPERBOY_SMTP_PORT": "smtp"}, "PAPERBOY_SMTP_PORT is 'smtp': not a port number"),
        ({"PAPERBOY_SMTP_FROM": ""}, "PAPERBOY_SMTP_FROM is not set"),
    ],
)
def test_settings_that_cannot_work_name_the_variable(env: dict[str, str], error: str) -> None:
    base = {"PAPERBOY_SMTP_HOST": "mail.example.org", "PAPERBOY_SMTP_FROM": SENDER}
    with pytest.raises(config.ConfigError, match=error):
        config.smtp(base | env)


def test_ports_default_by_security() -> None:
    base = {"PAPERBOY_SMTP_HOST": "mail.example.org", "PAPERBOY_SMTP_FROM": SENDER}
    ports = {s: config.smtp(base | {"PAPERBOY_SMTP_SECURITY": s}) for s in config.SECURITIES}
    assert {s: p.port for s, p in ports.items() if p} == {"starttls": 587, "tls": 465, "none": 25}
    assert config.smtp({}) is None


def test_display_names_stay_in_the_header_and_the_server_gets_the_addresses(
    tmp_path: Path, mail_db: Path
) -> None:
    """'"Lee, Ann" <ann@x.org>, bob@y.org': the To line keeps both as written (a comma in a
    quoted name is no separator), RCPT names the bare addresses, deliveries are kept by them."""
    from paperboy.delivery.addresses import addresses

    to = addresses('"Lee, Ann" <ann@lab.example>, bob@lab.example')
    with mail_server(tmp_path) as server, open_store(mail_db) as store:
        profile = store.profiles.get("pc")
        index = neighbours.load(store)
        assert profile is not None and index is not None
        ranked = rank_day(store, profile, DAY, index, limit=20)
        deliver(store, smtp_settings(server), profile, ranked, to)
        states = {
            a: store.deliveries.state(Key(profile.id, "cs.CV", DAY, a))
            for a in ("ann@lab.example", "bob@lab.example")
        }
    [got] = server.mailbox.received
    assert got.recipients == ["ann@lab.example", "bob@lab.example"]
    assert [(a.display_name, a.addr_spec) for a in got.message["To"].addresses] == [
        ("Lee, Ann", "ann@lab.example"),
        ("", "bob@lab.example"),
    ]
    assert states == {"ann@lab.example": "sent", "bob@lab.example": "sent"}
