"""Russian people and company names for demo users and legal entities."""

import random
from dataclasses import dataclass

MALE_FIRST = ("Александр", "Алексей", "Андрей", "Дмитрий", "Евгений", "Иван", "Игорь", "Кирилл", "Максим",
              "Михаил", "Николай", "Олег", "Павел", "Роман", "Сергей", "Юрий", "Владимир", "Артём")
FEMALE_FIRST = ("Анна", "Валентина", "Екатерина", "Елена", "Ирина", "Марина", "Мария", "Наталья", "Ольга",
                "Светлана", "Татьяна", "Юлия", "Ксения", "Дарья", "Людмила", "Галина")
PATRONYMIC_ROOTS = ("Александров", "Алексеев", "Андреев", "Викторов", "Владимиров", "Дмитриев", "Иванов",
                    "Михайлов", "Николаев", "Олегов", "Павлов", "Петров", "Сергеев", "Юрьев", "Геннадьев")
LAST_NAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
              "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
              "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
              "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Белов")

COMPANY_HEADS = ("Строй", "Техно", "Урал", "Сиб", "Волга", "Альфа", "Проф", "Мега", "Евро", "Монтаж", "Пром",
                 "Электро", "Сантех", "Гранит", "Вектор", "Север", "Дон", "Кама", "Ока", "Нева", "Азимут", "Регион")
COMPANY_TAILS = ("маркет", "снаб", "комплект", "торг", "сервис", "групп", "трейд", "ресурс", "монтаж", "стандарт",
                 "деталь", "системы", "центр", "база", "лайн", "пласт", "металл", "инвест")
LEGAL_FORMS = (("ООО", "Общество с ограниченной ответственностью"), ("АО", "Акционерное общество"))

POSITIONS = {
    "administrator": ("Генеральный директор", "Директор", "Коммерческий директор"),
    "manager": ("Менеджер по закупкам", "Специалист отдела снабжения", "Начальник отдела снабжения"),
    "accountant": ("Главный бухгалтер", "Бухгалтер"),
}


@dataclass(frozen=True)
class Person:
    first_name: str
    patronymic: str
    last_name: str

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name} {self.patronymic}"

    @property
    def short_name(self) -> str:
        """Фамилия И. О."""
        return f"{self.last_name} {self.first_name[0]}. {self.patronymic[0]}."


def person(rng: random.Random) -> Person:
    """A person with a first name, patronymic and last name in matching gender."""
    root = rng.choice(PATRONYMIC_ROOTS)
    last = rng.choice(LAST_NAMES)
    if rng.randrange(5) < 2:
        return Person(rng.choice(FEMALE_FIRST), root + "на", last + "а")
    return Person(rng.choice(MALE_FIRST), root + "ич", last)


def phone(rng: random.Random) -> str:
    """A Russian mobile number, +7 (9XX) XXX-XX-XX."""
    return f"+7 (9{rng.randrange(100):02d}) {rng.randrange(1000):03d}-{rng.randrange(100):02d}-{rng.randrange(100):02d}"


def company_name(rng: random.Random, taken: set[str]) -> str:
    """A trade name ("Техноснаб") not in `taken`; adds it there."""
    for _ in range(50):
        name = rng.choice(COMPANY_HEADS) + rng.choice(COMPANY_TAILS)
        if name not in taken:
            break
    else:
        name = f"{name}-{len(taken) + 1}"
    taken.add(name)
    return name
