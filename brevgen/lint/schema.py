"""The shape of rule files, ``config.yml`` and ``indhold.yml``, as pydantic models.

Unknown keys are errors (a misspelt ``exeptions:`` must not silently do nothing). The JSON
Schema in ``plain_language_rules/_schema/`` is generated from these models
(``python -m brevgen.lint.schema``) so editors can check rule files while they are written.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Level = Literal["suggestion", "warning", "error"]
LEVELS: tuple[str, ...] = ("suggestion", "warning", "error")
Scope = Literal["subject", "heading", "body", "list_item", "table_cell"]
ALL_SCOPES: tuple[str, ...] = ("subject", "heading", "body", "list_item", "table_cell")
RULE_ID = r"^[A-Z]{2}\d{2}[a-z]?$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)


class Example(Strict):
    """A text the rule must flag (or pass), optionally placed in a letter part or section."""

    text: str
    message: str | None = None  # the exact message expected for the first finding
    level: Level | None = None  # the level expected for the first finding
    kind: Scope | None = None  # where the text stands (default: the rule's first scope)
    role: str | None = None  # the section it stands in, e.g. "lovgrundlag"


class Fix(Strict):
    from_: str = Field(alias="from")
    to: str


class Examples(Strict):
    flags: list[str | Example] = Field(min_length=1)
    passes: list[str | Example] = Field(min_length=1)
    fixes: list[Fix] = Field(default_factory=list)


class RuleBase(Strict):
    id: str = Field(pattern=RULE_ID)
    title: str = Field(min_length=1)
    level: Level
    message: str = Field(min_length=1)
    why: str | None = None
    source: str | None = None
    owner: str | None = None
    enabled: bool = True
    scope: list[Scope] = Field(default_factory=lambda: list(ALL_SCOPES), min_length=1)
    exclude_roles: list[str] | None = None  # None: config.yml's default_exclude_roles
    only_roles: list[str] = Field(default_factory=list)
    include_data: bool = True  # also check values inserted from the case data
    use_vocabulary: bool = True  # accept.txt entries are never flagged
    examples: Examples


class Substitution(RuleBase):
    type: Literal["substitution"]
    swap: dict[str, str | list[str]] = Field(min_length=1)
    case_sensitive: bool = False
    whole_words: bool = True
    keep_case: bool = True
    exceptions: list[str] = Field(default_factory=list)


class Existence(RuleBase):
    type: Literal["existence"]
    tokens: list[str] = Field(default_factory=list)
    words_from: list[str] = Field(default_factory=list)
    exceptions: list[str] = Field(default_factory=list)
    exceptions_from: list[str] = Field(default_factory=list)
    case_sensitive: bool = False
    whole_words: bool = True
    sentence_start: Literal["any", "skip", "only"] = "any"
    suggestion: str | None = None


class Step(Strict):
    """One word in a sequence; every condition given must hold."""

    one_of: list[str] = Field(default_factory=list)
    words_from: list[str] = Field(default_factory=list)
    ends_with: list[str] = Field(default_factory=list)
    min_letters: int = Field(0, ge=0)
    not_: list[str] = Field(default_factory=list, alias="not")
    not_from: list[str] = Field(default_factory=list)
    not_ends_with: list[str] = Field(default_factory=list)


class Sequence(RuleBase):
    type: Literal["sequence"]
    match_any: list[list[Step]] = Field(min_length=1)
    gap: int = Field(0, ge=0, le=3)  # words allowed between two steps
    exceptions: list[str] = Field(default_factory=list)


class Metric(RuleBase):
    type: Literal["metric"]
    per: Literal["sentence", "paragraph", "section", "letter"]
    measure: Literal["words", "sentences", "characters", "lix", "matching_words", "fronted_clause"]
    max: float | None = None
    min: float | None = None
    error_max: float | None = None  # above this the finding is an error, whatever ``level`` says
    min_words: int = Field(0, ge=0)  # do not grade shorter texts
    words: list[str] = Field(default_factory=list)  # for matching_words
    exceptions: list[str] = Field(default_factory=list)
    exceptions_from: list[str] = Field(default_factory=list)
    openers: list[str] = Field(default_factory=list)  # for fronted_clause


Rule = Annotated[Union[Substitution, Existence, Sequence, Metric], Field(discriminator="type")]
RULE_TYPES = {"substitution": Substitution, "existence": Existence, "sequence": Sequence, "metric": Metric}

# Placeholders a message may use, per rule type.
PLACEHOLDERS = {
    "substitution": {"match", "suggestion", "suggestions"},
    "existence": {"match", "suggestion"},
    "sequence": {"match"},
    "metric": {"value", "max", "min", "band", "match", "words"},
}


class LixConfig(Strict):
    long_word_min_letters: int = Field(7, ge=2)
    exclude_kinds: list[Scope] = Field(default_factory=lambda: ["subject", "heading", "table_cell"])
    exclude_roles: list[str] = Field(default_factory=list)
    list_items: Literal["sentences", "all", "none"] = "sentences"


class Config(Strict):
    fail_on: Level = "error"
    min_level: Level = "suggestion"
    disabled: list[str] = Field(default_factory=list)
    levels: dict[str, Level] = Field(default_factory=dict)
    default_exclude_roles: list[str] = Field(default_factory=list)
    lix: LixConfig = Field(default_factory=LixConfig)
    # Plain files (.md, .txt, .docx, .pdf) have no roles; a heading that starts with one of
    # these words gives the text under it that role (so "Regler" may hold § references).
    file_heading_roles: dict[str, str] = Field(default_factory=dict)


class RequiredRole(Strict):
    question: str = Field(min_length=1)  # what the part answers, in the citizen's words
    data: bool = False  # must contain a value from the case data (a date, a name, a place)


class RequiredContent(Strict):
    all_events: dict[str, RequiredRole] = Field(default_factory=dict)
    events: dict[str, dict[str, RequiredRole]] = Field(default_factory=dict)


def rule_json_schema() -> dict:
    schema = TypeAdapter(Rule).json_schema(by_alias=True)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    schema["title"] = "brevgen klarsprog-regel"
    return schema


if __name__ == "__main__":  # regenerate plain_language_rules/_schema/rule.schema.json
    from ..paths import rules_dir

    target = rules_dir() / "_schema" / "rule.schema.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(rule_json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(target)
