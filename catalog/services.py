"""Writes of the catalog app."""

from django.db import transaction

from .models import Category


@transaction.atomic
def category_rebuild_tree() -> int:
    """Recompute `path` and `depth` of every category from the parent links.

    Categories are few (hundreds to a few thousand), so the whole tree is rebuilt in memory
    and only changed rows are written. Raises ValueError on a cycle.
    """
    nodes = {c.pk: c for c in Category.objects.select_for_update().order_by("pk")}
    resolved: dict[int, tuple[str, int]] = {}

    def resolve(pk: int, seen: frozenset = frozenset()) -> tuple[str, int]:
        if pk in resolved:
            return resolved[pk]
        if pk in seen:
            raise ValueError(f"category tree has a cycle at id {pk}")
        node = nodes[pk]
        if node.parent_id is None:
            result = (f"{pk:06d}.", 0)
        else:
            parent_path, parent_depth = resolve(node.parent_id, seen | {pk})
            result = (f"{parent_path}{pk:06d}.", parent_depth + 1)
        resolved[pk] = result
        return result

    changed = []
    for pk, node in nodes.items():
        path, depth = resolve(pk)
        if (node.path, node.depth) != (path, depth):
            node.path, node.depth = path, depth
            changed.append(node)
    Category.objects.bulk_update(changed, ["path", "depth"], batch_size=1000)
    return len(changed)
