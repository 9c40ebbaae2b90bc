"""Running the portal in production: per-client rate limits, health, metrics, request ids and
structured logs, the nightly bulk dump of public metadata."""
