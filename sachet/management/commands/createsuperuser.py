"""`createsuperuser` that always applies the password validators (AUTH_PASSWORD_VALIDATORS).

Django's own command checks the password when it asks for it, but offers to "bypass password validation", and with
--noinput it takes DJANGO_SUPERUSER_PASSWORD unchecked: "123" would make the first Police account. Here a weak
password is refused in both modes.
"""

from __future__ import annotations

import os

from django.contrib.auth.management.commands import createsuperuser
from django.contrib.auth.password_validation import validate_password
from django.core import exceptions
from django.core.management.base import CommandError

REFUSED = "Sachet does not create staff accounts with weak passwords: choose another one."


class Command(createsuperuser.Command):
    help = createsuperuser.Command.help + " The password validators always apply; there is no way to bypass them."

    def handle(self, *args, **options):
        if not options["interactive"]:
            self._check_password_from_environment(options)
            return super().handle(*args, **options)
        # The interactive prompt asks "Bypass password validation and create user anyway? [y/N]" through the
        # module's `input`: answer no (after saying why), so the password is asked for again.
        saved = getattr(createsuperuser, "input", None)
        createsuperuser.input = self._no_bypass
        try:
            return super().handle(*args, **options)
        finally:
            if saved is None:
                del createsuperuser.input
            else:
                createsuperuser.input = saved

    def _no_bypass(self, prompt: str = "") -> str:
        if "Bypass password validation" in prompt:
            self.stderr.write(REFUSED)
            return "n"
        return input(prompt)

    def _check_password_from_environment(self, options) -> None:
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if password is None:
            return  # no password: Django creates the account with an unusable one
        username_field = self.UserModel.USERNAME_FIELD
        values = {username_field: options.get(username_field)
                  or os.environ.get(f"DJANGO_SUPERUSER_{username_field.upper()}")}
        for field_name in self.UserModel.REQUIRED_FIELDS:
            field = self.UserModel._meta.get_field(field_name)
            if not field.many_to_many and not field.many_to_one:
                values[field_name] = options.get(field_name) or os.environ.get(f"DJANGO_SUPERUSER_{field_name.upper()}")
        try:
            validate_password(password, self.UserModel(**values))
        except exceptions.ValidationError as error:
            raise CommandError("DJANGO_SUPERUSER_PASSWORD is too weak: " + " ".join(error.messages)) from None
