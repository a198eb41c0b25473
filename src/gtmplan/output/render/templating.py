"""The Jinja environment for documents: shipped templates, optional overrides, sandboxed.

Trust model: a ``--templates`` directory may come from a pull request, so every
template (shipped or not) runs in Jinja's sandbox, templates are looked up by
plain file name only, and a template that is a symlink resolving outside its
directory is refused. HTML templates are autoescaped; undefined variables are
errors, so a typo in a template fails loudly instead of printing nothing.
"""

from __future__ import annotations

import re
import stat
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from jinja2 import BaseLoader, ChoiceLoader, StrictUndefined, TemplateNotFound, nodes
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment, safe_range

from gtmplan.errors import InputError
from gtmplan.output.fmt import printable
from gtmplan.output.markdown import code, md
from gtmplan.read.resources import templates_dir
from gtmplan.read.yamlsource import read_bytes

if TYPE_CHECKING:
    from jinja2 import Environment, nodes
    from jinja2.runtime import Context

# Deferred imports: jinja2's sandbox helpers are imported with the template engine, only when a document is rendered.


class DirectoryLoader(BaseLoader):
    """Templates by file name from one directory; nothing outside it, symlinks included.
    A template must be a regular file of at most :data:`MAX_TEMPLATE_BYTES`, in UTF-8."""

    def __init__(self, root: Path, display: Optional[str] = None) -> None:
        self.root = root.resolve()
        self.display = display

    def get_source(self, environment: Environment, template: str) -> tuple[str, Optional[str], Callable[[], bool]]:
        if "/" in template or "\\" in template or template.startswith(".") or "\0" in template:
            raise TemplateNotFound(template)
        path = self.root / template
        shown = printable(f"{self.display}/{template}" if self.display else str(path))
        try:
            exists = path.exists()
            real = path.resolve()
        except (OSError, RuntimeError) as e:  # RuntimeError: a symlink loop
            raise InputError.single(shown, f"cannot be read: {getattr(e, 'strerror', None) or e}") from None
        if not exists:
            raise TemplateNotFound(template)
        if not real.is_relative_to(self.root):
            raise InputError.single(shown, "is a symlink to a file outside the templates directory; refused")
        try:
            st = real.stat()
        except OSError as e:
            raise InputError.single(shown, f"cannot be read: {e.strerror or e}") from None
        if not stat.S_ISREG(st.st_mode):
            kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a pipe or device?)"
            raise InputError.single(shown, f"is {kind}, not a template; refused")
        data = read_bytes(real, shown, MAX_TEMPLATE_BYTES, "templates")
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
            raise InputError.single(shown, f"byte 0x{data[e.start]:02X} is not UTF-8: save the template as UTF-8",
                                    line, col) from None
        mtime = st.st_mtime
        return source, shown, lambda: real.stat().st_mtime == mtime


MAX_TEMPLATE_BYTES = 1024 * 1024
"""A template file larger than this (1 MiB) is refused."""
MAX_OUTPUT_CHARS = 64 * 1024 * 1024
"""A rendered document longer than this (64 Mi characters) is refused."""
MAX_VALUE_CHARS = 16 * 1024 * 1024
"""No text or list a template builds may exceed this many characters or items."""
MAX_STEPS = 10_000_000
"""Loop iterations and range() items a template may run through in one render."""
_FORMAT_WIDTH_RE = re.compile(r"[0-9]{5,}|\*")


class TemplateLimit(Exception):
    """A template went past one of the limits above."""


class LimitedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox (no attribute escapes) plus bounds on resource use: output size,
    the size of any value built, and loop work. Operators that multiply sizes are
    checked before they run; concatenation and method calls after each step (so at
    most twice a limit is ever allocated)."""

    intercepted_binops = frozenset(("*", "**", "%", "+"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.steps = 0
        self.globals["range"] = self._range
        for name in ("center", "indent", "format", "replace", "wordwrap", "truncate", "join", "batch"):
            self.filters[name] = self._checked_filter(self.filters[name])
        self.filters["_counted"] = self._counted
        self.filters["_sized"] = _sized

    # -- work -------------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > MAX_STEPS:
            raise TemplateLimit(f"the template runs more than {MAX_STEPS:,} loop steps")

    def _counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.step()
            yield item

    def _range(self, *args: int) -> range:

        rng = safe_range(*args)
        self.step(len(rng))
        return rng

    def _generate(self, source: nodes.Template, name: Optional[str], filename: Optional[str],
                  defer_init: bool = False) -> str:
        from jinja2.visitor import NodeTransformer

        env = self

        class Bound(NodeTransformer):
            """Every loop counts its steps; every '~' concatenation checks its size."""

            def visit_For(self, node: nodes.For) -> nodes.For:
                self.generic_visit(node)
                node.iter = nodes.Filter(node.iter, "_counted", [], [], None, None, lineno=node.lineno,
                                         environment=env)
                return node

            def visit_Concat(self, node: nodes.Concat) -> nodes.Filter:
                self.generic_visit(node)
                return nodes.Filter(node, "_sized", [], [], None, None, lineno=node.lineno, environment=env)

        return super()._generate(Bound().visit(source), name, filename, defer_init)

    # -- sizes ------------------------------------------------------------------
    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple, bytes)) and isinstance(n, int) and not isinstance(n, bool):
                    _size_ok(len(seq) * max(n, 0))
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
                _size_ok(abs(left).bit_length() * right // 3)  # about that many digits
        elif operator == "%" and isinstance(left, str):
            if _FORMAT_WIDTH_RE.search(left.replace("%%", "")):
                raise TemplateLimit("a '%' format with a width or precision above 9,999 (or '*') is refused")
        result = super().call_binop(context, operator, left, right)
        _value_ok(result)
        return result

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            name = getattr(__obj, "__name__", "")
            numbers = [a for a in (*args, *kwargs.values()) if isinstance(a, int) and not isinstance(a, bool)]
            if name in ("center", "ljust", "rjust", "zfill", "expandtabs"):
                _size_ok(len(owner) * (8 if name == "expandtabs" else 1) + max(numbers, default=0))
            elif name in ("format", "format_map"):
                if _FORMAT_WIDTH_RE.search(owner.replace("{{", "")):
                    raise TemplateLimit("a format with a width or precision above 9,999 is refused")
            elif name == "join" and args and isinstance(args[0], (list, tuple)):
                _size_ok(_joined(args[0], owner))
            elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
                _size_ok(len(owner) + (owner.count(args[0]) if args[0] else len(owner) + 1) * len(args[1]))
        result = super().call(__context, __obj, *args, **kwargs)
        _value_ok(result)
        return result

    def _checked_filter(self, f: Callable[..., Any]) -> Callable[..., Any]:
        def checked(*args: Any, **kwargs: Any) -> Any:
            numbers = [a for a in (*args[1:], *kwargs.values()) if isinstance(a, int) and not isinstance(a, bool)]
            texts = [a for a in args if isinstance(a, str)]
            _size_ok(max(numbers, default=0))
            if f.__name__ in ("do_format",) and texts and _FORMAT_WIDTH_RE.search(texts[0]):
                raise TemplateLimit("a format with a width or precision above 9,999 is refused")
            if f.__name__ == "do_join" and len(args) >= 2 and isinstance(args[1], (list, tuple)):
                sep = args[2] if len(args) > 2 else kwargs.get("d", "")
                _size_ok(_joined(args[1], sep if isinstance(sep, str) else ""))
            if f.__name__ == "do_replace" and len(args) >= 4 and all(isinstance(a, str) for a in args[1:4]):
                s, old, new = args[1:4]
                _size_ok(len(s) + (s.count(old) if old else len(s) + 1) * len(new))
            result = f(*args, **kwargs)
            _value_ok(result)
            return result

        for attr in ("jinja_pass_arg", "__name__", "__doc__"):
            if hasattr(f, attr):
                setattr(checked, attr, getattr(f, attr))
        return checked


def _size_ok(n: int) -> None:
    if n > MAX_VALUE_CHARS:
        raise TemplateLimit(f"the template builds a value of {n:,} characters or items "
                            f"(at most {MAX_VALUE_CHARS:,})")


def _joined(items: Sequence[Any], sep: str) -> int:
    """Length of a join, before it is built (text items; others count as short)."""
    return sum(len(x) if isinstance(x, str) else 20 for x in items) + len(sep) * max(len(items) - 1, 0)


def _sized(value: Any) -> Any:
    _value_ok(value)
    return value


def _value_ok(value: object) -> None:
    if isinstance(value, (str, list, tuple, bytes)):
        _size_ok(len(value))
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * MAX_VALUE_CHARS:
        _size_ok(value.bit_length())


def environment(override: Optional[str] = None) -> SandboxedEnvironment:
    loaders = []
    if override is not None:
        root = Path(override)
        shown = printable(override)
        try:
            ok = root.is_dir()
        except (OSError, ValueError) as e:
            reason = getattr(e, "strerror", None) or "the path is not usable (a NUL character?)"
            raise InputError.single(shown, f"--templates: cannot be read: {reason}") from None
        if not ok:
            raise InputError.single(shown, "--templates: not a directory")
        loaders.append(DirectoryLoader(root, override.rstrip("/")))
    loaders.append(DirectoryLoader(templates_dir() / "render"))
    env = LimitedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".html")),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md
    env.filters["code"] = code
    return env


def render_template(name: str, view: dict, override: Optional[str] = None) -> str:
    env = environment(override)
    try:
        template = env.get_template(name)
        name = template.filename or name
        parts: list[str] = []  # the output so far, joined every few thousand chunks (small strings cost memory)
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(**view):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateLimit(f"the document would be longer than {MAX_OUTPUT_CHARS // 1048576} Mi characters")
            chunks.append(chunk)
            if len(chunks) >= 4096:
                parts.append("".join(chunks))
                chunks.clear()
        parts.append("".join(chunks))
        return "".join(parts)
    except InputError:
        raise
    except TemplateSyntaxError as e:
        raise InputError.single(e.filename or name, f"template syntax error: {e.message}", e.lineno, 1) from None
    except SecurityError as e:
        file, line = _where(e, name)
        raise InputError.single(file, f"template refused by the sandbox: {e}", line, 1 if line else None) from None
    except TemplateLimit as e:
        file, line = _where(e, name)
        if line is None and not _is_users(file, override):  # the shipped templates on a huge plan
            raise InputError.single(None, f"{e}; refused") from None
        raise InputError.single(file, f"template refused: {e}", line, 1 if line else None) from None
    except TemplateError as e:
        file, line = _where(e, name)
        raise InputError.single(file, f"template error: {e.message or e}", line, 1 if line else None) from None
    except RecursionError as e:
        file, line = _where(e, name)
        raise InputError.single(file, "template error: it includes, extends or calls itself without end", line,
                                1 if line else None) from None
    except MemoryError as e:
        file, line = _where(e, name)
        raise InputError.single(file, "template refused: it needs more memory than there is", line,
                                1 if line else None) from None
    except Exception as e:  # anything a template's own expressions raise: 1/0, int('x'), ...
        file, line = _where(e, name)
        raise InputError.single(file, f"template error: {type(e).__name__}: {e}", line, 1 if line else None) from None


def _is_users(file: str, override: Optional[str]) -> bool:
    return override is not None and file.startswith(override.rstrip("/") + "/")


def _where(e: BaseException, name: str) -> tuple[str, Optional[int]]:
    """The template file and line an error happened on (Jinja puts them in the traceback)."""
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        if frame.filename.endswith((".j2", ".html", ".md")):
            return frame.filename, frame.lineno
    return name, None
