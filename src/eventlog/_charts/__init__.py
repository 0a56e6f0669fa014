"""The charts room: frames in, Altair charts out (``timeline``). It runs no SQL: a chart asks the
store for frames through its public methods."""
