"""The digest tests: a copy of the indexed autumn store (tests/conftest.py) with the
point-cloud profile, and the SMTP settings that point paperboy at a test server."""

from __future__ import annotations

from pathlib import Path

import pytest
from arxiv_server.fixtures import june_2021  # noqa: F401  (a fixture)
from mail_server import MailServer
from stores import copy_store, point_cloud_profile

from paperboy import config
from paperboy.store import open_store

ADDRESS = "reader@example.org"
SENDER = "paperboy@lab.example.org"


@pytest.fixture
def mail_db(tmp_path: Path, indexed_autumn: Path) -> Path:
    """A store of its own (deliveries get recorded) with profile 'pc' e-mailed to ADDRESS."""
    path = copy_store(indexed_autumn, tmp_path)
    with open_store(path) as store:
        profile = point_cloud_profile(store, "pc")
        store.profiles.set_email(profile.id, ADDRESS)
    return path


def smtp_env(
    server: MailServer, security: str = "none", login: tuple[str, str] | None = None
) -> dict[str, str]:
    """The environment a user sets for this server."""
    env = {
        "PAPERBOY_SMTP_HOST": server.host,
        "PAPERBOY_SMTP_PORT": str(server.port),
        "PAPERBOY_SMTP_SECURITY": security,
        "PAPERBOY_SMTP_FROM": SENDER,
        "PAPERBOY_SMTP_CA_FILE": str(server.ca_file),
    }
    if login:
        env |= {"PAPERBOY_SMTP_USER": login[0], "PAPERBOY_SMTP_PASSWORD": login[1]}
    return env


def smtp_settings(
    server: MailServer, security: str = "none", login: tuple[str, str] | None = None
) -> config.SMTPSettings:
    settings = config.smtp(smtp_env(server, security, login))
    assert settings is not None
    return settings
