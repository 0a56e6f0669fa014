"""Object storage for the team store: the S3 credentials a lake's Parquet files are read with.

A team keeps the lake's data in a bucket (``data_path="s3://bucket/prefix/"``). DuckDB
reads and writes it through its ``httpfs`` extension with a *secret*: a temporary,
in-memory credential of this connection alone. It is built from the usual AWS environment
variables, overridden key by key by the ``s3={...}`` option of :func:`eventlog.open`:

=================  =========================================  ===========================
option key         environment variable                       meaning
=================  =========================================  ===========================
``key_id``         ``AWS_ACCESS_KEY_ID``                      access key
``secret``         ``AWS_SECRET_ACCESS_KEY``                  secret key
``session_token``  ``AWS_SESSION_TOKEN``                      temporary credentials
``region``         ``AWS_REGION`` / ``AWS_DEFAULT_REGION``    bucket region (us-east-1)
``endpoint``       ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL``  an S3-compatible server
``url_style``      (``path`` when there is an endpoint)       ``path`` or ``vhost``
``use_ssl``        (from the endpoint's scheme)               ``True`` / ``False``
=================  =========================================  ===========================

The secret is never written anywhere: DuckLake's catalog keeps the data path only, the
secret is not persistent, and every message eventlog prints masks its values.

>>> spec = S3Config.resolve({"endpoint": "http://127.0.0.1:9000", "key_id": "AKIA1", "secret": "s3cr3t"}, env={})
>>> spec.options["ENDPOINT"], spec.options["USE_SSL"], spec.options["URL_STYLE"]
('127.0.0.1:9000', False, 'path')
>>> spec.mask("denied for key AKIA1 with s3cr3t")
'denied for key *** with ***'
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .._errors import ValidationError

__all__ = ["S3Config", "is_remote"]

#: option key -> (DuckDB secret parameter, environment variables, in order of precedence)
_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "key_id": ("KEY_ID", ("AWS_ACCESS_KEY_ID",)),
    "secret": ("SECRET", ("AWS_SECRET_ACCESS_KEY",)),
    "session_token": ("SESSION_TOKEN", ("AWS_SESSION_TOKEN",)),
    "region": ("REGION", ("AWS_REGION", "AWS_DEFAULT_REGION")),
    "endpoint": ("ENDPOINT", ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")),
    "url_style": ("URL_STYLE", ()),
    "use_ssl": ("USE_SSL", ()),
}
#: Values that are credentials: masked in every message.
_SECRET_KEYS = ("key_id", "secret", "session_token")
_REMOTE = re.compile(r"^(s3|s3a|gcs|gs|r2|az|abfss|https?)://", re.IGNORECASE)


def is_remote(path: str | os.PathLike[str] | None) -> bool:
    """Whether a data path is object storage rather than a folder.

    >>> is_remote("s3://bucket/events/"), is_remote("/shared/events")
    (True, False)
    """
    return path is not None and bool(_REMOTE.match(os.fspath(path)))


@dataclass(frozen=True)
class S3Config:
    """The parameters of one DuckDB S3 secret, and the values to hide in messages."""

    options: dict[str, Any] = field(default_factory=dict)
    hidden: tuple[str, ...] = ()

    @classmethod
    def resolve(cls, given: Mapping[str, Any] | None, env: Mapping[str, str] | None = None) -> S3Config:
        """Merge the environment with ``given`` (which wins key by key) and check the values."""
        env = os.environ if env is None else env
        if given is not None and not isinstance(given, Mapping):
            raise ValidationError(f"s3 must be a dict of {', '.join(_KEYS)}, not {type(given).__name__}", field="s3")
        given = dict(given or {})
        if unknown := sorted(set(given) - set(_KEYS)):
            raise ValidationError(f"unknown s3 option(s): {', '.join(unknown)} (known: {', '.join(_KEYS)})", field="s3")
        values: dict[str, Any] = {}
        for key, (_param, names) in _KEYS.items():
            if given.get(key) is not None:
                values[key] = given[key]
                continue
            for name in names:
                if env.get(name):
                    values[key] = env[name]
                    break
        for key, value in values.items():
            if key == "use_ssl":
                if not isinstance(value, bool):
                    raise ValidationError(f"s3 use_ssl must be True or False, not {value!r}", field="s3.use_ssl")
            elif not isinstance(value, str) or not value or "\x00" in value:
                shown = "***" if key in _SECRET_KEYS else repr(value)
                raise ValidationError(f"s3 {key} must be a non-empty text, not {shown}", field=f"s3.{key}")
        options: dict[str, Any] = {}
        if endpoint := values.get("endpoint"):
            # DuckDB wants host[:port]; the AWS variables hold a URL whose scheme says whether TLS is used.
            parts = urlsplit(endpoint if "://" in endpoint else f"//{endpoint}")
            if not parts.netloc or parts.scheme not in ("", "http", "https"):
                raise ValidationError(f"s3 endpoint {endpoint!r} is not host[:port] or an http(s) URL", field="s3.endpoint")
            options["ENDPOINT"] = parts.netloc + parts.path.rstrip("/")
            if parts.scheme and "use_ssl" not in values:
                values["use_ssl"] = parts.scheme == "https"
            values.setdefault("url_style", "path")  # S3-compatible servers rarely have per-bucket host names
        if (style := values.get("url_style")) is not None and style not in ("path", "vhost"):
            raise ValidationError(f"s3 url_style must be 'path' or 'vhost', not {style!r}", field="s3.url_style")
        for key, value in values.items():
            if key != "endpoint":
                options[_KEYS[key][0]] = value
        hidden = tuple(str(values[k]) for k in _SECRET_KEYS if values.get(k))
        return cls(options, hidden)

    def statement(self, name: str, scope: str | None = None) -> str:
        """The CREATE SECRET statement (DuckDB binds no parameters in it, so values are quoted here).

        Never show it: it holds the credentials.
        """
        params = ["TYPE s3", *(f"{k} {_literal(v)}" for k, v in self.options.items())]
        if scope:
            params.append(f"SCOPE {_literal(scope)}")
        return f"CREATE OR REPLACE TEMPORARY SECRET {name} ({', '.join(params)})"

    def mask(self, text: str) -> str:
        """``text`` with every credential value replaced by ``***``."""
        for value in sorted(self.hidden, key=len, reverse=True):
            text = text.replace(value, "***")
        return text


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "'" + str(value).replace("'", "''") + "'"
