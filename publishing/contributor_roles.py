"""DataCite 4.7's contributor types as people read them, translatable: what the editor's role
list and the landing pages show ("DataCollector" → "data collector"; German: "Datenerhebung").

The tests check that every value of the kernel's ``contributorType`` list has a label here.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

ROLE_LABELS: dict[str, Promise] = {
    "ContactPerson": pgettext_lazy("contributor role", "contact person"),
    "DataCollector": pgettext_lazy("contributor role", "data collector"),
    "DataCurator": pgettext_lazy("contributor role", "data curator"),
    "DataManager": pgettext_lazy("contributor role", "data manager"),
    "Distributor": pgettext_lazy("contributor role", "distributor"),
    "Editor": pgettext_lazy("contributor role", "editor"),
    "HostingInstitution": pgettext_lazy("contributor role", "hosting institution"),
    "Producer": pgettext_lazy("contributor role", "producer"),
    "ProjectLeader": pgettext_lazy("contributor role", "project leader"),
    "ProjectManager": pgettext_lazy("contributor role", "project manager"),
    "ProjectMember": pgettext_lazy("contributor role", "project member"),
    "RegistrationAgency": pgettext_lazy("contributor role", "registration agency"),
    "RegistrationAuthority": pgettext_lazy("contributor role", "registration authority"),
    "RelatedPerson": pgettext_lazy("contributor role", "related person"),
    "Researcher": pgettext_lazy("contributor role", "researcher"),
    "ResearchGroup": pgettext_lazy("contributor role", "research group"),
    "RightsHolder": pgettext_lazy("contributor role", "rights holder"),
    "Sponsor": pgettext_lazy("contributor role", "sponsor"),
    "Supervisor": pgettext_lazy("contributor role", "supervisor"),
    "Translator": pgettext_lazy("contributor role", "translator"),
    "WorkPackageLeader": pgettext_lazy("contributor role", "work package leader"),
    "Other": pgettext_lazy("contributor role", "other"),
}


def role_label(contributor_type: str) -> str:
    """The role in words, in the active language ("" for "")."""
    label = ROLE_LABELS.get(contributor_type)
    if label is not None:
        return str(label)
    return contributor_type
