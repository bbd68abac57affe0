"""Factories and data of the accounts tests (shared ones come from tests/factories.py)."""

from accounts.models import User
from base.models import Region
from tests.factories import RegionFactory, StaffUserFactory

PASSWORD = "Zv3zda-Portal-2026"


def registration_data(region: Region, /, **overrides) -> dict:
    """Valid POST data of the registration form (Sberbank's published requisites)."""
    data = {
        "kind": "company",
        "full_name": "Публичное акционерное общество «Сбербанк России»",
        "name": "ПАО Сбербанк",
        "inn": "7707083893",
        "kpp": "773601001",
        "ogrn": "1027700132195",
        "legal_address": "117312, г. Москва, ул. Вавилова, д. 19",
        "actual_address": "117312, г. Москва, ул. Вавилова, д. 19",
        "bik": "044525225",
        "bank_name": "ПАО Сбербанк",
        "account": "40702810938000000001",
        "correspondent_account": "30101810400000000225",
        "contact_name": "Анна Смирнова",
        "contact_position": "Директор по закупкам",
        "email": "anna@example.com",
        "phone": "+7 495 123-45-67",
        "region": str(region.pk),
        "password1": PASSWORD,
        "password2": PASSWORD,
        "request_contract": "on",
        "contract_comment": "Отсрочка 14 дней",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def region_with_manager(**kwargs) -> tuple[Region, User]:
    manager = StaffUserFactory(first_name="Ольга", last_name="Менеджерова", phone="+7 495 111-22-33")
    region = RegionFactory(**kwargs)
    region.managers.add(manager)
    return region, manager
