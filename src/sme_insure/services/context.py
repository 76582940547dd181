"""What the application services need: the database, the rater, the vault and a clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sme_insure import clock
from sme_insure.catalogue import Catalogue
from sme_insure.privacy import Vault
from sme_insure.rating import Rater
from sme_insure.services.keys import ActorCache
from sme_insure.storage.database import Database


@dataclass
class Services:
    """Shared by every request; ``today`` is injectable so tests can move the clock."""

    db: Database
    catalogue: Catalogue
    vault: Vault
    today: Callable[[], dt.date] = field(default=clock.today)
    actors: ActorCache = field(default_factory=ActorCache.from_env)

    def __post_init__(self) -> None:
        self.rater = Rater(self.catalogue)
