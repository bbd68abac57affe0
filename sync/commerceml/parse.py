"""Element → plain dict for each CommerceML entity (no database access here)."""

from __future__ import annotations

from decimal import Decimal

from .xml import ExchangeError, boolean, child, children, decimal, local, path_of, plain_number, text

#: Weight requisites (ЗначенияРеквизитов) that hold the product weight in kg.
WEIGHT_REQUISITES = {"вес", "вес брутто", "вес нетто"}


def parse_group(el) -> dict:
    sub = child(el, "Группы")
    return {
        "erp_id": text(el, "Ид"),
        "name": text(el, "Наименование"),
        "deleted": boolean(text(el, "ПометкаУдаления")),
        "children": [parse_group(g) for g in sub if local(g) == "Группа"] if sub is not None else [],
        "where": path_of(el),
    }


def parse_property(el) -> dict:
    values = []
    variants = child(el, "ВариантыЗначений")
    if variants is not None:
        for v in variants:
            if local(v) == "Справочник":
                values.append((text(v, "ИдЗначения") or None, text(v, "Значение")))
            elif local(v) == "Значение" and (v.text or "").strip():
                values.append((None, v.text.strip()))
    return {"erp_id": text(el, "Ид"), "name": text(el, "Наименование"), "values": values, "where": path_of(el)}


def parse_price_type(el) -> dict:
    tax = child(el, "Налог")
    return {
        "erp_id": text(el, "Ид"),
        "name": text(el, "Наименование"),
        "currency": text(el, "Валюта"),
        "vat_included": boolean(text(tax, "УчтеноВСумме")) if tax is not None else True,
        "where": path_of(el),
    }


def parse_warehouse(el) -> dict:
    address = child(el, "Адрес")
    return {
        "erp_id": text(el, "Ид"),
        "name": text(el, "Наименование"),
        "address": text(address, "Представление") if address is not None else "",
        "deleted": boolean(text(el, "ПометкаУдаления")),
        "where": path_of(el),
    }


def parse_unit(el) -> tuple[str, str, str]:
    """(OKEI code, short name, full name) of a БазоваяЕдиница; code and names stripped."""
    if el is None:
        return "", "", ""
    short = (el.text or "").strip() or (el.get("НаименованиеКраткое") or "").strip()
    return (el.get("Код") or "").strip(), short, (el.get("НаименованиеПолное") or "").strip()


def _requisites(el) -> dict[str, str]:
    out = {}
    block = child(el, "ЗначенияРеквизитов")
    if block is not None:
        for req in block:
            if local(req) == "ЗначениеРеквизита":
                out[text(req, "Наименование")] = text(req, "Значение")
    return out


def _property_values(el) -> list[tuple[str, str]]:
    out = []
    block = child(el, "ЗначенияСвойств")
    if block is not None:
        for pv in block:
            if local(pv) != "ЗначенияСвойства":
                continue
            prop = text(pv, "Ид")
            for value in children(pv, "Значение"):
                if value.text and value.text.strip():
                    out.append((prop, value.text.strip()))
    return out


def parse_product(el) -> dict:
    where = path_of(el)
    requisites = _requisites(el)
    weight = None
    for key, value in requisites.items():
        if key.strip().lower() in WEIGHT_REQUISITES and value:
            weight = decimal(value, what=f"requisite {key!r}", where=where)
            break
    if weight is None and text(el, "Вес"):
        weight = decimal(text(el, "Вес"), what="Вес", where=where)
    groups = child(el, "Группы")
    status = (el.get("Статус") or "").strip().lower()
    return {
        "erp_id": text(el, "Ид"),
        "sku": text(el, "Артикул"),
        "name": text(el, "Наименование"),
        "description": text(el, "Описание"),
        "unit": parse_unit(child(el, "БазоваяЕдиница")),
        "groups": [g.text.strip() for g in groups if local(g) == "Ид" and g.text] if groups is not None else [],
        "properties": _property_values(el),
        "weight": weight,
        "images": [c.text.strip() for c in children(el, "Картинка") if c.text and c.text.strip()],
        "deleted": status == "удален" or boolean(text(el, "ПометкаУдаления")),
        "where": where,
    }


#: Full tag → local name, filled as tags are met (the offers hot path; bounded against odd files).
_LOCAL_NAMES: dict[str, str] = {}
_LOCAL_NAMES_MAX = 512


def _local_name(tag) -> str:
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        if not isinstance(tag, str):  # an entity reference or other non-element node
            return ""
        name = tag.rpartition("}")[2]
        if len(_LOCAL_NAMES) < _LOCAL_NAMES_MAX:
            _LOCAL_NAMES[tag] = name
    return name


