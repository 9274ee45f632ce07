"""Stored phone numbers in E.164 ("9822012345" -> "+919822012345"), so one number is one value everywhere.

A number that does not parse as a valid phone number is left exactly as it was, for staff to see and correct. The
rule is written out here rather than imported, so that this migration keeps doing what it did when the code moves on.
"""

import phonenumbers
from django.db import migrations

BATCH = 500
PHONE_FIELDS = {"Case": ("contact_phone", "reporter_phone"), "Sighting": ("reporter_phone",)}


def e164(value: str) -> str:
    """The number in E.164 (numbers without a country code are Indian), or the value unchanged."""
    if not value or not value.strip():
        return value
    try:
        number = phonenumbers.parse(value, "IN")
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number) or number.extension:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_stored_phones(apps, schema_editor):
    for model_name, fields in PHONE_FIELDS.items():
        model = apps.get_model("cases", model_name)
        changed = []
        for row in model.objects.only("pk", *fields).order_by("pk").iterator(chunk_size=BATCH):
            new_values = {field: e164(getattr(row, field)) for field in fields}
            if any(getattr(row, field) != value for field, value in new_values.items()):
                for field, value in new_values.items():
                    setattr(row, field, value)
                changed.append(row)
            if len(changed) >= BATCH:
                model.objects.bulk_update(changed, fields)
                changed = []
        if changed:
            model.objects.bulk_update(changed, fields)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_file_storages")]

    # Not reversible in content (the typed forms are gone), but harmless to unapply: E.164 is a valid stored value.
    operations = [migrations.RunPython(normalise_stored_phones, migrations.RunPython.noop, elidable=True)]
