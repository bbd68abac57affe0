"""Order templates: save the cart, rename, edit lines by the cart's rules, delete, put into the cart."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import User
from catalog.models import AssortmentItem, Price, ProductUnit
from orders.models import Cart, CartLine, OrderTemplate, OrderTemplateLine
from orders.selectors import cart_lines, order_template_lines
from orders.services import (
    TemplateLineRefused,
    TemplateNameTaken,
    cart_add_line,
    order_template_add_to_cart,
    order_template_create_from_cart,
    order_template_delete,
    order_template_remove_line,
    order_template_rename,
    order_template_update_line,
)
from tests.factories import ClientUserFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack():
    return UnitFactory(code="778", name="Упаковка", short_name="уп")


@pytest.fixture
def saved(shop, priced_product, pack):
    """A buyer's template of two lines: 3 pieces of one product and 2 packs of 10 of another."""
    buyer = shop["buyer"]
    loose, packed = priced_product(), priced_product(multiplicity=Decimal("10"))
    ProductUnit.objects.create(product=packed, unit=pack, coefficient=Decimal("10"))
    cart_add_line(user=buyer, product_id=loose.pk, quantity=Decimal("3"))
    cart_add_line(user=buyer, product_id=packed.pk, quantity=Decimal("2"), unit_id=pack.pk)
    template = order_template_create_from_cart(user=buyer, name="  Еженедельный   крепёж ")
    return {"buyer": buyer, "template": template, "loose": loose, "packed": packed}


def test_the_cart_is_saved_with_its_quantities_units_and_order_but_no_prices(saved, pack):
    template = saved["template"]
    assert template.name == "Еженедельный крепёж"
    assert template.created_by == saved["buyer"] and template.client_id == saved["buyer"].client_id
    lines = list(template.lines.values_list("product_id", "quantity", "unit_id", "position"))
    assert lines == [(saved["loose"].pk, Decimal("3"), None, 0), (saved["packed"].pk, Decimal("20"), pack.pk, 1)]
    assert CartLine.objects.count() == 2  # the cart is left as it was


def test_an_empty_cart_or_name_is_refused(shop, saved):
    with pytest.raises(ValidationError) as error:
        order_template_create_from_cart(user=saved["buyer"], name="   ")
    assert error.value.code == "name"
    with pytest.raises(ValidationError) as error:
        order_template_create_from_cart(user=saved["buyer"], name="x" * 201)
    assert error.value.code == "name"
    colleague = ClientUserFactory(client=saved["buyer"].client)
    with pytest.raises(ValidationError) as error:
        order_template_create_from_cart(user=colleague, name="Пусто")
    assert error.value.code == "empty"
    assert OrderTemplate.objects.count() == 1


def test_a_name_in_use_is_refused_unless_replacing_which_keeps_the_template_and_its_author(saved, priced_product):
    buyer, template = saved["buyer"], saved["template"]
    colleague = ClientUserFactory(client=buyer.client)
    other = priced_product()
    cart_add_line(user=colleague, product_id=other.pk, quantity=Decimal("7"))
    with pytest.raises(TemplateNameTaken) as error:
        order_template_create_from_cart(user=colleague, name="ЕЖЕНЕДЕЛЬНЫЙ КРЕПЁЖ")
    assert error.value.existing == template and "Еженедельный крепёж" in error.value.messages[0]
    assert template.lines.count() == 2
    replaced = order_template_create_from_cart(user=colleague, name="Еженедельный Крепёж", replace_existing=True)
    assert replaced.pk == template.pk and replaced.created_by == buyer
    assert replaced.name == "Еженедельный Крепёж"
    assert list(replaced.lines.values_list("product_id", "quantity")) == [(other.pk, Decimal("7"))]
    assert OrderTemplate.objects.count() == 1


def test_each_client_has_its_own_names(saved, shop, priced_product):
    stranger = ClientUserFactory(client__region=shop["region"])
    cart_add_line(user=stranger, product_id=priced_product().pk, quantity=Decimal("1"))
    theirs = order_template_create_from_cart(user=stranger, name="Еженедельный крепёж")
    assert theirs.pk != saved["template"].pk


