from django.urls import path

from shopdesk.orders import stats_views, views

app_name = "orders"

urlpatterns = [
    path("", views.order_search_view, name="search"),
    path("<int:order_id>/", views.order_detail_view, name="detail"),
    path("<int:order_id>/customer/reveal/", views.customer_pii_reveal_view, name="reveal-customer"),
    path("stats/", stats_views.order_stats_view, name="stats"),
]
