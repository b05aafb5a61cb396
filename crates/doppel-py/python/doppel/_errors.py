"""doppel's exceptions. Each message names the input it is about (the
keyword argument, the index file, the document id)."""


class DoppelError(Exception):
    """Base of every error doppel raises about its inputs."""

    #: The file the error is about, when there is one.
    path = None


class InvalidSetting(DoppelError, ValueError):
    """A setting out of range, or contradicting another (named by its
    keyword argument: ``min_passage_words must be at least 1``)."""


class IndexFileError(DoppelError):
    """An index file that cannot be used: missing, not a doppel index,
    damaged, of a newer format, built by a doppel that hashes text
    differently, already there (``create=True`` without ``force``), or
    closed."""


class ParameterMismatch(DoppelError, ValueError):
    """A parameter given for an index that differs from the one it was
    built with (``num_perm``, ``shingle_size``, ...)."""


class DocumentError(DoppelError, ValueError):
    """Documents an index refuses: an id already indexed, two documents
    with one id, an id to remove that is not there."""
