"""Send every due alert now, in this process: for the embedded default (no broker, no beat), or while the broker
is down. Safe next to running workers: each delivery is claimed before it is sent."""

from collections import Counter

from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = "Send the alerts that are due now, in this process, without the broker."

    def handle(self, *args, **options):
        ids = services.due_delivery_ids(due_for=0)
        outcomes = Counter()
        for number, delivery_id in enumerate(ids, start=1):
            outcomes[services.attempt_delivery(delivery_id).outcome] += 1
            if number % 50 == 0:
                self.stdout.write(f"{number} of {len(ids)} tried")
        summary = ", ".join(f"{outcomes[o]} {o}" for o in (services.SENT, services.RETRY, services.FAILED,
                                                               services.SKIPPED))
        self.stdout.write(f"{len(ids)} due alert(s): {summary}")
