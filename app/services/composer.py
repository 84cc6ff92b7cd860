"""What the composer offers for one destination account, read from its platform: the text
limit (a Mastodon server's own), Pinterest boards, TikTok privacy levels of the creator.

Read-only towards the platforms; a platform that cannot be reached leaves the defaults and a
message to show, never an exception the composer has to handle.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from app import db
from app.models import Role, SocialAccount, User
from app.providers.base import ProviderError
from app.services import accounts
from app.services.access import require_role
from app.services.errors import NotFound

log = logging.getLogger(__name__)

URL_LENGTH = 23


@dataclass(frozen=True)
class DestinationOptions:
    account_id: uuid.UUID
    platform: str
    max_text_length: int
    url_length: int = URL_LENGTH
    boards: list[dict[str, str]] = field(default_factory=list)
    privacy_levels: list[str] = field(default_factory=list)
    message: str = ""


def destination_options(
    user: User, workspace_id: uuid.UUID, account_id: uuid.UUID
) -> DestinationOptions:
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        account = s.get(SocialAccount, account_id)
        if account is None or account.workspace_id != workspace_id:
            raise NotFound("Account not found.")
    provider = accounts.provider_for(account)
    limits = provider.default_limits
    url_length = URL_LENGTH
    boards: list[dict[str, str]] = []
    levels: list[str] = []
    message = ""
    try:
        if provider.capabilities.per_instance and hasattr(provider, "fetch_limits"):
            if not getattr(provider, "_limits_loaded", False):
                provider.fetch_limits()
            limits = provider.limits
            url_length = int(getattr(provider, "url_length", URL_LENGTH))
        if account.platform == "pinterest" and hasattr(provider, "boards"):
            _, token = accounts.fresh_token(account)
            boards = [
                {"id": b["id"], "name": b["name"] or b["id"], "privacy": b.get("privacy", "")}
                for b in provider.boards(token)
            ]
        if account.platform == "tiktok" and hasattr(provider, "creator_info"):
            _, token = accounts.fresh_token(account)
            info = provider.creator_info(token)
            levels = [str(x) for x in info.get("privacy_level_options") or []]
    except ProviderError as exc:
        message = (
            f"Could not read the account's options from {provider.display_name}: {exc.message}"
        )
    except accounts.RefreshBusy:
        message = "The account's token is being refreshed; try again in a moment."
    except Exception as exc:  # a platform answer we did not expect: keep the defaults
        log.warning("destination options of %s failed: %r", account_id, exc)
        message = f"Could not read the account's options from {provider.display_name}."
    return DestinationOptions(
        account_id=account.id,
        platform=account.platform,
        max_text_length=limits.max_text_length,
        url_length=url_length,
        boards=boards,
        privacy_levels=levels,
        message=message,
    )
