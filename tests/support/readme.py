"""Code blocks of the README, for tests that run them as a reader would."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(language: str, containing: str) -> str:
    """Return the one README code block in language whose text contains `containing`."""
    blocks = re.findall(rf"```{language}\n(.*?)```", README.read_text(), re.S)
    (block,) = [b for b in blocks if containing in b]
    return block


def run_readme_block(language: str, containing: str, replace: dict[str, str]) -> dict:
    """Run a README Python block with example values replaced; return its names."""
    code = readme_block(language, containing)
    for example, real in replace.items():
        assert example in code, f"the README block no longer shows {example!r}"
        code = code.replace(example, real)
    names: dict = {}
    exec(compile(code, str(README), "exec"), names)  # the README's own code, as a reader runs it
    return names
