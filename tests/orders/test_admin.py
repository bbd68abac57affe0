"""Orders in Django admin, the supplier's side: scoped to the staff member's regions, statuses moved only
through order_transition (list actions and the button row, with a comment), nothing of a sent order
editable, no blank inline rows, filters and search."""

from decimal import Decimal

import pytest

from accounts.models import RegionHead, User
from orders.models import Order, OrderStatusChange
from orders.status import OrderStatus
from tests.admin_forms import change_form_data
from tests.factories import (
    ClientUserFactory,
    LegalEntityFactory,
    OrderFactory,
    OrderLineFactory,
    RegionFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
S = OrderStatus
CHANGELIST = "/admin/orders/order/"


@pytest.fixture
def regions():
    """A regional manager (no model permissions) with an order of his region and one of another region."""
    mine, other = RegionFactory(), RegionFactory()
    manager = StaffUserFactory()
    manager.managed_regions.add(mine)
    own = OrderFactory(client__region=mine, status=S.SUBMITTED)
    OrderLineFactory(order=own, sku="SKU-OWN")
    foreign = OrderFactory(client__region=other, status=S.SUBMITTED)
    OrderLineFactory(order=foreign, sku="SKU-FOREIGN")
    return {"manager": manager, "own": own, "foreign": foreign}


def _numbers(response) -> set[str]:
    return {order.number for order in response.context["cl"].result_list}


def test_order_change_form_leaves_status_and_erp_fields(client):
    order = OrderFactory(status=S.DRAFT, erp_number="УТ-1", erp_id="erp-1")
    OrderLineFactory(order=order)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/orders/order/{order.pk}/change/"
    data = change_form_data(client.get(url))
    data.update(comment="Позвонить перед доставкой", status=S.DELIVERED, erp_number="УТ-2",
                erp_id="erp-2", erp_exported_at="2026-01-01 00:00:00", erp_confirmed_at="2026-01-01 00:00:00",
                total_amount="1")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Order.objects.get(pk=order.pk)
    assert stored.comment == "Позвонить перед доставкой", "the rest of a draft's form is saved"
    assert (stored.status, stored.erp_number, stored.erp_id, stored.erp_exported_at, stored.erp_confirmed_at) == (
        S.DRAFT, "УТ-1", "erp-1", None, None)
    assert stored.total_amount == order.total_amount
    assert not stored.status_changes.exists()


def test_an_order_that_left_the_draft_is_read_only_without_blank_inline_rows(client):
    order = OrderFactory(status=S.SUBMITTED, comment="как было")
    line = OrderLineFactory(order=order)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = f"/admin/orders/order/{order.pk}/change/"
    response = client.get(url)
    assert not response.context["adminform"].form.fields, "no field of a submitted order is editable"
    for inline in response.context["inline_admin_formsets"]:
        assert not inline.has_add_permission and not inline.has_change_permission
        assert all(form.instance.pk for form in inline.formset.forms), "no blank row"
    data = change_form_data(response)
    data.update(comment="иначе", **{"lines-0-price": "1", "lines-0-quantity": "999"})
    client.post(url, data)
    stored = Order.objects.get(pk=order.pk)
    line.refresh_from_db()
    assert (stored.comment, line.price, line.quantity) == ("как было", OrderLineFactory._meta.model.objects.get(
        pk=line.pk).price, line.quantity)
    assert line.quantity != Decimal("999") and not stored.status_changes.exists()
    assert client.get("/admin/orders/order/add/").status_code == 403, "orders come from checkout and the ERP"


def test_a_regional_manager_sees_only_his_regions_orders(client, regions, django_assert_max_num_queries):
    client.force_login(regions["manager"])
    client.get(CHANGELIST)
    with django_assert_max_num_queries(25) as one:
        client.get(CHANGELIST)
    for _ in range(5):
        OrderFactory(client=regions["own"].client, legal_entity=regions["own"].legal_entity)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert regions["own"].number in _numbers(response) and regions["foreign"].number not in _numbers(response)
    assert len(_numbers(response)) == 6
    foreign = regions["foreign"]
    assert client.get(f"/admin/orders/order/{foreign.pk}/change/").status_code == 302, "to the admin index"
    response = client.post(f"/admin/orders/order/{foreign.pk}/transition/", {"to_status": S.ACCEPTED})
    assert response.status_code == 404
    response = client.post(CHANGELIST, {"action": "move_to_accepted", "_selected_action": [foreign.pk],
                                        "apply": "1", "comment": ""})
    assert Order.objects.get(pk=foreign.pk).status == S.SUBMITTED
    assert not OrderStatusChange.objects.exists()


def test_the_list_query_count_does_not_grow_with_orders(client, regions, django_assert_num_queries,
                                                       django_assert_max_num_queries):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.get(CHANGELIST)
    with django_assert_max_num_queries(12) as few:
        client.get(CHANGELIST)
    for _ in range(10):
        OrderFactory()
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(CHANGELIST)


def test_a_list_action_moves_the_selected_orders_with_a_comment(client, regions):
    own = regions["own"]
    delivered = OrderFactory(client=own.client, legal_entity=own.legal_entity, status=S.DELIVERED)
    client.force_login(regions["manager"])
    selected = {"action": "move_to_accepted", "_selected_action": [own.pk, delivered.pk]}
    response = client.post(CHANGELIST, selected)
    assert response.status_code == 200 and "comment" in response.context["form"].fields, "asks for a comment"
    assert Order.objects.get(pk=own.pk).status == S.SUBMITTED
    response = client.post(CHANGELIST, {**selected, "apply": "1", "comment": "Принят в работу"}, follow=True)
    assert Order.objects.get(pk=own.pk).status == S.ACCEPTED
    assert Order.objects.get(pk=delivered.pk).status == S.DELIVERED
    change = OrderStatusChange.objects.get()
    assert (change.order_id, change.changed_by, change.source, change.comment) == (
        own.pk, regions["manager"], OrderStatusChange.Source.USER, "Принят в работу")
    texts = [str(message) for message in response.context["messages"]]
    assert any(delivered.number in text for text in texts), texts
    assert any("1" in text and "Принят" in text for text in texts), texts


def test_the_button_row_shows_and_makes_the_allowed_moves(client, regions):
    own = regions["own"]
    client.force_login(regions["manager"])
    url = f"/admin/orders/order/{own.pk}/change/"
    response = client.get(url)
    assert [status for status, _label in response.context["transitions"]] == [
        S.ACCEPTED, S.ASSEMBLING, S.SHIPPED, S.CANCELLED]
    assert f'action="/admin/orders/order/{own.pk}/transition/"' in response.content.decode()
    response = client.post(f"/admin/orders/order/{own.pk}/transition/",
                           {"to_status": S.ACCEPTED, "comment": "Склад подтвердил"})
    assert response.status_code == 302 and response.url == url
    change = OrderStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.comment, change.changed_by) == (
        S.SUBMITTED, S.ACCEPTED, "Склад подтвердил", regions["manager"])
    response = client.post(f"/admin/orders/order/{own.pk}/transition/", {"to_status": S.DELIVERED}, follow=True)
    assert Order.objects.get(pk=own.pk).status == S.ACCEPTED
    assert any("нельзя" in str(message) for message in response.context["messages"])
    assert client.get(f"/admin/orders/order/{own.pk}/transition/").status_code == 405
    assert client.post("/admin/orders/order/x/transition/", {"to_status": S.SHIPPED}).status_code == 404


