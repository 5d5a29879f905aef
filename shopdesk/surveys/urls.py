from django.urls import URLPattern, URLResolver, path

from shopdesk.surveys import views

app_name = "surveys"

urlpatterns: list[URLPattern | URLResolver] = [
    path("a/<str:token>/", views.survey_answer_view, name="answer"),
    path("a/<str:token>/thanks/", views.survey_answer_thanks_view, name="answer_thanks"),
    path("mine/", views.survey_mine_view, name="mine"),
    path("mine/<int:invitation_id>/", views.survey_portal_answer_view, name="portal_answer"),
    path(
        "mine/<int:invitation_id>/thanks/",
        views.survey_portal_thanks_view,
        name="portal_thanks",
    ),
]