def _amount(raw: str, el) -> str:
    """ЦенаЗаЕдиницу as number text for COPY: written as is when plain, else normalised (comma, spaces)."""
    if plain_number(raw):
        return raw
    number = decimal(raw, what="ЦенаЗаЕдиницу", where=path_of(el))
    if number is None:
        raise ExchangeError("a price has no ЦенаЗаЕдиницу", path_of(el))
    return str(number)


def _coefficient(raw: str, el) -> Decimal | None:
    """Коэффициент of a price; None when absent or 1 (the price is per base unit already)."""
    if not raw or raw == "1":
        return None
    coefficient = decimal(raw, what="Коэффициент", where=path_of(el))
    if coefficient is None or coefficient == 1:
        return None
    if coefficient <= 0:
        raise ExchangeError(f"price coefficient must be positive, got {coefficient}", path_of(el))
    return coefficient


def _price(el) -> tuple[str, str, str, Decimal | None]:
    """(price type id, amount as number text, currency, coefficient or None) of a Цена."""
    price_type = amount = currency = coefficient = ""
    known = _LOCAL_NAMES.get
    for c in el:
        tag = c.tag
        name = known(tag) or _local_name(tag)
        if name == "ИдТипаЦены":
            price_type = (c.text or "").strip()
        elif name == "ЦенаЗаЕдиницу":
            amount = (c.text or "").strip()
        elif name == "Валюта":
            currency = (c.text or "").strip()
        elif name == "Коэффициент":
            coefficient = (c.text or "").strip()
    return price_type, _amount(amount, el), currency, _coefficient(coefficient, el)


def parse_offer(el) -> dict:
    """An offer: id, prices and stock in whichever of the three stock forms the file uses.

    Prices are (price type, amount text, currency, coefficient or None) tuples, amounts already
    checked to be numbers; stock is (warehouse id, raw quantity text) pairs, checked by the importer.
    """
    offer = {"erp_id": "", "sku": "", "name": "", "unit": None, "prices": None, "total": None, "stock": None,
             "el": el}
    stock = None
    known = _LOCAL_NAMES.get
    for c in el:
        tag = c.tag
        name = known(tag) or _local_name(tag)
        if name == "Склад":  # <Склад ИдСклада=".." КоличествоНаСкладе=".."/>
            if stock is None:
                stock = []
            stock.append((c.get("ИдСклада") or "", c.get("КоличествоНаСкладе")))
        elif name == "Ид":
            offer["erp_id"] = (c.text or "").strip()
        elif name == "Цены":
            offer["prices"] = [_price(p) for p in c if (known(p.tag) or _local_name(p.tag)) == "Цена"]
        elif name == "Количество":
            offer["total"] = c.text
        elif name == "Остатки":
            if stock is None:
                stock = []
            for rest in c:
                for wh in rest:
                    if local(wh) == "Склад":
                        stock.append((text(wh, "Ид"), text(wh, "Количество") or None))
                    elif local(wh) == "Количество":
                        offer["total"] = wh.text
        elif name == "Склады":  # ИзмененияПакетаПредложений: Склады/Склад attributes
            if stock is None:
                stock = []
            stock.extend((s.get("ИдСклада") or "", s.get("КоличествоНаСкладе")) for s in c)
        elif name == "Артикул":
            offer["sku"] = (c.text or "").strip()
        elif name == "Наименование":
            offer["name"] = (c.text or "").strip()
        elif name == "БазоваяЕдиница":
            offer["unit"] = parse_unit(c)
        elif name == "ИдХарактеристики" and (c.text or "").strip():
            offer["characteristic"] = c.text.strip()
    offer["stock"] = stock
    return offer


def parse_counterparty(el) -> dict:
    """A top-level Контрагент (UT 11): its ERP id, INN and KPP as written, and its official name."""
    return {
        "erp_id": text(el, "Ид"),
        "inn": text(el, "ИНН"),
        "kpp": text(el, "КПП"),
        "full_name": text(el, "ОфициальноеНаименование") or text(el, "ПолноеНаименование"),
        "where": path_of(el),
    }


def parse_document(el) -> dict:
    """A Документ of order changes: its Ид and Номер, 1C's own number, the deletion mark, and its requisites
    (ЗначенияРеквизитов) by lower-case name."""
    requisites = {name.lower(): value for name, value in _requisites(el).items()}
    return {
        "erp_id": text(el, "Ид") or el.get("Ид", ""),
        "number": text(el, "Номер") or el.get("Номер", ""),
        "erp_number": text(el, "Номер1С") or requisites.get("номер по 1с") or "",
        "deleted": boolean(text(el, "ПометкаУдаления")),
        "requisites": requisites,
        "line": el.sourceline,
        "where": path_of(el),
    }
