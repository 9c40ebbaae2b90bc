"""``python manage.py review``: reviews of records under embargo, from a shell.

    review create --datasets PID [PID ...] [--expires YYYY-MM-DD] [--anonymous] [--note TEXT]
    review create --proposal ID [...]        # every dataset of the proposal in the catalogue
    review link 7 [--expires YYYY-MM-DD] [--label TEXT]   # another secret link
    review cancel 7 [--reason TEXT]          # not released: the DOI's page becomes a tombstone
    review check [--review 7] [--no-progress] [--allow-mass-deletion]
                                             # close reviews whose records were deleted (hourly)

``create`` and ``link`` print the reserved DOI and the review link (its token is shown this once:
only its hash is kept). The DOI is registered at DataCite in the background, like every DOI.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from review.catalogue import CatalogueNotReadable
from review.models import Review
from review.selectors import reviews_open
from review.services import ReviewError, review_cancel, review_create, review_link_create
from review.withdrawals import MassDeletionRefused, reviews_check
from sync.scicat import CatalogueError


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

        check = actions.add_parser(
            "check", help="close reviews whose records the catalogue deleted (as beat does)"
        )
        check.add_argument("--review", type=int, action="append", help="only this review")
        check.add_argument("--no-progress", action="store_true")
        check.add_argument(
            "--allow-mass-deletion",
            action="store_true",
            help="mark even when the catalogue lost more records than SYNC_MAX_WITHDRAW_PERCENT",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            self._check(
                options["review"],
                progress=not options["no_progress"],
                allow=options["allow_mass_deletion"],
            )
            return
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

    def _check(self, ids: list[int] | None, *, progress: bool, allow: bool) -> None:
        total = reviews_open().filter(**({"pk__in": ids} if ids else {})).count()
        with tqdm(total=total, unit=" reviews", disable=not progress, file=self.stderr) as bar:
            try:
                report = reviews_check(
                    review_ids=ids, on_progress=bar.update, allow_mass_deletion=allow
                )
            except (CatalogueNotReadable, CatalogueError, MassDeletionRefused) as exc:
                raise CommandError(f"nothing decided: {exc}") from exc
        self.stdout.write(
            f"checked {report.reviews} reviews ({report.records} records): "
            f"{report.deleted} records deleted in the catalogue, {report.hidden} hidden from "
            f"the sync's account; closed as not released: {len(report.closed)}"
            + (f" ({', '.join(map(str, report.closed))})" if report.closed else "")
            + f"; open with records deleted: {len(report.partial)}"
        )

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
