from django.urls import path

from . import views, views_orders

app_name = "catalog"
urlpatterns = [
    path("", views.product_list, name="index"),
    path("suggest/", views.suggest, name="suggest"),
    path("price-list.xlsx", views_orders.pricelist, name="pricelist"),
    path("product/<int:pk>/", views.product_detail, name="product"),
    path("product/<int:pk>/related/", views.product_related, name="related"),
    path("product/<int:pk>/reviews/", views_orders.product_reviews, name="reviews"),
    path("<slug:slug>/", views.product_list, name="category"),
]
