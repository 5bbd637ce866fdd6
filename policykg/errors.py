"""The one exception tree of PolicyKG.

Every error PolicyKG raises on purpose is a :class:`PolicyKGError`. A :class:`UserError` is
about the input or the environment (a file that is no report, a store that is not there, a
query that does not parse): the command line prints it as one line and exits 1. Anything else
that escapes is a bug and is shown as a traceback::

    PolicyKGError
    ├── UserError                        one line for the user
    │   ├── kg.read.ReportError          a file that cannot be read as a report
    │   ├── kg.manifest.ManifestError    a manifest that cannot be read
    │   ├── kg.build.BuildError          a build refused; the previous store is untouched
    │   ├── kg.store.StoreError          QuerySyntaxError, StoreTimeout, StoreUnavailable
    │   └── queries.CatalogueError       QueryFileError, UnknownQuery, ParameterError
    ├── kg.validate.UnsupportedShape     the shapes use a construct the compiler lacks
    ├── service.errors.ServiceError      an HTTP answer the client can act on (status, position)
    ├── service.pool.PoolError           PoolBusy, QueryTimeout, OutOfMemory, WorkerLost, QueryFailed
    ├── service.jobs.ClientBusy          a client held all of its query slots too long
    └── service.results                  TooLarge, TooManyRows, NotAcceptable
"""

from __future__ import annotations


class PolicyKGError(Exception):
    """Base of every error PolicyKG raises on purpose."""


class UserError(PolicyKGError):
    """Bad input or environment: said to the user in one line, never as a traceback."""
