"""``python manage.py review``: reviews of records under embargo, from a shell.

    review create --datasets PID [PID ...] [--expires YYYY-MM-DD] [--anonymous] [--note TEXT]
    review create --proposal ID [...]        # every dataset of the proposal in the catalogue
    review link 7 [--expires YYYY-MM-DD] [--label TEXT]   # another secret link
    review cancel 7 [--reason TEXT]          # not released: the DOI's page becomes a tombstone

``create`` and ``link`` print the reserved DOI and the review link (its token is shown this once:
only its hash is kept). The DOI is registered at DataCite in the background, like every DOI.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from review.models import Review
from review.services import ReviewError, review_cancel, review_create, review_link_create


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--expires: expected YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = "Reserve DOIs for records under embargo and give reviewers private links."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, parser_class=ArgumentParser)
        create = actions.add_parser("create", help="a review; prints its DOI and link")
        source = create.add_mutually_exclusive_group(required=True)
        source.add_argument("--datasets", metavar="PID", nargs="+", help="these datasets")
        source.add_argument("--proposal", metavar="ID", help="every dataset of a proposal")
        create.add_argument("--expires", metavar="YYYY-MM-DD", help="when the link stops working")
        create.add_argument("--anonymous", action="store_true", help="double-blind review")
        create.add_argument("--note", default="", help="for staff: journal, manuscript")

        link = actions.add_parser("link", help="another secret link to a review")
        link.add_argument("id", type=int)
        link.add_argument("--expires", metavar="YYYY-MM-DD")
        link.add_argument("--label", default="")

        cancel = actions.add_parser("cancel", help="the records will not be released")
        cancel.add_argument("id", type=int)
        cancel.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        expires = _day(options["expires"]) if options.get("expires") else None
        try:
            if options["action"] == "create":
                review, new = review_create(
                    pids=options["datasets"] or (),
                    proposal_id=options["proposal"] or "",
                    expires=expires,
                    anonymous=options["anonymous"],
                    note=options["note"],
                )
                self._print(review, new.url, new.link.expires_at.date())
            elif options["action"] == "link":
                review = self._review(options["id"])
                new = review_link_create(review=review, expires=expires, label=options["label"])
                self._print(review, new.url, new.link.expires_at.date())
            else:
                review = self._review(options["id"])
                if not review_cancel(review=review, reason=options["reason"]):
                    raise CommandError(f"Review {review.pk} was released or cancelled already.")
                self.stdout.write(
                    f"Review {review.pk} cancelled; {review.publication.doi} stays "
                    "registered and resolves to a tombstone."
                )
        except ReviewError as exc:
            raise CommandError(str(exc)) from exc

    def _review(self, pk: int) -> Review:
        review = Review.objects.select_related("publication").filter(pk=pk).first()
        if review is None:
            raise CommandError(f"There is no review {pk}.")
        return review

    def _print(self, review: Review, url: str, expires: date) -> None:
        self.stdout.write(f"review {review.pk}")
        self.stdout.write(f"DOI {review.publication.doi}")
        self.stdout.write(f"link {url}")
        self.stdout.write(f"expires {expires.isoformat()}")
