from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.product_list, name="index"),
    path("product/<int:pk>/", views.product_detail, name="product"),
    path("<slug:slug>/", views.product_list, name="category"),
]
