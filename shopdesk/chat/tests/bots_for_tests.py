"""A tiny bot for the tests: answers "hello", hands over on "refund", says nothing otherwise."""

from shopdesk.chat.bots import BotTurn
from shopdesk.chat.models import ChatMessage, ChatSession


class EchoBot:
    def respond(self, *, session: ChatSession, message: ChatMessage) -> BotTurn | None:
        text = message.body.lower()
        if "refund" in text:
            return BotTurn(
                text="Let me pass you to a colleague for the refund.",
                hand_over=True,
                reason="refund request",
                classification={"intent": "refund", "confidence": 0.4},
            )
        if "hello" in text:
            return BotTurn(text="Hello! I am the assistant.")
        return None
