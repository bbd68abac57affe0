from django.urls import path

from .views import orders

app_name = "orders"
urlpatterns = [
    path("", orders.order_list, name="list"),
    path("<int:pk>/", orders.order_detail, name="detail"),
]
