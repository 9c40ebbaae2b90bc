"""Names vulture cannot see used (``make lint`` runs vulture with this file; see pyproject).

Each line reads a name that Django, Celery, the admin, a template or a library calls by name or by
convention, so vulture counts it as used. Written as attribute reads on the real classes so that
mypy fails here when one is renamed or removed. Framework conventions (Meta options, admin hooks,
settings) are ``ignore_names`` in pyproject instead.
"""

from django.http import HttpResponse

from bench.generate import Summary
from bench.harness import Context, Metric
from bench.locustfile import Abuser, Visitor, _write
from bench.scenarios.usage_report import _NullDataCite
from catalogue.access import DataAccess
from catalogue.id_lists import InList
from catalogue.models import Dataset, SearchBacklog, Thumbnail
from catalogue.payloads import DatasetIn
from catalogue.search.base import SearchPage
from catalogue.search_page import Column, FacetGroup, Row, SearchPageModel
from landing.citation import citations
from landing.pages import Common
from landing.records import Version
from lib.log_redaction import ReviewTokenFilter
from operations.logs import JsonFormatter, PlainFormatter, RequestIdFilter, request_id
from operations.metrics import request_metrics
from operations.rate_limit import forget_refusals, rate_limit
from operations.security import admin_networks, forwarded_proto_from_proxies
from portal.celery import _task_ended, _task_started, app
from portal.middleware import content_security_policy
from portal.replica import ReplicaRouter, replica_reads
from publishing.datacite import DoiRecord, _RecordingRESTClient
from publishing.editor.rows import ContributorRow, CreatorRow, GeoLocationRow, RelatedRow, RightsRow
from publishing.forms import DataCiteListField
from publishing.models import Publication, ReservedDataset
from publishing.payloads import PublicationIn
from review.admin import ReviewAdmin
from review.models import ReviewLink
from review.pages import DatasetView
from sitepages.admin import SitePageAdmin
from sitepages.defaults import default_pages
from sitepages.defaults_de import default_pages_de
from sitepages.markup import _parser
from sitepages.models import SitePage
from stats.models import DatasetFigure, OpennessFigure
from stats.page import Cell, Section
from stats.page import Column as StatsColumn
from sync.checks import sync_settings_check
from sync.models import QuarantinedRecord, SyncRun
from sync.services import ImportReport
from tape.models import Requester, RestageRequest
from tape.selectors import RestageBox
from tape.wlcg import StageStatus
from usage import buffer
from usage.models import AggregatedMonth, DataCiteUsageReport

# Model fields shown by the admin or templates, or kept for operators (never read in Python).
Dataset.source_updated_at
Thumbnail.content_digest
AggregatedMonth.aggregated_at
DataCiteUsageReport.sent_at  # the admin shows when and how often a month went to DataCite
DataCiteUsageReport.times_sent
buffer.discard  # tests/conftest.py: each test starts with an empty buffer
SearchBacklog.queued_at
Publication.doi_state_changed_at
Publication.datacite_synced_at
SyncRun.host
SyncRun.process_id
SyncRun.watermark_from
SyncRun.files_partial
SyncRun.files_incomplete
SyncRun.catalogue_release
QuarantinedRecord.first_seen
QuarantinedRecord.last_seen
QuarantinedRecord.attempts


def _tape_fields(box: RestageBox, status: StageStatus) -> None:
    """The tape app's records: the page template and the operators read these."""
    box.requested  # tape/_box.html
    status.completed_at


def _record_fields(
    dataset: DatasetIn,
    publication: PublicationIn,
    page: SearchPage,
    common: Common,
    version: Version,
    doi: DoiRecord,
    report: ImportReport,
    summary: Summary,
    metric: Metric,
    context: Context,
    field: DataCiteListField,
    row: Row,
    group: FacetGroup,
    column: Column,
    search_page: SearchPageModel,
    access: DataAccess,
    stats_section: Section,
    stats_column: StatsColumn,
    stats_cell: Cell,
    review_dataset: DatasetView,
) -> None:
    """Payload and record fields read by templates, the run report or tests only."""
    dataset.source_updated_at
    publication.source_updated_at
    page.degraded  # {% if page.degraded %}
    common.resource_type_general  # landing/_about.html
    common.technical_info  # landing/dataset.html
    version.identifier_type
    doi.client_id
    report.files_partial
    report.files_incomplete
    summary.parameters_hint
    summary.visible_publications
    metric.better
    context.database_label
    field.help_text  # read by the admin form
    # The search page's model, printed by catalogue/dataset_list.html.
    row.run_number
    row.thumbnail_url
    row.thumbnail_alt
    row.title_html
    row.pid_html
    row.folder_html
    # "Get the data", printed by landing/_aside.html.
    access.explanation
    access.ask
    access.contact_url
    group.selected_count
    column.hint
    review_dataset.files_more  # review/review.html
    review_dataset.downloads_withheld
    search_page.row_errors
    search_page.operators
    search_page.clear_url
    search_page.keys_url
    search_page.feed_url
    search_page.per_page_choices
    search_page.current_sort_label
    # The statistics page's sections, printed by stats/statistics.html.
    stats_section.chart
    stats_column.heading
    stats_cell.exact


