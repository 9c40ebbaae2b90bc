"""A SciCat backend stand-in: a real HTTP server on 127.0.0.1 (a thread, or a process of its own).

It answers the parts of SciCat's API the portal's sync reads the way the real backend does, release
by release: ``SciCatStandIn(release="4.17.1")`` (the default) or ``"5.2.1"`` (``set_release()``;
``reset()`` keeps it). What follows was observed against the real servers (the
``shared/scicat-real`` kit) or read in their sources (SciCatProject/backend at those tags); only
``SCICAT_URL`` differs.

Callers. ``POST /api/v3/auth/login`` ``{"username", "password"}`` gives 201 ``{access_token, id,
expires_in, ...}`` (401 for a wrong account); ``Authorization: Bearer <token>`` then makes the call
a functional account's, which sees every record. No token, or a token the server never gave out,
is an anonymous call. An *expired* token (:meth:`expire_tokens`): 4.17.1 quietly treats the call
as anonymous (its JWT guard returns no user); 5.2.1 answers 401 ``SESSION_EXPIRED`` on every
route, the login included.

Filters. Every list takes ``?filter=<JSON>`` (proposals: ``?filters=``, plural; a ``filter`` there
is ignored, so the answer is every proposal). What a ``where`` may say depends on the route:

* ``/api/v4/*`` (datasets, ``datasets/public``, attachments, origdatablocks): MongoDB operators
  only (``$in``, ``$gte``, ``$or``, ``$regex``, ``$exists`` ...). SciCat's FilterValidationPipe
  flattens the filter (not into arrays) and refuses, 400 ``Property where.x.gte should not exist
  in the filter object``, every key part that is neither an operator nor a field name of the
  record's DTO (4.17.1 datasets: top-level dataset fields only, so ``datasetlifecycle.
  dateOfPublishing`` or ``scientificMetadata.x`` are refused; 5.2.1 also knows the lifecycle's
  fields and anything below ``scientificMetadata``). Lists are MongoDB aggregations: a date given
  as ISO text matches nothing (``v4_casts_dates = True`` plays a backend with SciCat PR #2346);
  ``limits`` ``{limit, skip, sort}``, default ``{10, 0, createdAt desc}`` when ``limits`` is
  absent (5.2.1 datasets: key by key); ``sort`` values other than ``"asc"`` mean descending (a
  MongoDB-style ``1`` too). ``/count`` casts dates (``countDocuments``).
* ``/api/v3/*``: Mongoose ``find``: dates are cast; LoopBack ``limits`` ``{limit (100), skip,
  order: "field:asc|desc"}`` (5.2.1 also takes a ``sort`` object). Bare LoopBack operators:
  4.17.1 ``/api/v3/datasets`` rewrites ``{"inq":``, ``{"nin":``, ``{"and":[``, ``{"or":[`` in the
  filter's *text* (so only as an object's first key; ``{"and": [`` with a space stays a field
  name, which matches nothing) and ``like``; everything else bare (``gte``, ``neq`` ...) fails
  Mongoose's casting: 500. Its ``replaceLikeOperator`` also turns arrays other than
  ``$or``/``$and``/``$in`` operands into objects, so ``$nin`` gives 500 there. 5.2.1 maps ``inq
  nin and or like ilike gt gte lt lte`` anywhere on ``/api/v3/datasets``,
  ``/api/v3/instruments`` and both publisheddata routes; other routes take ``$`` operators only.
  v3 datasets map ``proposalId``/``instrumentId``/``sampleId``/``principalInvestigator`` in a
  where to the stored plural fields.

Routes:

* ``GET /api/v3/health``.
* ``GET /api/v3/datasets`` (``/count``, ``/{pid}``): v3 shape (the stored record plus the
  singular ``proposalId``, ``instrumentId``, ``sampleId``, ``principalInvestigator``). Anonymous:
  published records only; on 4.17.1 the caller's ``where`` is then *replaced* by
  ``{"isPublished": true}``. ``include``: 4.17.1 honours ``{"relation": ...}`` objects only and
  attaches to every dataset the first 100 origdatablocks of the whole catalogue (any dataset,
  private ones too) and the dataset's attachments (10, newest first); ``/{pid}`` ignores include.
  5.2.1 joins properly, on the list and ``/{pid}``, but without access filter: anonymous callers
  get private blocks of public datasets too. A private record for an anonymous caller: 403.
* ``GET /api/v4/datasets/public`` (anonymous; published only) and ``GET /api/v4/datasets``
  (bearer token; 403 ``Forbidden resource`` anonymous; every record, the caller adds
  ``isPublished`` itself), ``/count``, ``/{pid}?include=`` (``filter`` is ignored there).
  ``include`` joins by caller, on either route: anonymous callers get origdatablocks and
  proposals with ``isPublished`` only; attachments are ``[]`` on 4.17.1 (it joins on a
  ``datasetId`` attachments do not have) and unfiltered on 5.2.1; a token gets everything on
  5.2.1, and on 4.17.1 everything but attachments until an anonymous include has made its
  lookups published-only for everyone (:attr:`public_only_lookups`).
* ``GET /api/v3/origdatablocks``: ``where`` goes through SciCat's ``createFullqueryFilter``
  (a list value means ``$in``; ``createdAt``/``updatedAt`` take ``{begin, end}`` only, anything
  else is a 500; ``ownerGroup``/``accessGroups`` are or-ed; a top-level ``$or`` is a 500), then
  Mongoose. Anonymous: 4.17.1 returns every matching block, private ones included (no access
  filter); 5.2.1 403. ``GET /api/v4/origdatablocks`` (+ ``/public``: ``isPublished`` only):
  5.2.1 only.
* ``GET /api/v4/attachments`` (token; anonymous callers get the published ones) and ``/public``
  (``isPublished`` only), both releases; ``relationships.targetId`` finds a dataset's
  attachments.
* ``GET /api/v3/instruments`` (anyone), ``GET /api/v3/proposals?filters=`` (``fields`` ignored;
  anonymous: ``isPublished`` proposals only, which real SciCat never has).
* ``GET /api/v3/publisheddata`` (both) and ``/api/v4/publisheddata`` (5.2.1; 404 on 4.17.1), and
  their ``/count``: 5.2.1 shows anonymous callers ``status: "registered"`` records only (forced
  into the where; v4 also overwrites a top-level ``$or``); 4.17.1 shows them every record (its
  interceptor edits ``req.query``, which Express 5 parses anew on each read). 4.17.1: a
  ``fields`` list in the filter is a 500 (``createFullqueryFilter`` over the list's indexes).
* Anything else: 404 ``Cannot GET <path?query>``. Errors look like NestJS's: ``{"message",
  "error", "statusCode"}``; a 500 is ``{"statusCode": 500, "message": "Internal server error"}``
  (:attr:`Seen.detail` says why).

Records. :meth:`put_dataset` stores what SciCat would: ``_id`` = pid, ``createdAt``, and the
lifecycle defaults Mongoose fills in, notably ``dateOfPublishing`` = midnight of JavaScript's
``new Date(year, month, getDay())`` of the creation moment (the weekday used as day of month,
so within about a week of ``createdAt``; 0 is the previous month's last day),
``archiveRetentionTime`` the same, ``publishedOn`` and ``dateOfDiskPurging`` the server's
start. Origdatablocks and attachments are collections of their own (``datasetId``;
``relationships[].targetId``), with ``_id`` (attachments also ``aid``),
``ownerGroup``/``accessGroups`` and ``isPublished`` false unless set (4.17.1 refuses it on
blocks). ``leak_relations = True`` makes the origdatablocks, attachments, instruments and
proposals lists ignore the caller's where (and the access filter): a catalogue bug the portal
must survive.

Ties: with one sort key, records sharing the value come back in a different order on every
request (MongoDB promises no order among ties).

Faults for tests: :meth:`fail` (answer with a status, optionally ``Retry-After``), :meth:`drop`
(send the headers and half the body of a page, then hang up), :meth:`stall` (answer only after
a delay: a client timeout), :meth:`expire_tokens` (every token given out so far stops working).
Every request is kept in :attr:`seen`.

For the benchmark, ``python -m tests.standins.scicat --export DIR [--release R]`` serves a saved
export (as written by ``bench.generate``) from a process of its own. Each dataset (without
relations) and each origdatablock and attachment is pre-rendered as JSON, indexed by pid, so a
page of datasets, or the blocks of 100 pids, is joining bytes.

The package, one concern a module: ``routes`` (:class:`SciCatStandIn`: callers, the dataset
routes, published data) on ``relations`` (the related collections' routes and ``include``) on
``state`` (the catalogue as tests write it, faults); ``releases`` (what each release does to a
filter before MongoDB sees it), ``where`` (evaluating it), ``store`` (the stored records and
their indexes), ``common`` (constants and small helpers), ``handler`` (HTTP). Import the names
below from here.
"""

from tests.standins.scicat.common import RELEASES, iso, js_default_date
from tests.standins.scicat.routes import SciCatStandIn
from tests.standins.scicat.store import Seen

__all__ = ["RELEASES", "SciCatStandIn", "Seen", "iso", "js_default_date"]
