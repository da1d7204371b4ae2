"""Language names: one canonical spelling per language, and the aliases seen in fences and configs."""

from __future__ import annotations

# Canonical names. The first seven are the ones the parser and the sandbox understand.
PARSED_LANGUAGES: tuple[str, ...] = ("python", "c", "cpp", "java", "javascript", "go", "rust")

_ALIASES: dict[str, str] = {
    "python": "python", "py": "python", "python3": "python", "py3": "python", "python2": "python", "ipython": "python",
    "pycon": "python", "sage": "python",
    "c": "c", "h": "c",
    "cpp": "cpp", "c++": "cpp", "cxx": "cpp", "cc": "cpp", "hpp": "cpp", "cplusplus": "cpp",
    "java": "java",
    "js": "javascript", "javascript": "javascript", "node": "javascript", "nodejs": "javascript",
    "jsx": "javascript", "mjs": "javascript",
    "ts": "typescript", "typescript": "typescript", "tsx": "typescript",
    "go": "go", "golang": "go",
    "rust": "rust", "rs": "rust",
    "sql": "sql", "mysql": "sql", "postgresql": "sql", "postgres": "sql", "sqlite": "sql", "plsql": "sql", "tsql": "sql",
    "sh": "shell", "bash": "shell", "shell": "shell", "zsh": "shell", "console": "shell", "powershell": "powershell",
    "html": "html", "xml": "xml", "css": "css", "scss": "css", "php": "php", "ruby": "ruby", "rb": "ruby",
    "csharp": "csharp", "c#": "csharp", "cs": "csharp", "kotlin": "kotlin", "kt": "kotlin", "swift": "swift",
    "r": "r", "scala": "scala", "perl": "perl", "lua": "lua", "haskell": "haskell", "julia": "julia",
    "matlab": "matlab", "json": "json", "yaml": "yaml", "yml": "yaml", "dart": "dart", "vb": "vb",
    "vbnet": "vb", "objective-c": "objc", "objc": "objc", "assembly": "asm", "asm": "asm",
    "text": "text", "txt": "text", "plaintext": "text", "output": "text", "none": "text",
}


def canonical_language(name: str | None) -> str | None:
    """The canonical name for a language name or fence tag (``"C++"`` -> ``"cpp"``); None if unknown."""
    if not name:
        return None
    key = name.strip().lower().split()[0] if name.strip() else ""
    key = key.lstrip(".{").rstrip("}")
    return _ALIASES.get(key)
