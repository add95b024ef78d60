from django.urls import path

from . import views

app_name = "treatments"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("treatments/", views.treatment_list, name="list"),
    path("treatments/<slug:slug>/", views.treatment_detail, name="detail"),
    path("treatments/<slug:slug>/faq/", views.treatment_faq, name="faq"),
]
