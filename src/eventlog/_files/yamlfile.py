"""YAML in and out, as the events folder needs it: safe, small, and strict.

Reading refuses what could hang a build or lose a value silently: anything that is not a
regular file (a FIFO, ``/dev/zero``), files over :data:`MAX_BYTES`, text that is not UTF-8
(a BOM is allowed), anchors and aliases (a 300-byte "billion laughs" would otherwise expand
to gigabytes), duplicate keys (YAML keeps the last one without a word) and tags that do not
construct. Each is one :class:`~eventlog.ValidationError` naming the file (and line).

>>> load_yaml_text("a: 1\\nb: [2, 3]\\n", "x.yaml")
{'a': 1, 'b': [2, 3]}
>>> load_yaml_text("a: 1\\na: 2\\n", "x.yaml")
Traceback (most recent call last):
...
eventlog._errors.ValidationError: x.yaml:2: duplicate key 'a' (YAML would keep the last one silently)
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from .._errors import ValidationError

__all__ = ["MAX_BYTES", "dump_yaml", "is_folder", "load_yaml_text", "read_text", "read_yaml"]

#: The largest file the folder reads (the curated registries are a few hundred KB).
MAX_BYTES = 32 * 1024 * 1024

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def is_folder(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a folder; a name the system refuses (too long, a NUL) is not one."""
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):
        return False


def read_text(path: Path, *, inside: Path | None = None, what: str = "file") -> str:
    """A regular file's UTF-8 text (BOM dropped), or one line saying why not.

    ``inside``: the folder the file must resolve into (symlinks out of it are refused).
    """
    return decode_utf8(read_bytes(path, inside=inside, what=what), str(path))


def read_bytes(path: Path, *, inside: Path | None = None, what: str = "file", limit: int = MAX_BYTES) -> bytes:
    """A regular file's bytes, refusing devices, FIFOs, huge files and links out of ``inside``."""
    try:
        st = os.stat(path)  # follows symlinks: a link to /dev/zero is a character device here
    except OSError as exc:
        raise ValidationError(f"cannot read {what} ({exc.strerror})", file=str(path)) from None
    except ValueError:  # a NUL in the name
        raise ValidationError(f"not a file name: {str(path)[:80]!r}", file=None) from None
    if not stat.S_ISREG(st.st_mode):
        raise ValidationError(f"not a regular file: eventlog reads only regular {what}s", file=str(path))
    if inside is not None:
        real, root = Path(os.path.realpath(path)), Path(os.path.realpath(inside))
        if root not in real.parents:
            raise ValidationError(f"points outside {inside} (to {real}); only files inside it are read", file=str(path))
    if st.st_size > limit:
        raise ValidationError(f"{what} too large ({st.st_size} bytes; at most {limit})", file=str(path))
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO after the check, open does not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise ValidationError(f"not a regular file: eventlog reads only regular {what}s", file=str(path))
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise ValidationError(f"cannot read {what} ({exc.strerror})", file=str(path)) from None
    if len(raw) > limit:
        raise ValidationError(f"{what} too large (more than {limit} bytes)", file=str(path))
    return raw


def decode_utf8(raw: bytes, file: str) -> str:
    """UTF-8 text (a leading BOM dropped), or a line naming the first bad byte and its offset."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = " (it looks like UTF-16)" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise ValidationError(
            f"not UTF-8{hint}: byte 0x{raw[exc.start]:02x} at offset {exc.start}; save the file as UTF-8", file=file
        ) from None


def read_yaml(path: Path, *, inside: Path | None = None) -> Any:
    """The data of a YAML file, read with :func:`read_text` and :func:`load_yaml_text`."""
    return load_yaml_text(read_text(path, inside=inside), str(path))


def _check_nodes(root: yaml.Node, file: str) -> None:
    """Refuse aliases (a node met twice) and duplicate keys, without expanding anything."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise ValidationError("YAML anchors and aliases are not allowed (&name / *name); write the value out",
                                  file=file, line=node.start_mark.line + 1)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[tuple[str, str]] = set()
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    if (k.tag, k.value) in keys:
                        raise ValidationError(f"duplicate key {k.value[:60]!r} (YAML would keep the last one silently)",
                                              file=file, line=k.start_mark.line + 1)
                    keys.add((k.tag, k.value))
                stack.extend((k, v))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def load_yaml_text(text: str, file: str) -> Any:
    """Safe-load one YAML document, refusing aliases, duplicate keys and values that do not construct."""
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise ValidationError("YAML nested too deeply", file=file) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ValidationError(f"YAML syntax error: {problem}", file=file,
                                  line=mark.line + 1 if mark else None) from None
        if node is None:
            return None
        _check_nodes(node, file)
        try:
            return loader.construct_document(node)
        except RecursionError:
            raise ValidationError("YAML nested too deeply", file=file) from None
        except Exception as exc:  # noqa: BLE001 - a malformed tagged value fails in many ways inside PyYAML
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0][:120]
            raise ValidationError(f"YAML value error: {problem}", file=file,
                                  line=mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()


def key_lines(text: str) -> dict[tuple[int | None, str], int]:
    """Line of each key: (item index or None for a mapping file, key) -> 1-based line."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return {}
    out: dict[tuple[int | None, str], int] = {}

    def mapping(n: Any, idx: int | None) -> None:
        if isinstance(n, yaml.MappingNode):
            out[(idx, "")] = n.start_mark.line + 1
            for k, _v in n.value:
                out[(idx, str(k.value))] = k.start_mark.line + 1

    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            mapping(item, i)
    else:
        mapping(node, None)
    return out


class _BlockDumper(_Dumper):  # type: ignore[misc, valid-type]
    """Block style, with short lists of scalars inline so spans read as [12, 40]."""


def _repr_list(dumper: Any, data: list) -> Any:
    flow = len(data) <= 8 and all(isinstance(x, (int, float)) or (isinstance(x, str) and len(x) < 40) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _repr_str(dumper: Any, data: str) -> Any:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_BlockDumper.add_representer(list, _repr_list)
_BlockDumper.add_representer(tuple, _repr_list)
_BlockDumper.add_representer(str, _repr_str)


def dump_yaml(data: Any) -> str:
    """YAML the way events/ files are written: block style, keys in model order, unicode kept."""
    return yaml.dump(data, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)
