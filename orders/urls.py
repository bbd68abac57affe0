from django.urls import path

from .views import analytics, approvals, checkout, order_templates, orders

app_name = "orders"
urlpatterns = [
    path("", orders.order_list, name="list"),
    path("export.xlsx", orders.order_list_export, name="export"),
    path("analytics/", analytics.analytics, name="analytics"),
    path("<int:pk>/", orders.order_detail, name="detail"),
    path("<int:pk>/invoice/", orders.order_invoice_view, name="invoice"),
    path("<int:pk>/invoice.pdf", orders.order_invoice_pdf, name="invoice_pdf"),
    path("<int:pk>/cancel/", orders.order_cancel, name="cancel"),
    path("<int:pk>/export.xlsx", orders.order_export, name="order_export"),
    path("<int:pk>/repeat/", order_templates.order_repeat_view, name="repeat"),
    path("templates/", order_templates.template_list, name="templates"),
    path("templates/save/", order_templates.template_save, name="template_save"),
    path("templates/<int:pk>/", order_templates.template_detail, name="template_detail"),
    path("templates/<int:pk>/rename/", order_templates.template_rename, name="template_rename"),
    path("templates/<int:pk>/add-to-cart/", order_templates.template_add_to_cart, name="template_add_to_cart"),
    path("templates/<int:pk>/delete/", order_templates.template_delete, name="template_delete"),
    path("templates/<int:pk>/lines/<int:line_pk>/", order_templates.template_line_update,
         name="template_line_update"),
    path("templates/<int:pk>/lines/<int:line_pk>/remove/", order_templates.template_line_remove,
         name="template_line_remove"),
    path("<int:pk>/submit/", checkout.draft_submit, name="submit"),
    path("approvals/", approvals.approvals, name="approvals"),
    path("approvals/<int:pk>/approve/", approvals.order_approve, name="approve"),
    path("approvals/<int:pk>/reject/", approvals.order_reject, name="reject"),
    path("approval-rules/", approvals.approval_rules, name="approval_rules"),
    path("approval-rules/<int:pk>/delete/", approvals.approval_rule_delete, name="approval_rule_delete"),
]
