"""/api/docs/: Swagger UI over /api/schema/, every file from drf-spectacular-sidecar (static).

Its script comes as a separate request (drf-spectacular's "split" view), so the portal's policy of
no inline script holds; Swagger UI itself sets inline styles as it draws, so this one page allows
them (``style-src 'unsafe-inline'``; scripts, images and connections stay same-origin only).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response

# The portal's policy (portal/middleware.py, a layer above; a test keeps the two equal) but for
# inline styles.
POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class DocsPage(SpectacularSwaggerSplitView):
    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = POLICY
        return response
