"""The first versions of the site pages (sitepages/defaults.py), from the settings at migrate time.

Pages that already exist are left as staff made them.
"""

from django.conf import settings
from django.db import migrations

from sitepages.defaults import Facility, default_pages


def create_defaults(apps, schema_editor):
    SitePage = apps.get_model("sitepages", "SitePage")
    facility = Facility(
        name=settings.PORTAL_NAME,
        publisher=settings.PORTAL_PUBLISHER,
        base_url=settings.PORTAL_BASE_URL,
        contact_email=settings.PORTAL_CONTACT_EMAIL,
        address=tuple(settings.PORTAL_POSTAL_ADDRESS),
        data_contact=settings.PORTAL_DATA_CONTACT,
    )
    for page in default_pages(facility):
        SitePage.objects.get_or_create(
            slug=page.slug,
            language=settings.LANGUAGE_CODE,
            defaults={"title": page.title, "description": page.description, "body": page.body},
        )


class Migration(migrations.Migration):
    dependencies = [("sitepages", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
