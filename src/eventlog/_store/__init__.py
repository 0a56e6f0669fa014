"""The store room: versioned records in DuckDB (a file or DuckLake).

``schema`` (tables and the one visibility predicate) -> ``backend`` (connections, waiting and the
one retry loop; ``lake`` is the DuckLake backend) -> ``changeset`` (staging) -> ``checks`` ->
``store`` (the :class:`~eventlog._store.store.Store`, which composes ``query``, ``history``,
``links``, ``merge`` and ``stats``) -> ``opener`` (opening by path or URL) and ``migrate``.

Deliberately empty: importing one module of the room does not load the others.
"""
