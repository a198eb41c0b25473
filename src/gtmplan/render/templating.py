"""The Jinja environment for documents: shipped templates, optional overrides, sandboxed.

Trust model: a ``--templates`` directory may come from a pull request, so every
template (shipped or not) runs in Jinja's sandbox, templates are looked up by
plain file name only, and a template that is a symlink resolving outside its
directory is refused. HTML templates are autoescaped; undefined variables are
errors, so a typo in a template fails loudly instead of printing nothing.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Optional

from jinja2 import BaseLoader, ChoiceLoader, StrictUndefined, TemplateNotFound
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from ..errors import InputError
from ..resources import templates_dir


class DirectoryLoader(BaseLoader):
    """Templates by file name from one directory; nothing outside it, symlinks included."""

    def __init__(self, root: Path, display: Optional[str] = None):
        self.root = root.resolve()
        self.display = display

    def get_source(self, environment, template: str):
        if "/" in template or "\\" in template or template.startswith("."):
            raise TemplateNotFound(template)
        path = self.root / template
        if not path.exists():
            raise TemplateNotFound(template)
        real = path.resolve()
        if not real.is_relative_to(self.root):
            shown = f"{self.display}/{template}" if self.display else str(path)
            raise InputError.single(shown, "is a symlink to a file outside the templates directory; refused")
        source = real.read_text(encoding="utf-8")
        shown = f"{self.display}/{template}" if self.display else str(path)
        mtime = real.stat().st_mtime
        return source, shown, lambda: real.stat().st_mtime == mtime


def _markdown(text) -> str:
    """Text safe inside a Markdown table cell: no raw HTML, no formatting, no broken cells."""
    s = str(text).replace("\r", " ").replace("\n", " ")
    for ch in "\\`*_[]<>|#":
        s = s.replace(ch, "\\" + ch)
    return s


def environment(override: Optional[str] = None) -> SandboxedEnvironment:
    loaders = []
    if override is not None:
        root = Path(override)
        if not root.is_dir():
            raise InputError.single(override, "--templates: not a directory")
        loaders.append(DirectoryLoader(root, override.rstrip("/")))
    loaders.append(DirectoryLoader(templates_dir() / "render"))
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".html")),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = _markdown
    return env


def render_template(name: str, view: dict, override: Optional[str] = None) -> str:
    env = environment(override)
    try:
        return env.get_template(name).render(**view)
    except InputError:
        raise
    except TemplateSyntaxError as e:
        raise InputError.single(e.filename or name, f"template syntax error: {e.message}", e.lineno, 1) from None
    except SecurityError as e:
        file, line = _where(e, name)
        raise InputError.single(file, f"template refused by the sandbox: {e}", line, 1 if line else None) from None
    except TemplateError as e:
        file, line = _where(e, name)
        raise InputError.single(file, f"template error: {e.message or e}", line, 1 if line else None) from None


def _where(e: Exception, name: str) -> tuple[str, Optional[int]]:
    """The template file and line an error happened on (Jinja puts them in the traceback)."""
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        if frame.filename.endswith((".j2", ".html", ".md")):
            return frame.filename, frame.lineno
    return name, None

