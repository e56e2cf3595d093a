"""The C ABI as data, parsed once, for scripts/generate_header.py to render three ways.

Parsed from the header swiftc emits for Sources/DeployHookC (the @c functions, with their doc comments
and nullability) and from the public part of Sources/CDeployHook/deployhook_types.h (version macros,
enums, the callback typedef, the opaque handles). Rendered as:

- include/deployhook.cdef: the same declarations without a preprocessor, loaded as is by LuaJIT's
  ffi.cdef, cffi's cdef and (line by line) Ruby Fiddle's Importer;
- include/deployhook.json: every function, parameter, constant, enum and callback with its C type, its
  ownership and a one-line doc, for generators and checks.

Who owns each pointer is not in the C types: generate_header.py's OWNERSHIP table says it, and every
function and callback must have an entry that covers each of its pointers (see check_ownership).
Parsing is strict: anything it does not recognise stops generation rather than being skipped.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field

# Smart punctuation swiftc puts into doc comments, as ASCII: the generated files are ASCII only.
ASCII_PUNCTUATION = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u2013": "-"}

OWNERSHIP_KINDS = {
    "borrowed": "Passed in: read (or, for options, changed) during the call only; the caller keeps it and "
                "the library keeps no reference. Returned: owned by borrowed_from (a parameter's object, "
                "valid until that is freed; 'thread': until the calling thread's next deployhook call). "
                "A callback's argument: valid only during the callback. Never free it.",
    "owned": "Returned to the caller, who must free it exactly once with free_with (which accepts NULL).",
    "static": "Lives as long as the library; never free it.",
    "consumed": "The call frees it; do not use it afterwards.",
    "out": "An array the caller provides; the call fills each entry with a pointer the caller owns and "
           "frees with free_with.",
    "passthrough": "Never read by the library: handed back unchanged to the callback.",
}


def fail(message: str) -> None:
    sys.exit(f"generate_header: {message}")


@dataclass
class Slot:
    """A return value or parameter: C type, and for pointers nullability and ownership."""
    name: str
    type: str
    nullable: bool | None = None
    ownership: str | None = None
    related: str | None = None  # owned/out: free_with; borrowed return: borrowed_from
    enum: str | None = None

    def declaration(self, name: str | None = None) -> str:
        name = self.name if name is None else name
        return f"{self.type}{'' if self.type.endswith('*') else ' '}{name}"

    def description(self, with_name: bool = True) -> dict:
        out = {"name": self.name} if with_name else {}
        out["type"] = self.type
        if self.enum:
            out["enum"] = self.enum
        if self.ownership:
            out["nullable"] = self.nullable
            out["ownership"] = self.ownership
            if self.related:
                out["borrowed_from" if self.ownership == "borrowed" else "free_with"] = self.related
        return out


@dataclass
class Function:
    """An exported function (or, with is_callback, the callback typedef)."""
    name: str
    returns: Slot
    params: list[Slot]
    doc: list[str]
    section: str = ""

    def prototype(self) -> str:
        params = ", ".join(p.declaration() for p in self.params) or "void"
        return self.returns.declaration(f"{self.name}({params})") + ";"

    def description(self) -> dict:
        out = {"name": self.name}
        if self.section:
            out["section"] = self.section
        out.update(doc=summary(self.doc), details="\n".join(self.doc),
                   returns=self.returns.description(with_name=False),
                   parameters=[p.description() for p in self.params])
        return out


@dataclass
class Enum:
    name: str
    doc: list[str]
    values: list[tuple[str, int, str]] = field(default_factory=list)


@dataclass
class ABI:
    defines: list[tuple[str, str | int, list[str]]]
    enums: list[Enum]
    callbacks: list[Function]
    opaque: list[tuple[str, list[str]]]
    functions: dict[str, Function]

    def pointer_types(self) -> set[str]:
        return {c.name for c in self.callbacks}


def ascii_text(text: str, where: str) -> str:
    for smart, plain in ASCII_PUNCTUATION.items():
        text = text.replace(smart, plain)
    if not text.isascii():
        fail(f"{where}: non-ASCII text {text!r}; the generated files are ASCII")
    return text


def summary(doc: list[str]) -> str:
    """The doc comment's first sentence, on one line."""
    text = " ".join(doc)
    match = re.search(r"(?<!e\.g)(?<!i\.e)\.(\s|$)", text)
    return text[:match.start() + 1] if match else text


