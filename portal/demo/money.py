"""Money in the demo: integer kopecks while generating, Decimal roubles with two places when stored."""

from decimal import Decimal

CENT = Decimal("0.01")


def round_kopecks(kopecks: int) -> int:
    """Round a price the way price lists do: whole roubles from 100 ₽, ten kopecks from 10 ₽, else as is."""
    if kopecks >= 10_000:
        return (kopecks + 50) // 100 * 100
    if kopecks >= 1_000:
        return (kopecks + 5) // 10 * 10
    return max(kopecks, 1)


def rubles(kopecks: int) -> Decimal:
    """Kopecks (an integer) as a Decimal amount in roubles with two places: exact, no float on the way."""
    return Decimal(kopecks).scaleb(-2)


def format_rubles(amount: Decimal) -> str:
    """184320.5 → "184 320,50", as amounts are written in Russian documents."""
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",")