def test_rename(saved):
    buyer, template = saved["buyer"], saved["template"]
    Cart.objects.filter(user=buyer).delete()
    cart_add_line(user=buyer, product_id=saved["loose"].pk, quantity=Decimal("1"))
    other = order_template_create_from_cart(user=buyer, name="Сантехника")
    with pytest.raises(TemplateNameTaken):
        order_template_rename(user=buyer, template=other, name="еженедельный крепёж")
    with pytest.raises(ValidationError):
        order_template_rename(user=buyer, template=other, name="")
    order_template_rename(user=buyer, template=other, name="Сантехника на объект")
    other.refresh_from_db()
    assert other.name == "Сантехника на объект"
    order_template_rename(user=buyer, template=template, name="Еженедельный КРЕПЁЖ")  # its own name, new case
    template.refresh_from_db()
    assert template.name == "Еженедельный КРЕПЁЖ"


def test_update_line_follows_the_carts_unit_and_multiplicity_rules(saved, pack):
    buyer, template, packed = saved["buyer"], saved["template"], saved["packed"]
    line = template.lines.get(product=packed)
    before = OrderTemplate.objects.get(pk=template.pk).updated_at

    updated = order_template_update_line(user=buyer, template=template, line_id=line.pk, quantity=Decimal("5"),
                                         unit_id=pack.pk)
    assert updated.quantity == Decimal("50") and updated.unit_id == pack.pk
    assert OrderTemplate.objects.get(pk=template.pk).updated_at > before
    order_template_update_line(user=buyer, template=template, line_id=line.pk, quantity=Decimal("30"),
                               unit_id=packed.base_unit_id)
    line.refresh_from_db()
    assert line.quantity == Decimal("30") and line.unit_id is None

    with pytest.raises(TemplateLineRefused) as error:
        order_template_update_line(user=buyer, template=template, line_id=line.pk, quantity=Decimal("25"))
    refusal = error.value.refusal
    assert refusal.code == "multiplicity"
    assert [choice.quantity for choice in refusal.choices] == [Decimal("20"), Decimal("30")]
    assert "20" in error.value.messages[0] and "30" in error.value.messages[0]

    box = UnitFactory(code="812", name="Коробка", short_name="кор")
    for quantity, unit_id, code in ((Decimal("1"), box.pk, "unit"), (Decimal("0"), None, "quantity"),
                                    (Decimal("10") ** 12, None, "quantity")):
        with pytest.raises(TemplateLineRefused) as error:
            order_template_update_line(user=buyer, template=template, line_id=line.pk, quantity=quantity,
                                       unit_id=unit_id)
        assert error.value.refusal.code == code
    line.refresh_from_db()
    assert line.quantity == Decimal("30")  # nothing changed by a refusal


def test_remove_line_and_delete(saved):
    buyer, template = saved["buyer"], saved["template"]
    line = template.lines.first()
    order_template_remove_line(user=buyer, template=template, line_id=line.pk)
    with pytest.raises(Http404):
        order_template_remove_line(user=buyer, template=template, line_id=line.pk)
    assert template.lines.count() == 1
    order_template_delete(user=buyer, template=template)
    assert not OrderTemplate.objects.exists() and not OrderTemplateLine.objects.exists()
    assert CartLine.objects.count() == 2


def test_another_clients_template_is_not_found_and_an_accountant_is_refused(saved, shop):
    template = saved["template"]
    line = template.lines.first()
    stranger = ClientUserFactory(client__region=shop["region"])
    accountant = ClientUserFactory(client=saved["buyer"].client, role=User.Role.ACCOUNTANT)
    calls = [
        lambda user: order_template_rename(user=user, template=template, name="Чужой"),
        lambda user: order_template_update_line(user=user, template=template, line_id=line.pk,
                                                quantity=Decimal("6")),
        lambda user: order_template_remove_line(user=user, template=template, line_id=line.pk),
        lambda user: order_template_delete(user=user, template=template),
        lambda user: order_template_add_to_cart(user=user, template=template),
    ]
    for call in calls:
        with pytest.raises(Http404):
            call(stranger)
        with pytest.raises(PermissionDenied):
            call(accountant)
    with pytest.raises(PermissionDenied):
        order_template_create_from_cart(user=accountant, name="Бухгалтерия")
    template.refresh_from_db()
    assert template.name == "Еженедельный крепёж" and template.lines.count() == 2
    assert not CartLine.objects.filter(cart__user=stranger).exists()


