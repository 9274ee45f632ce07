"""Which face in a case photo is the child: the case page shows every face found, numbered, and staff who may change
the case pick another one when the photo shows the child with others. Matching runs again on that face."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from media import matching

from .. import faces


class CaseFaceMixin:
    """For CaseAdmin: the URL and view that choose the face, and what the case page needs to offer the choice."""

    def face_urls(self):
        return [path("<path:object_id>/face/", self.admin_site.admin_view(self.face_view), name="cases_case_face")]

    def face_choice(self, request, case) -> dict | None:
        """The faces to choose from, or None when there is no choice (one face, none, or no permission)."""
        if not case.photo or not case.is_active or not self.has_change_permission(request, case):
            return None
        summary = matching.face_summary(case.photo.name)
        if summary is None or len(summary.faces) < 2:
            return None
        chosen = summary.face.index if summary.face else 0
        return {"faces": [(face.index, face.index + 1, face.index == chosen) for face in summary.faces]}

    def face_view(self, request, object_id):
        return _choose(request, self, object_id)


@require_POST
def _choose(request, model_admin, object_id):
    case = model_admin.get_object(request, unquote(object_id))
    if case is None:
        raise Http404
    if not model_admin.has_change_permission(request, case):
        raise PermissionDenied
    try:
        face = int(request.POST.get("face", ""))
        faces.choose_case_face(case=case, face=face, by=request.user)
    except (ValueError, faces.NoSuchFace):
        model_admin.message_user(request, _("That face is not in the photo; nothing was changed."), messages.ERROR)
    else:
        model_admin.log_change(request, case, f"Chose face {face + 1} of the photo for matching")
        model_admin.message_user(request, _("Face %(number)d is used for matching now; matching runs again.")
                                 % {"number": face + 1}, messages.SUCCESS)
    return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))
