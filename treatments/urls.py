from django.urls import path

from treatments.public import calendar_views, feedback_views, views

app_name = "treatments"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("search/", views.search_page, name="search"),
    path("feedback/", feedback_views.answer, name="feedback"),
    path("feedback/comment/", feedback_views.comment, name="feedback_comment"),
    path("feedback/thanks/", feedback_views.thanks, name="feedback_thanks"),
    path("treatments/", views.treatment_list, name="list"),
    path("treatments/<slug:slug>/", views.treatment_detail, name="detail"),
    path("treatments/<slug:slug>/faq/", views.treatment_faq, name="faq"),
    path("treatments/<slug:slug>/before/", views.care_sheet, {"sheet": "before"}, name="before"),
    path(
        "treatments/<slug:slug>/aftercare/",
        views.care_sheet,
        {"sheet": "aftercare"},
        name="aftercare",
    ),
    path(
        "treatments/<slug:slug>/aftercare/calendar/",
        calendar_views.aftercare_calendar,
        name="aftercare_calendar",
    ),
    # Last, so it never shadows a route above; Page.clean refuses slugs taken by them.
    path("<slug:slug>/", views.page_detail, name="page"),
]
