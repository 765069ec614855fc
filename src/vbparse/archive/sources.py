"""Enumerate the inputs of a batch: folders (recursive), globs, single files and zip archives.

Every input is an `Item` with a stable display path that becomes `source.path` in its record:

    plans/2021/104.txt                  a file on disk
    plans/archive.zip!/ytế/18.txt       a member of a zip (nested zips: a.zip!/b.zip!/c.txt)

A zip found while walking a folder is opened and its members become inputs; the zip itself
is not an input (unless it cannot be opened: then it is one input that fails). Hidden files
and folders (".name") and macOS resource forks (`__MACOSX/`) are not inputs unless asked for.

Reading is split from enumeration so that the driver can hash (sha256) every input cheaply and
a worker, on this machine or a Dask worker on shared storage, can read the bytes again by the
item's `ref` alone: `("path/on/disk", ("member", "inner member", ...))`.
"""
from __future__ import annotations

import glob
import hashlib
import io
import os
import stat as stat_mod
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SEP = "!/"  # between a zip's path and a member's name in a display path
ZIP_SUFFIXES = (".zip",)
_HASH_BLOCK = 1 << 20


@dataclass(frozen=True)
class Item:
    """One input file. `ref` is how to read it; `path` is how to name it."""

    path: str  # display path: source.path in the record, `path` in the error log
    ref: tuple  # (fs_path, members...) : members empty for a plain file
    size: int | None  # bytes (uncompressed for zip members); None when unknown
    token: str | None  # cheap change detector (size, mtime / CRC) for the manifest's stat cache
    error: str | None = None  # set when the item cannot even be listed/read: it fails as is

    @property
    def ext(self) -> str:
        name = self.ref[-1] if len(self.ref) > 1 else self.ref[0]
        return Path(name).suffix.lower().lstrip(".")


