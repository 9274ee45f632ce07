"""Create realistic demo cases and sightings in Indian cities. Safe to run again: nothing is duplicated."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from cases.consent import CURRENT_VERSION
from cases.models import Case, Sighting, StatusChange
from cases.names import name_key

# (reference suffix, name, age, gender, place, specific spot, lat, lng, hours ago, description, contact, status)
DEMO_CASES = [
    ("0001", "Aarav Sharma", 7, "male", "Koregaon Park, Pune", "near Osho Teerth park gate", "18.536200", "73.893900",
     5, "Thin, about 120 cm, short black hair. Red T-shirt with a cartoon tiger, blue shorts, white sandals.",
     ("Priya Sharma", "+919822000101"), "missing"),
    ("0002", "Ananya Iyer", 12, "female", "Andheri West, Mumbai", "outside the Lokhandwala market", "19.136300",
     "72.827700", 26, "Long hair in two plaits, school uniform (white shirt, navy skirt), pink school bag.",
     ("Ramesh Iyer", "+919820000202"), "missing"),
    ("0003", "Mohammed Faiz", 9, "male", "Charminar, Hyderabad", "", "17.361600", "78.474700", 50,
     "Wearing a green kurta and grey trousers. Has a small scar above the left eyebrow. Speaks Urdu and Telugu.",
     ("Salma Begum", "+919849000303"), "missing"),
    ("0004", "Ishita Das", 5, "female", "Howrah Station, Kolkata", "platform 9", "22.583900", "88.342600", 8,
     "Small for her age, curly hair, yellow frock with white flowers. Was holding a blue water bottle.",
     ("Sujata Das", "+919831000404"), "missing"),
    ("0005", "Rohan Verma", 15, "male", "Connaught Place, New Delhi", "Palika Bazaar entrance", "28.631500",
     "77.216700", 72, "Tall (about 170 cm), slim, black hoodie, jeans, white sneakers. Wears glasses.",
     ("Anil Verma", "+919811000505"), "missing"),
    ("0006", "Kavya Reddy", 10, "female", "MG Road, Bengaluru", "near the metro station", "12.975600", "77.606600",
     120, "Shoulder-length hair, purple jacket, black leggings. Carries a small teddy-bear keychain.",
     ("Lakshmi Reddy", "+919880000606"), "missing"),
    ("0007", "आरव पटेल", 6, "male", "Navrangpura, Ahmedabad", "near the bus stand", "23.036900", "72.561100", 30,
     "Round face, very short hair, orange T-shirt and brown shorts. Knows his father's phone number.",
     ("Nilesh Patel", "+919825000707"), "missing"),
    ("0008", "Sana Khan", 13, "female", "Hazratganj, Lucknow", "", "26.850000", "80.947000", 200,
     "Wearing a white salwar kameez with a blue dupatta. Black backpack. Has a mole on her right cheek.",
     ("Imran Khan", "+919415000808"), "missing"),
    ("0009", "Arjun Nair", 11, "male", "T. Nagar, Chennai", "Ranganathan Street", "13.041800", "80.234100", 400,
     "Medium build, curly hair, blue school uniform. Was last seen with a cricket bat.",
     ("Deepa Nair", "+919840000909"), "found"),
    ("0010", "Meera Joshi", 8, "female", "Hawa Mahal, Jaipur", "", "26.923900", "75.826700", 900,
     "Two pony tails, red lehenga, silver anklets.", ("Sunil Joshi", "+919829001010"), "closed"),
]

DEMO_SIGHTINGS = {
    "0001": [("Kalyani Nagar, Pune", "18.548600", "73.902300", 3, "A boy in a red tiger T-shirt was walking with "
              "an older woman towards the bridge.", "+919900000001")],
    "0002": [("Versova, Mumbai", "19.131600", "72.814400", 20, "Girl in a navy skirt with a pink bag at the bus "
              "stop, looked lost.", "+919900000002"),
             ("Juhu Beach, Mumbai", "19.098800", "72.826500", 12, "Saw a girl with two plaits buying water near "
              "the beach entrance.", "")],
    "0004": [("Howrah Bridge, Kolkata", "22.585100", "88.346800", 6, "Small girl in a yellow frock crying near "
              "the bridge, a man was with her.", "+919900000004")],
}


def demo_reference(suffix: str) -> str:
    return f"MC20261101DE00{suffix}"


def placeholder_photo(seed: str) -> ContentFile:
    """A drawn placeholder (no real child's photo is used for demo data)."""
    digest = hashlib.sha256(seed.encode()).digest()
    background = (180 + digest[0] % 60, 190 + digest[1] % 50, 200 + digest[2] % 50)
    skin = (150 + digest[3] % 80, 110 + digest[4] % 60, 80 + digest[5] % 50)
    shirt = (digest[6], digest[7], digest[8])
    image = Image.new("RGB", (600, 600), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((80, 380, 520, 820), fill=shirt)
    draw.ellipse((190, 120, 410, 380), fill=skin)
    draw.pieslice((180, 100, 420, 330), 180, 360, fill=(40, 30, 25))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return ContentFile(out.getvalue(), name="demo.jpg")


class Command(BaseCommand):
    help = "Create demo cases and sightings in Indian cities (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now()
        created_cases = created_sightings = 0
        for (suffix, name, age, gender, place, spot, lat, lng, hours, description, contact,
             status) in DEMO_CASES:
            reference = demo_reference(suffix)
            if Case.objects.filter(reference=reference).exists():
                continue
            case = Case.objects.create(
                reference=reference, name=name, age=age, gender=gender, last_seen_place=place,
                last_seen_specific=spot, latitude=Decimal(lat), longitude=Decimal(lng),
                last_seen_at=now - timedelta(hours=hours), description=description, contact_name=contact[0],
                contact_phone=contact[1], reporter_name=contact[0], reporter_phone=contact[1], status=status,
                created_at=now - timedelta(hours=hours) + timedelta(minutes=40), geocoding="manual",
                location_precision="exact", name_key=name_key(name),
                # Demo cases are published, as a confirmed report with the family's consent is.
                verification="verified", verification_method="import",
                verification_at=now - timedelta(hours=hours) + timedelta(minutes=45),
                consent_at=now - timedelta(hours=hours) + timedelta(minutes=40), consent_given_by=contact[0],
                consent_version=CURRENT_VERSION,
                resolved_at=now - timedelta(hours=hours) + timedelta(minutes=40, hours=hours / 2)
                if status != "missing" else None,
            )
            case.photo.save("demo.jpg", placeholder_photo(reference), save=True)
            StatusChange.objects.create(case=case, from_status="", to_status="missing", note="Reported (demo)",
                                        changed_at=case.created_at)
            if status != "missing":
                StatusChange.objects.create(case=case, from_status="missing", to_status=status,
                                            note="Demo: reunited with family" if status == "found" else "Demo",
                                            changed_at=case.resolved_at)
            created_cases += 1
            for s_place, s_lat, s_lng, s_hours, s_description, phone in DEMO_SIGHTINGS.get(suffix, []):
                # Published by the team, so the demo case pages show them.
                Sighting.objects.create(case=case, place=s_place, latitude=Decimal(s_lat), longitude=Decimal(s_lng),
                                        seen_at=now - timedelta(hours=s_hours), description=s_description, geocoding="manual",
                                        reporter_phone=phone, published_at=now)
                created_sightings += 1
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {created_cases} new cases, {created_sightings} new sightings "
            f"({Case.objects.count()} cases in total)."
        ))
