"""Catalog factories on top of the shared ones."""

from decimal import Decimal

import factory

from base.models import Currency
from catalog.models import ClientPrice, ProductRelation, Property, PropertyValue, Review
from tests.factories import ClientFactory, ProductFactory, rub


def currency(code: str, rate: str, internal: bool = False) -> Currency:
    found, _ = Currency.objects.update_or_create(code=code, defaults={"name": code, "rate": Decimal(rate),
                                                                        "is_internal": internal})
    return found


class ClientPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientPrice

    client = factory.SubFactory(ClientFactory)
    product = factory.SubFactory(ProductFactory)
    amount = Decimal("90.00")
    currency = factory.LazyFunction(rub)


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Property

    name = factory.Sequence(lambda n: f"Свойство {n}")
    slug = factory.Sequence(lambda n: f"prop-{n}")


class PropertyValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PropertyValue

    property = factory.SubFactory(PropertyFactory)
    value = factory.Sequence(lambda n: f"Значение {n}")


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    product = factory.SubFactory(ProductFactory)
    rating = 5


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductRelation

    product = factory.SubFactory(ProductFactory)
    related = factory.SubFactory(ProductFactory)
