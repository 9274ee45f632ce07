"""The staff case-management UI for police, NGO and child care institution staff, one module per model: `case` (the
case list and page, status changes, notes, actions), `sighting`, `found` (found children) and `review` (the review
queue), with the case page's inlines, list filters and photo display helpers beside them. Importing the modules
registers their admins."""

from . import case, found, review, sighting  # noqa: F401 - registers the admins
