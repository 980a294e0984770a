"""The caseworker desk (``/breve`` in the studio's web app): a caseworker fills in a form per
event, sees the letter as the citizen will and what to fix, and gets it as PDF, DOCX, HTML,
MeMo or a calendar entry, made by the same pipeline as the CLI and the API.

Modules:

- ``form``: the form of an event, described from its case model (Danish titles, controls by
  type, fields shown only when they apply).
- ``profile``: the caseworker's saved profile (their own and the sender's details).
- ``letters``: preview, findings at their fields, downloads, import and export of a case.
- ``routes``: the pages and the JSON API, added to the studio's app (same sign-in, CSRF).

Nothing of a case is stored or logged; the CPR number is taken only with a MeMo download.
"""
