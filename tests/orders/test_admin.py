"""The order admin page cannot move the status or rewrite what the ERP exchange writes."""

import pytest

from orders.models import Order
from orders.status import OrderStatus
from tests.admin_forms import change_form_data
from tests.factories import OrderFactory, OrderLineFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_order_change_form_leaves_status_and_erp_fields(client):
    order = OrderFactory(status=OrderStatus.SUBMITTED, erp_number="УТ-1", erp_id="erp-1")
    OrderLineFactory(order=order)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/orders/order/{order.pk}/change/"
    data = change_form_data(client.get(url))
    data.update(comment="Позвонить перед доставкой", status=OrderStatus.DELIVERED, erp_number="УТ-2",
                erp_id="erp-2", erp_exported_at="2026-01-01 00:00:00", erp_confirmed_at="2026-01-01 00:00:00")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Order.objects.get(pk=order.pk)
    assert stored.comment == "Позвонить перед доставкой", "the rest of the form is saved"
    assert (stored.status, stored.erp_number, stored.erp_id, stored.erp_exported_at, stored.erp_confirmed_at) == (
        OrderStatus.SUBMITTED, "УТ-1", "erp-1", None, None)
    assert not stored.status_changes.exists()
