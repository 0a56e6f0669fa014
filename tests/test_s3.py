"""Object storage for the team store: credentials from the environment or ``s3=``, a real
S3-compatible server (moto's) and a real PostgreSQL catalog, and secrets that stay secret."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import duckdb
import polars as pl
import psycopg
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import eventlog
from eventlog import EventlogError, ValidationError
from eventlog._cli import main
from eventlog._files.folder import load_dataset
from eventlog._store.s3 import S3Config, is_remote
from tests.helpers import EVENTS
from tests.pgserver import TempPostgres
from tests.s3server import KEY_ID, SECRET, TempS3

pytest_plugins = ["tests.lake_fixtures"]


# -- the configuration (no server) --------------------------------------------------------------
def test_environment_then_options_key_by_key() -> None:
    env = {"AWS_ACCESS_KEY_ID": "env-key", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_DEFAULT_REGION": "eu-west-1",
           "AWS_REGION": "eu-central-1", "AWS_ENDPOINT_URL": "https://minio.internal:9000/"}
    cfg = S3Config.resolve(None, env=env)
    assert cfg.options == {"KEY_ID": "env-key", "SECRET": "env-secret", "REGION": "eu-central-1",
                           "ENDPOINT": "minio.internal:9000", "USE_SSL": True, "URL_STYLE": "path"}
    cfg = S3Config.resolve({"secret": "given", "use_ssl": False, "url_style": "vhost"}, env=env)
    assert (cfg.options["KEY_ID"], cfg.options["SECRET"], cfg.options["USE_SSL"], cfg.options["URL_STYLE"]) == (
        "env-key", "given", False, "vhost")
    # The S3-specific endpoint variable wins over the general one; no endpoint: AWS itself, no URL style forced.
    assert S3Config.resolve(None, env={**env, "AWS_ENDPOINT_URL_S3": "http://s3.local"}).options["ENDPOINT"] == "s3.local"
    assert S3Config.resolve(None, env={"AWS_ACCESS_KEY_ID": "k"}).options == {"KEY_ID": "k"}
    assert S3Config.resolve(None, env={}).options == {}


@pytest.mark.parametrize(("given", "field", "shown"), [
    ({"bucket": "x"}, "s3", "unknown s3 option(s): bucket"),
    ({"use_ssl": "yes"}, "s3.use_ssl", "'yes'"),
    ({"endpoint": "ftp://host"}, "s3.endpoint", "ftp://host"),
    ({"url_style": "virtual"}, "s3.url_style", "'virtual'"),
    ({"secret": ""}, "s3.secret", "***"),
])
def test_bad_options_name_the_field_and_never_the_secret(given: dict, field: str, shown: str) -> None:
    with pytest.raises(ValidationError) as info:
        S3Config.resolve(given, env={})
    assert info.value.field == field and shown in str(info.value)


def test_remote_paths() -> None:
    assert is_remote("s3://b/p") and is_remote("S3://b") and is_remote("gcs://b") and is_remote("https://h/x")
    assert not is_remote("/data/lake") and not is_remote("relative/s3://x") and not is_remote(None)


@given(st.text(min_size=4, max_size=40).filter(lambda t: t.strip() and "\x00" not in t),
       st.text(max_size=30), st.text(max_size=30))
def test_masking_hides_every_credential(secret: str, before: str, after: str) -> None:
    cfg = S3Config.resolve({"key_id": "AKIA" + secret[:3], "secret": secret}, env={})
    masked = cfg.mask(before + secret + after + "AKIA" + secret[:3])
    assert secret not in masked and "AKIA" + secret[:3] not in masked


def test_the_secret_statement_is_data_whatever_the_value_holds() -> None:
    """Quotes and SQL in a value stay inside the value (DuckDB binds no parameters in CREATE SECRET)."""
    from duckdb_extensions import import_extension

    tricky = "it's'); DROP TABLE x; --"
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    import_extension("httpfs", con=con)
    con.execute("LOAD httpfs")
    con.execute("CREATE TABLE x (a INT)")
    con.execute(S3Config.resolve({"key_id": "k", "secret": tricky, "endpoint": "127.0.0.1:1"}, env={})
                .statement("probe", scope="s3://bucket"))
    assert con.execute("SELECT count(*) FROM x").fetchall() == [(0,)]
    shown = con.execute("SELECT secret_string FROM duckdb_secrets() WHERE name = 'probe'").fetchall()[0][0]
    assert tricky not in shown and "scope=s3://bucket" in shown.replace("[", "").replace("]", "")


def test_s3_option_is_refused_for_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="object storage"):
        eventlog.open(f"ducklake:{tmp_path / 'm.ducklake'}", data_path=str(tmp_path / "d"), s3={"key_id": "k"}, create=True)


# -- a real bucket and catalog --------------------------------------------------------------------
def _catalog_text(postgres: TempPostgres, location: str) -> str:
    """Every value of every table of the lake's PostgreSQL catalog, as one text."""
    dbname = re.search(r"dbname=(\S+)", location).group(1)  # type: ignore[union-attr]
    with psycopg.connect(postgres.conninfo(dbname)) as pg:
        tables = [r[0] for r in pg.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
        return "\n".join(str(row) for t in tables for row in pg.execute(f'SELECT * FROM "{t}"').fetchall())  # noqa: S608


@pytest.mark.postgres
def test_build_query_history_as_of_on_a_bucket(pg_s3_lake: tuple[str, str], postgres: TempPostgres,
                                                s3_env: TempS3, monkeypatch: pytest.MonkeyPatch) -> None:
    """`eventlog build` into a new lake whose data is in a bucket, with credentials from the
    environment; then the API reads it back, the files are in the bucket, and the credentials
    are nowhere in the catalog or the output."""
    location, data_path = pg_s3_lake
    monkeypatch.setenv("EVENTLOG_DATA_PATH", data_path)
    res = CliRunner().invoke(main, ["build", "--events", str(EVENTS), "--db", location, "--author", "ana",
                                    "--message", "first build"])
    assert res.exit_code == 0, res.output
    assert SECRET not in res.output and KEY_ID not in res.output
    bucket, prefix = data_path[len("s3://"):].split("/", 1)
    objects = s3_env.objects(bucket, prefix)
    assert any(k.endswith(".parquet") and "/event_versions/" in k for k in objects), objects
    with eventlog.open(location) as store:
        first = store.query()
        n_events = first.height
        assert n_events == len(load_dataset(EVENTS, None).events)
        some = first["id"][0]
        before = store.get(some)
        with store.change(author="bo", message="retitle") as cs:
            cs.put(before.model_copy(update={"title": "A new title for the test"}))
        assert store.history(some)["version"].to_list() == [1, 2]
        assert store.get(some, as_of=1).title == before.title
        assert store.query(as_of=1).equals(first)
        assert store.blame(some).filter(pl.col("field") == "title")["changeset"].to_list() == [cs.id]
        assert store.stats()["records"]["event"] == n_events
        assert repr(store).count(SECRET) == 0
    # Another analyst: only the location and the environment.
    with eventlog.open(location, read_only=True) as reader:
        assert reader.get(some).title == "A new title for the test"
    text = _catalog_text(postgres, location)
    assert data_path in text  # the catalog knows where the data is...
    assert SECRET not in text and KEY_ID not in text  # ...and nothing of how to get at it


@pytest.mark.postgres
def test_explicit_s3_option_without_environment(pg_lake: tuple[str, str], s3_server: TempS3,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for name in s3_server.env:
        monkeypatch.delenv(name, raising=False)
    data_path = s3_server.bucket("explicit-" + os.urandom(4).hex()) + "/lake"
    with eventlog.open(pg_lake[0], data_path=data_path, s3=s3_server.options, create=True, inline_rows=0) as store:
        with store.change(author="ana", message="one") as cs:
            cs.put(eventlog.Actor(id="russia", name="Russia", category="state"))
        assert store.actors()["id"].to_list() == ["russia"]
    assert s3_server.objects(data_path.split("/")[2])
    # Without the credentials the first read (opening reads the schema version) fails in one
    # line that says what to check.
    with pytest.raises(EventlogError) as info, eventlog.open(pg_lake[0]) as store:
        store.actors()
    message = str(info.value)
    assert "\n" not in message and "AWS_ENDPOINT_URL" in message and "cannot read the team store" in message
    res = CliRunner().invoke(main, ["query", "--db", pg_lake[0]])
    assert res.exit_code == 1 and res.output.startswith("error:") and "Traceback" not in res.output


@pytest.mark.postgres
def test_refused_credentials_are_masked(pg_lake: tuple[str, str], s3_server: TempS3) -> None:
    """A commit that cannot write to storage fails as one EventlogError, changes nothing, and
    shows no credential even when the server echoes it."""
    data_path = "s3://no-such-bucket-" + os.urandom(4).hex() + "/x"
    # Creating the store is its first commit (the schema): it cannot write its files.
    with pytest.raises(EventlogError) as info:
        eventlog.open(pg_lake[0], data_path=data_path, s3=s3_server.options, create=True, inline_rows=0)
    message = str(info.value)
    assert "commit failed" in message and "NoSuchBucket" in message and "\n" not in message
    assert SECRET not in message and KEY_ID not in message
    with pytest.raises(eventlog.NotFound, match="without an eventlog store"):
        eventlog.open(pg_lake[0], s3=s3_server.options)


@pytest.mark.postgres
def test_migrate_a_file_store_into_a_bucket(populated_store: eventlog.Store, pg_s3_lake: tuple[str, str]) -> None:
    src = populated_store.location
    populated_store.close()
    res = CliRunner().invoke(main, ["migrate", "--from", src, "--to", pg_s3_lake[0], "--data-path", pg_s3_lake[1]])
    assert res.exit_code == 0, res.output
    assert "verified" in res.output and SECRET not in res.output
    with eventlog.open(src, read_only=True) as a, eventlog.open(pg_s3_lake[0], read_only=True) as b:
        assert a.log().equals(b.log())
        assert a.diff(1).equals(b.diff(1))
        assert a.query(as_of=dt.datetime.now(dt.UTC)).equals(b.query(as_of=dt.datetime.now(dt.UTC)))
