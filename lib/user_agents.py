"""Who is asking, by the user agent: the COUNTER lists (PyPI ``counter-robots``, the lists of the
COUNTER Code of Practice for Research Data that Zenodo/InvenioRDM use too).

:func:`access_kind` answers ``"robot"`` (robots and crawlers: not counted at all), ``"machine"``
(scripts and tools: curl, wget, aria2, python-requests ...: counted apart from people) or
``"regular"``. The machine list is looked at first: most of its patterns are on the robot list as
well, and the Code of Practice counts scripted access as machine access, not as nothing. An empty
user agent is a robot (the robot list says so).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import counter_robots

AccessKind = Literal["robot", "machine", "regular"]

# Longer user agents are cut before matching (the lists match near the start or whole words).
_MAX_LENGTH = 1000


@lru_cache(maxsize=4096)
def access_kind(user_agent: str) -> AccessKind:
    user_agent = user_agent[:_MAX_LENGTH]
    if counter_robots.is_machine(user_agent):
        return "machine"
    if counter_robots.is_robot(user_agent):
        return "robot"
    return "regular"
