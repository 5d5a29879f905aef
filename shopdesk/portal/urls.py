from django.urls import URLPattern, URLResolver, path

from shopdesk.portal import ticket_views, views

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.portal_login_view, name="login"),
    path("code/", views.portal_code_view, name="code"),
    path("link/", views.portal_link_view, name="link"),
    path("orders/", views.portal_orders_view, name="orders"),
    path("orders/<int:order_id>/", views.portal_order_view, name="order"),
    path("logout/", views.portal_logout_view, name="logout"),
    path("orders/<int:order_id>/issue/", ticket_views.portal_issue_new_view, name="issue-new"),
    path("tickets/", ticket_views.portal_ticket_list_view, name="tickets"),
    path("tickets/<int:ticket_id>/", ticket_views.portal_ticket_detail_view, name="ticket"),
    path(
        "tickets/<int:ticket_id>/reply/", ticket_views.portal_ticket_reply_view, name="ticket-reply"
    ),
    path("tickets/<int:ticket_id>/rate/", ticket_views.portal_ticket_rate_view, name="ticket-rate"),
    path(
        "tickets/<int:ticket_id>/complain/",
        ticket_views.portal_ticket_complain_view,
        name="ticket-complain",
    ),
    path(
        "attachments/<int:attachment_id>/",
        ticket_views.portal_attachment_view,
        name="attachment",
    ),
]
