"""Every write to chats. Import from here; the modules behind are an implementation detail."""

from shopdesk.chat.services.convert import chat_convert_to_ticket as chat_convert_to_ticket
from shopdesk.chat.services.convert import chat_transcript as chat_transcript
from shopdesk.chat.services.convert import chats_convert_unanswered as chats_convert_unanswered
from shopdesk.chat.services.messages import chat_post as chat_post
from shopdesk.chat.services.sessions import chat_accept as chat_accept
from shopdesk.chat.services.sessions import chat_close as chat_close
from shopdesk.chat.services.sessions import chat_hand_over as chat_hand_over
from shopdesk.chat.services.sessions import chat_mark_read as chat_mark_read
from shopdesk.chat.services.sessions import chat_start as chat_start
from shopdesk.chat.services.sessions import chat_typing as chat_typing
