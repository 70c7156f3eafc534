"""Provenance: what happened to an article, as events in the PREMIS vocabulary.

``provenance.json`` lists the agents (publisher and the libraries it used,
with versions) and the events (ingestion, normalisation, creation of the
renditions, validation, message digest calculation), each with its PREMIS
event type URI, a timestamp, the agents involved and the outcome.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from dataclasses import dataclass
from importlib import metadata
from typing import Any

PREMIS_EVENT_TYPES = "http://id.loc.gov/vocabulary/preservation/eventType/"
#: PREMIS event type names and their codes in the Library of Congress vocabulary.
EVENT_CODES = {
    "ingestion": "ing",
    "normalization": "nor",
    "creation": "cre",
    "validation": "val",
    "message digest calculation": "mes",
}
SCHEMA = "publisher-provenance/1.0"


@dataclass(frozen=True, slots=True)
class Event:
    """One PREMIS event."""

    type: str  # a key of EVENT_CODES
    when: dt.datetime
    agents: tuple[str, ...]
    detail: str
    outcome: str  # "success" or "failure"
    outcome_detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data."""
        return {
            "eventType": self.type,
            "eventTypeURI": PREMIS_EVENT_TYPES + EVENT_CODES[self.type],
            "eventDateTime": timestamp(self.when),
            "linkingAgentIdentifiers": list(self.agents),
            "eventDetail": self.detail,
            "eventOutcome": self.outcome,
            "eventOutcomeDetail": self.outcome_detail,
        }


def timestamp(moment: dt.datetime) -> str:
    """UTC, whole seconds, ``Z``.

    >>> timestamp(dt.datetime(2024, 1, 25, 10, 0, 1, 5, tzinfo=dt.UTC))
    '2024-01-25T10:00:01Z'
    """
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def version_of(distribution: str) -> str:
    """The installed version of a Python distribution, or ``unknown``."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def agents(epubcheck_version: str, verapdf_version: str) -> list[dict[str, str]]:
    """The software agents of an archive run, with their versions."""
    software = [
        ("publisher", version_of("publisher")),
        ("WeasyPrint", version_of("weasyprint")),
        ("ebooklib", version_of("ebooklib")),
        ("ftfy", version_of("ftfy")),
        ("EPUBCheck", epubcheck_version),
        ("veraPDF", verapdf_version),
        ("pikepdf", version_of("pikepdf")),
        ("Python", platform.python_version()),
    ]
    return [
        {"agentIdentifier": name, "agentName": name, "agentType": "software", "agentVersion": v}
        for name, v in software
    ]


def provenance_json(
    object_identifier: str, epubcheck_version: str, verapdf_version: str, events: list[Event]
) -> bytes:
    """``provenance.json``: the object, the agents and the events, as stable JSON."""
    document = {
        "schema": SCHEMA,
        "vocabulary": PREMIS_EVENT_TYPES,
        "objectIdentifier": object_identifier,
        "agents": agents(epubcheck_version, verapdf_version),
        "events": [e.to_dict() for e in events],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