def c_type(raw: str) -> str:
    """A type as swiftc or a hand-written header spells it, in the header's spelling: `const char *const *`."""
    text = re.sub(r"\b(_Nullable|_Nonnull|_Null_unspecified)\b", " ", raw)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^(\w+) const\b", r"const \1", text)
    text = re.sub(r"\s*\*\s*", "*", text)
    return re.sub(r"(?<=\w)\*", " *", text)


def split_params(text: str) -> list[str]:
    """Top-level comma-separated parts of a parameter list ('void' and '' are none)."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    parts = [part.strip() for part in parts]
    return [] if parts in ([""], ["void"]) else parts


def slot(raw: str, where: str, named: bool = True) -> Slot:
    """A parameter ('char const * _Nullable hook') or a return type, with the nullability swiftc wrote."""
    name = ""
    if named:
        match = re.fullmatch(r"(.*?)\b(\w+)", raw.strip(), re.S)
        if not match or not match.group(1).strip():
            fail(f"{where}: cannot read the parameter {raw!r} (every parameter needs a name)")
        raw, name = match.group(1), match.group(2)
    marks = re.findall(r"\b(_Nullable|_Nonnull)\b", raw)
    return Slot(name, c_type(raw), nullable=(marks[-1] == "_Nullable") if marks else None)


def parse_swift_header(text: str) -> dict[str, Function]:
    """The @c functions of swiftc's header: name -> Function (doc comment, types, nullability)."""
    block = re.search(r'extern "C" \{\n#endif\n(.*?)#if defined\(__cplusplus\)\n\} // extern "C"', text, re.S)
    if not block:
        fail('the Swift header has no extern "C" block of @c functions')
    found, comment = {}, []
    for line in block.group(1).splitlines():
        line = line.strip()
        if line.startswith("///"):
            comment.append(line[3:].strip())
        elif line.startswith("SWIFT_EXTERN"):
            match = re.fullmatch(r"SWIFT_EXTERN (.*?)\b(deployhook_\w+)\((.*)\)(?: SWIFT_\w+)*;", line)
            if not match:
                fail(f"cannot read the Swift declaration: {line}")
            ret, name, params = match.groups()
            doc = [ascii_text(c, name) for c in comment]
            found[name] = Function(name, slot(ret, name, named=False),
                                   [slot(p, name) for p in split_params(params)], doc)
            comment = []
        elif line:
            fail(f"unexpected line in the Swift header: {line}")
    return found


def doc_lines(comment: str | None) -> list[str]:
    """The text lines of a /** ... */ comment."""
    if not comment:
        return []
    body = re.sub(r"^/\*\*|\*/$", "", comment.strip())
    lines = [re.sub(r"^\s*\*? ?", "", line).rstrip() for line in body.splitlines()]
    return [ascii_text(line, "deployhook_types.h") for line in lines if line.strip()]


ITEM = re.compile(r"\s*(/\*\*(?:(?!\*/).)*\*/)?\s*("
                  r"#define (\w+) ([^\n]+)"
                  r"|typedef enum (\w+) \{(.*?)\} \5;"
                  r"|typedef (\w+) \(\*(\w+)\)\((.*?)\);"
                  r"|typedef struct (\w+) \10;)\n", re.S)
ENUM_VALUE = re.compile(r"(\w+) = (-?\d+),?(?:\s*/\*\*< (.*?) \*/)?")