def test_a_colleague_puts_the_template_into_the_cart_at_todays_prices_in_its_units(saved, shop, pack):
    colleague = ClientUserFactory(client=saved["buyer"].client)
    Price.objects.filter(product=saved["loose"]).update(amount=Decimal("15.00"))
    result = order_template_add_to_cart(user=colleague, template=saved["template"])
    assert not result.refused and len(result.added) == 2
    lines = {line.line.product_id: line for line in cart_lines(user=colleague)}
    assert lines[saved["loose"].pk].line.quantity == Decimal("3")
    assert lines[saved["loose"].pk].amount == Decimal("45.00")  # today's 15.00, not the 12.50 it was saved at
    assert lines[saved["packed"].pk].line.quantity == Decimal("20")
    assert lines[saved["packed"].pk].line.unit_id == pack.pk


def test_add_to_cart_reports_what_is_no_longer_available(saved, shop, priced_product, pack):
    buyer, template = saved["buyer"], saved["template"]
    Cart.objects.filter(user=buyer).delete()
    gone, outside, unpriced, changed = priced_product(), priced_product(), priced_product(), priced_product()
    for position, product in enumerate((gone, outside, unpriced, changed), start=2):
        OrderTemplateLine.objects.create(template=template, product=product, quantity=Decimal("4"), position=position)
    gone.is_active = False
    gone.save()
    Price.objects.filter(product=unpriced).delete()
    changed.multiplicity = Decimal("3")
    changed.save()
    shop["region"].assortment_restricted = True
    shop["region"].save()
    buyer.client.region.refresh_from_db()
    AssortmentItem.objects.bulk_create(AssortmentItem(region=shop["region"], product=product) for product in
                                       (saved["loose"], saved["packed"], gone, unpriced, changed))
    ProductUnit.objects.filter(product=saved["packed"], unit=pack).update(coefficient=Decimal("12"))

    result = order_template_add_to_cart(user=buyer, template=template)

    refused = {refusal.line.product_id: refusal for refusal in result.refused}
    assert {pk: refusal.code for pk, refusal in refused.items()} == {
        gone.pk: "discontinued", outside.pk: "assortment", unpriced.pk: "on_request", changed.pk: "multiplicity"}
    assert gone.name in refused[gone.pk].message and outside.name in refused[outside.pk].message
    assert [choice.quantity for choice in refused[changed.pk].choices] == [Decimal("3"), Decimal("6")]
    added = {line.product_id: line for line in CartLine.objects.filter(cart__user=buyer)}
    assert set(added) == {saved["loose"].pk, saved["packed"].pk}
    # A pack now holds 12: the saved 20 pieces go in pieces, never as a rounded number of packs.
    assert added[saved["packed"].pk].quantity == Decimal("20") and added[saved["packed"].pk].unit_id is None


def test_template_lines_are_priced_today_in_constant_queries(saved, priced_product, django_assert_num_queries):
    buyer, template = saved["buyer"], saved["template"]
    with django_assert_num_queries(7):
        rows = order_template_lines(user=buyer, template=template)
    assert [row.quantity for row in rows] == [Decimal("3"), Decimal("2")]
    assert [row.unit.short_name for row in rows] == ["шт", "уп"]
    assert [row.amount for row in rows] == [Decimal("37.50"), Decimal("250.00")]
    for position in range(2, 12):
        OrderTemplateLine.objects.create(template=template, product=priced_product(), quantity=1, position=position)
    buyer = type(buyer).objects.get(pk=buyer.pk)
    with django_assert_num_queries(7):
        assert len(order_template_lines(user=buyer, template=template)) == 12
