"""Lists the system's library files that Tests/wheel/run.sh hides (covers with an empty file) before running
the manylinux wheel: every libcurl, and the system's copy of each library the wheel bundles (its name without
auditwheel's hash: libssl-59d05945.so.3 is libssl.so.3), but those the Python interpreter maps by itself
(e.g. libffi, for ctypes), which it could not start without.

Usage: libraries_to_hide.py BUNDLED_LIST PYTHON

Prints the files' real paths, one a line; says on stderr how many and which were left visible.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys

DIRECTORIES = ["/usr/lib/*-linux-gnu", "/lib/*-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib"]

# What the check scripts import, so that every file the interpreter itself needs is mapped.
IMPORTS = "import ctypes, datetime, glob, importlib.metadata, json, re, shutil, sysconfig, threading, traceback"


def main() -> None:
    """Prints the list."""
    bundled_list, python = sys.argv[1:]
    names = ["libcurl*.so*"] + [re.sub(r"-[0-9a-f]{8}(?=\.)", "", line.strip(), count=1)
                                for line in open(bundled_list) if line.strip()]
    files = {os.path.realpath(path) for directory in DIRECTORIES for name in names
             for path in glob.glob(os.path.join(directory, name))}
    maps = subprocess.run([python, "-I", "-c", f"{IMPORTS}; print(open('/proc/self/maps').read())"],
                          capture_output=True, text=True, check=True, cwd="/").stdout
    mapped = {fields[5].strip() for fields in (line.split(maxsplit=5) for line in maps.splitlines())
              if len(fields) == 6}
    kept = sorted(os.path.basename(path) for path in files & mapped)
    print(f"libraries_to_hide.py: hiding {len(files - mapped)} library files; left visible, as the interpreter "
          f"maps them: {', '.join(kept) or 'none'}", file=sys.stderr)
    print("\n".join(sorted(files - mapped)))


if __name__ == "__main__":
    main()
