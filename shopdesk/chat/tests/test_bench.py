import pytest

from shopdesk.chat.bench import chat_round_trip
from shopdesk.chat.models import ChatSession, ChatWidget


@pytest.mark.django_db(transaction=True)
def test_round_trip_measures_every_message_and_cleans_up(settings):
    # given: short streams, so the reader's reconnect is part of the run
    settings.SHOPDESK_CHAT_STREAM_SECONDS = 1.0
    # when
    result = chat_round_trip(messages=30)
    # then
    assert result["messages"] == 30
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["max_ms"]
    assert result["p95_ms"] <= 300
    assert not ChatSession.objects.exists()
    assert not ChatWidget.objects.exists()
