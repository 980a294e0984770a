"""Case data for the delivery tests (MeMo, ics, API, HTTP): the examples, plus what Digital Post needs.

Some examples carry no CPR or CVR number (a letter can be printed without them); Digital Post
cannot be sent without them, so these helpers add test numbers where an example lacks one.
"""

from __future__ import annotations

import copy
from pathlib import Path

from conftest import EXAMPLES, example_id

from brevgen.casefile import read_case_file

TEST_CPR = "241299-0013"  # made up; only ever in MeMo Recipient/recipientID
TEST_CVR = "11223344"


def example(case_id: str) -> Path:
    return next(p for p in EXAMPLES if example_id(p) == case_id)


def load(case_id: str) -> dict:
    return read_case_file(example(case_id))


def with_delivery_ids(data: dict) -> dict:
    data = copy.deepcopy(data)
    data["citizen"].setdefault("cpr", TEST_CPR)
    data["sender"].setdefault("cvr", TEST_CVR)
    return data


def cpr_forms(cpr: str) -> list[str]:
    digits = cpr.replace("-", "")
    return [f"{digits[:6]}-{digits[6:]}", digits, f"{digits[:6]} {digits[6:]}"]


def has_meeting(case_id: str, data: dict) -> bool:
    # A self-booking summons has no meeting yet: the citizen books the time.
    return (case_id.startswith("indkaldelse/") and bool(data.get("meeting"))) or bool(data.get("first_followup"))
