"""The OAI-PMH 2.0 endpoint, ``/oai`` (GET and POST, as the protocol requires)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from oai import selectors, xmlwriter
from oai.arguments import Request, parse
from oai.errors import OaiError
from oai.verbs import VERBS, base_url
from usage.recording import record_investigation


@csrf_exempt  # harvesters POST without a session or CSRF token; the endpoint only reads
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request: HttpRequest) -> HttpResponse:
    """Answer one OAI-PMH request; protocol errors are answered with HTTP 200, as 3.6 requires."""
    now = timezone.now()
    query = request.POST if request.method == "POST" else request.GET
    raw = {key: query.getlist(key) for key in query}
    arguments = {key: values[0] for key, values in raw.items() if len(values) == 1}
    try:
        parsed = parse(raw)
        body = VERBS[parsed.verb](parsed, now)
    except OaiError as exc:
        echo = arguments if exc.echo_arguments else None
        body = [xmlwriter.error(code, message) for code, message in exc.errors]
        text = xmlwriter.envelope(base_url=base_url(), arguments=echo, body=body, now=now)
    else:
        text = xmlwriter.envelope(base_url=base_url(), arguments=arguments, body=body, now=now)
        if parsed.verb == "GetRecord":
            _count_record_read(request, parsed)
    return HttpResponse(text.encode(), content_type="text/xml; charset=utf-8")


def _count_record_read(request: HttpRequest, parsed: Request) -> None:
    """A GetRecord is a record read by a machine: a COUNTER investigation, machine access
    (:mod:`usage`); list harvests are not usage. A deleted record counts nothing."""
    key = selectors.key_of(parsed.get("identifier") or "")
    found = selectors.record(key, with_metadata=False) if key is not None else None
    if found is None or found.deleted:
        return
    if found.kind == selectors.PUBLICATION:
        record_investigation(request, publication_id=found.id, machine=True)
    else:
        record_investigation(request, dataset_id=found.id, machine=True)
