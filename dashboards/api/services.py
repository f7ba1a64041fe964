"""What one app instance holds: its settings, its one Elasticsearch client and the small stores built on it.

Built once when the app starts (`Services.build`, from the lifespan) and kept on `app.state.services`. Routes
reach Elasticsearch only through the stores (as full-stack-fastapi-template's routes go through `crud`); the
client stays here so the app can close it.
"""

from __future__ import annotations

from dataclasses import dataclass

from elasticsearch import AsyncElasticsearch
from jinja2 import Environment

from dashboards.accounts import Accounts
from dashboards.alerts import AlertStore
from dashboards.audit import Audit
from dashboards.corrections import Corrections
from dashboards.letters import LetterStore
from dashboards.logins import Limits, LoginThrottle
from dashboards.posts import PostStore
from dashboards.reports.service import Reports
from dashboards.screen import ScreenFeed
from dashboards.screen_tokens import ScreenTokens
from dashboards.security import SessionSigner
from yuqing.config import Stations
from yuqing.settings import Settings


@dataclass
class Services:
    settings: Settings
    es: AsyncElasticsearch
    accounts: Accounts
    audit: Audit
    signer: SessionSigner
    throttle: LoginThrottle
    templates: Environment
    stations: Stations
    spots: list[str]
    posts: PostStore
    alerts: AlertStore
    letters: LetterStore
    corrections: Corrections
    screen: ScreenFeed
    screen_tokens: ScreenTokens
    reports: Reports

    @classmethod
    def build(
        cls,
        settings: Settings,
        client: AsyncElasticsearch,
        templates: Environment,
        stations: Stations,
        spots: list[str],
    ) -> Services:
        es = settings.es
        return cls(
            settings=settings,
            es=client,
            accounts=Accounts(client, es),
            audit=Audit(client, es),
            signer=SessionSigner(
                settings.web.secret_key.get_secret_value(), settings.web.session_ttl_min * 60
            ),
            throttle=LoginThrottle(client, es, Limits.from_settings(settings.web)),
            templates=templates,
            stations=stations,
            spots=spots,
            posts=PostStore(client, es),
            alerts=AlertStore(client, es),
            letters=LetterStore(client, es),
            corrections=Corrections(client, es),
            screen=ScreenFeed(client, es, spots),
            screen_tokens=ScreenTokens(client, es),
            reports=Reports(client, settings),
        )

    @property
    def station_names(self) -> list[str]:
        """The stations of config/stations.yaml, in its order (form choices, account checks)."""
        return [s.name for s in self.stations.stations]
