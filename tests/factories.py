"""Factories for tests: valid data with checksummed requisites, built with the real models."""

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts import validators
from accounts.models import Balance, BankAccount, Client, Contract, LegalEntity, User
from base.models import Currency, PriceType, Region, Warehouse
from catalog.models import Category, Price, Product, Stock, Unit
from orders.models import Order, OrderLine
from orders.status import OrderStatus


def make_inn(n: int) -> str:
    body = f"77{n:07d}"
    return body + validators.inn_check_digits(body)


def make_ogrn(n: int) -> str:
    body = f"10277{n:07d}"
    return body + validators.ogrn_check_digit(body)


def rub() -> Currency:
    currency, _ = Currency.objects.get_or_create(code="RUB", defaults={"name": "Российский рубль", "symbol": "₽"})
    return currency


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Регион {n}")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Склад {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"ООО «Клиент {n}»")
    region = factory.SubFactory(RegionFactory)
    status = Client.Status.ACTIVE


class LegalEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalEntity

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"ООО «Юрлицо {n}»")
    inn = factory.Sequence(make_inn)
    kpp = "770101001"
    ogrn = factory.Sequence(make_ogrn)
    is_confirmed = True


class BankAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankAccount

    legal_entity = factory.SubFactory(LegalEntityFactory)
    bik = "044525225"
    bank_name = "ПАО Сбербанк"
    account = "40702810938000000001"
    correspondent_account = "30101810400000000225"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    legal_entity = factory.SubFactory(LegalEntityFactory)
    number = factory.Sequence(lambda n: f"Д-{n:04d}")
    signed_on = datetime.date(2026, 1, 15)
    currency = factory.LazyFunction(rub)


class BalanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Balance

    legal_entity = factory.SubFactory(LegalEntityFactory)
    client = factory.SelfAttribute("legal_entity.client")
    currency = factory.LazyFunction(rub)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = "Иван"
    last_name = "Петров"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
            # An existing user signs in with a verified login address (ACCOUNT_EMAIL_VERIFICATION).
            EmailAddress.objects.get_or_create(
                user=instance, email=instance.email.lower(), defaults={"primary": True, "verified": True})


class ClientUserFactory(UserFactory):
    client = factory.SubFactory(ClientFactory)
    role = User.Role.MANAGER


class StaffUserFactory(UserFactory):
    is_staff = True


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = "796"
    name = "Штука"
    short_name = "шт"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Категория {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    name = factory.Sequence(lambda n: f"Товар {n}")
    base_unit = factory.SubFactory(UnitFactory)


class PriceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceType

    name = factory.Sequence(lambda n: f"Оптовая {n}")
    currency = factory.LazyFunction(rub)


class PriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Price

    price_type = factory.SubFactory(PriceTypeFactory)
    product = factory.SubFactory(ProductFactory)
    amount = Decimal("100.00")
    currency = factory.LazyFunction(rub)


class StockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stock

    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    quantity = Decimal("10")
    confirmed_at = factory.LazyFunction(timezone.now)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"T-{n:06d}")
    client = factory.SubFactory(ClientFactory)
    legal_entity = factory.SubFactory(LegalEntityFactory, client=factory.SelfAttribute("..client"))
    created_by = factory.SubFactory(ClientUserFactory, client=factory.SelfAttribute("..client"))
    status = OrderStatus.SUBMITTED
    status_changed_at = factory.LazyFunction(timezone.now)
    currency = factory.LazyFunction(rub)


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    sku = factory.SelfAttribute("product.sku")
    name = factory.SelfAttribute("product.name")
    unit_name = "шт"
    quantity = Decimal("2")
    price = Decimal("100.00")
    amount = Decimal("200.00")
