"""What the composer offers for one destination account, read from its platform: the text
limit (a Mastodon server's own) and the live choices of its options (Pinterest boards, the
TikTok privacy levels of the creator).

Read-only towards the platforms; a platform that cannot be reached leaves the defaults and a
message to show, never an exception the composer has to handle.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from app import db
from app.models import Role, User
from app.providers.base import ProviderError
from app.providers.options import option_specs
from app.services import accounts
from app.services.access import require_role

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DestinationOptions:
    account_id: uuid.UUID
    platform: str
    max_text_length: int
    url_length: int
    # Option name → the account's (value, label) choices, for the options marked `live`.
    choices: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    message: str = ""


def destination_options(
    user: User, workspace_id: uuid.UUID, account_id: uuid.UUID
) -> DestinationOptions:
    with db.session() as s:
        require_role(s, user, workspace_id, Role.viewer)
        account = accounts.workspace_account(s, workspace_id, account_id)
    provider = accounts.provider_for(account)
    limits = provider.default_limits
    choices: dict[str, list[tuple[str, str]]] = {}
    message = ""
    try:
        limits = provider.load_limits()
        if any(spec.live for spec in option_specs(provider.options_model)):
            _, token = accounts.fresh_token(account)
            choices = provider.option_choices(token)
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
        url_length=limits.url_length,
        choices=choices,
        message=message,
    )
