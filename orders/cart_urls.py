"""The cart's addresses, mounted at /cart/."""

from django.urls import path

from .views import cart, checkout, quick_order

app_name = "cart"
urlpatterns = [
    path("", cart.cart_detail, name="detail"),
    path("add/", cart.cart_add, name="add"),
    path("add-many/", cart.cart_add_many, name="add_many"),
    path("terms/", cart.cart_terms, name="terms"),
    path("accept/", cart.cart_accept, name="accept"),
    path("clear/", cart.cart_clear_view, name="clear"),
    path("reorder/", cart.cart_reorder_add, name="reorder_add"),
    path("lines/<int:pk>/", cart.cart_line_update, name="line_update"),
    path("lines/<int:pk>/remove/", cart.cart_line_remove, name="line_remove"),
    path("lines/<int:pk>/accept/", cart.cart_line_accept, name="line_accept"),
    path("quick/", quick_order.quick_order, name="quick"),
    path("quick/add/", quick_order.quick_order_add, name="quick_add"),
    path("upload/", quick_order.upload, name="upload"),
    path("upload/template.xlsx", quick_order.upload_template, name="upload_template"),
    path("upload/<slug:token>/", quick_order.upload_result, name="upload_result"),
    path("upload/<slug:token>/annotated.xlsx", quick_order.upload_annotated, name="upload_annotated"),
    path("checkout/", checkout.checkout, name="checkout"),
]
