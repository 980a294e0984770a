"""Batches on a distributed queue (Celery): many letters over HTTP or from the CLI, made by
``brevgen worker`` processes on any machine that reaches the broker and the output store.

Modules: ``config`` (settings from the environment), ``store`` (the shared output store: a
folder, or an S3-compatible bucket by URL), ``jobs`` (job state in Redis: submission,
idempotency keys, per-record results, the manifest at the end), ``tasks`` (the Celery app and
its tasks), ``webhook`` (the signed completion call), ``health`` (readiness), ``http`` (the
/v1/batches endpoints), ``recovery`` (queuing again the work a Redis broker lost).

Each letter is made by :func:`brevgen.batch.workers.write_record`, the same step as a local
``brevgen batch``, and the job's folder ends up with the same ``manifest.jsonl`` and
``errors.jsonl``. Exactly one copy of each letter, even when a worker dies mid-task: tasks are
acknowledged only when done (``acks_late``, and a task whose worker is lost is handed to
another), a letter's files are written atomically under names fixed by its data, and before
making a letter a worker skips it when the job already records it with the same input hash
and its files are in the store.
"""
