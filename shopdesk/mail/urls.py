from django.urls import path

from shopdesk.mail import views

app_name = "mail"

urlpatterns = [
    path("inbound/", views.inbound, name="inbound"),
    path("original/<int:mail_id>/", views.original, name="original"),
]
