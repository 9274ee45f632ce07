"""A child reported twice: the later case merged into the earlier one, and the merge reversed if it was a mistake.

Merging moves the later case's sightings, staff notes and status history to the kept case, closes the later case
(without an alert: the child is still missing, under the kept reference) and records what moved in a `CaseMerge`,
so that reversing it moves exactly those rows back. While the merge stands, the later reference's pages
(/case/<ref>, /found/<ref>, /poster/<ref>) redirect to the kept case, so printed QR codes keep working; its
alerts are listed with the kept case's.
"""

from __future__ import annotations

import functools
import logging

from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone

from . import cap, faces, pagecache, public
from .models import Case, CaseMerge, CaseNote, MatchCandidate, Sighting, StatusChange

logger = logging.getLogger(__name__)

# A chain of merges (A into B, later B into C) is followed this far.
_MAX_HOPS = 10


class MergeRefused(ValueError):
    """The two cases cannot be merged (the same case, one already merged, or not open), or the merge cannot be
    reversed (already reversed)."""


@transaction.atomic
def merge(*, kept: Case, duplicate: Case, by=None, candidate: MatchCandidate | None = None) -> CaseMerge:
    """Merge `duplicate` into `kept` (the earlier report). Raises MergeRefused."""
    if kept.pk == duplicate.pk:
        raise MergeRefused("A case cannot be merged into itself.")
    locked = {case.pk: case for case in Case.objects.select_for_update().filter(pk__in=[kept.pk, duplicate.pk])}
    kept, duplicate = locked[kept.pk], locked[duplicate.pk]
    if kept.merged_into_id or duplicate.merged_into_id:
        raise MergeRefused("One of the cases is already merged into another case.")
    if duplicate.status == Case.Status.CLOSED:
        raise MergeRefused(f"Case {duplicate.reference} is closed.")
    moved = {
        "sightings": list(Sighting.objects.filter(case=duplicate).values_list("pk", flat=True)),
        "notes": list(CaseNote.objects.filter(case=duplicate).values_list("pk", flat=True)),
        "status_changes": list(StatusChange.objects.filter(case=duplicate).values_list("pk", flat=True)),
    }
    Sighting.objects.filter(pk__in=moved["sightings"]).update(case=kept)
    pagecache.changed()
    CaseNote.objects.filter(pk__in=moved["notes"]).update(case=kept)
    StatusChange.objects.filter(pk__in=moved["status_changes"]).update(case=kept)
    record = CaseMerge.objects.create(kept=kept, duplicate=duplicate, candidate=candidate,
                                      previous_status=duplicate.status, moved=moved, merged_by=by)
    note = f"Merged into {kept.reference}: the same child reported twice."
    StatusChange.objects.create(case=duplicate, from_status=duplicate.status, to_status=Case.Status.CLOSED,
                                changed_by=by, note=note)
    duplicate.status = Case.Status.CLOSED
    duplicate.merged_into = kept
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    cap.cancel(duplicate, key=f"merge:{record.pk}")  # CAP readers follow the kept case's alert
    CaseNote.objects.create(case=kept, author=by, text=(
        f"Case {duplicate.reference} ({duplicate.name}) was merged into this case: the same child reported twice. "
        f"Its {len(moved['sightings'])} sighting(s), {len(moved['notes'])} note(s) and its history are here now."))
    # The duplicate is closed: its photo's face is not kept. The moved sightings are scored against this case.
    faces.forget_case_faces(duplicate)
    _schedule_rematch(kept)
    logger.info("case merged ref=%s into=%s by=%s", duplicate.reference, kept.reference, getattr(by, "pk", None))
    return record


@transaction.atomic
def unmerge(*, merge_record: CaseMerge, by=None) -> Case:
    """Reverse a merge: the rows that moved go back (those still on the kept case), the later case gets its status
    back and its own pages again. The later case. Raises MergeRefused when already reversed."""
    record = CaseMerge.objects.select_for_update().get(pk=merge_record.pk)
    if not record.is_standing:
        raise MergeRefused("This merge was already reversed.")
    kept = Case.objects.select_for_update().get(pk=record.kept_id)
    duplicate = Case.objects.select_for_update().get(pk=record.duplicate_id)
    moved = record.moved
    Sighting.objects.filter(pk__in=moved.get("sightings", []), case=kept).update(case=duplicate)
    pagecache.changed()
    CaseNote.objects.filter(pk__in=moved.get("notes", []), case=kept).update(case=duplicate)
    StatusChange.objects.filter(pk__in=moved.get("status_changes", []), case=kept).update(case=duplicate)
    StatusChange.objects.create(case=duplicate, from_status=duplicate.status, to_status=record.previous_status,
                                changed_by=by, note=f"Merge into {kept.reference} reversed.")
    duplicate.status = record.previous_status
    duplicate.merged_into = None
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    if public.is_listed(duplicate) and duplicate.cap_messages.exists():  # listed: verified and missing
        cap.alert(duplicate, key=f"unmerge:{record.pk}")
    record.reversed_at, record.reversed_by = timezone.now(), by
    record.save(update_fields=["reversed_at", "reversed_by"])
    CaseNote.objects.create(case=kept, author=by, text=(
        f"The merge of case {duplicate.reference} into this case was reversed; its sightings, notes and history "
        "went back to it."))
    _schedule_rematch(kept)
    if duplicate.is_active:
        _schedule_rematch(duplicate)
    logger.info("case merge reversed ref=%s from=%s by=%s", duplicate.reference, kept.reference,
                getattr(by, "pk", None))
    return duplicate


def standing_merge(duplicate: Case) -> CaseMerge | None:
    return CaseMerge.objects.filter(duplicate=duplicate, reversed_at__isnull=True).first()


def kept_reference(reference: str) -> str | None:
    """The reference a merged case's pages lead to (following merges of merges); None when it is not merged."""
    current, seen = reference, {reference}
    for _ in range(_MAX_HOPS):
        target = Case.objects.filter(reference=current, merged_into__isnull=False).values_list(
            "merged_into__reference", flat=True).first()
        if target is None or target in seen:
            break
        current = target
        seen.add(current)
    return None if current == reference else current


def follow_merges(view):
    """A public view by `reference`: a merged case's reference redirects to the same page of the kept case. A form
    sent to it (a sighting, perhaps written offline before the merge) is redirected with 307, which sends it again
    as it was to the kept case, rather than turning it into a GET that would drop it."""

    @functools.wraps(view)
    def wrapper(request, reference: str, *args, **kwargs):
        kept = kept_reference(reference)
        if kept is not None:
            target = request.resolver_match.url_name if request.resolver_match else "detail"
            response = redirect(f"cases:{target}", reference=kept)
            if request.method not in ("GET", "HEAD"):
                response.status_code = 307
            return response
        return view(request, reference, *args, **kwargs)

    return wrapper


def merged_references(case: Case) -> list[str]:
    """The references of the cases merged into this one (standing merges), for its alerts list."""
    return list(CaseMerge.objects.filter(kept=case, reversed_at__isnull=True)
                .values_list("duplicate__reference", flat=True))


def _schedule_rematch(case: Case) -> None:
    from .events import schedule_rematch  # events imports the tasks, which import this module's neighbours

    schedule_rematch(case)
