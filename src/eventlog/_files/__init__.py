"""The files room: the curated ``events/`` folder (``folder``) and the source documents
(``corpus``), read and written as models. It never imports the store."""
