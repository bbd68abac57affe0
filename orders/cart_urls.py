"""The cart's addresses, mounted at /cart/."""

from django.urls import path

from .views import cart, checkout, quick_order

app_name = "cart"
urlpatterns = [
    path("add/", cart.cart_add, name="add"),
    path("quick/", quick_order.quick_order, name="quick"),
    path("quick/add/", quick_order.quick_order_add, name="quick_add"),
    path("upload/", quick_order.upload, name="upload"),
    path("upload/template.xlsx", quick_order.upload_template, name="upload_template"),
    path("upload/<slug:token>/", quick_order.upload_result, name="upload_result"),
    path("upload/<slug:token>/annotated.xlsx", quick_order.upload_annotated, name="upload_annotated"),
    path("checkout/", checkout.checkout, name="checkout"),
]