def _hidden(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX" or name in ("Thumbs.db", "desktop.ini")


def _zip_name(info: zipfile.ZipInfo) -> str:
    """Member name for display: zips written on Windows without the UTF-8 flag arrive as cp437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            return name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def _is_zip_name(name: str) -> bool:
    return name.lower().endswith(ZIP_SUFFIXES)


def _walk_zip(zf: zipfile.ZipFile, display: str, ref: tuple, opts: "ScanOptions", depth: int,
              outer: str = "") -> Iterator[Item]:
    for info in sorted(zf.infolist(), key=lambda i: i.filename):
        if info.is_dir():
            continue
        shown = _zip_name(info)
        parts = shown.replace("\\", "/").split("/")
        if not opts.include_hidden and any(_hidden(p) for p in parts if p):
            continue
        path = f"{display}{SEP}{shown}"
        mref = ref + (info.filename,)
        # the archive's own size+mtime too: a rewritten zip is hashed again, member by member
        token = f"z:{outer}:{info.file_size}:{info.CRC:08x}"
        if info.flag_bits & 0x1:
            yield Item(path, mref, info.file_size, None, "encrypted zip member (password-protected archive)")
            continue
        if _is_zip_name(shown) and depth < opts.max_zip_depth:
            try:
                inner = zipfile.ZipFile(io.BytesIO(zf.read(info)))
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as e:
                yield Item(path, mref, info.file_size, None, f"not a readable zip archive ({_short(e)})")
                continue
            with inner:
                yield from _walk_zip(inner, path, mref, opts, depth + 1, outer)
            continue
        if not opts.wants(shown):
            continue
        yield Item(path, mref, info.file_size, token)


def _short(e: BaseException) -> str:
    s = str(e) or type(e).__name__
    return s if len(s) < 200 else s[:197] + "..."


@dataclass
class ScanOptions:
    include_hidden: bool = False
    extensions: tuple[str, ...] | None = None  # lower-case, no dot; None = every file
    exclude: tuple[str, ...] = ()  # absolute folders never entered (the batch's own output)
    max_zip_depth: int = 3

    def wants(self, name: str) -> bool:
        if self.extensions is None:
            return True
        return Path(name).suffix.lower().lstrip(".") in self.extensions


def _excluded(p: str, opts: ScanOptions) -> bool:
    if not opts.exclude:
        return False
    rp = os.path.realpath(p)
    return any(rp == x or rp.startswith(x.rstrip(os.sep) + os.sep) for x in map(os.path.realpath, opts.exclude))


def _file_item(p: str, opts: ScanOptions, depth: int = 0, check: bool = True) -> Iterator[Item]:
    if check and _excluded(p, opts):
        return
    try:
        st = os.stat(p)
    except OSError as e:
        yield Item(p, (p,), None, None, f"cannot stat: {e.strerror or e}")
        return
    if not stat_mod.S_ISREG(st.st_mode):
        return
    if _is_zip_name(p):
        try:
            zf = zipfile.ZipFile(p)
        except (zipfile.BadZipFile, OSError, EOFError) as e:
            yield Item(p, (p,), st.st_size, None, f"not a readable zip archive ({_short(e)})")
            return
        with zf:
            yield from _walk_zip(zf, p, (p,), opts, depth + 1, f"{st.st_size}:{st.st_mtime_ns}")
        return
    if not opts.wants(p):
        return
    yield Item(p, (p,), st.st_size, f"f:{st.st_size}:{st.st_mtime_ns}")


def _walk_dir(root: str, opts: ScanOptions) -> Iterator[Item]:
    excluded = {os.path.realpath(x) for x in opts.exclude}
    for dirpath, dirnames, filenames in os.walk(root, onerror=None, followlinks=False):
        keep = []
        for d in sorted(dirnames):
            if not opts.include_hidden and _hidden(d):
                continue
            if os.path.realpath(os.path.join(dirpath, d)) in excluded:
                continue
            keep.append(d)
        dirnames[:] = keep
        for f in sorted(filenames):
            if not opts.include_hidden and _hidden(f):
                continue
            yield from _file_item(os.path.join(dirpath, f), opts, check=False)  # folders pruned above


def iter_items(sources: list[str], opts: ScanOptions | None = None) -> Iterator[Item]:
    """Every input under `sources`, each display path once, in a stable order per source."""
    opts = opts or ScanOptions()
    seen: set[str] = set()
    for src in sources:
        if not glob.has_magic(src) or os.path.exists(src):
            src = os.path.normpath(src)  # "./plans/" and "plans" name the same inputs
        if os.path.isdir(src):
            gen = _walk_dir(src, opts)
        elif os.path.exists(src):
            gen = _file_item(src, opts)
        elif glob.has_magic(src):
            gen = _glob(src, opts)
        else:
            gen = iter([Item(src, (src,), None, None, "no such file or folder")])
        for item in gen:
            if item.path not in seen:
                seen.add(item.path)
                yield item


def _glob(pattern: str, opts: ScanOptions) -> Iterator[Item]:
    for p in sorted(os.path.normpath(x) for x in glob.glob(pattern, recursive=True)):
        if not opts.include_hidden and any(_hidden(x) for x in Path(p).parts if x not in (".", "..")):
            continue
        if os.path.isdir(p):
            yield from _walk_dir(p, opts)
        else:
            yield from _file_item(p, opts)


# ---- reading -------------------------------------------------------------------------------

class Reader:
    """Reads items' bytes, keeping the last opened zip(s) open: chunks are sorted by path, so
    the members of one zip arrive together."""

    def __init__(self) -> None:
        self._zips: dict[tuple, zipfile.ZipFile] = {}

    def read(self, ref: tuple, limit: int | None = None) -> bytes:
        if len(ref) == 1:
            with open(ref[0], "rb") as f:
                if limit is not None:
                    data = f.read(limit + 1)
                    if len(data) > limit:
                        raise TooLarge(os.fstat(f.fileno()).st_size)
                    return data
                return f.read()
        zf = self._zip(ref[:-1])
        info = zf.getinfo(ref[-1])
        if limit is not None and info.file_size > limit:
            raise TooLarge(info.file_size)
        return zf.read(info)

    def _zip(self, ref: tuple) -> zipfile.ZipFile:
        zf = self._zips.pop(ref, None)
        if zf is None:
            if len(ref) == 1:
                zf = zipfile.ZipFile(ref[0])
            else:
                zf = zipfile.ZipFile(io.BytesIO(self._zip(ref[:-1]).read(ref[-1])))
        self._zips[ref] = zf  # most recently used last
        while len(self._zips) > 4:
            old = next(iter(self._zips))
            self._zips.pop(old).close()
        return zf

    def hash(self, ref: tuple) -> str:
        h = hashlib.sha256()
        if len(ref) == 1:
            with open(ref[0], "rb") as f:
                while True:
                    b = f.read(_HASH_BLOCK)
                    if not b:
                        break
                    h.update(b)
        else:
            zf = self._zip(ref[:-1])
            with zf.open(ref[-1]) as f:
                while True:
                    b = f.read(_HASH_BLOCK)
                    if not b:
                        break
                    h.update(b)
        return h.hexdigest()

    def close(self) -> None:
        for zf in self._zips.values():
            zf.close()
        self._zips.clear()


class TooLarge(Exception):
    def __init__(self, size: int):
        self.size = size
        super().__init__(size)
