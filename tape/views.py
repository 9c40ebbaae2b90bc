"""The restage pages: the request form (also swapped in place on a landing page by htmx) and the
verification page behind the e-mailed link (GET shows a button, POST verifies: link scanners
that fetch every URL in a mail must not verify anything)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from catalogue.models import Dataset
from lib.htmx_request import wants_partial
from tape import restage
from tape.forms import RestageForm
from tape.selectors import restage_box

if TYPE_CHECKING:
    from lib.htmx_request import HtmxHttpRequest

logger = logging.getLogger(__name__)


def _dataset(pid: str) -> Dataset:
    dataset = Dataset.objects.public().filter(pid=pid).first()
    if dataset is None:
        raise Http404(_("No public dataset has this PID."))
    return dataset


@require_http_methods(["GET", "HEAD", "POST"])
def restage_request(request: HtmxHttpRequest, pid: str) -> HttpResponse:
    dataset = _dataset(pid)
    form = RestageForm(request.POST or None)
    status, sent, problem = 200, False, ""
    if request.method == "POST":
        if form.is_valid():
            try:
                restage.restage_ask(
                    dataset=dataset, email=form.cleaned_data["email"], language=get_language()
                )
            except restage.RestageLimited as exc:
                status, problem = 429, str(exc)
            except restage.RestageError as exc:
                status, problem = 409, str(exc)
            except OSError as exc:  # the mail server did not take the message: nothing kept
                logger.warning("verification e-mail not sent: %s", exc)
                status = 503
                problem = _("We could not send the e-mail just now. Please try again later.")
            else:
                sent = True
        else:
            status = 400
    context = {"dataset": dataset, "form": form, "sent": sent, "problem": problem}
    context["restage"] = restage_box(dataset)
    template = "tape/request.html#box" if wants_partial(request) else "tape/request.html"
    response = render(request, template, context, status=status)
    if status == 429:
        response["Retry-After"] = "86400"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    context: dict[str, object] = {"token": token, "done": False, "problem": ""}
    status = 200
    if request.method == "POST":
        try:
            requester = restage.restage_verify(token=token)
        except restage.TokenInvalid as exc:
            status, context["problem"] = 400, str(exc)
        else:
            context["done"] = True
            context["dataset"] = requester.dataset
            context["request"] = requester.request
    return render(request, "tape/verify.html", context, status=status)
