"""Demo users: supplier staff (superuser, regional managers and heads, marketing) and client users.

Every demo user has the same password; it is hashed once and the hash is reused, because
hashing per user (hundreds of PBKDF2 rounds of a second each) would dominate the seed.
"""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress

from accounts.models import RegionHead, User
from catalog.services import marketing_group_grant

from .people import POSITIONS, person, phone
from .reference import Reference
from .writer import SeedContext

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 (published on purpose: it is the demo's password)
DOMAIN = "demo.local"
ADMIN_EMAIL = f"admin@{DOMAIN}"
MARKETING_EMAIL = f"marketing@{DOMAIN}"
MARKETING_GROUP = "marketing"
#: The memorable logins, in the order they are shown: staff first, then the first client's users.
FIXED_LOGINS = (ADMIN_EMAIL, f"manager@{DOMAIN}", f"head@{DOMAIN}", f"buyer@{DOMAIN}", f"accountant@{DOMAIN}")
ROLE_WORDS = {User.Role.ADMINISTRATOR: "head", User.Role.MANAGER: "buyer", User.Role.ACCOUNTANT: "accountant"}
MANAGERS_PER_REGION = 2


@dataclass
class Staff:
    """Ids of the supplier's staff by region."""

    managers: dict[int, list[int]]
    heads: dict[int, int]


def client_user_email(number: int, role: str) -> str:
    """The e-mail of a client's user: memorable for the first client, numbered for the others."""
    word = ROLE_WORDS[role]
    return f"{word}@{DOMAIN}" if number == 1 else f"{word}.{number:03d}@{DOMAIN}"


def manager_email(region_code: str, number: int) -> str:
    if region_code == "moskva" and number == 1:
        return f"manager@{DOMAIN}"
    return f"manager{number}.{region_code}@{DOMAIN}"


def _user(ctx: SeedContext, rng, email: str, password_hash: str, position: str, **extra) -> User:
    who = person(rng)
    return User(
        email=email, password=password_hash, first_name=who.first_name, last_name=who.last_name, phone=phone(rng),
        position=position, date_joined=ctx.now - timedelta(days=rng.randint(30, 900)), **extra,
    )


def create_staff(ctx: SeedContext, ref: Reference, password_hash: str) -> Staff:
    """The superuser, the marketing user, and per region a head and regional managers."""
    rng = ctx.rng("staff")
    users = [
        _user(ctx, rng, ADMIN_EMAIL, password_hash, "Администратор портала", is_staff=True, is_superuser=True),
        _user(ctx, rng, MARKETING_EMAIL, password_hash, "Маркетолог", is_staff=True),
    ]
    for region in ref.regions:
        code = region.city.code
        users.append(_user(ctx, rng, f"head.{code}@{DOMAIN}", password_hash, "Руководитель филиала", is_staff=True))
        users += [
            _user(ctx, rng, manager_email(code, n), password_hash, "Менеджер по работе с клиентами", is_staff=True)
            for n in range(1, MANAGERS_PER_REGION + 1)
        ]
    User.objects.bulk_create(users)
    ids = dict(User.objects.filter(email__in=[user.email for user in users]).values_list("email", "pk"))
    _verified_logins(ids)
    staff = Staff(
        managers={
            region.id: [ids[manager_email(region.city.code, n)] for n in range(1, MANAGERS_PER_REGION + 1)]
            for region in ref.regions
        },
        heads={region.id: ids[f"head.{region.city.code}@{DOMAIN}"] for region in ref.regions},
    )
    RegionHead.objects.bulk_create(
        [RegionHead(region_id=region_id, user_id=head) for region_id, head in staff.heads.items()],
        ignore_conflicts=True,
    )
    User.managed_regions.through.objects.bulk_create([
        User.managed_regions.through(region_id=region_id, user_id=user_id)
        for region_id, managers in staff.managers.items()
        for user_id in managers
    ])
    # The same service as `manage.py marketing_grant`: content permissions only.
    marketing = marketing_group_grant()
    marketing.user_set.add(ids[MARKETING_EMAIL])
    ctx.count("users", len(users))
    return staff


def create_client_users(ctx: SeedContext, clients, password_hash: str) -> dict[int, dict[str, int]]:
    """An administrator, a buyer and an accountant per active client; an administrator per pending one.

    Returns client id → role → user id.
    """
    rng = ctx.rng("client-users")
    users = []
    for client in clients:
        roles = list(ROLE_WORDS) if client.active else [User.Role.ADMINISTRATOR]
        for role in roles:
            user = _user(ctx, rng, client_user_email(client.number, role), password_hash,
                         rng.choice(POSITIONS[role]), client_id=client.id, role=role)
            user.date_joined = client.created_at + timedelta(hours=rng.randint(0, 72))
            users.append(user)
    User.objects.bulk_create(users, batch_size=1000)
    ids = dict(User.objects.filter(client__isnull=False).values_list("email", "pk"))
    # Pending clients' administrators get their (maybe unconfirmed) address with the registration workflow.
    active = {client.id for client in clients if client.active}
    _verified_logins({user.email: ids[user.email] for user in users if user.client_id in active})
    ctx.count("users", len(users))
    return {
        client.id: {role: ids[client_user_email(client.number, role)] for role in ROLE_WORDS
                    if client_user_email(client.number, role) in ids}
        for client in clients
    }


def _verified_logins(ids: dict[str, int]) -> None:
    """Login addresses (e-mail → user id) the demo users sign in with, verified as if confirmed."""
    EmailAddress.objects.bulk_create(
        [EmailAddress(user_id=pk, email=email.lower(), primary=True, verified=True) for email, pk in ids.items()],
        batch_size=1000,
    )
