"""The project's exception tree; every error carries the context an operator needs.

YuqingError
├── ConfigError        a settings or YAML file is wrong (names the file and the key)
├── InvalidPost        a post fails validation (names the field and the reason)
├── ServiceError       a local service cannot be fetched, started or reached (names the service)
├── ScoringError       the scorer cannot load or run (names the checkpoint)
└── NotImplementedYet  a command that a later issue will fill
"""

from __future__ import annotations


class YuqingError(Exception):
    """Base of every error the project raises on purpose."""


class ConfigError(YuqingError):
    """A configuration file or setting is invalid."""

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file, self.key, self.message = file, key, message
        super().__init__(f"{file}: {key}: {message}" if key else f"{file}: {message}")


class InvalidPost(YuqingError):
    """A post that cannot enter the pipeline; `reason` goes to the dead-letter topic."""

    def __init__(self, reason: str, field: str | None = None, post_id: str | None = None) -> None:
        self.reason, self.field, self.post_id = reason, field, post_id
        where = f"{field}: " if field else ""
        super().__init__(f"{where}{reason}")


class ServiceError(YuqingError):
    """A local service (Kafka, Elasticsearch, SMTP) failed to fetch, start, stop or answer."""

    def __init__(self, service: str, message: str) -> None:
        self.service, self.message = service, message
        super().__init__(f"{service}: {message}")


class ScoringError(YuqingError):
    """The scorer cannot load its checkpoint or score a batch."""


class NotImplementedYet(YuqingError):
    """A command whose capability a later issue brings."""
