"""The cart's addresses, mounted at /cart/."""

from django.urls import path

from .views import cart

app_name = "cart"
urlpatterns = [
    path("add/", cart.cart_add, name="add"),
]
