"""What a staff member was refused, in plain words, for the 403 page: the action, their role, and a way back.

The action is named from the URL that refused it: Sachet's own admin pages by their URL names below, Django's admin
views (list, add, change, delete, history) from their model. Roles are the groups of cases/roles.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.roles import NGO, POLICE

ROLE_NAMES = {POLICE: gettext_lazy("Police"), NGO: gettext_lazy("NGO")}

# Sachet's own staff pages, by URL name.
ACTIONS = {
    "cases_case_note": gettext_lazy("add a note to a case"),
    "notifications_delivery_test_alert": gettext_lazy("send a test alert"),
    "analytics_analyticssnapshot_changelist": gettext_lazy("see the analytics"),
    "analytics_analyticssnapshot_recalculate": gettext_lazy("recalculate the analytics"),
}
# The case status page: what it does depends on the status asked for.
STATUS_ACTIONS = {
    "found": gettext_lazy("mark a case found"),
    "missing": gettext_lazy("mark a case missing again"),
    "closed": gettext_lazy("close a case"),
}


@dataclass(frozen=True)
class Refusal:
    """The sentences of the 403 page."""

    refusal: str  # "Your role (NGO) cannot close a case."
    hint: str  # whom to ask, or why nobody can
    back: str  # where the "Go back" button leads


def refusal(request) -> Refusal:
    action = refused_action(request)
    user = request.user
    if user.is_superuser:
        # A superuser holds every permission: a refusal means the page refuses everyone.
        text = (_("No one can %(action)s here.") % {"action": action} if action
                else _("No one can do this here."))
        hint = _("Sachet keeps this record as it is, or makes it by itself.")
    else:
        groups = sorted(user.groups.values_list("name", flat=True))
        role = ", ".join(str(ROLE_NAMES.get(name, name)) for name in groups)
        if role:
            text = (_("Your role (%(role)s) cannot %(action)s.") % {"role": role, "action": action} if action
                    else _("Your role (%(role)s) cannot do this.") % {"role": role})
        else:
            text = (_("Your account cannot %(action)s.") % {"action": action} if action
                    else _("Your account cannot do this."))
        hint = _("If your work needs it, ask a Police administrator to do it, or to give your account the "
                 "permission.")
    return Refusal(refusal=text, hint=hint, back=_back(request))


def refused_action(request) -> str | None:
    """The refused action in a few plain words ("close a case"), or None when the page is not one we know."""
    match = request.resolver_match
    if match is None:
        return None
    name = match.url_name or ""
    if name == "cases_case_status":
        return str(STATUS_ACTIONS.get(request.POST.get("to") or request.GET.get("to"), _("change a case's status")))
    if name in ACTIONS:
        return str(ACTIONS[name])
    model_admin = _model_admin(match.func)
    if model_admin is None:
        return None
    opts = model_admin.opts
    view = name.removeprefix(f"{opts.app_label}_{opts.model_name}_")
    thing, things = str(opts.verbose_name), str(opts.verbose_name_plural)
    if view == "changelist":
        return _("see the list of %(things)s") % {"things": things}
    if view == "add":
        return _("add a new %(thing)s") % {"thing": thing}
    if view == "change":
        return (_("change this %(thing)s") if request.method == "POST" else _("open this %(thing)s")) % {
            "thing": thing}
    if view == "delete":
        return _("delete this %(thing)s") % {"thing": thing}
    if view == "history":
        return _("see the history of this %(thing)s") % {"thing": thing}
    return None


def _model_admin(view) -> admin.ModelAdmin | None:
    """The ModelAdmin behind an admin URL's view (Django's and Sachet's views are its bound methods, wrapped)."""
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        owner = getattr(view, "model_admin", None) or getattr(view, "__self__", None)
        if isinstance(owner, admin.ModelAdmin):
            return owner
        view = getattr(view, "__wrapped__", None)
    return None


def _back(request) -> str:
    """The page the person came from when it is ours and not this one, else the staff home page."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        if not referer.endswith(request.get_full_path()):
            return referer
    return reverse("admin:index")
