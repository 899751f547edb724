"""What the application, the command line and the demo need of the database besides the
use cases: open and close it, check it answers, load the organisation, seal the audit
log, the organisation's names for the NLU. bot/
reaches models only through handlers (STYLE.md "One direction"); this is that way for
infrastructure."""

from __future__ import annotations

from models.audit_chain import seal as seal_audit
from models.db import close_db as close_database
from models.db import init_db as open_database
from models.db import is_sqlite
from models.db import ping as ping_database
from models.org import dictionary_words
from models.seed import SeedResult, run_seed, seed_org

__all__ = [
    "SeedResult",
    "close_database",
    "dictionary_words",
    "is_sqlite",
    "open_database",
    "ping_database",
    "run_seed",
    "seal_audit",
    "seed_org",
]
