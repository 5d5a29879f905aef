from django.urls import URLPattern, URLResolver, path

from shopdesk.tickets import views, views_actions, views_phone, views_ticket

app_name = "tickets"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ticket_console_view, name="console"),
    path("bulk/", views.ticket_bulk_view, name="bulk"),
    path("new/phone/", views_phone.ticket_phone_view, name="phone"),
    path("<int:ticket_id>/", views_ticket.ticket_detail_view, name="detail"),
    path(
        "<int:ticket_id>/customer-timeline/",
        views_ticket.customer_timeline_view,
        name="customer-timeline",
    ),
    path("<int:ticket_id>/reply/", views_ticket.ticket_reply_view, name="reply"),
    path("<int:ticket_id>/macro/", views_ticket.macro_insert_view, name="macro"),
    path("<int:ticket_id>/transition/", views_actions.ticket_transition_view, name="transition"),
    path("<int:ticket_id>/assign/", views_actions.ticket_assign_view, name="assign"),
    path("<int:ticket_id>/hand-off/", views_actions.ticket_hand_off_view, name="hand-off"),
    path(
        "<int:ticket_id>/compensation/",
        views_actions.compensation_request_view,
        name="compensation",
    ),
    path(
        "<int:ticket_id>/compensation/<int:compensation_id>/decide/",
        views_actions.compensation_decide_view,
        name="compensation-decide",
    ),
    path("attachments/<int:attachment_id>/", views_ticket.attachment_view, name="attachment"),
]
