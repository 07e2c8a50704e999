"""What becomes of a message its building refused, the same for an email and a text."""

from __future__ import annotations

import logging

from sqlalchemy.exc import OperationalError

from app.messages.sources import NotDeliverable, NotNeeded
from app.models import MessageStatus, OutboundMessage

logger = logging.getLogger(__name__)


def unbuilt(message: OutboundMessage, error: Exception) -> tuple[MessageStatus, str]:
    """The status and reason to settle `message` with, its building having raised `error`.

    Skipped when it is no longer needed, cancelled when it cannot be delivered, failed (and logged) for a
    fault in our own code or data, which must not stop everyone else's messages: the coordinator sees it.
    The database's own errors are raised again, as they are no fault of the message's: its claim runs out
    and it is tried again.
    """
    if isinstance(error, NotNeeded):
        return MessageStatus.SKIPPED, str(error)
    if isinstance(error, NotDeliverable):
        return MessageStatus.CANCELLED, str(error)
    if isinstance(error, OperationalError):
        raise error
    logger.error("could not build message %s", message.id, exc_info=error)
    return MessageStatus.FAILED, f"could not be built: {error}"
