"""E-mail channel: inbound mail becomes tickets and replies, outbound mail keeps the thread."""