def test_a_client_user_never_moves_orders_in_admin(client, regions):
    administrator = ClientUserFactory(client=regions["own"].client, role=User.Role.ADMINISTRATOR)
    client.force_login(administrator)
    response = client.post(f"/admin/orders/order/{regions['own'].pk}/transition/", {"to_status": S.CANCELLED})
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert Order.objects.get(pk=regions["own"].pk).status == S.SUBMITTED


def test_filters_and_search(client, regions):
    own = regions["own"]
    Order.objects.filter(pk=own.pk).update(escalation_level=1, total_amount=Decimal("150000"),
                                           total_weight=Decimal("50"))
    entity = LegalEntityFactory(client=own.client, inn="7707083893")
    other = OrderFactory(client=own.client, legal_entity=entity, total_amount=Decimal("500"),
                         total_weight=Decimal("2000"))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert _numbers(client.get(CHANGELIST, {"escalated": "any"})) == {own.number}
    assert _numbers(client.get(CHANGELIST, {"escalated": "1"})) == {own.number}
    assert own.number not in _numbers(client.get(CHANGELIST, {"escalated": "no"}))
    assert _numbers(client.get(CHANGELIST, {"amount": "100000-1000000"})) == {own.number}
    assert _numbers(client.get(CHANGELIST, {"weight": "1000-10000"})) == {other.number}
    assert _numbers(client.get(CHANGELIST, {"q": "SKU-OWN"})) == {own.number}
    assert _numbers(client.get(CHANGELIST, {"q": "7707083893"})) == {other.number}
    assert _numbers(client.get(CHANGELIST, {"q": own.number})) == {own.number}
    region = own.client.region
    assert _numbers(client.get(CHANGELIST, {"client__region__id__exact": region.pk})) == {own.number, other.number}
    assert client.get(CHANGELIST, {"amount": "x-y"}).status_code == 200


def test_a_regional_manager_reads_the_lines_and_the_history_of_his_regions_order(client, regions):
    own = regions["own"]
    OrderStatusChange.objects.create(order=own, from_status=S.DRAFT, to_status=S.SUBMITTED, comment="Срочно")
    client.force_login(regions["manager"])
    response = client.get(f"/admin/orders/order/{own.pk}/change/")
    html = response.content.decode()
    assert [inline.formset.prefix for inline in response.context["inline_admin_formsets"]] == [
        "lines", "status_changes", "escalations"]
    assert "SKU-OWN" in html and "Срочно" in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html, "nothing to save on a sent order"
    assert "idempotency" not in html and "Ключ идемпотентности" not in html
    assert ">Заказы<" in html and ">Orders<" not in html, "the app's name is translated too"


def test_the_region_head_sees_his_regions_orders_and_staff_without_a_region_none(client, regions):
    head = StaffUserFactory()
    RegionHead.objects.create(region=regions["own"].client.region, user=head)
    client.force_login(head)
    assert _numbers(client.get(CHANGELIST)) == {regions["own"].number}
    client.force_login(StaffUserFactory())
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"/admin/orders/order/{regions['own'].pk}/change/").status_code in (302, 403)
