"""The staff case-management UI for police and NGO staff, one module per model: `case` (the case list and page,
status changes, notes, actions) and `sighting`, with the case page's inlines, list filters and photo display helpers
beside them. Importing the modules registers their admins."""

from . import case, sighting  # noqa: F401 - registers CaseAdmin and SightingAdmin
