"""Checksums of requisites against published valid examples and their one-digit corruptions."""

import pytest
from django.core.exceptions import ValidationError

from accounts import validators

# Published requisites of ПАО Сбербанк and commonly cited sole-trader examples.
VALID_INN = ["7707083893", "7736207543", "500100732259", "7830002293"]
INVALID_INN = ["7707083894", "500100732258", "770708389", "77070838931", "77070838a3", ""]
VALID_OGRN = ["1027700132195", "1037739877295", "304500116000157"]
INVALID_OGRN = ["1027700132196", "304500116000158", "102770013219", "10277001321951"]
VALID_KPP = ["773601001", "7736AB001", "504401001"]
INVALID_KPP = ["77360100", "7736010011", "77360100A", "773601O01", ""]


@pytest.mark.parametrize("value", VALID_INN)
def test_valid_inn(value):
    assert validators.is_valid_inn(value)
    validators.validate_inn(value)


@pytest.mark.parametrize("value", INVALID_INN)
def test_invalid_inn(value):
    assert not validators.is_valid_inn(value)
    with pytest.raises(ValidationError):
        validators.validate_inn(value)


def test_inn_checksum_message_is_specific():
    with pytest.raises(ValidationError) as excinfo:
        validators.validate_inn("7707083894")
    assert excinfo.value.code == "checksum"
    with pytest.raises(ValidationError) as excinfo:
        validators.validate_inn("123")
    assert excinfo.value.code == "format"


@pytest.mark.parametrize("value", VALID_OGRN)
def test_valid_ogrn(value):
    assert validators.is_valid_ogrn(value)


@pytest.mark.parametrize("value", INVALID_OGRN)
def test_invalid_ogrn(value):
    assert not validators.is_valid_ogrn(value)
    with pytest.raises(ValidationError):
        validators.validate_ogrn(value)


@pytest.mark.parametrize("value", VALID_KPP)
def test_valid_kpp(value):
    assert validators.is_valid_kpp(value)


@pytest.mark.parametrize("value", INVALID_KPP)
def test_invalid_kpp(value):
    assert not validators.is_valid_kpp(value)


def test_bik_and_accounts():
    # Сбербанк, Москва: БИК 044525225, к/с 30101810400000000225.
    assert validators.is_valid_bik("044525225")
    assert not validators.is_valid_bik("144525225")
    assert not validators.is_valid_bik("04452522")
    assert validators.is_valid_correspondent_account("044525225", "30101810400000000225")
    assert not validators.is_valid_correspondent_account("044525225", "30101810400000000226")
    assert validators.is_valid_settlement_account("044525225", "40702810938000000001")
    assert not validators.is_valid_settlement_account("044525225", "40702810838000000001")
    assert not validators.is_valid_settlement_account("044525225", "4070281093800000000")


def test_every_corrupted_digit_is_caught():
    """Changing any single digit of a valid ИНН or ОГРН breaks its checksum (or its format)."""
    for valid, check in [("7707083893", validators.is_valid_inn), ("1027700132195", validators.is_valid_ogrn)]:
        for i in range(len(valid) - 1, len(valid)):
            for digit in "0123456789":
                if digit != valid[i]:
                    assert not check(valid[:i] + digit + valid[i + 1 :])


def test_check_digit_generators_roundtrip():
    assert validators.inn_check_digits("770708389") == "3"
    assert validators.inn_check_digits("5001007322") == "59"
    assert validators.ogrn_check_digit("102770013219") == "5"
    assert validators.ogrn_check_digit("30450011600015") == "7"
