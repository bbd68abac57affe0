"""The supplier's branches: 20 Russian cities with their codes, price zones, warehouses and addresses."""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    """A region (филиал) of the demo supplier.

    `subject` is the federal subject code used in ИНН, КПП and ОГРН; `okato` the two digits of
    the region in a БИК; `postcode` the first digits of its post codes.
    """

    code: str
    name: str
    subject: str
    okato: str
    postcode: str
    zone: str
    warehouses: tuple[str, ...]
    restricted: bool = False


CENTRE, SOUTH, URALS, SIBERIA = "Центр", "Юг и Поволжье", "Урал", "Сибирь"

#: Regional base price types: zone name → price coefficient in per mille of the central price.
PRICE_ZONES: dict[str, int] = {CENTRE: 1000, SOUTH: 985, URALS: 1030, SIBERIA: 1060}

CITIES: tuple[City, ...] = (
    City("moskva", "Москва", "77", "45", "12", CENTRE, ("Центральный (Подольск)", "Север (Химки)", "Восток")),
    City("sankt-peterburg", "Санкт-Петербург", "78", "40", "19", CENTRE, ("Шушары", "Парнас")),
    City("ekaterinburg", "Екатеринбург", "66", "65", "620", URALS, ("Кольцово", "Северка")),
    City("novosibirsk", "Новосибирск", "54", "50", "630", SIBERIA, ("Толмачёво", "Пашино")),
    City("kazan", "Казань", "16", "92", "420", SOUTH, ("Кощаково", "Восстание")),
    City("nizhniy-novgorod", "Нижний Новгород", "52", "22", "603", CENTRE, ("Кстово",)),
    City("samara", "Самара", "63", "36", "443", SOUTH, ("Смышляевка",)),
    City("rostov-na-donu", "Ростов-на-Дону", "61", "60", "344", SOUTH, ("Аксай", "Западный")),
    City("krasnodar", "Краснодар", "23", "03", "350", SOUTH, ("Тихорецкая", "Энка")),
    City("voronezh", "Воронеж", "36", "20", "394", CENTRE, ("Отрожка",)),
    City("perm", "Пермь", "59", "57", "614", URALS, ("Бахаревка",)),
    City("ufa", "Уфа", "02", "80", "450", SOUTH, ("Затон",)),
    City("chelyabinsk", "Челябинск", "74", "75", "454", URALS, ("Металлургический", "Шершни")),
    City("omsk", "Омск", "55", "52", "644", SIBERIA, ("Нефтяники",)),
    City("volgograd", "Волгоград", "34", "18", "400", SOUTH, ("Гумрак",)),
    City("krasnoyarsk", "Красноярск", "24", "04", "660", SIBERIA, ("Солнечный", "Злобино")),
    City("tyumen", "Тюмень", "72", "71", "625", URALS, ("Винзили",)),
    City("saratov", "Саратов", "64", "63", "410", SOUTH, ("Увек",), restricted=True),
    City("irkutsk", "Иркутск", "38", "25", "664", SIBERIA, ("Батарейная",), restricted=True),
    City("yaroslavl", "Ярославль", "76", "78", "150", CENTRE, ("Брагино",)),
)

STREETS = (
    "ул. Ленина", "ул. Советская", "ул. Мира", "ул. Гагарина", "ул. Московская", "ул. Промышленная",
    "ул. Заводская", "ул. Садовая", "ул. Строителей", "ул. Октябрьская", "пр-т Победы", "ул. Кирова",
    "ул. Пушкина", "ул. Чапаева", "ул. Лесная", "ул. Набережная", "ул. Молодёжная", "ул. Полевая",
)
INDUSTRIAL_STREETS = (
    "ул. Складская", "ул. Индустриальная", "Промышленный проезд", "ул. Логистическая", "ул. Транспортная",
    "ул. Механизаторов", "ул. Энергетиков", "шоссе Южное",
)


def address(rng: random.Random, city: City, industrial: bool = False) -> str:
    """A plausible postal address in the city (post code, city, street, house, office)."""
    digits = 6 - len(city.postcode)
    postcode = city.postcode + f"{rng.randrange(10 ** digits):0{digits}d}"
    street = rng.choice(INDUSTRIAL_STREETS if industrial else STREETS)
    house = f"д. {rng.randint(1, 180)}"
    if industrial:
        return f"{postcode}, г. {city.name}, {street}, {house}, стр. {rng.randint(1, 9)}"
    return f"{postcode}, г. {city.name}, {street}, {house}, офис {rng.randint(1, 450)}"
