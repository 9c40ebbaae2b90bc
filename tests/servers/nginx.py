"""A throwaway nginx in front of the portal, running the deployment's own configuration
(``deploy/nginx/portal.conf.template``, filled in as the nginx image's envsubst would)::

    with NginxServer(upstream="127.0.0.1:8000", rate=20, burst=80) as proxy:
        proxy.url  # http://127.0.0.1:<port>

``real_ip_from`` names the balancers in front of it whose ``X-Forwarded-For`` it believes
(``portal.d/real-ip.conf``), ``unlimited`` the clients its flood limit leaves alone
(``portal.d/unlimited.geo``), ``forwarded_proto`` is ``NGINX_FORWARDED_PROTO``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path

from tests.servers.base import _Server, free_port
from tests.servers.programs import REPO_ROOT

TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "portal.conf.template"
_PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")


def nginx_missing() -> str | None:
    """``None`` when a throwaway nginx can run here, otherwise why not."""
    if shutil.which("nginx") is None:
        return "nginx not found on PATH (Debian: apt-get install nginx)"
    return None


def render(template: str, values: dict[str, str]) -> str:
    """``${NAME}`` replaced by ``values[NAME]``, as envsubst does for the variables it is given;
    nginx's own ``$name`` variables stay as they are. A placeholder without a value is an error
    (envsubst would leave it for nginx to refuse)."""

    def value(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return _PLACEHOLDER.sub(value, template)


class NginxServer(_Server):
    """nginx (master and one worker) with the portal's server block on a free loopback port."""

    name = "nginx"

    def __init__(
        self,
        *,
        upstream: str,
        rate: int = 20,
        burst: int = 80,
        real_ip_from: tuple[str, ...] = (),
        unlimited: tuple[str, ...] = (),
        forwarded_proto: str = "",
        start_timeout: float = 20,
    ) -> None:
        super().__init__(start_timeout=start_timeout)
        self.upstream, self.rate, self.burst = upstream, rate, burst
        self.forwarded_proto = forwarded_proto
        self.real_ip_from, self.unlimited = real_ip_from, unlimited

    def missing(self) -> str | None:
        return nginx_missing()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log_path(self) -> Path:
        if self.directory is None:
            raise RuntimeError("nginx has not been started")
        return self.directory / "access.log"

    def _prepare(self, directory: Path) -> None:
        included = directory / "portal.d"
        included.mkdir()
        (included / "real-ip.conf").write_text(
            "".join(f"set_real_ip_from {network};\n" for network in self.real_ip_from)
        )
        (included / "unlimited.geo").write_text(
            "".join(f"{network} 1;\n" for network in self.unlimited)
        )

    def _command(self, directory: Path) -> list[str]:
        self.port = free_port()
        values = {
            "PORTAL_UPSTREAM": self.upstream,
            "NGINX_LISTEN": f"127.0.0.1:{self.port}",
            "NGINX_RATE": str(self.rate),
            "NGINX_BURST": str(self.burst),
            "NGINX_ACCESS_LOG": str(self.access_log_path),
            "NGINX_FORWARDED_PROTO": self.forwarded_proto,
        }
        (directory / "portal.conf").write_text(render(TEMPLATE.read_text(), values))
        temp = directory / "temp"
        temp.mkdir(exist_ok=True)
        (directory / "nginx.conf").write_text(
            # As root nginx's workers would switch to an account that may not reach this folder.
            ("user root;\n" if os.geteuid() == 0 else "")
            + "daemon off;\nworker_processes 1;\n"
            + f"pid {directory / 'nginx.pid'};\nerror_log {directory / 'server.log'} warn;\n"
            + "events { worker_connections 4096; }\n"
            + "http {\n    access_log off;\n"
            + "".join(
                f"    {kind}_temp_path {temp / kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + "    include portal.conf;\n}\n"
        )
        return ["nginx", "-p", str(directory), "-c", str(directory / "nginx.conf"), "-e", "stderr"]

    def _is_ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False
