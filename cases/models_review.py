"""The review queue: one row per pair of records that may be the same child (a case and another case's sighting, a
case and a found child, a case reported twice, a found child registered twice), with the evidence, and what staff
decided. A candidate never changes anything by itself; confirming one does, through the review services."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Case, Sighting, Verdict
from .models_found import FoundChild


class MatchCandidate(models.Model):
    """Two records that may be the same child, for staff to confirm or reject. `pair_key` names the pair (its kind
    and ids, smaller first), so a pair is suggested once: a rejected pair is never suggested again."""

    class Kind(models.TextChoices):
        CASE_SIGHTING = "case_sighting", _("Case and another case's sighting")
        CASE_FOUND = "case_found", _("Case and found child")
        CASE_CASE = "case_case", _("Case reported twice")
        FOUND_FOUND = "found_found", _("Found child registered twice")

    class Status(models.TextChoices):
        PENDING = "pending", _("To review")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CASE_SIGHTING)
    pair_key = models.CharField(max_length=80, unique=True, editable=False)
    # case_sighting, case_found and case_case have `case`; in case_case it is the older report, `other_case` the newer.
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="match_candidates")
    other_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="duplicate_candidates")
    sighting = models.ForeignKey(Sighting, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="candidates")
    # case_found and found_found have `found_child`; in found_found it is the older record.
    found_child = models.ForeignKey(FoundChild, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="candidates")
    other_found_child = models.ForeignKey(FoundChild, null=True, blank=True, on_delete=models.CASCADE,
                                          related_name="duplicate_candidates")
    # Face evidence: the nearest pair of faces of the two records' photos (none when either has no face).
    distance = models.FloatField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(100)])
    verdict = models.CharField(max_length=10, choices=Verdict.choices, blank=True)
    # Which photos and faces: {"photo", "face", "box", "size", "other_photo", "other_face", "other_box",
    # "other_size"}, the first side being `case` (or `found_child` in found_found).
    faces = models.JSONField(default=dict, blank=True)
    # Other evidence, where the records say enough to tell.
    name_similarity = models.FloatField(null=True, blank=True)
    same_phone = models.BooleanField(null=True, blank=True)
    distance_km = models.FloatField(null=True, blank=True)
    days_apart = models.FloatField(null=True, blank=True)
    age_gap = models.PositiveSmallIntegerField(null=True, blank=True)
    # 0-100 from all the evidence: the order of the queue.
    strength = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)], db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("possible match")
        verbose_name_plural = _("review matches")
        ordering = ["-strength", "-created_at", "-id"]
        permissions = [
            ("decide_matchcandidate", "Can confirm or reject a possible match"),
            ("undo_matchcandidate", "Can undo a decision on a possible match"),
            ("merge_cases", "Can merge a case reported twice into the earlier case"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "confirmed", "rejected"]),
                                   name="matchcandidate_status_valid"),
            models.CheckConstraint(
                condition=(
                    Q(kind="case_sighting", case__isnull=False, sighting__isnull=False, other_case__isnull=True,
                      found_child__isnull=True, other_found_child__isnull=True)
                    | Q(kind="case_found", case__isnull=False, found_child__isnull=False, other_case__isnull=True,
                        sighting__isnull=True, other_found_child__isnull=True)
                    | Q(kind="case_case", case__isnull=False, other_case__isnull=False, sighting__isnull=True,
                        found_child__isnull=True, other_found_child__isnull=True)
                    | Q(kind="found_found", found_child__isnull=False, other_found_child__isnull=False,
                        case__isnull=True, other_case__isnull=True, sighting__isnull=True)
                ),
                name="matchcandidate_records_fit_the_kind",
            ),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__lte=100),
                                   name="matchcandidate_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pair_key} ({self.strength})"

    @property
    def is_decided(self) -> bool:
        return self.status != self.Status.PENDING


class ReviewDecision(models.Model):
    """Every decision on a candidate, and every undo: appended, never edited."""

    class Action(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        UNDONE = "undone", _("Decision undone")

    candidate = models.ForeignKey(MatchCandidate, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.action}"


class CaseMerge(models.Model):
    """A case reported twice, merged into the earlier report: what moved, so that the merge can be reversed. The
    merged case's reference keeps working (its pages redirect to the kept case) while the merge stands."""

    kept = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="merges_in")
    duplicate = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="merges_out")
    candidate = models.ForeignKey(MatchCandidate, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="merges")
    previous_status = models.CharField(max_length=10, choices=Case.Status.choices)
    # The ids of the duplicate's rows moved to the kept case: {"sightings": [...], "notes": [...],
    # "status_changes": [...]}.
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case merge")
        verbose_name_plural = _("case merges")
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["duplicate"], condition=Q(reversed_at__isnull=True),
                                    name="one_standing_merge_per_case"),
            models.CheckConstraint(condition=~Q(kept=models.F("duplicate")), name="casemerge_two_cases"),
        ]

    def __str__(self) -> str:
        return f"{self.duplicate_id} -> {self.kept_id}"

    @property
    def is_standing(self) -> bool:
        return self.reversed_at is None
