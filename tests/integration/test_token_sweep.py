"""The token sweep for tokens that cannot be refreshed: one "expiring" notice a week ahead,
"expired" once the token has run out; the accounts stay otherwise untouched."""

from __future__ import annotations

import datetime as dt

import pytest

from app import db
from app.models import AccountStatus, SocialAccount, utcnow
from app.providers.base import TokenSet
from app.providers.registry import get_provider
from app.services import accounts
from simulator import SimServer
from tests.integration.engine import new_user

pytestmark = pytest.mark.usefixtures("clean_db")


SEED = 3


def account_expiring_in(server: SimServer, username: str, left: dt.timedelta):
    user, wid = new_user()
    base = server.url_for("mastodon")
    token = TokenSet(server.sim["mastodon"].issue_token(username), expires_at=utcnow() + left)
    info = get_provider("mastodon", api_base=base).account_info(token)
    return accounts.save_account(user, wid, "mastodon", token, info, api_base=base)


def status(account_id) -> tuple[AccountStatus, str | None, dt.datetime | None]:
    with db.session() as s:
        row = s.get(SocialAccount, account_id)
        return row.status, row.last_error, row.status_changed_at


def test_unrefreshable_tokens_warn_once_then_expire(server):
    soon = account_expiring_in(server, "soon", dt.timedelta(days=3))
    later = account_expiring_in(server, "later", dt.timedelta(days=20))
    gone = account_expiring_in(server, "gone", dt.timedelta(seconds=-5))
    assert accounts.refresh_due_accounts() == {"refreshed": 0, "failed": 0}
    state, message, noticed = status(soon.id)
    assert state == AccountStatus.expiring and "reconnect before then" in message
    assert status(later.id)[0] == AccountStatus.connected
    assert status(gone.id)[0] == AccountStatus.expired
    accounts.refresh_due_accounts()
    assert status(soon.id)[2] == noticed  # one notice, not one per sweep


def test_a_failure_seen_before_a_reconnect_leaves_the_account_connected(server):
    """A publish (or sweep) that read the account, then failed with an auth error while the user
    reconnected it, must not mark the freshly reconnected account expired."""
    before_reconnect = utcnow()
    account = account_expiring_in(server, "renewed", dt.timedelta(days=60))  # connected now
    accounts.mark_broken(
        account.id, AccountStatus.expired, "token revoked", seen_since=before_reconnect
    )
    assert status(account.id)[0] == AccountStatus.connected
    accounts.mark_broken(account.id, AccountStatus.expired, "token revoked", seen_since=utcnow())
    state, message, _ = status(account.id)
    assert state == AccountStatus.expired and message == "token revoked"
