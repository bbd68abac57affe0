"""What the importers hand back: each its own counts and the products it wrote, added up by the run; an error of
the merge thread is known as such from the exception itself."""

import json

import pytest
from django.utils import timezone

from catalog.models import Product, Stock
from sync.commerceml import reader
from sync.commerceml.xml import ExchangeError
from sync.importers.bulk import tally
from sync.importers.merges import STOCK
from sync.importers.offers import OffersImport
from sync.importers.refs import Refs
from sync.importers.result import ImportResult
from sync.jsonformat import import_json
from tests.factories import LegalEntityFactory, ProductFactory, WarehouseFactory

from .helpers import fixture, ok

PACKAGE = """<?xml version="1.0" encoding="UTF-8"?>
<КоммерческаяИнформация ВерсияСхемы="2.07"><ПакетПредложений СодержитТолькоИзменения="false"><Ид>x</Ид>
<Наименование>x</Наименование><ТипыЦен><ТипЦены><Ид>pt-1</Ид><Наименование>Опт</Наименование><Валюта>RUB</Валюта>
</ТипЦены></ТипыЦен><Склады><Склад><Ид>wh-1</Ид><Наименование>Главный</Наименование></Склад><Склад><Ид>wh-2</Ид>
<Наименование>Второй</Наименование></Склад></Склады><Предложения>{offers}</Предложения></ПакетПредложений>
</КоммерческаяИнформация>"""
OFFER = ("<Предложение><Ид>{erp_id}</Ид><Наименование>Товар {erp_id}</Наименование><Цены><Цена><ИдТипаЦены>pt-1"
         "</ИдТипаЦены><ЦенаЗаЕдиницу>100</ЦенаЗаЕдиницу></Цена></Цены><Склад ИдСклада=\"wh-1\" "
         "КоличествоНаСкладе=\"5\"/><Склад ИдСклада=\"wh-2\" КоличествоНаСкладе=\"7\"/></Предложение>")


def import_offers(path, refs: Refs) -> ImportResult:
    """The offers import on its own: every record of the file given to it, then its finish."""
    importer = OffersImport(now=timezone.now(), refs=refs)
    try:
        for kind, data in reader.read(path):
            if kind == "package":
                importer.partial = data["partial"]
            elif kind in ("price_type", "warehouse", "offer"):
                getattr(importer, kind)(data)
        return importer.finish()
    finally:
        importer.close()


@pytest.mark.django_db
def test_an_offers_import_returns_its_own_counts_and_the_products_it_created(tmp_path):
    path = tmp_path / "offers.xml"
    path.write_text(PACKAGE.format(offers=OFFER.format(erp_id="a") + OFFER.format(erp_id="b")))
    refs = Refs()

    first = import_offers(path, refs)

    assert first.counts["products"]["created"] == 2
    assert first.counts["prices"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert first.counts["stock"] == {"created": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    assert first.counts["offers"] == {"read": 2}
    assert first.product_ids == set(Product.objects.filter(erp_id__in=["a", "b"]).values_list("pk", flat=True))
    # the price type and the warehouses are the file's reference rows: counted by Refs, not by the offers
    assert refs.counts["price_types"]["created"] == 1 and refs.counts["warehouses"]["created"] == 2
    assert not {"price_types", "warehouses"} & first.counts.keys()

    again = import_offers(path, Refs())

    assert again.counts["prices"] == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert again.counts["stock"] == {"created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    assert again.product_ids == set()


@pytest.mark.django_db
def test_a_json_import_returns_its_counts(tmp_path):
    LegalEntityFactory(erp_id="le-1")
    path = tmp_path / "balances.json"
    path.write_text(json.dumps({"format": "portal-erp-balances", "version": 1,
                                "generated_at": "2026-11-26T10:00:00+03:00",
                                "balances": [{"legal_entity": {"erp_id": "le-1"}, "currency": "RUB",
                                              "amount": "10.00"}]}))

    result = import_json(stream="balances", path=path, now=timezone.now())

    assert result.counts["balances"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}


def test_combined_results_add_up_per_entity_and_key_in_the_order_first_counted():
    catalog = {"categories": tally()}
    refs = {"units": tally()}
    catalog["products"] = tally()
    catalog["categories"]["created"], refs["units"]["created"], catalog["products"]["created"] = 3, 1, 5
    offers = {"products": tally(), "offers": {"read": 2}}
    offers["products"].update(created=2, reactivated_by_offers=1)

    total = ImportResult.combined([ImportResult(refs), ImportResult(catalog, {1, 2}, staged_products=True),
                                   ImportResult(offers, {2, 3})])

    assert list(total.counts) == ["categories", "units", "products", "offers"]
    assert total.counts["products"] == {"created": 7, "updated": 0, "unchanged": 0, "rejected": 0,
                                        "reactivated_by_offers": 1}
    assert (total.product_ids, total.staged_products) == ({1, 2, 3}, True)
    assert catalog["products"]["created"] == 5, "the parts are left as they were"


@pytest.mark.django_db
def test_a_runs_counts_list_entities_in_the_order_the_file_counted_them():
    """As `erp_import --json` prints them: the catalog's groups and properties, the unit its first product brings
    (counted by Refs), then the catalog's products."""
    result = ok("catalog", fixture("carono-php-commerceml/import.xml"))

    assert list(result.counts) == ["categories", "properties", "property_values", "units", "products",
                                   "product_properties", "images"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_an_error_of_the_merge_thread_keeps_its_message_and_is_known_by_its_note():
    from sync.importers.pipeline import Channel, Pipeline, from_merge_thread

    product, warehouse = ProductFactory(), WarehouseFactory()
    pipe = Pipeline(now=timezone.now())
    channel = Channel("stock", Stock._meta.db_table, [("product_id", "integer"), ("warehouse_id", "integer"),
                                                      ("quantity", "numeric(16,3)")], STOCK)
    pipe.write(channel, f"{product.pk}\t{warehouse.pk}\t1\n{product.pk}\t{warehouse.pk}\t2\n", 2)
    pipe.flush(channel)

    with pytest.raises(ExchangeError) as caught:
        pipe.close()

    assert str(caught.value) == "the same stock row appears twice in the package"
    assert from_merge_thread(caught.value)
    assert not from_merge_thread(ExchangeError("the same stock row appears twice in the package"))
