"""All tables; importing this package registers them on SQLModel.metadata."""

from app.models.accounts import AccountStatus, PlatformApp, SocialAccount
from app.models.activity import ActivityEvent, Webhook, WebhookDelivery
from app.models.ai import AIUsage
from app.models.base import utcnow
from app.models.comments import PostComment
from app.models.drafts import ComposerDraft
from app.models.instance import InstanceSetting
from app.models.mail import OutboxEmail, UserToken
from app.models.media import Media, MediaUpload, PostMedia
from app.models.metrics import AccountMetric, PostMetric
from app.models.notifications import Notification, NotificationSettings
from app.models.posts import (
    AttemptOutcome,
    DestinationStatus,
    Post,
    PostApproval,
    PostDestination,
    PostStatus,
    PublishAttempt,
)
from app.models.slots import PostingSchedule, PostingSlot
from app.models.users import ApiKey, User, UserSession
from app.models.workers import WorkerProcess
from app.models.workspaces import Invitation, Membership, Role, Tier, Workspace

__all__ = [
    "ActivityEvent",
    "Webhook",
    "WebhookDelivery",
    "AIUsage",
    "AccountMetric",
    "AccountStatus",
    "ApiKey",
    "AttemptOutcome",
    "ComposerDraft",
    "DestinationStatus",
    "InstanceSetting",
    "Invitation",
    "Media",
    "MediaUpload",
    "Membership",
    "Notification",
    "NotificationSettings",
    "OutboxEmail",
    "PlatformApp",
    "Post",
    "PostComment",
    "PostApproval",
    "PostDestination",
    "PostMedia",
    "PostMetric",
    "PostingSchedule",
    "PostingSlot",
    "PostStatus",
    "PublishAttempt",
    "Role",
    "SocialAccount",
    "Tier",
    "User",
    "UserToken",
    "UserSession",
    "WorkerProcess",
    "Workspace",
    "utcnow",
]
