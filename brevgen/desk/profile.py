"""The caseworker's saved profile: their own details (name, title, direct phone, phone hours,
e-mail, substitute) and the sender's, saved once and filled in for every new letter.

Kept in the store (table ``desk_profiles``, one row per user) as the caseworker wrote it, after
the case models have accepted it. The models have no CPR field and refuse a CPR number in any
text, so a profile never holds one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationError

from ..casedata import CaseModel, Caseworker, Sender
from ..errors import Problem
from ..problems import case_problems


class Profile(CaseModel):
    caseworker: Caseworker = Field(title="Sagsbehandler")
    sender: Sender = Field(title="Afsender")


def check(data: Mapping[str, Any]) -> list[Problem]:
    """Every problem with a profile (by field path, in Danish); empty when it can be saved."""
    try:
        Profile.model_validate(dict(data))
    except ValidationError as exc:
        return case_problems(Profile, exc)
    return []


def load(store: Any, user_name: str) -> dict | None:
    """The saved profile of ``user_name``, or None."""
    with store.read() as tx:
        user = tx.user(user_name)
        return tx.desk_profile(user.id) if user is not None else None


def save(store: Any, user_name: str, data: Mapping[str, Any]) -> list[Problem]:
    """Save the profile if it is valid; returns the problems (nothing is saved when there are any)."""
    clean = {key: data[key] for key in ("caseworker", "sender") if key in data}
    problems = check(clean)
    if problems:
        return problems
    with store.write() as tx:
        user = tx.user(user_name)
        tx.save_desk_profile(user.id, clean)
    return []


__all__ = ["Profile", "check", "load", "save"]
