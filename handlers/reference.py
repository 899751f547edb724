"""Reference data (the organisation: people and roles, vehicles, facilities, approval
rules) changed: forget every cached copy of it, in one place.

The admin pages call `reference_changed()` after each committed change, so that the next
request reads what the admin just saved. Whoever adds a cache of reference data adds
its forgetting here (the seed and the WeCom sync forget the models' cache themselves).
Another process sees a change when its own cache expires (models.org.ORG_CACHE_SECONDS).
"""

from __future__ import annotations

from models.org import forget_cached_org


def reference_changed() -> None:
    """Forget every cached copy of the organisation's reference data in this process."""
    forget_cached_org()
