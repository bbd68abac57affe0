"""Importers: records from the readers → the portal's tables, in bulk, inside the caller's transaction."""
