"""Settings for the public data portal.

Every value comes from the environment through the typed helpers in ``portal.env``. The defaults
run locally with no services at all: an SQLite file, the database search backend and Celery tasks
run eagerly. Each integration switches on with its variable (``OPENSEARCH_URL``,
``CELERY_BROKER_URL``, ...). The README lists every variable.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from lib.client_address import parse_networks
from lib.download_url import PatternError as DownloadPatternError
from lib.download_url import parse_pattern as parse_download_pattern
from lib.storage_path import StoragePathError, parse_storage_path
from portal.env import env_bool, env_int, env_list, env_period, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY: required when DEBUG is off (set SECRET_KEY or SECRET_KEY_FILE)"
        )
    # Local use: generate once and keep it, so sessions survive a restart.
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

PORTAL_BASE_URL = env_url("PORTAL_BASE_URL", "http://127.0.0.1:8000")
PORTAL_NAME = env_str("PORTAL_NAME", "Photon Science Data Portal")
PORTAL_PUBLISHER = env_str("PORTAL_PUBLISHER", "Photon Science Facility")
# The facility's contact, for the first versions of the site pages (sitepages/defaults.py: about,
# contact, imprint, privacy, accessibility), which staff then edit in the admin.
PORTAL_CONTACT_EMAIL = env_str("PORTAL_CONTACT_EMAIL")
if PORTAL_CONTACT_EMAIL and "@" not in PORTAL_CONTACT_EMAIL:
    raise ImproperlyConfigured(
        f"PORTAL_CONTACT_EMAIL: expected an e-mail address, got {PORTAL_CONTACT_EMAIL!r}"
    )
PORTAL_POSTAL_ADDRESS = [
    line.strip() for line in env_str("PORTAL_POSTAL_ADDRESS").split(";") if line.strip()
]
# Embargo policy (sync/policy.py): a record is public when the catalogue says isPublished, or, with
# this switched on, also once its embargo has ended: PORTAL_EMBARGO_PERIOD after the record's end
# (or creation) time, or a datasetlifecycle.dateOfPublishing later than the default SciCat fills in
# itself (SCICAT_POLICY_PUBLICATION_SHIFT mirrors SciCat's POLICY_PUBLICATION_SHIFT, in years).
PORTAL_PUBLISH_ON_EMBARGO_END = env_bool("PORTAL_PUBLISH_ON_EMBARGO_END", False)
PORTAL_EMBARGO_PERIOD = env_period("PORTAL_EMBARGO_PERIOD")
SCICAT_POLICY_PUBLICATION_SHIFT = env_int(
    "SCICAT_POLICY_PUBLICATION_SHIFT", 0, minimum=0, maximum=100
)
# How source folders are shown: "internal-prefix=public-prefix" rules, comma separated. A folder
# that matches no rule is shown as it is; PORTAL_SHOW_SOURCE_FOLDER=false hides all of them.
PORTAL_SOURCE_FOLDER_REWRITE = env_list("PORTAL_SOURCE_FOLDER_REWRITE", [])
PORTAL_SHOW_SOURCE_FOLDER = env_bool("PORTAL_SHOW_SOURCE_FOLDER", True)

for _rule in PORTAL_SOURCE_FOLDER_REWRITE:
    if "=" not in _rule:
        raise ImproperlyConfigured(
            f"PORTAL_SOURCE_FOLDER_REWRITE: expected 'internal-prefix=public-prefix', got {_rule!r}"
        )

# Landing pages: whom to ask to stage data kept on tape (an http(s) page or a mailto: address).
PORTAL_DATA_CONTACT = env_url("PORTAL_DATA_CONTACT", "", schemes=("https", "http", "mailto"))

# Landing pages: where a visitor downloads a file. A URL pattern with {path} (required),
# {source_folder}, {pid} or {pid_encoded} (lib/download_url.py); empty: no download links.
try:
    PORTAL_DOWNLOAD_URL = parse_download_pattern(env_str("PORTAL_DOWNLOAD_URL", ""))
except DownloadPatternError as _exc:
    raise ImproperlyConfigured(f"PORTAL_DOWNLOAD_URL: {_exc}") from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "catalogue",
    "publishing",
    "sync",
    "oai",
    "panosc",
    "usage",
    "landing",
    "home",
    "stats",
    "operations",
    "api",
    "review",
    "tape",
    "sitepages",
    "axes",
]

MIDDLEWARE = [
    "operations.logs.request_id",
    "operations.metrics.request_metrics",
    # X-Forwarded-Proto believed from PROXY_NETWORKS alone, before SecurityMiddleware reads it.
    "operations.security.forwarded_proto_from_proxies",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.content_security_policy",
    "operations.rate_limit.rate_limit",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag on every page and 304 when the visitor's copy is current (stored pages bring their own).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The visitor's language (cookie from the switcher, else Accept-Language) on pages; machine
    # formats stay English and language-neutral (portal/locale.py).
    "portal.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Visitors' GET/HEAD requests read from DATABASE_REPLICA_URL, if set, until they write.
    "portal.replica.replica_reads",
    "operations.security.admin_networks",
    # Last, as django-axes asks: it answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]


def _database(name: str = "DATABASE_URL") -> dict[str, object]:
    default = f"sqlite:///{VAR_DIR / 'portal.sqlite3'}" if name == "DATABASE_URL" else ""
    url = env_str(name, default)
    try:
        config = dj_database_url.parse(
            url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from None
    engine = str(config.get("ENGINE", ""))
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(f"{name}: use postgres:// or sqlite://, got {url!r}")
    if engine.endswith("sqlite3"):
        Path(str(config["NAME"])).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    return dict(config)


DATABASES = {"default": _database()}
# A PostgreSQL streaming replica of that database: visitors' reads go there (portal/replica.py).
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = _database("DATABASE_REPLICA_URL")
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL: a replica must be postgres://")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["portal.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The public pages in English and German (locale/de/LC_MESSAGES/django.po, `make messages`). No
# language prefix in URLs (DOI targets, OAI-PMH, API and sitemap addresses never change): the
# switcher's cookie, else the browser's Accept-Language, chooses; pages vary on both.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates in ISO 8601 (portal/formats/en); German ones as Django writes them.
FORMAT_MODULE_PATH = ["portal.formats"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise looks here even before collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Thumbnails are files under MEDIA_ROOT; the portal serves them itself unless a web server does.
PORTAL_SERVE_MEDIA = env_bool("PORTAL_SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Search: OpenSearch when OPENSEARCH_URL is set, otherwise the database backend.
# A cluster: several node URLs, comma-separated (a request that cannot reach one goes to the next).


def _node_urls(name: str) -> str:
    urls = env_list(name, [])
    for url in urls:
        if urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).netloc:
            raise ImproperlyConfigured(
                f"{name}: expected http:// or https:// URLs, comma-separated, got {url!r}"
            )
    return ",".join(url.rstrip("/") for url in urls)


OPENSEARCH_URL = _node_urls("OPENSEARCH_URL")
# The dataset index's primary shards (fixed when an index is made: a rebuild applies a change)
# and replica copies (applied to the live index when the portal next opens it).
OPENSEARCH_SHARDS = env_int("OPENSEARCH_SHARDS", 1, minimum=1, maximum=1024)
OPENSEARCH_REPLICAS = env_int("OPENSEARCH_REPLICAS", 0, minimum=0, maximum=16)
OPENSEARCH_INDEX = env_str("OPENSEARCH_INDEX", "portal-datasets")
OPENSEARCH_TIMEOUT = env_int("OPENSEARCH_TIMEOUT", 5, minimum=1)

# DataCite: DOIs for publications created in the portal. Off until DATACITE_URL is set; then the
# repository account (DATACITE_USERNAME / DATACITE_PASSWORD, or *_FILE) and its DOI prefix are
# required. https://api.test.datacite.org is DataCite's test system.
DATACITE_URL = env_url("DATACITE_URL")
DATACITE_USERNAME = env_str("DATACITE_USERNAME")
DATACITE_PASSWORD = env_str("DATACITE_PASSWORD")
DATACITE_PREFIX = env_str("DATACITE_PREFIX")
DATACITE_TIMEOUT = env_int("DATACITE_TIMEOUT", 20, minimum=1)
if DATACITE_PREFIX and not re.fullmatch(r"10\.[0-9]{4,9}", DATACITE_PREFIX):
    raise ImproperlyConfigured(
        f"DATACITE_PREFIX: expected a DOI prefix such as 10.12345, got {DATACITE_PREFIX!r}"
    )
if DATACITE_URL:
    for _required, _given in (
        ("DATACITE_USERNAME", DATACITE_USERNAME),
        ("DATACITE_PASSWORD", DATACITE_PASSWORD),
        ("DATACITE_PREFIX", DATACITE_PREFIX),
    ):
        if not _given:
            raise ImproperlyConfigured(f"{_required}: required when DATACITE_URL is set")
# DataCite's usage reports API (COUNTER "Dataset Report", `usage report --month`): off until
# DATACITE_USAGE_URL is set; then the JSON Web Token DataCite gives its members is required
# (DATACITE_USAGE_TOKEN, or *_FILE). DataCite takes at most 50,000 datasets per report part.
DATACITE_USAGE_URL = env_url("DATACITE_USAGE_URL")
DATACITE_USAGE_TOKEN = env_str("DATACITE_USAGE_TOKEN")
DATACITE_USAGE_TIMEOUT = env_int("DATACITE_USAGE_TIMEOUT", 120, minimum=1)
DATACITE_USAGE_RETRIES = env_int("DATACITE_USAGE_RETRIES", 5, minimum=0, maximum=20)
DATACITE_USAGE_MAX_ITEMS = env_int("DATACITE_USAGE_MAX_ITEMS", 50_000, minimum=1, maximum=50_000)
if DATACITE_USAGE_URL and not DATACITE_USAGE_TOKEN:
    raise ImproperlyConfigured("DATACITE_USAGE_TOKEN: required when DATACITE_USAGE_URL is set")
# Automatic DOIs for records whose embargo lifts: "off", "dataset" (one publication per dataset)
# or "beamtime" (one per proposal, growing as more of its datasets become public).
PORTAL_AUTO_DOI = env_str("PORTAL_AUTO_DOI", "off").lower() or "off"
if PORTAL_AUTO_DOI not in {"off", "dataset", "beamtime"}:
    raise ImproperlyConfigured(
        f"PORTAL_AUTO_DOI: expected off, dataset or beamtime, got {PORTAL_AUTO_DOI!r}"
    )
if PORTAL_AUTO_DOI != "off" and not DATACITE_URL:
    raise ImproperlyConfigured(f"PORTAL_AUTO_DOI: {PORTAL_AUTO_DOI!r} needs DATACITE_URL")

# Live sync from the internal catalogue (a SciCat backend): off until SCICAT_URL is set. The v4
# public API needs no account; v3 needs a functional account (SCICAT_USERNAME / SCICAT_PASSWORD,
# or a ready SCICAT_TOKEN). Celery beat runs the incremental sync every SYNC_INTERVAL_MINUTES,
# the embargo-end check hourly and the reconciliation nightly at SYNC_RECONCILE_HOUR (UTC).
SCICAT_URL = env_url("SCICAT_URL")
SCICAT_API_VERSION = env_str("SCICAT_API_VERSION", "v4").lower()
# The backend's release line: "auto" asks it once per run; "4" or "5" skips asking.
SCICAT_BACKEND_VERSION = env_str("SCICAT_BACKEND_VERSION", "auto").lower()
SCICAT_USERNAME = env_str("SCICAT_USERNAME")
SCICAT_PASSWORD = env_str("SCICAT_PASSWORD")
SCICAT_TOKEN = env_str("SCICAT_TOKEN")
SCICAT_PAGE_SIZE = env_int("SCICAT_PAGE_SIZE", 500, minimum=1, maximum=10_000)
SCICAT_ID_PAGE_SIZE = env_int("SCICAT_ID_PAGE_SIZE", 10_000, minimum=1, maximum=100_000)
SCICAT_TIMEOUT = env_int("SCICAT_TIMEOUT", 30, minimum=1)
SCICAT_RETRIES = env_int("SCICAT_RETRIES", 5, minimum=0, maximum=20)
SYNC_INTERVAL_MINUTES = env_int("SYNC_INTERVAL_MINUTES", 5, minimum=1)
SYNC_OVERLAP_SECONDS = env_int("SYNC_OVERLAP_SECONDS", 300, minimum=0)
SYNC_RECONCILE_HOUR = env_int("SYNC_RECONCILE_HOUR", 2, minimum=0, maximum=23)
SYNC_MAX_WITHDRAW_PERCENT = env_int("SYNC_MAX_WITHDRAW_PERCENT", 10, minimum=0, maximum=100)
SYNC_LOCK_TIMEOUT = env_int("SYNC_LOCK_TIMEOUT", 300, minimum=5)
if SCICAT_API_VERSION not in {"v3", "v4"}:
    raise ImproperlyConfigured(f"SCICAT_API_VERSION: expected v3 or v4, got {SCICAT_API_VERSION!r}")
if SCICAT_BACKEND_VERSION not in {"auto", "4", "5"}:
    raise ImproperlyConfigured(
        f"SCICAT_BACKEND_VERSION: expected auto, 4 or 5, got {SCICAT_BACKEND_VERSION!r}"
    )
if SCICAT_URL and SCICAT_API_VERSION == "v3" and not SCICAT_TOKEN:
    for _name, _value in (
        ("SCICAT_USERNAME", SCICAT_USERNAME),
        ("SCICAT_PASSWORD", SCICAT_PASSWORD),
    ):
        if not _value:
            raise ImproperlyConfigured(
                f"{_name}: required with SCICAT_API_VERSION=v3 (or give SCICAT_TOKEN)"
            )

# OAI-PMH (/oai): harvesters identify records as oai:<OAI_REPOSITORY_IDENTIFIER>:<doi or pid>.
# The identifier is a domain name the facility controls (by default the portal's host name);
# it must never change once harvesters know it. OAI_ADMIN_EMAIL: comma-separated addresses.
_OAI_REPOSITORY = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")
_portal_host = (urlsplit(PORTAL_BASE_URL).hostname or "").lower()
OAI_REPOSITORY_IDENTIFIER = env_str(
    "OAI_REPOSITORY_IDENTIFIER",
    _portal_host if _OAI_REPOSITORY.fullmatch(_portal_host) else "portal.localhost",
)
if not _OAI_REPOSITORY.fullmatch(OAI_REPOSITORY_IDENTIFIER):
    raise ImproperlyConfigured(
        "OAI_REPOSITORY_IDENTIFIER: expected a domain name such as data.facility.example, "
        f"got {OAI_REPOSITORY_IDENTIFIER!r}"
    )
OAI_ADMIN_EMAIL = env_list("OAI_ADMIN_EMAIL", [f"oai-admin@{OAI_REPOSITORY_IDENTIFIER}"])
for _email in OAI_ADMIN_EMAIL or [""]:
    if not re.fullmatch(r"[^@\s]+@([^@\s]+\.)+[^@\s]+", _email):
        raise ImproperlyConfigured(
            f"OAI_ADMIN_EMAIL: expected e-mail addresses, comma-separated, got {_email!r}"
        )
# Records per ListRecords / ListIdentifiers page.
OAI_PAGE_SIZE = env_int("OAI_PAGE_SIZE", 100, minimum=1)

# The tape archive (tape/): where each file is (archiveinfo) and restaging on request, through
# the storage system's WLCG Tape REST API. Off until PORTAL_TAPE_REST_URL is set (the storage's
# base URL, discovered through /.well-known/wlcg-tape-rest-api, or an endpoint URL itself).
PORTAL_TAPE_REST_URL = env_url("PORTAL_TAPE_REST_URL")
PORTAL_TAPE_TOKEN = env_str("PORTAL_TAPE_TOKEN")
PORTAL_TAPE_TIMEOUT = env_int("PORTAL_TAPE_TIMEOUT", 30, minimum=1)
try:
    PORTAL_TAPE_PATH = parse_storage_path(
        env_str("PORTAL_TAPE_PATH", "/{source_folder}/{path}" if PORTAL_TAPE_REST_URL else "")
    )
except StoragePathError as _exc:
    raise ImproperlyConfigured(f"PORTAL_TAPE_PATH: {_exc}") from None
PORTAL_TAPE_LOCALITY_HOURS = env_int("PORTAL_TAPE_LOCALITY_HOURS", 24, minimum=1)
PORTAL_TAPE_POLL_SECONDS = env_int("PORTAL_TAPE_POLL_SECONDS", 120, minimum=10)
PORTAL_RESTAGE_DISK_DAYS = env_int("PORTAL_RESTAGE_DISK_DAYS", 7, minimum=1, maximum=365)
PORTAL_RESTAGE_DAILY_BYTES = env_int("PORTAL_RESTAGE_DAILY_BYTES", 50 * 10**12, minimum=0)
PORTAL_RESTAGE_APPROVAL_BYTES = env_int("PORTAL_RESTAGE_APPROVAL_BYTES", 5 * 10**12, minimum=0)
PORTAL_RESTAGE_EMAIL_LIMIT = env_int("PORTAL_RESTAGE_EMAIL_LIMIT", 5, minimum=1)
PORTAL_RESTAGE_RETRIES = env_int("PORTAL_RESTAGE_RETRIES", 5, minimum=0, maximum=20)
PORTAL_RESTAGE_STAFF_EMAIL = env_list("PORTAL_RESTAGE_STAFF_EMAIL", [])
PORTAL_RESTAGE_VERIFY_HOURS = env_int("PORTAL_RESTAGE_VERIFY_HOURS", 48, minimum=1)

# E-mail (the restage requests' messages). Without EMAIL_HOST, messages are written to the log.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_SSL: set only one of EMAIL_USE_TLS and EMAIL_USE_SSL")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
_mail_host = urlsplit(PORTAL_BASE_URL).hostname or "localhost"
if re.fullmatch(r"[0-9.:]+", _mail_host):  # an IP address: no mail domain
    _mail_host = "localhost"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"noreply@{_mail_host}")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: tasks run eagerly in-process until a broker is configured.
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", schemes=("redis", "rediss", "memory"))
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues, so that each kind of work can get workers of its own (README, "Operations"): the
# catalogue sync ("sync"), search index updates ("index"), DOI registration with DataCite
# ("doi"); the rest (usage counting, statistics) on Celery's default queue "celery". A worker
# started without -Q takes all four; `-Q sync` (etc.) makes one for that queue alone.
CELERY_TASK_ROUTES = {
    "sync.tasks.*": {"queue": "sync"},
    "catalogue.tasks.*": {"queue": "index"},
    "publishing.tasks.*": {"queue": "doi"},
}
CELERY_TASK_QUEUES = [Queue(name) for name in ("celery", "sync", "index", "doi")]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # the LOGGING below (JSON lines) covers workers too
REDIS_URL = env_url(
    "REDIS_URL",
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
    schemes=("redis", "rediss"),
)

# Django's cache: Redis (REDIS_URL) when there is one, shared by every web process; otherwise a
# memory cache per process. Whole public pages (home, dataset and publication pages) are kept
# there PORTAL_PAGE_CACHE_SECONDS (0: never; off by default in development) and dropped by the
# services that change them (catalogue/page_cache.py). PORTAL_PUBLIC_MAX_AGE: how long browsers
# and a CDN in front may keep those pages (Cache-Control: public; 0 leaves the header out).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal"),
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Embargoed metadata a review page read from the catalogue (review/catalogue.py): in this
    # process's memory only, never in Redis nor beside what public pages cache.
    "review": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "review",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}
PORTAL_PAGE_CACHE_SECONDS = env_int("PORTAL_PAGE_CACHE_SECONDS", 0 if DEBUG else 600, minimum=0)
PORTAL_PUBLIC_MAX_AGE = env_int("PORTAL_PUBLIC_MAX_AGE", 0 if DEBUG else 300, minimum=0)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before checking it
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login throttling (django-axes): after ADMIN_LOGIN_FAILURE_LIMIT failed logins for one user
# name from one address, that pair is locked out for ADMIN_LOGIN_COOLOFF_MINUTES (429).
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "operations.security.client_ip"
AXES_VERBOSE = False  # the failures are logged by their own logger, without the password
# Optional: /admin/ only from these networks (comma-separated; empty: from anywhere).
try:
    ADMIN_NETWORKS = parse_networks(env_list("ADMIN_NETWORKS", []))
except ValueError as _exc:
    raise ImproperlyConfigured(f"ADMIN_NETWORKS: {_exc}") from None

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
# The proxies whose X-Forwarded-For is believed (lib/client_address.py): a request from anywhere
# else counts as its own peer's, so a client reaching gunicorn directly cannot pick its address.
try:
    PROXY_NETWORKS = parse_networks(env_list("PROXY_NETWORKS", ["127.0.0.0/8", "::1"]))
except ValueError as _exc:
    raise ImproperlyConfigured(f"PROXY_NETWORKS: {_exc}") from None
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# HTTPS: HSTS (sent on HTTPS answers only) for a year by default without DEBUG; the redirect from
# plain HTTP is usually the TLS proxy's job, SECURE_SSL_REDIRECT=true makes it the portal's.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]  # probes speak plain HTTP
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Usage counting (usage/, COUNTER Code of Practice for Research Data): views of landing pages and
# exports, downloads through the counting redirect; aggregated nightly at USAGE_AGGREGATE_HOUR.
USAGE_COUNTING = env_bool("USAGE_COUNTING", True)
USAGE_AGGREGATE_HOUR = env_int("USAGE_AGGREGATE_HOUR", 1, minimum=0, maximum=23)

# Per-client rate limits (operations/rate_limit.py): points per RATE_LIMIT_WINDOW seconds for each
# class of traffic (0: unlimited), counted in Redis; clients in RATE_LIMIT_EXEMPT_NETWORKS (known
# good harvesters) are never limited. Off without Redis.
RATE_LIMIT = env_bool("RATE_LIMIT", True)
RATE_LIMIT_REDIS_URL = env_url("RATE_LIMIT_REDIS_URL", REDIS_URL, schemes=("redis", "rediss"))
RATE_LIMIT_WINDOW = env_int("RATE_LIMIT_WINDOW", 60, minimum=1, maximum=86_400)
RATE_LIMIT_SEARCH = env_int("RATE_LIMIT_SEARCH", 120, minimum=0)
RATE_LIMIT_PAGES = env_int("RATE_LIMIT_PAGES", 600, minimum=0)
RATE_LIMIT_EXPORTS = env_int("RATE_LIMIT_EXPORTS", 300, minimum=0)
RATE_LIMIT_OAI = env_int("RATE_LIMIT_OAI", 600, minimum=0)
RATE_LIMIT_API = env_int("RATE_LIMIT_API", 600, minimum=0)
try:
    RATE_LIMIT_EXEMPT_NETWORKS = parse_networks(env_list("RATE_LIMIT_EXEMPT_NETWORKS", []))
except ValueError as _exc:
    raise ImproperlyConfigured(f"RATE_LIMIT_EXEMPT_NETWORKS: {_exc}") from None

# Reviews before the embargo ends (review/): secret links to records under embargo, read live
# from the internal catalogue and kept only in the "review" cache (CACHES above).
PORTAL_REVIEW_DOWNLOADS = env_bool("PORTAL_REVIEW_DOWNLOADS", False)
PORTAL_REVIEW_CACHE_SECONDS = env_int("PORTAL_REVIEW_CACHE_SECONDS", 180, minimum=0, maximum=900)
PORTAL_REVIEW_LINK_DAYS = env_int("PORTAL_REVIEW_LINK_DAYS", 90, minimum=1, maximum=3660)
PORTAL_REVIEW_ANONYMOUS_KEYS = env_list("PORTAL_REVIEW_ANONYMOUS_KEYS", [])
PORTAL_REVIEW_GUESS_LIMIT = env_int("PORTAL_REVIEW_GUESS_LIMIT", 20, minimum=1)
PORTAL_REVIEW_GUESS_WINDOW = env_int("PORTAL_REVIEW_GUESS_WINDOW", 600, minimum=10)
# A review whose every record the catalogue deleted is closed as not released (its DOI a
# tombstone) once they have been found deleted this long (review/withdrawals.py; 0: at once).
PORTAL_REVIEW_WITHDRAWN_AFTER_HOURS = env_int(
    "PORTAL_REVIEW_WITHDRAWN_AFTER_HOURS", 24, minimum=0, maximum=24 * 90
)
# Health and metrics (operations/): /readyz answers 503 when one of READYZ_REQUIRED (database,
# redis, broker, search, sync, doi; the database always) is down or stale; a sync or a backlog
# entry older than these seconds is stale (0: never). /metrics only for METRICS_NETWORKS.
READYZ_REQUIRED = env_list("READYZ_REQUIRED", ["database"])
_READYZ_CHECKS = {"database", "redis", "broker", "search", "sync", "doi"}
if set(READYZ_REQUIRED) - _READYZ_CHECKS:
    raise ImproperlyConfigured(
        f"READYZ_REQUIRED: expected some of {', '.join(sorted(_READYZ_CHECKS))}, "
        f"got {', '.join(READYZ_REQUIRED)}"
    )
READYZ_MAX_SYNC_AGE = env_int("READYZ_MAX_SYNC_AGE", 3600, minimum=0)
READYZ_MAX_BACKLOG_AGE = env_int("READYZ_MAX_BACKLOG_AGE", 3600, minimum=0)
try:
    METRICS_NETWORKS = parse_networks(env_list("METRICS_NETWORKS", ["127.0.0.0/8", "::1"]))
except ValueError as _exc:
    raise ImproperlyConfigured(f"METRICS_NETWORKS: {_exc}") from None

# The nightly bulk dump of the public metadata (operations/dumps.py, /dumps/): where, how many
# days are kept, and the hour (UTC) Celery beat writes it.
DUMPS_ROOT = Path(env_str("DUMPS_ROOT", str(VAR_DIR / "dumps")))
DUMPS_KEEP = env_int("DUMPS_KEEP", 3, minimum=1)
DUMP_HOUR = env_int("DUMP_HOUR", 3, minimum=0, maximum=23)

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The OpenAPI schema (/api/schema/) and its docs page (/api/docs/), with Swagger UI's files from
# drf-spectacular-sidecar (static, no CDN).
SPECTACULAR_SETTINGS = {
    "TITLE": f"{PORTAL_NAME} API",
    "DESCRIPTION": (
        "Read-only JSON API of the public research data: datasets (searched exactly as the "
        "search page searches), their files, DOI publications, instruments and proposals. "
        "Cursor pages, errors as RFC 9457 problem details, ETag/Last-Modified, CORS for GET."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": False,
    "PREPROCESSING_HOOKS": ["api.docs.only_version_1"],
}

# Logs (operations/logs.py): JSON lines with a request id (LOG_FORMAT=json, the default without
# DEBUG) or text lines (plain); secrets are taken out of both.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json").lower()
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT: expected json or plain, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "operations.logs.RequestIdFilter"},
        # Review links carry their secret in the path: every handler blanks it
        # (lib/log_redaction.py).
        "review_tokens": {"()": "lib.log_redaction.ReviewTokenFilter"},
    },
    "formatters": {
        "plain": {
            "()": "operations.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s",
        },
        "json": {"()": "operations.logs.JsonFormatter"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["review_tokens", "request_id"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["review_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    # opensearch-py logs every request at INFO; failures still come through as warnings.
    "loggers": {
        # Django's own handlers would bypass the filter: its records go to the root's instead.
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "opensearch": {"level": "WARNING"},
        # Eager tasks (no broker) still make Celery build a producer, and kombu warns that its
        # broker has no host: nothing is sent anywhere, so nothing to say.
        "kombu.connection": {"level": "ERROR" if CELERY_TASK_ALWAYS_EAGER else "WARNING"},
    },
}
