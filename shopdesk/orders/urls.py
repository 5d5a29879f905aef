from django.urls import path

from shopdesk.orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_search_view, name="search"),
]