def parse_public_types(text: str) -> tuple[list, list, list, list]:
    """Defines, enums, callback typedefs and opaque handles of the PUBLIC part of deployhook_types.h."""
    defines, enums, callbacks, opaque = [], [], [], []
    position = 0
    while position < len(text.rstrip()):
        item = ITEM.match(text, position)
        if not item:
            fail(f"deployhook_types.h: cannot read the public part from here: {text[position:position + 80]!r}")
        position = item.end()
        doc = doc_lines(item.group(1))
        if item.group(3):
            value = item.group(4).strip()
            defines.append((item.group(3), json.loads(value) if value.startswith('"') else int(value, 0), doc))
        elif item.group(5):
            enum = Enum(item.group(5), doc)
            for line in filter(None, (line.strip() for line in item.group(6).splitlines())):
                value = ENUM_VALUE.fullmatch(line)
                if not value:
                    fail(f"deployhook_types.h: cannot read the enum {enum.name} line {line!r}")
                enum.values.append((value.group(1), int(value.group(2)), ascii_text(value.group(3) or "", line)))
            enums.append(enum)
        elif item.group(8):
            name = item.group(8)
            callbacks.append(Function(name, Slot("", c_type(item.group(7))),
                                      [slot(p, name) for p in split_params(item.group(9))], doc))
        else:
            opaque.append((item.group(10), doc))
    return defines, enums, callbacks, opaque


def check_ownership(abi: ABI, table: dict[str, dict[str, str]]) -> None:
    """Applies the OWNERSHIP table, failing on any function, callback or pointer it does not cover."""
    enum_names = {e.name for e in abi.enums}
    pointers = abi.pointer_types()
    for function in [*abi.functions.values(), *abi.callbacks]:
        where = function.name
        entry = table.get(where)
        if entry is None:
            fail(f"{where} has no OWNERSHIP entry in scripts/generate_header.py: say who owns each pointer "
                 f"it returns or takes ({', '.join(OWNERSHIP_KINDS)}) and which enum each int carries")
        slots = {"return": function.returns, **{p.name: p for p in function.params}}
        if unknown := sorted(set(entry) - set(slots)):
            fail(f"{where}: OWNERSHIP names {unknown}, which it does not have (it has {sorted(slots)})")
        for key, s in slots.items():
            if base_type(s.type) in enum_names:
                fail(f"{where}: {key} is typed {s.type}; every enum crosses the ABI as int (CInt in Swift)")
            spec = entry.get(key)
            if s.type.endswith("*") or s.type in pointers:
                if spec is None:
                    fail(f"{where}: OWNERSHIP says nothing of the pointer {key} ({s.type})")
                apply_pointer(abi, function, key, s, spec)
            elif spec is not None:
                kind, _, enum = spec.partition(":")
                if kind != "enum" or enum not in enum_names or s.type != "int":
                    fail(f"{where}: {key} ({s.type}) is no pointer; OWNERSHIP may only name its enum "
                         f"(enum:NAME, NAME one of {sorted(enum_names)}, on an int), not {spec!r}")
                s.enum = enum
    if extra := sorted(set(table) - set(abi.functions) - {c.name for c in abi.callbacks}):
        fail(f"OWNERSHIP has entries for {extra}, which are not exported")


def base_type(c_type: str) -> str:
    return re.sub(r"\bconst\b|\*", "", c_type).strip()


def frees(abi: ABI, name: str, c_type: str) -> bool:
    """Whether function name takes exactly one pointer to what c_type points to (so it can free it)."""
    function = abi.functions.get(name)
    return bool(function and len(function.params) == 1 and base_type(function.params[0].type) == base_type(c_type))


