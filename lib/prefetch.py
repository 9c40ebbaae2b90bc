"""Reading ahead: an iterator's next item produced in a thread while the caller uses this one."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def prefetched(pages: Iterator[T], *, thread_name: str = "prefetch") -> Iterator[T]:
    """The same pages, the next one read in a thread while the caller works on this one.

    The sync reads the catalogue (HTTP and JSON) this way while it imports the page before: the
    thread must only do what is safe off the main thread (the sync's never touches the database).
    An error in the thread comes out here, at the page it concerns; leaving the loop early stops
    the thread.
    """
    slots: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def read() -> None:
        try:
            for page in pages:
                while not stop.is_set():
                    try:
                        slots.put(("page", page), timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(("end", None))
        except BaseException as exc:  # handed to the consumer, which raises it
            slots.put(("error", exc))

    reader = threading.Thread(target=read, name=thread_name, daemon=True)
    reader.start()
    try:
        while True:
            kind, item = slots.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            slots.get_nowait()  # unblock a reader waiting to hand over one more page
        reader.join(timeout=5)
