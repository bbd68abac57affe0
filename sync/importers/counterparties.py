"""Top-level `Контрагенты` (UT 11): counterparties of the ERP → legal entities the portal knows.

The portal creates clients through registration, so this import only updates legal entities
that already carry the counterparty's ERP id, or that match by INN (and KPP) and have no ERP
id yet (then the id is linked). Counted rules: a counterparty with no matching legal entity is
skipped (`unknown`); one without INN cannot be matched (`no_inn`).
"""

from __future__ import annotations

from accounts.models import LegalEntity
from accounts.validators import normalize_requisite

from . import bulk
from .result import ImportResult


class CounterpartyImport:
    def __init__(self):
        self.tally = bulk.tally()

    def counterparty(self, data: dict) -> None:
        """One parsed counterparty (commerceml.parse.parse_counterparty)."""
        erp_id, full_name = data["erp_id"], data["full_name"]
        inn, kpp = normalize_requisite(data["inn"]), normalize_requisite(data["kpp"])
        le = LegalEntity.objects.filter(erp_id=erp_id).first() if erp_id else None
        if le is None and inn:
            matches = LegalEntity.objects.filter(inn=inn, erp_id__isnull=True)
            le = (matches.filter(kpp=kpp) if kpp else matches).first()
        if le is None:
            key = "unknown" if inn or erp_id else "no_inn"
            self.tally[key] = self.tally.get(key, 0) + 1
            return
        fields = []
        if erp_id and le.erp_id != erp_id:
            le.erp_id = erp_id
            fields.append("erp_id")
        if full_name and le.full_name != full_name[:500]:
            le.full_name = full_name[:500]
            fields.append("full_name")
        if fields:
            le.save(update_fields=fields)
        self.tally["updated" if fields else "unchanged"] += 1

    def finish(self) -> ImportResult:
        return ImportResult({"legal_entities": self.tally})  # no product is touched
