"""The publishing roles as groups: curators prepare publications, publishers register DOIs.

Staff accounts get their role by joining a group in the admin (Groups, under Authentication).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CURATOR_PERMISSIONS = [
    ("publishing", "publication", ["add", "change", "delete", "view"]),
    ("publishing", "datacitecall", ["view"]),
    ("catalogue", "dataset", ["view"]),
    ("catalogue", "proposal", ["view"]),
    ("catalogue", "instrument", ["view"]),
    ("catalogue", "technique", ["view"]),
]
GROUPS = {
    "Curators": [],
    "Publishers": ["publishing.register_publication"],
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for full in codenames:
        app_label, codename = full.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def add_groups(apps, schema_editor):
    # Permissions are normally made after all migrations ran; these need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    curator = [
        f"{app}.{action}_{model}"
        for app, model, actions in CURATOR_PERMISSIONS
        for action in actions
    ]
    for name, extra in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, curator + extra))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0002_doi_registration"),
        ("catalogue", "0003_sort_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(add_groups, remove_groups)]
