from django.urls import URLPattern, path

from shopdesk.surveys import views_reports

app_name = "survey_reports"

urlpatterns: list[URLPattern] = [
    path("", views_reports.survey_list_view, name="list"),
    path("<int:survey_id>/", views_reports.survey_report_view, name="report"),
    path("<int:survey_id>/responses.csv", views_reports.survey_responses_csv_view, name="csv"),
    path("<int:survey_id>/report.xlsx", views_reports.survey_report_xlsx_view, name="xlsx"),
]
