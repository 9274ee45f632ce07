"""Review matches: one queue of every pair of records that may be the same child, strongest first, each with its two
photos side by side (the faces that matched framed), the evidence in words, and confirm / reject / open both.
A Police user can undo a decision. Every decision goes through cases.review and is written to the admin log."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from .. import review
from ..merging import MergeRefused
from ..models import Case, CaseMerge, MatchCandidate, Verdict
from ..names import SAME_NAME
from .display import face_thumbnail

Kind, Status = MatchCandidate.Kind, MatchCandidate.Status


def can_decide(user, candidate: MatchCandidate) -> bool:
    """Confirm or reject: Police and NGO staff; merging two cases (confirming a case reported twice): Police."""
    if not user.has_perm("cases.decide_matchcandidate"):
        return False
    return candidate.kind != Kind.CASE_CASE or user.has_perm("cases.merge_cases")


def can_undo(user) -> bool:
    return user.has_perm("cases.undo_matchcandidate")


# --- The two records of a pair, and the evidence in words -------------------------------------------------------


@dataclass
class Side:
    """One record of a pair as the review page shows it."""

    title: str
    admin_url: str
    photo: object  # a FieldFile, or None
    box: list | None
    size: list | None
    facts: list[tuple[str, str]] = field(default_factory=list)
    public_url: str = ""


def sides(candidate: MatchCandidate) -> tuple[Side, Side]:
    faces = candidate.faces or {}
    first_box, first_size = faces.get("box"), faces.get("size")
    second_box, second_size = faces.get("other_box"), faces.get("other_size")
    if candidate.kind == Kind.FOUND_FOUND:
        return (_found_side(candidate.found_child, faces.get("photo"), first_box, first_size),
                _found_side(candidate.other_found_child, faces.get("other_photo"), second_box, second_size))
    first = _case_side(candidate.case, first_box, first_size)
    if candidate.kind == Kind.CASE_SIGHTING:
        return first, _sighting_side(candidate.sighting, second_box, second_size)
    if candidate.kind == Kind.CASE_FOUND:
        return first, _found_side(candidate.found_child, faces.get("other_photo"), second_box, second_size)
    return first, _case_side(candidate.other_case, second_box, second_size)


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "–"


def _case_side(case: Case, box, size) -> Side:
    age = "?" if case.age is None else str(case.age)  # unknown for some imported cases
    facts = [(_("Name"), case.name), (_("Age"), age), (_("Status"), case.get_status_display()),
             (_("Last seen"), case.last_seen_place), (_("When"), _when(case.last_seen_at)),
             (_("Reported"), _when(case.created_at))]
    return Side(title=_("Case %(reference)s") % {"reference": case.reference},
                admin_url=reverse("admin:cases_case_change", args=[case.pk]), photo=case.photo or None, box=box,
                size=size, facts=facts, public_url=case.get_absolute_url())


def _sighting_side(sighting, box, size) -> Side:
    facts = [(_("Filed on case"), sighting.case.reference), (_("Seen at"), sighting.place),
             (_("When"), _when(sighting.seen_at)), (_("What was seen"), sighting.description)]
    return Side(title=_("Sighting filed on case %(reference)s") % {"reference": sighting.case.reference},
                admin_url=reverse("admin:cases_sighting_change", args=[sighting.pk]), photo=sighting.photo or None,
                box=box, size=size, facts=facts)


def _found_side(child, photo_name, box, size) -> Side:
    photos = list(child.photos.all())
    photo = next((p.photo for p in photos if p.photo.name == photo_name), photos[0].photo if photos else None)
    if photo is not None and photo.name != photo_name:
        box = size = None  # the face that matched was on another photo, no longer there
    age = str(child.apparent_age) if child.apparent_age is not None else "–"
    facts = [(_("Name the child gives"), child.stated_name or "–"), (_("Apparent age"), age),
             (_("Status"), child.get_status_display()), (_("Found at"), child.found_place),
             (_("When found"), _when(child.found_at)), (_("Where the child is now"), child.current_location or "–")]
    return Side(title=_("Found child %(reference)s") % {"reference": child.reference},
                admin_url=reverse("admin:cases_foundchild_change", args=[child.pk]), photo=photo, box=box, size=size,
                facts=facts)


def evidence_in_words(candidate: MatchCandidate) -> list[str]:
    """The evidence as sentences a person checks against the photos and records."""
    lines = []
    if candidate.verdict in (Verdict.LIKELY, Verdict.POSSIBLE, Verdict.UNLIKELY):
        faces = candidate.faces or {}
        lines.append(_("Faces: %(verdict)s (score %(score)s/100, distance %(distance).2f); the framed faces are the "
                       "nearest pair (face %(face)s and face %(other_face)s, 1 the largest in its photo).") % {
            "verdict": Verdict(candidate.verdict).label.lower(), "score": candidate.score,
            "distance": candidate.distance, "face": faces.get("face", 0) + 1,
            "other_face": faces.get("other_face", 0) + 1})
    else:
        lines.append(_("Faces: not compared (a photo without a usable face, or no photo)."))
    if candidate.name_similarity is not None:
        if candidate.name_similarity >= SAME_NAME:
            words = _("the same name, as far as spelling and script go")
        elif candidate.name_similarity >= 0.7:
            words = _("similar names")
        else:
            words = _("different names")
        lines.append(_("Names: %(words)s (%(similarity)d%% alike).") % {
            "words": words, "similarity": round(100 * candidate.name_similarity)})
    if candidate.same_phone:
        lines.append(_("Phone: both reports give the same phone number."))
    if candidate.distance_km is not None:
        lines.append(_("Places: %(km)s km apart.") % {"km": formats.number_format(candidate.distance_km, 1)})
    if candidate.days_apart is not None:
        if candidate.days_apart < 1:
            lines.append(_("Dates: less than a day apart."))
        else:
            days = round(candidate.days_apart)
            lines.append(ngettext("Dates: %(count)d day apart.", "Dates: %(count)d days apart.", days)
                         % {"count": days})
    if candidate.age_gap is not None:
        if candidate.age_gap == 0:
            lines.append(_("Ages: the same."))
        else:
            lines.append(ngettext("Ages: %(count)d year apart.", "Ages: %(count)d years apart.", candidate.age_gap)
                         % {"count": candidate.age_gap})
    return lines


def photo_with_box(photo, box, size, width: int = 320) -> str:
    """A photo with one face framed (the face of the pair that matched), or plain."""
    if not photo:
        return format_html('<p class="sachet-no-photo">{}</p>', _("No photo"))
    if not box or not size or not all(size):
        return format_html('<img src="{}" width="{}" alt="">', photo.url, width)
    top, right, bottom, left = box
    photo_width, photo_height = size
    return format_html(
        '<svg viewBox="0 0 {} {}" width="{}" role="img" aria-label="{}"><image href="{}" width="{}" height="{}"/>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#f5b400" stroke-width="{}"/></svg>',
        photo_width, photo_height, width, _("The face that matched is framed"), photo.url, photo_width,
        photo_height, left, top, right - left, bottom - top, max(2, photo_width // 120),
    )


# --- The queue ---------------------------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """Pending pairs unless another status is asked for: the queue is what is left to review."""

    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Status.choices, ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or Status.PENDING
        for lookup, title in self.lookup_choices:
            yield {"selected": value == lookup, "query_string": changelist.get_query_string({self.parameter_name:
                                                                                               lookup}),
                   "display": title}

    def queryset(self, request, queryset):
        value = self.value() or Status.PENDING
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(MatchCandidate)
class MatchCandidateAdmin(admin.ModelAdmin):
    list_display = ("photos", "kind", "records", "evidence", "strength", "status", "decided_by")
    list_display_links = ("records",)
    list_filter = (StatusFilter, "kind", "verdict")
    search_fields = ("case__reference", "other_case__reference", "sighting__case__reference",
                     "found_child__reference", "other_found_child__reference", "case__name", "found_child__stated_name")
    ordering = ("-strength", "-created_at", "-id")
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "case", "other_case", "sighting", "sighting__case", "found_child", "other_found_child", "decided_by",
        ).prefetch_related("found_child__photos", "other_found_child__photos")

    def has_add_permission(self, request):
        return False  # pairs are found by the searches, never typed in

    def has_change_permission(self, request, obj=None):
        return False  # decided with the buttons of the review page, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was suggested and decided stays

    @admin.display(description=gettext_lazy("Photos"))
    def photos(self, obj):
        first, second = sides(obj)
        return format_html("{} {}", face_thumbnail(first.photo, first.box, first.size),
                           face_thumbnail(second.photo, second.box, second.size))

    @admin.display(description=gettext_lazy("Records"))
    def records(self, obj):
        first, second = sides(obj)
        return format_html("{}<br>{}", first.title, second.title)

    @admin.display(description=gettext_lazy("Evidence"))
    def evidence(self, obj):
        return format_html("<br>".join(["{}"] * len(lines)), *lines) if (lines := evidence_in_words(obj)) else "–"

    # --- the review page -----------------------------------------------------------------------------------------

    def get_urls(self):
        return [
            path("<path:object_id>/decide/", self.admin_site.admin_view(self.decide_view),
                 name="cases_matchcandidate_decide"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        candidate = self.get_object(request, unquote(object_id))
        if candidate is None:
            raise Http404
        if not self.has_view_permission(request, candidate):
            raise PermissionDenied
        first, second = sides(candidate)
        offer_found = (candidate.kind == Kind.CASE_FOUND and candidate.status == Status.CONFIRMED
                       and candidate.case.status == Case.Status.MISSING
                       and (request.user.has_perm("cases.change_case_status")
                            or request.user.has_perm("cases.mark_case_found")))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Review a possible match"),
            "candidate": candidate,
            "sides": [(side, photo_with_box(side.photo, side.box, side.size)) for side in (first, second)],
            "evidence": evidence_in_words(candidate),
            "can_decide": candidate.status == Status.PENDING and can_decide(request.user, candidate),
            "can_undo": candidate.is_decided and can_undo(request.user),
            "decisions": candidate.decisions.select_related("by"),
            "offer_found": offer_found,
            "found_note": review.found_note(candidate.found_child) if offer_found else "",
        }
        return TemplateResponse(request, "admin/cases/matchcandidate/review.html", context)

    def decide_view(self, request, object_id):
        return _decide(request, self, object_id)


@require_POST
def _decide(request, model_admin: MatchCandidateAdmin, object_id):
    candidate = model_admin.get_object(request, unquote(object_id))
    if candidate is None:
        raise Http404
    action, note = request.POST.get("action"), request.POST.get("note", "").strip()[:2000]
    if action in ("confirm", "reject"):
        if not can_decide(request.user, candidate):
            raise PermissionDenied
    elif action == "undo":
        if not can_undo(request.user):
            raise PermissionDenied
    else:
        raise Http404
    service = {"confirm": review.confirm, "reject": review.reject, "undo": review.undo}[action]
    try:
        with transaction.atomic():
            service(candidate=candidate, by=request.user, note=note)
    except (review.DecisionRefused, MergeRefused) as error:
        model_admin.message_user(request, str(error), messages.WARNING)
    else:
        model_admin.log_change(request, candidate, f"{action}: {note}" if note else action)
        model_admin.message_user(request, {
            "confirm": _("Confirmed."), "reject": _("Rejected: this pair will not be suggested again."),
            "undo": _("The decision was undone; the pair is back in the queue."),
        }[action], messages.SUCCESS)
    return HttpResponseRedirect(reverse("admin:cases_matchcandidate_change", args=[candidate.pk]))


@admin.register(CaseMerge)
class CaseMergeAdmin(admin.ModelAdmin):
    """The record of cases merged into an earlier report of the same child, and of merges reversed. Reversing goes
    through the pair's review page (Undo), which keeps the decision's history."""

    list_display = ("duplicate", "kept", "merged_by", "merged_at", "reversed_by", "reversed_at", "review_link")
    list_select_related = ("duplicate", "kept", "merged_by", "reversed_by")
    list_filter = ("merged_at", "reversed_at")
    search_fields = ("duplicate__reference", "kept__reference")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("Review"))
    def review_link(self, obj):
        if not obj.candidate_id:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("admin:cases_matchcandidate_change",
                                                         args=[obj.candidate_id]), _("Open the pair"))
