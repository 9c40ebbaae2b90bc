"""The German first versions of the site pages (sitepages/defaults_de.py), where German is one of
the portal's languages. Pages that already exist are left as staff made them.
"""

from django.conf import settings
from django.db import migrations

from sitepages.defaults import Facility
from sitepages.defaults_de import default_pages_de


def create_german(apps, schema_editor):
    if "de" not in dict(settings.LANGUAGES) or settings.LANGUAGE_CODE == "de":
        return
    SitePage = apps.get_model("sitepages", "SitePage")
    facility = Facility(
        name=settings.PORTAL_NAME,
        publisher=settings.PORTAL_PUBLISHER,
        base_url=settings.PORTAL_BASE_URL,
        contact_email=settings.PORTAL_CONTACT_EMAIL,
        address=tuple(settings.PORTAL_POSTAL_ADDRESS),
        data_contact=settings.PORTAL_DATA_CONTACT,
    )
    for page in default_pages_de(facility):
        SitePage.objects.get_or_create(
            slug=page.slug,
            language="de",
            defaults={"title": page.title, "description": page.description, "body": page.body},
        )


class Migration(migrations.Migration):
    dependencies = [("sitepages", "0002_defaults")]

    operations = [migrations.RunPython(create_german, migrations.RunPython.noop)]
