"""Static files in production: names hashed by content, compressed copies beside them, served by
WhiteNoise with far-future caching (a changed file gets a new name, so it may be kept forever)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.http import HttpResponse
from django.templatetags.static import static
from django.test import RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

PRODUCTION = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


def test_static_files_are_hashed_compressed_and_kept_for_a_year(
    tmp_path: Path, settings: Any
) -> None:
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PRODUCTION}
    call_command("collectstatic", "--no-input", "--ignore", "admin", verbosity=0)

    url = static("css/portal.css")
    assert re.fullmatch(r"/static/css/portal\.[0-9a-f]{12}\.css", url), url
    assert (tmp_path / url.removeprefix("/static/")).with_suffix(".css.gz").exists()

    middleware = WhiteNoiseMiddleware(lambda request: HttpResponse(status=404))
    response = middleware(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip"))

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]
    unhashed = middleware(RequestFactory().get("/static/css/portal.css"))
    assert "immutable" not in unhashed.get("Cache-Control", "")
