"""What staff decide about a possible match: confirm, reject, or (Police) undo a decision. Each is one
transaction, leaves a `ReviewDecision`, and does what the decision means:

- case and another case's sighting: a note on the case says which sighting shows the child;
- case and found child: the found child's record is linked to the case (staff then mark the case found, with the
  found child's record as the note: `found_note`);
- case reported twice: the later case is merged into the earlier one (cases.merging);
- found child registered twice: the later record is marked as the same child as the earlier one.

Undoing reverses that (unlinks, unmerges...) and puts the pair back in the queue. Rejecting never changes a
record, and a rejected pair is never suggested again.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import dateformat, timezone

from . import found, merging
from .models import CaseNote, MatchCandidate, ReviewDecision

logger = logging.getLogger(__name__)

Kind = MatchCandidate.Kind
Status = MatchCandidate.Status


class DecisionRefused(ValueError):
    """The decision does not fit the candidate's state (already decided, or nothing to undo), or the records moved
    on (a case merged or closed meanwhile)."""


@transaction.atomic
def confirm(*, candidate: MatchCandidate, by, note: str = "") -> MatchCandidate:
    """The two records are the same child. Raises DecisionRefused (or merging.MergeRefused)."""
    locked = _locked(candidate, Status.PENDING)
    if locked.kind == Kind.CASE_SIGHTING:
        sighting = locked.sighting
        CaseNote.objects.create(case=locked.case, author=by, text=(
            f"A sighting filed on case {sighting.case.reference} ({sighting.place}, "
            f"{_local(sighting.seen_at)}) was confirmed to show this child."))
    elif locked.kind == Kind.CASE_FOUND:
        found.link_case(child=locked.found_child, case=locked.case, by=by)
        CaseNote.objects.create(case=locked.case, author=by, text=(
            f"Confirmed as found child {locked.found_child.reference}: {found_note(locked.found_child)}"))
    elif locked.kind == Kind.CASE_CASE:
        merging.merge(kept=locked.case, duplicate=locked.other_case, by=by, candidate=locked)
    else:
        found.mark_same_child(child=locked.other_found_child, earlier=locked.found_child, by=by)
    _decide(locked, Status.CONFIRMED, by=by, note=note)
    return locked


@transaction.atomic
def reject(*, candidate: MatchCandidate, by, note: str = "") -> MatchCandidate:
    """Not the same child: the pair leaves the queue for good."""
    locked = _locked(candidate, Status.PENDING)
    _decide(locked, Status.REJECTED, by=by, note=note)
    return locked


@transaction.atomic
def undo(*, candidate: MatchCandidate, by, note: str = "") -> MatchCandidate:
    """Take back a confirmation or a rejection (Police only, checked by the caller): what the confirmation did is
    reversed, and the pair is pending again. A case marked found after a confirmation stays found: staff mark it
    missing again if that was wrong too."""
    locked = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if not locked.is_decided:
        raise DecisionRefused("This possible match has not been decided: there is nothing to undo.")
    if locked.status == Status.CONFIRMED:
        if locked.kind == Kind.CASE_FOUND:
            found.unlink_case(child=locked.found_child, case=locked.case, by=by)
            CaseNote.objects.create(case=locked.case, author=by, text=(
                f"The confirmation that found child {locked.found_child.reference} is this child was undone."))
        elif locked.kind == Kind.CASE_CASE:
            record = locked.merges.filter(reversed_at__isnull=True).first() or merging.standing_merge(
                locked.other_case)
            if record is not None:
                merging.unmerge(merge_record=record, by=by)
        elif locked.kind == Kind.FOUND_FOUND:
            found.unmark_same_child(child=locked.other_found_child, earlier=locked.found_child, by=by)
        else:
            CaseNote.objects.create(case=locked.case, author=by, text=(
                f"The confirmation that a sighting filed on case {locked.sighting.case.reference} shows this child "
                "was undone."))
    locked.status, locked.decided_by, locked.decided_at = Status.PENDING, None, None
    locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    ReviewDecision.objects.create(candidate=locked, action=ReviewDecision.Action.UNDONE, by=by, note=note)
    logger.info("match decision undone candidate=%s by=%s", locked.pk, getattr(by, "pk", None))
    return locked


def found_note(child) -> str:
    """A found child's record as the note for "mark found": where and when, where the child is now."""
    parts = [f"found at {child.found_place} on {_local(child.found_at)}"]
    if child.current_location:
        parts.append(f"now at {child.current_location}")
    return f"Found child {child.reference}: " + ", ".join(parts) + "."


def _locked(candidate: MatchCandidate, expected: str) -> MatchCandidate:
    locked = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.status != expected:
        raise DecisionRefused(f"This possible match was already {locked.get_status_display().lower()}.")
    if locked.kind in (Kind.CASE_SIGHTING, Kind.CASE_FOUND, Kind.CASE_CASE) and locked.case.merged_into_id:
        raise DecisionRefused(f"Case {locked.case.reference} was merged into another case; review it there.")
    if locked.kind == Kind.CASE_CASE and locked.other_case.merged_into_id:
        raise DecisionRefused(f"Case {locked.other_case.reference} was merged into another case.")
    return locked


def _decide(candidate: MatchCandidate, status: str, *, by, note: str) -> None:
    candidate.status, candidate.decided_by, candidate.decided_at = status, by, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    ReviewDecision.objects.create(candidate=candidate, action=status, by=by, note=note)
    logger.info("match %s candidate=%s kind=%s by=%s", status, candidate.pk, candidate.kind, getattr(by, "pk", None))


def _local(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "j M Y, g:i A")
