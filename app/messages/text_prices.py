"""What each text cost, asked of Twilio once its delivery is known.

Twilio's answer to a new text carries no price, nor do its delivery reports: the price is known only by asking
for the text again. The worker asks once per text, after its last delivery report, and keeps what Twilio says
(`price`, `price_unit`; nothing when it has no price to give) with the moment it asked (`price_asked_at`), so
no text is asked about twice. A Twilio that does not answer is asked again at the next round.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, select

from app.models import OutboundMessage
from app.models.outbox import PRICE_NOT_ASKED
from integrations.sms import SmsError, TwilioClient

# Delivery states after which Twilio has counted the text.
LAST_REPORTS = ("delivered", "undelivered", "failed")
PRICES_TURN = 20
logger = logging.getLogger(__name__)


def ask_prices(session: Session, client: TwilioClient, *, now: datetime, most: int = PRICES_TURN) -> int:
    """Ask Twilio the price of up to `most` texts whose delivery is known and that were never asked about;
    how many were asked."""
    waiting = session.exec(
        select(OutboundMessage)
        .where(text(PRICE_NOT_ASKED))  # as the partial index says it, so the database uses it
        .where(OutboundMessage.delivery_status.in_(LAST_REPORTS))
        .order_by(OutboundMessage.id)
        .limit(most)
    ).all()
    asked = 0
    for message in waiting:
        try:
            found = client.get_message(message.provider_id)
        except SmsError as error:
            if error.retryable or error.outcome_unknown:
                logger.warning(
                    "could not ask Twilio the price of text %s; asking again later (%s)", message.id, error
                )
                break
            found = None  # Twilio no longer has it: there is nothing to ask again
        if found is not None and found.price is not None:
            message.price, message.price_unit = str(found.price), found.price_unit
        message.price_asked_at = now
        session.add(message)
        asked += 1
    session.commit()
    return asked
