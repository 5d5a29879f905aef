from django.contrib.auth import views as auth_views
from django.urls import path

from shopdesk.accounts import views

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("presence/", views.agent_presence_view, name="presence"),
    path("presence/heartbeat/", views.agent_heartbeat_view, name="heartbeat"),
]
