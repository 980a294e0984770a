"""Many letters in one run: see :mod:`brevgen.batch.run` for how the work is scheduled.

Modules: ``records`` (reading JSONL or a folder of case files), ``folder`` (lock, manifest,
errors, resume), ``workers`` (the processes that make the letters), ``run`` (scheduling and
the result), ``progress`` (what the person running it sees).
"""

from .folder import ERRORS, MANIFEST, load_manifest
from .records import Record, RecordError, read_records
from .run import BatchResult, Progress, default_workers, run_batch

__all__ = ["ERRORS", "MANIFEST", "BatchResult", "Progress", "Record", "RecordError", "default_workers", "load_manifest", "read_records", "run_batch"]
