"""The admin's form for a new review (the service checks the rest with the catalogue)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ReviewCreateForm(forms.Form):
    datasets = forms.CharField(
        label=_("Datasets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("PIDs of records under embargo, one per line"),
    )
    proposal = forms.CharField(
        label=_("Proposal"), required=False, help_text=_("or every dataset of this proposal")
    )
    expires = forms.DateField(
        label=_("Link expires"),
        required=False,
        help_text=_("YYYY-MM-DD; empty: PORTAL_REVIEW_LINK_DAYS from today"),
    )
    anonymous = forms.BooleanField(label=_("Anonymised (double-blind)"), required=False)
    note = forms.CharField(label=_("Note for staff"), required=False, widget=forms.Textarea)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pids = [line.strip() for line in data.get("datasets", "").splitlines() if line.strip()]
        if bool(pids) == bool(data.get("proposal", "").strip()):
            raise forms.ValidationError(_("Give either dataset PIDs or a proposal."))
        data["pids"] = pids
        return data
