"""The shape of rule files, ``config.yml`` and ``indhold.yml``, as pydantic models.

Unknown keys are errors (a misspelt ``exeptions:`` must not silently do nothing). The JSON
Schema in ``plain_language_rules/_schema/`` is generated from these models
(``python -m brevgen.lint.schema``) so editors can check rule files while they are written.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Level = Literal["suggestion", "warning", "error"]
LEVELS: tuple[str, ...] = ("suggestion", "warning", "error")
Scope = Literal["subject", "heading", "body", "list_item", "table_cell"]
ALL_SCOPES: tuple[str, ...] = ("subject", "heading", "body", "list_item", "table_cell")
RULE_ID = r"^[A-Z]{2}\d{2}[a-z]?$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)


class Example(Strict):
    """A text the rule must flag (or pass), optionally placed in a letter part or section.

    ``facts`` describes the case the letter was made for (benefit, meeting mode, contacts
    with phone hours, deadlines ...), for rules with ``when`` and for the logic rules; see
    plain_language_rules/README.md. Paragraphs are separated by a blank line; a paragraph
    that starts with "## " is a heading, and "[rolle]" first on a paragraph gives it a role."""

    text: str
    message: str | None = None  # the exact message expected for the first finding
    level: Level | None = None  # the level expected for the first finding
    kind: Scope | None = None  # where the text stands (default: the rule's first scope)
    role: str | None = None  # the section it stands in, e.g. "lovgrundlag"
    facts: dict[str, Any] | None = None  # the case behind the letter (logic rules, when)
    field: str | None = None  # the case field the first finding names (logic rules)


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
    # Only for letters whose case has these facts, e.g. {mode: [telefon, video]} or
    # {benefit: kontanthjælp, income: løn}; a list means "one of". A text without facts
    # (an old letter file) is never checked by a rule with ``when``.
    when: dict[str, Any] = Field(default_factory=dict)
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


class Contradiction(RuleBase):
    """Two statements that must not stand in the same letter (each a list of words or /patterns/)."""

    type: Literal["contradiction"]
    statement: list[str] = Field(min_length=1)
    contradicts: list[str] = Field(min_length=1)


class RareWords(RuleBase):
    """Words a reader seldom meets, by a word-frequency list (wordfreq's Danish list).

    Zipf scale: 3 is once per million words, 1 once per 100 million. A compound counts as
    known when it splits into known words ("oplysnings|skema")."""

    type: Literal["rare_words"]
    zipf_below: float = Field(1.5, gt=0, le=8)
    min_letters: int = Field(6, ge=2)
    part_min_letters: int = Field(4, ge=2)  # shortest part of a compound that may make it known
    exceptions: list[str] = Field(default_factory=list)
    exceptions_from: list[str] = Field(default_factory=list)


LOGIC_CHECKS = ("call_deadline", "deadline_dates", "deadlines_in_time", "dates_agree", "before_signature", "must_say")


class DatedStatement(Strict):
    says: str  # a word or /pattern/ that marks the statement
    moment: str  # the moment (facts) whose date it must give


class Logic(RuleBase):
    """A check of the letter against the facts of its case (see README: Logik).

    check:
      call_deadline      every "ring senest <tid>" lies in the printed phone hours of the
                         contact named in the sentence (or a possible written way is given)
      deadline_dates     every "senest <dato>" is a working day and not before the letter date
      deadlines_in_time  every deadline in the facts is on a working day, after the letter
                         date, before what it serves, and reachable by phone when it is met by calling
      dates_agree        statements (says) about a moment give the moment's date
      before_signature   nothing after the signature but the roles in ``after_signature``
      must_say           each group of words in ``says`` stands in the roles ``in_roles``
    """

    type: Literal["logic"]
    check: Literal["call_deadline", "deadline_dates", "deadlines_in_time", "dates_agree", "before_signature", "must_say"]
    field: str | None = None  # the case field to fix when the finding cannot name one itself
    call_words: list[str] = Field(default_factory=lambda: ["ring", "ringe", "ringer"])
    write_words: list[str] = Field(default_factory=lambda: ["skriv", "skrive", "skriver", "e-mail", "Digital Post"])
    us_words: list[str] = Field(default_factory=lambda: ["os", "vi"])
    deadline_words: list[str] = Field(default_factory=lambda: ["senest"])
    relative: dict[str, str] = Field(default_factory=dict)  # "før samtalen begynder": samtalen
    statements: list[DatedStatement] = Field(default_factory=list)
    signature_role: str = "hilsen"
    after_signature: list[str] = Field(default_factory=list)
    in_roles: list[str] = Field(default_factory=list)
    says: list[list[str]] = Field(default_factory=list)


class Terminology(RuleBase):
    """The terms file (termer.yml): ``one_word`` flags a banned synonym of a term;
    ``explained`` flags a legal term whose first use has no explanation next to it."""

    type: Literal["terminology"]
    check: Literal["one_word", "explained"]


Rule = Annotated[
    Union[Substitution, Existence, Sequence, Metric, Contradiction, RareWords, Logic, Terminology], Field(discriminator="type")
]
RULE_TYPES = {
    "substitution": Substitution,
    "existence": Existence,
    "sequence": Sequence,
    "metric": Metric,
    "contradiction": Contradiction,
    "rare_words": RareWords,
    "logic": Logic,
    "terminology": Terminology,
}

# Placeholders a message may use, per rule type.
PLACEHOLDERS = {
    "substitution": {"match", "suggestion", "suggestions"},
    "existence": {"match", "suggestion"},
    "sequence": {"match"},
    "metric": {"value", "max", "min", "band", "match", "words"},
    "contradiction": {"match", "other"},
    "rare_words": {"match", "value"},
    "logic": {"match", "detail"},
    "terminology": {"match", "term", "means", "explanation"},
}


class TermExamples(Strict):
    flags: list[str] = Field(default_factory=list)
    passes: list[str] = Field(default_factory=list)


class Term(Strict):
    """One concept, one word (termer.yml)."""

    term: str = Field(min_length=1)  # the word the letters use
    means: str = Field(min_length=1)  # what it means, for communications staff
    forms: list[str] = Field(default_factory=list)  # inflections; default: words that begin with the term
    banned: list[str] = Field(default_factory=list)  # synonyms the letters must not use for it
    legal: bool = False  # a legal term: explained where it is first used (the glossary)
    explanation: str | None = None  # the plain explanation (a sentence a letter can use)
    explained_by: list[str] = Field(default_factory=list)  # words or /patterns/ that explain it
    examples: TermExamples = Field(default_factory=TermExamples)


class Terms(Strict):
    terms: list[Term] = Field(default_factory=list)


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