def apply_pointer(abi: ABI, function: Function, key: str, s: Slot, spec: str) -> None:
    where = f"{function.name}: {key}"
    spec, _, nullability = spec.partition(" ")
    kind, _, related = spec.partition(":")
    params = {p.name for p in function.params}
    ok = {
        "owned": key == "return" and frees(abi, related, s.type),
        "out": key != "return" and frees(abi, related, s.type) and s.type.endswith("**"),
        "borrowed": not related if key != "return" else related == "thread" or related in params,
        "static": key == "return" and not related,
        "consumed": key != "return" and not related,
        "passthrough": s.type == "void *" and not related,
    }.get(kind, False)
    if not ok:
        fail(f"{where}: OWNERSHIP {spec!r} does not fit ({s.type}); use owned:FREE_FUNCTION, borrowed, "
             f"borrowed:PARAMETER or borrowed:thread (returns), static, consumed, out:FREE_FUNCTION or passthrough")
    if nullability:
        if s.nullable is not None or nullability not in ("nullable", "nonnull"):
            fail(f"{where}: a nullability ({nullability!r}) may only be given where swiftc gives none (callbacks)")
        s.nullable = nullability == "nullable"
    elif kind == "passthrough":
        s.nullable = True
    if s.nullable is None:
        fail(f"{where}: nullability unknown; add ' nullable' or ' nonnull' to its OWNERSHIP entry")
    s.ownership, s.related = kind, related or None


def comment_block(lines: list[str], width: int = 110) -> str:
    """Conventions as ' * - ' bullet lines wrapped at width."""
    out = []
    for text in lines:
        line = " * -"
        for word in text.split(" "):
            if len(line) + 1 + len(word) > width:
                out.append(line)
                line = " *  "
            line += " " + word
        out.append(line)
    return "\n".join(out) + "\n"


def render_cdef(abi: ABI, sections: list[tuple[str, list[str]]], preamble: str) -> str:
    """include/deployhook.cdef: the declarations, one a line, no preprocessor, enums anonymous."""
    out = [preamble]
    for name, doc in abi.opaque:
        out.append(f"typedef struct {name} {name};\n")
    for callback in abi.callbacks:
        params = ", ".join(p.declaration() for p in callback.params)
        out.append(f"typedef {callback.returns.type} (*{callback.name})({params});\n")
    for enum in abi.enums:
        out.append(f"\n/* {enum.name} */\nenum {{\n")
        out.append(",\n".join(f"    {name} = {value}" for name, value, _ in enum.values) + "\n};\n")
    numbers = [(name, value) for name, value, _ in abi.defines if isinstance(value, int)]
    if numbers:
        out.append("\n/* version */\nenum {\n" + ",\n".join(f"    {n} = {v}" for n, v in numbers) + "\n};\n")
    for title, names in sections:
        out.append(f"\n/* {title} */\n")
        out.extend(abi.functions[name].prototype() + "\n" for name in names)
    return "".join(out)


def render_json(abi: ABI, conventions: list[str]) -> str:
    """include/deployhook.json: the ABI for generators and checks (the schema is in its "format" entry)."""
    defines = {name: value for name, value, _ in abi.defines}
    frees = {p.type.replace("const ", "").rstrip(" *"): f.name for f in abi.functions.values()
             for p in f.params if p.ownership == "consumed"}
    description = {
        "format": "deployhook ABI description, version 1",
        "generated_by": "scripts/generate_header.py (make header); do not edit",
        "library": "deployhook",
        "version": defines.get("DEPLOYHOOK_VERSION"),
        "version_number": defines.get("DEPLOYHOOK_VERSION_NUMBER"),
        "files": {"header": "deployhook.h", "declarations": "deployhook.cdef", "shared_library": "libdeployhook.so"},
        "conventions": conventions,
        "ownership_kinds": OWNERSHIP_KINDS,
        "constants": [{"name": name, "type": "const char *" if isinstance(value, str) else "int", "value": value,
                       "doc": summary(doc)} for name, value, doc in abi.defines],
        "enums": [{"name": e.name, "type": "int", "doc": summary(e.doc),
                   "values": [{"name": n, "value": v, "doc": d} for n, v, d in e.values]} for e in abi.enums],
        "opaque_types": [{"name": name, "doc": summary(doc), "free_with": frees.get(name)} for name, doc in abi.opaque],
        "callbacks": [c.description() for c in abi.callbacks],
        "functions": [f.description() for f in abi.functions.values()],
    }
    return json.dumps(description, indent=2, ensure_ascii=True) + "\n"
