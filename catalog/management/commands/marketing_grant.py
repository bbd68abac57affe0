"""Give the "marketing" group exactly its content permissions (creating the group if needed)."""

from django.core.management.base import BaseCommand

from catalog.services import MARKETING_PERMISSIONS, marketing_group_grant


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        group = marketing_group_grant()
        self.stdout.write(f'Group "{group.name}": {len(MARKETING_PERMISSIONS)} permissions on product content.')
