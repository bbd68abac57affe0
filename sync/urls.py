from django.urls import path

from . import views

app_name = "sync"

urlpatterns = [
    path("1c/exchange", views.exchange_1c, name="exchange"),
    path("1c/exchange/", views.exchange_1c),
    path("staff/sync/", views.data_age, name="data_age"),
]
