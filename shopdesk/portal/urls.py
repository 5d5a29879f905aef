from django.urls import URLPattern, URLResolver, path

from shopdesk.portal import views

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.portal_login_view, name="login"),
    path("code/", views.portal_code_view, name="code"),
    path("link/", views.portal_link_view, name="link"),
    path("orders/", views.portal_orders_view, name="orders"),
    path("orders/<int:order_id>/", views.portal_order_view, name="order"),
    path("logout/", views.portal_logout_view, name="logout"),
]
