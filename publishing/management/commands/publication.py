"""``python manage.py publication``: publications and their DOIs from a shell, for scripts.

    publication create --proposal 11012345        # prints the new draft's id
    publication create --datasets PID [PID ...]   # prints the new draft's id
    publication register 42 [--timeout 300]       # waits for the outcome; non-zero when it failed
    publication status 42
    publication resume                            # sends the task again for pending publications

A bulk run over past beamtimes::

    for p in $(cat proposals.txt); do
        id=$(python manage.py publication create --proposal "$p") &&
        python manage.py publication register "$id" || echo "$p failed"
    done
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalogue.models import Dataset, Proposal
from publishing.doi_metadata import MetadataInvalid
from publishing.models import PENDING_STATES, DoiState, Publication
from publishing.services.drafts import publication_create, publication_create_for_proposal
from publishing.services.errors import PublicationError
from publishing.services.registration import publication_register
from publishing.tasks import publication_sync


class Command(BaseCommand):
    help = "Create publications and register their DOIs at DataCite (see --help of each action)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, parser_class=ArgumentParser)

        create = actions.add_parser("create", help="a draft publication; prints its id")
        source = create.add_mutually_exclusive_group(required=True)
        source.add_argument("--proposal", metavar="ID", help="all public datasets of a proposal")
        source.add_argument("--datasets", metavar="PID", nargs="+", help="these datasets")
        create.add_argument("--title", default="", help="instead of the one made up")

        register = actions.add_parser(
            "register", help="register the DOI and wait for DataCite's answer"
        )
        register.add_argument("id", type=int)
        register.add_argument(
            "--timeout", type=float, default=300, help="seconds to wait (default 300)"
        )
        register.add_argument("--no-wait", action="store_true", help="only ask, do not wait")

        status = actions.add_parser("status", help="the DOI state of a publication")
        status.add_argument("id", type=int)

        resume = actions.add_parser("resume", help="send the task again for every pending one")
        resume.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "register":
            self._register(options["id"], timeout=options["timeout"], wait=not options["no_wait"])
        elif action == "status":
            self.stdout.write(self._describe(self._get(options["id"])))
        elif action == "resume":
            self._resume(progress=not options["no_progress"])

    def _get(self, publication_id: int) -> Publication:
        publication = Publication.objects.filter(pk=publication_id).first()
        if publication is None:
            raise CommandError(f"There is no publication {publication_id}.")
        return publication

    def _describe(self, publication: Publication) -> str:
        text = f"{publication.pk}\t{publication.doi or '-'}\t{publication.doi_state}"
        return text + (f"\t{publication.doi_state_reason}" if publication.doi_state_reason else "")

    def _create(self, options: dict[str, Any]) -> None:
        try:
            if options["proposal"]:
                proposal = Proposal.objects.filter(proposal_id=options["proposal"]).first()
                if proposal is None:
                    raise CommandError(f"There is no proposal {options['proposal']}.")
                publication = publication_create_for_proposal(proposal=proposal)
                if options["title"]:
                    publication.title = options["title"]
                    publication.save(update_fields=["title", "modified"])
            else:
                pids = options["datasets"]
                datasets = list(Dataset.objects.filter(pid__in=pids))
                missing = sorted(set(pids) - {d.pid for d in datasets})
                if missing:
                    raise CommandError(f"No such dataset: {', '.join(missing)}")
                publication = publication_create(datasets=datasets, title=options["title"])
        except PublicationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(publication.pk))

    def _register(self, publication_id: int, *, timeout: float, wait: bool) -> None:
        self._get(publication_id)
        try:
            publication_register(publication_id=publication_id)
        except MetadataInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError("The metadata would be refused; fix the fields above.") from None
        except PublicationError as exc:
            raise CommandError(str(exc)) from None
        deadline = time.monotonic() + timeout
        publication = self._get(publication_id)
        while wait and publication.doi_state in PENDING_STATES and time.monotonic() < deadline:
            time.sleep(0.5)
            publication = self._get(publication_id)
        self.stdout.write(self._describe(publication))
        if publication.doi_state == DoiState.FAILED:
            raise CommandError(f"Registration failed: {publication.doi_state_reason}")
        if wait and publication.doi_state in PENDING_STATES:
            raise CommandError(
                f"Still {publication.doi_state} after {timeout:g} s (is a Celery worker running?); "
                f"see `publication status {publication_id}` later."
            )

    def _resume(self, *, progress: bool) -> None:
        ids = list(
            Publication.objects.filter(doi_state__in=PENDING_STATES).values_list("pk", flat=True)
        )
        for publication_id in tqdm(ids, disable=not progress, file=self.stderr._out):
            publication_sync.delay(publication_id)
        self.stdout.write(f"{len(ids)} pending publication(s) sent to the queue again")
