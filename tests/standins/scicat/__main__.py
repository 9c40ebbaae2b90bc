"""Serve a saved export until killed: ``python -m tests.standins.scicat --export DIR``."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from tests.standins.scicat.common import RELEASES
from tests.standins.scicat.routes import SciCatStandIn


def main(argv: list[str] | None = None) -> int:
    """Serve an export until killed: ``python -m tests.standins.scicat --export DIR``."""
    parser = argparse.ArgumentParser(prog="python -m tests.standins.scicat")
    parser.add_argument("--export", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--release", choices=RELEASES, default="4.17.1")
    parser.add_argument("--ready-file", type=Path, help="write the URL here once serving")
    args = parser.parse_args(argv)
    standin = SciCatStandIn(port=args.port, release=args.release)
    count = standin.load_export(args.export)
    standin.start()
    if args.ready_file:
        args.ready_file.write_text(standin.url)
    print(f"serving {count} datasets at {standin.url} as SciCat {standin.release}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