# The statistics figures' filter columns, read
# through Q(beamline_pid=...) in stats/selectors.py.
DatasetFigure.beamline_pid
OpennessFigure.beamline_pid

# Entry points called by name: middleware (settings.MIDDLEWARE), a system check (@register),
# a library hook (datacite's client builds its request with _create_request), and one kept for
# tests (every citation style at once).
content_security_policy
rate_limit  # MIDDLEWARE, by name
request_id
request_metrics
admin_networks
forwarded_proto_from_proxies
RequestIdFilter  # LOGGING, by name
JsonFormatter
PlainFormatter
_task_started  # Celery signal receivers
_task_ended
sync_settings_check
_RecordingRESTClient._create_request
citations
replica_reads
# Django's database router interface (settings.DATABASE_ROUTERS).
ReplicaRouter
ReplicaRouter.db_for_read
ReplicaRouter.db_for_write
ReplicaRouter.allow_relation
ReplicaRouter.allow_migrate
# Kombu's pool, reset by assignment when the benchmark points Celery at another broker.
app._pool
_record_fields

# http.server calls a handler's do_<METHOD> and log_message by name.
_NullDataCite.do_PUT
_NullDataCite.do_POST
_NullDataCite.log_message

# Django's handler reads it: a response already logged is not logged again (the rate limiter's).
_ = HttpResponse()._has_been_logged  # type: ignore[attr-defined]

# The editor's row forms: Django reads their fields by name (the templates render them).
CreatorRow.given_name
CreatorRow.family_name
CreatorRow.affiliation_name
CreatorRow.affiliation_ror
CreatorRow.affiliation2_name
CreatorRow.affiliation2_ror
ContributorRow.field_order
GeoLocationRow.point_latitude
GeoLocationRow.point_longitude
RightsRow.rights_uri
RelatedRow.relation_information

# locust finds the user classes, their tasks and hooks by name (bench/locustfile.py).
Visitor
Visitor.wait_time
Visitor.on_start
Visitor.dataset_page
Visitor.oai
Abuser
Abuser.fixed_count
Abuser.wait_time
Abuser.scrape
_write

# Django's syndication framework calls a feed's parts by name (landing/feeds.py).
from landing.feeds import NewPublications, SearchFeed  # noqa: E402

for _feed in (NewPublications, SearchFeed):
    _feed.feed_type
    _feed.get_object
    _feed.subtitle
    _feed.item_title
    _feed.item_description
    _feed.item_link
    _feed.item_guid
    _feed.item_pubdate
    _feed.item_updateddate
    _feed.item_author_name
NewPublications.item_guid_is_permalink
SearchFeed.item_categories

# Reviews (review/): the logging filter is named in settings.LOGGING; the admin's add_view
# overrides Django's; fields read by templates and the admin.
ReviewTokenFilter
ReviewAdmin.add_view
ReservedDataset.released_at
ReviewLink.use_count
ReviewLink.last_used_at

# The tape app: bookkeeping fields shown in the admin and the page (templates read them by name).
RestageRequest.submitted_at
RestageRequest.online_at
Requester.erased_at
_tape_fields

# Site pages: the admin's delete hooks, the page's address (admin "View on site"), the defaults
# (read by the data migration, which vulture does not read), markdown-it's link check.
SitePageAdmin.delete_model
SitePageAdmin.delete_queryset
SitePage.get_absolute_url
default_pages
default_pages_de
_parser().validateLink

# A Django lookup: the ORM reads these attributes and calls as_sql / as_<vendor> by name.
InList.lookup_name
InList.prepare_rhs
InList.can_use_none_as_rhs
InList.as_sql
InList.as_postgresql

# The rate limiter's memory of refusals in this process: emptied between tests (tests/conftest.py),
# as Redis is.
forget_refusals
