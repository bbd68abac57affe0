"""Reference rows the importers upsert one by one (few of them): currencies, units, regions,
warehouses, price types. Each returns the row and tallies created/updated/unchanged in `Refs.counts`."""

from __future__ import annotations

from django.conf import settings

from base.models import Currency, PriceType, Region, Warehouse
from catalog.models import Unit

from ..commerceml.xml import ExchangeError
from .bulk import tally

#: Currency spellings seen in real files → ISO 4217.
CURRENCY_ALIASES = {"руб": "RUB", "руб.": "RUB", "rur": "RUB", "643": "RUB", "рубль": "RUB",
                    "грн": "UAH", "грн.": "UAH", "980": "UAH", "usd": "USD", "840": "USD", "eur": "EUR",
                    "978": "EUR", "тенге": "KZT", "byn": "BYN"}
#: Short unit names → OKEI codes, for files that give a unit without a code.
UNIT_CODES = {"шт": "796", "шт.": "796", "pce": "796", "пар": "715", "пара": "715", "кг": "166", "г": "163",
              "л": "112", "м": "006", "м2": "055", "упак": "778", "уп": "778", "компл": "839", "т": "168"}


def _tick(counts: dict, entity: str, outcome: str) -> None:
    counts.setdefault(entity, tally())[outcome] += 1


def currency_code(raw: str, *, default: str | None = None) -> str:
    value = (raw or "").strip()
    if not value:
        return default or settings.PORTAL_DEFAULT_CURRENCY
    code = CURRENCY_ALIASES.get(value.lower(), value.upper())
    if len(code) != 3:
        raise ExchangeError(f"unknown currency {raw!r}")
    return code


class Refs:
    """Per-run caches of the small reference tables, shared by the importers of a file, and the counts of the
    rows they wrote (the run adds them to the importers' own)."""

    def __init__(self):
        self.counts: dict = {}
        self._currencies = set(Currency.objects.values_list("code", flat=True))
        self._units = {u.code: u for u in Unit.objects.all()}
        self._region = None

    def currency(self, raw: str, *, default: str | None = None) -> str:
        code = currency_code(raw, default=default)
        if code not in self._currencies:
            Currency.objects.create(code=code, name=code)
            self._currencies.add(code)
            _tick(self.counts, "currencies", "created")
        return code

    def unit(self, code: str, short: str, full: str) -> Unit:
        key = code or UNIT_CODES.get(short.lower()) or (short[:10] if short else "796")
        unit = self._units.get(key)
        if unit is None:
            unit = Unit.objects.create(code=key, short_name=(short or full or key)[:20],
                                       name=(full or short or key)[:100])
            self._units[key] = unit
            _tick(self.counts, "units", "created")
        return unit

    def region(self) -> Region:
        """The region of warehouses whose region the ERP does not say: PORTAL_ERP_DEFAULT_REGION."""
        if self._region is None:
            code = settings.PORTAL_ERP_DEFAULT_REGION
            self._region, created = Region.objects.get_or_create(code=code, defaults={"name": code})
            if created:
                _tick(self.counts, "regions", "created")
        return self._region

    def warehouse(self, *, erp_id: str, name: str = "", address: str = "", where: str = "") -> Warehouse:
        if not erp_id:
            raise ExchangeError("a warehouse has no Ид", where)
        wh = Warehouse.objects.filter(erp_id=erp_id).first()
        if wh is None:
            wh = Warehouse.objects.create(erp_id=erp_id, name=(name or erp_id)[:200], address=address,
                                          region=self.region())
            _tick(self.counts, "warehouses", "created")
        elif name and (wh.name, wh.address) != (name[:200], address or wh.address):
            wh.name, wh.address = name[:200], address or wh.address
            wh.save(update_fields=["name", "address"])
            _tick(self.counts, "warehouses", "updated")
        else:
            _tick(self.counts, "warehouses", "unchanged")
        return wh

    def price_type(self, *, erp_id: str, name: str, currency: str, vat_included: bool, where: str) -> PriceType:
        if not erp_id:
            raise ExchangeError("a price type has no Ид", where)
        code = self.currency(currency)
        pt = PriceType.objects.filter(erp_id=erp_id).first()
        name = (name or erp_id)[:200]
        if pt is None:
            if PriceType.objects.filter(name=name).exists():
                name = f"{name} ({erp_id[:8]})"
            pt = PriceType.objects.create(erp_id=erp_id, name=name, currency_id=code, vat_included=vat_included)
            _tick(self.counts, "price_types", "created")
        elif (pt.name, pt.currency_id, pt.vat_included) != (name, code, vat_included) and not \
                PriceType.objects.filter(name=name).exclude(pk=pt.pk).exists():
            pt.name, pt.currency_id, pt.vat_included = name, code, vat_included
            pt.save(update_fields=["name", "currency", "vat_included"])
            _tick(self.counts, "price_types", "updated")
        else:
            _tick(self.counts, "price_types", "unchanged")
        return pt
