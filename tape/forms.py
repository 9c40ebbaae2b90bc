from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RestageForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_(
            "We send you a link to confirm the request, then one e-mail when the files are "
            "online. The address is erased once you have been told."
        ),
        error_messages={
            "required": _("Please give an e-mail address."),
            "invalid": _("This is not an e-mail address (it should look like name@example.org)."),
        },
    )
