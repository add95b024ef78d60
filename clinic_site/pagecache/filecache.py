"""A cache in a folder of files, shared by every process of one machine: the page
cache's default store (``CACHE_URL=file:///folder``).

It is Django's ``FileBasedCache`` with a leaner read and a safe ``add``, since the page
cache reads two small versions on every request and its freshness rests on ``add``:

- A value is one file: its expiry (8 bytes, 0 for never) then the pickled value, read
  with one ``os.read``. Django's format also zlib-compresses the value and pickles the
  expiry, and every key is checked for what memcached would refuse: together they
  doubled the cost of a page served from the cache.
- ``add`` writes a temporary file and links it to the key's name, which fails when a
  file is there: of two processes that add at once, exactly one wins (Django's checks,
  then writes, so both may). An expired file does not count as there (two processes
  that replace the same expired value at once may both win; page versions never
  expire).
- Writes go to a temporary file renamed into place, as Django's do: a reader never sees
  half a file. When the folder holds more than ``MAX_ENTRIES`` files, a random third of
  them goes (``CULL_FREQUENCY``), as with Django's; the count is taken on one write in
  ``_COUNT_EVERY``, not on every one.
"""

import os
import pickle
import struct
import tempfile
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

_EXPIRY = struct.Struct("<d")
_READ_SIZE = 1 << 16
_COUNT_EVERY = 32
# File names remembered per key (a page's versions are read on every request).
_NAMES_KEPT = 10_000


class FileCache(FileBasedCache):
    cache_suffix = ".pagecache"

    def __init__(self, dir, params):
        super().__init__(dir, params)
        # Writes through this instance (one per thread of a process), for the cull.
        self._writes = 0
        self._names: dict[tuple[str, int | None], str] = {}

    def validate_key(self, key: str) -> None:
        """No memcached key warnings: a file name is made from a hash of any key."""

    def _key_to_file(self, key: str, version: int | None = None) -> str:
        try:
            return self._names[key, version]
        except KeyError:
            if len(self._names) >= _NAMES_KEPT:
                self._names.clear()
            name = self._names[key, version] = super()._key_to_file(key, version)
            return name

    def get(self, key, default=None, version=None):
        data = self._read(self._key_to_file(key, version))
        return default if data is None else pickle.loads(data[_EXPIRY.size :])  # noqa: S301 - our own files

    def has_key(self, key, version=None) -> bool:
        return self._read(self._key_to_file(key, version)) is not None

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._write(self._key_to_file(key, version), value, timeout, replace=False)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._write(self._key_to_file(key, version), value, timeout, replace=True)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        fname = self._key_to_file(key, version)
        data = self._read(fname)
        if data is None:
            return False
        value = pickle.loads(data[_EXPIRY.size :])  # noqa: S301 - our own files
        return self._write(fname, value, timeout, replace=True)

    def _read(self, fname: str) -> bytes | None:
        """The file's bytes while it holds a value that has not expired."""
        try:
            fd = os.open(fname, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            data = os.read(fd, _READ_SIZE)
            # A regular file reads short only at its end.
            while len(data) % _READ_SIZE == 0 and (more := os.read(fd, _READ_SIZE)):
                data += more
        finally:
            os.close(fd)
        if len(data) < _EXPIRY.size:
            return None
        (expires,) = _EXPIRY.unpack_from(data)
        return None if expires and expires < time.time() else data

    def _write(self, fname: str, value, timeout, *, replace: bool) -> bool:
        expires = self.get_backend_timeout(timeout)
        data = _EXPIRY.pack(expires or 0.0) + pickle.dumps(value, self.pickle_protocol)
        self._createdir()
        self._cull_now_and_then()
        fd, tmp_path = tempfile.mkstemp(dir=self._dir, suffix=".tmp")
        try:
            with open(fd, "wb") as file:
                file.write(data)
            if replace:
                os.replace(tmp_path, fname)
                return True
            return self._link(tmp_path, fname)
        finally:
            if os.path.exists(tmp_path):
                os.remove(tmp_path)

    def _link(self, tmp_path: str, fname: str) -> bool:
        """Give ``fname`` the temporary file's value unless it holds one already."""
        try:
            os.link(tmp_path, fname)
        except FileExistsError:
            if self._read(fname) is not None:
                return False
            # Expired: take its place, then hold the name as any other adder would.
            self._delete(fname)
            try:
                os.link(tmp_path, fname)
            except FileExistsError:
                return False
        return True

    def _cull_now_and_then(self) -> None:
        self._writes += 1
        if self._writes % _COUNT_EVERY == 1:
            self._cull()
