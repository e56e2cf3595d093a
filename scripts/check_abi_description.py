#!/usr/bin/env python3
"""Check include/deployhook.json against the library and the two declaration files.

- Its functions are exactly the library's dynamic symbols (nm -D --defined-only), nothing more or less,
  and exactly the functions include/deployhook.h and include/deployhook.cdef declare.
- Every function's return and parameter types, the callback typedef and every constant and enum value
  are what the header declares, and what the .cdef declares: checked by the C++ compiler, with a
  static_assert(std::is_same<...>) per function, on each file separately.

Usage: scripts/check_abi_description.py LIBRARY   (from anywhere; paths are relative to the repository)
"""
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INCLUDE = ROOT / "include"
COMPILER = ["g++", "-std=c++11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only"]


def signature(returns: dict, parameters: list[dict]) -> str:
    """A C++ function pointer type: `const char *(*)(int)`."""
    return f"{returns['type']} (*)({', '.join(p['type'] for p in parameters) or 'void'})"


def probe(description: dict, enum_types: bool) -> str:
    """static_asserts of every type and value the description states (enum_types: the header names them)."""
    lines = ["#include <type_traits>"]
    for function in description["functions"]:
        name = function["name"]
        lines.append(f"static_assert(std::is_same<decltype(&{name}), "
                     f"{signature(function['returns'], function['parameters'])}>::value, \"{name}\");")
    for callback in description["callbacks"]:
        name = callback["name"]
        lines.append(f"static_assert(std::is_same<{name}, {signature(callback['returns'], callback['parameters'])}>"
                     f"::value, \"{name}\");")
    for enum in description["enums"]:
        if enum_types:
            lines.append(f"static_assert(sizeof({enum['name']}) == 4, \"{enum['name']} is 32 bits\");")
        lines.extend(f"static_assert({v['name']} == {v['value']}, \"{v['name']}\");" for v in enum["values"])
    for constant in description["constants"]:
        if constant["type"] == "int":
            lines.append(f"static_assert({constant['name']} == {constant['value']}, \"{constant['name']}\");")
    return "\n".join(lines) + "\nint main() { return 0; }\n"


def compiles(source: str, what: str) -> bool:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "probe.cpp"
        path.write_text(source)
        run = subprocess.run([*COMPILER, "-I", str(INCLUDE), str(path)], capture_output=True, text=True)
    if run.returncode != 0:
        print(f"FAIL {what}:\n{run.stderr}")
        return False
    print(f"ok   {what}")
    return True


def same(names: set[str], other: set[str], what: str) -> bool:
    if names == other:
        print(f"ok   {what}: {len(names)} functions")
        return True
    print(f"FAIL {what}: only in the JSON {sorted(names - other)}, only in the other {sorted(other - names)}")
    return False


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    description = json.loads((INCLUDE / "deployhook.json").read_text())
    functions = {f["name"] for f in description["functions"]}
    nm = subprocess.run(["nm", "-D", "--defined-only", sys.argv[1]], capture_output=True, text=True, check=True)
    exported = {line.split()[-1] for line in nm.stdout.splitlines() if line.strip()}
    header = re.sub(r"/\*.*?\*/", "", (INCLUDE / "deployhook.h").read_text(), flags=re.S)
    cdef = re.sub(r"/\*.*?\*/", "", (INCLUDE / "deployhook.cdef").read_text(), flags=re.S)
    declared = re.compile(r"^[\w ]+?\s*\**\s*(deployhook_\w+)\(", re.M)
    version = description["version"]
    results = [
        same(functions, exported, "the JSON's functions are the library's exports (nm -D --defined-only)"),
        same(functions, set(declared.findall(header)), "the JSON's functions are deployhook.h's"),
        same(functions, set(declared.findall(cdef)), "the JSON's functions are deployhook.cdef's"),
        compiles('#include "deployhook.h"\n' + probe(description, enum_types=True)
                 + f'static_assert(sizeof(DEPLOYHOOK_VERSION) == {len(version) + 1}, "version");\n',
                 "deployhook.h declares every type and value the JSON states (g++ static_asserts)"),
        compiles("#include <stddef.h>\n" + cdef + probe(description, enum_types=False),
                 "deployhook.cdef declares every type and value the JSON states (g++ static_asserts)"),
    ]
    header_version = re.search(r'#define DEPLOYHOOK_VERSION "(.*)"', header).group(1)
    results.append(header_version == version)
    print(f"{'ok  ' if results[-1] else 'FAIL'} the JSON's version {version} is the header's {header_version}")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
