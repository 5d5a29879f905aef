"""Permission codenames (app_label.codename) used by views, the API and selectors."""

from enum import StrEnum


class Perm(StrEnum):
    VIEW_ORDER = "orders.view_order"
    CHANGE_ORDER = "orders.change_order"
    ADD_ORDER = "orders.add_order"
    ADD_LOGISTICS_EVENT = "orders.add_logisticsevent"
    VIEW_CUSTOMER = "accounts.view_customer"
    VIEW_CUSTOMER_PII = "accounts.view_customer_pii"
    VIEW_MERCHANT = "accounts.view_merchant"
    VIEW_ORDER_STATS = "orders.view_order_stats"
    VIEW_AUDIT = "audit.view_auditevent"
    VIEW_TICKET = "tickets.view_ticket"
    ADD_TICKET = "tickets.add_ticket"
    CHANGE_TICKET = "tickets.change_ticket"
    REPLY_TICKET = "tickets.reply_ticket"
    ASSIGN_TICKET = "tickets.assign_ticket"
    OVERRIDE_TICKET = "tickets.override_ticket"
    VIEW_TICKET_STATS = "tickets.view_ticket_stats"
    WORK_CHAT = "chat.work_chat"
    # The admin's: the inbound-mail quarantine (retry, discard, originals) and chat widgets.
    VIEW_INBOUND_MAIL = "mail.view_inboundmail"
    CHANGE_INBOUND_MAIL = "mail.change_inboundmail"
    VIEW_CHAT_WIDGET = "chat.view_chatwidget"
    ADD_CHAT_WIDGET = "chat.add_chatwidget"
    CHANGE_CHAT_WIDGET = "chat.change_chatwidget"
    VIEW_CHAT_SESSION = "chat.view_chatsession"
    # Satisfaction surveys: questionnaires (authoring), surveys (distribution), responses.
    VIEW_QUESTIONNAIRE = "surveys.view_questionnaire"
    ADD_QUESTIONNAIRE = "surveys.add_questionnaire"
    CHANGE_QUESTIONNAIRE = "surveys.change_questionnaire"
    VIEW_SURVEY = "surveys.view_survey"
    ADD_SURVEY = "surveys.add_survey"
    CHANGE_SURVEY = "surveys.change_survey"
    VIEW_RESPONSE = "surveys.view_response"
