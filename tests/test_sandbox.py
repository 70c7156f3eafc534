"""Themes are untrusted code: the issue's payloads, with canary files and an audit hook.

Each payload theme is built from the command line in a child process that
carries a ``sys.addaudithook`` hook. The hook records every file opened below a
canary folder beside the theme and every process the build tries to start
(``os.system``, ``subprocess.Popen``, ``os.exec*``, ``os.posix_spawn``,
``os.fork``). A sandboxed theme must leave that record empty, write nothing
outside, fail with one ``error:`` line, exit 1, and leave no output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import REPO, run_cli
from conftest import SEED

from publisher.errors import ThemeError
from publisher.themes import DEFAULT_THEME, load_theme
from publisher.themes.sandbox import MAX_CALL_DEPTH, check_xhtml

#: Runs ``publisher`` with an audit hook that logs canary opens and process starts.
AUDITED_RUN = r"""
import json, os, runpy, sys
canary = os.environ["CANARY_DIR"]
log = open(os.environ["AUDIT_LOG"], "w", encoding="utf-8")
PROBES = ("ldconfig", "ld", "gcc", "cc", "objdump")
SPAWNS = ("os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
          "os.forkpty", "pty.spawn")

def hook(event, args):
    if event == "open" and args and isinstance(args[0], (str, bytes, os.PathLike)):
        name = os.fsdecode(args[0])
        if os.path.abspath(name).startswith(canary):
            log.write(json.dumps([event, name]) + "\n"); log.flush()
    elif event in SPAWNS:
        # ctypes.util.find_library's probes (ldconfig -p, ld -t) when WeasyPrint loads
        # Pango: run by the import, with fixed arguments, before any theme file is read.
        if event == "subprocess.Popen" and os.path.basename(os.fsdecode(args[0])) in PROBES:
            if not any(canary in os.fsdecode(a) or "touch" in os.fsdecode(a) for a in args[1]):
                return
        log.write(json.dumps([event, repr(args)[:200]]) + "\n"); log.flush()

sys.addaudithook(hook)
sys.argv = ["publisher", *sys.argv[1:]]
runpy.run_module("publisher", run_name="__main__", alter_sys=True)
"""

PAYLOADS = {
    # The three payloads, and the reads and runs they lead to.
    "globals-os-system": "{{ joiner.__init__.__globals__.os.system('touch PWNED') }}",
    "builtins-open": (
        "{{ joiner.__init__.__globals__.__builtins__.open('CANARY/secret.txt').read() }}"
    ),
    "open": "{{ open('CANARY/secret.txt').read() }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "popen": (
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}"
        "{% if c.__name__ == 'Popen' %}{{ c(['touch', 'PWNED']) }}{% endif %}{% endfor %}"
    ),
    "cycler-globals": "{{ cycler.__init__.__globals__.os.popen('cat CANARY/secret.txt').read() }}",
    "format-string": "{{ '{0.__class__.__init__.__globals__}'.format(joiner) }}",
    "mutate-article": "{{ article.paragraphs.append('x') }}{{ article.metadata.authors.pop() }}",
    "include-outside": '{% include "../../canary/secret.txt" %}',
    "include-absolute": '{% include "CANARY/secret.txt" %}',
    "import-os": "{% import 'os' as os %}{{ os.system('touch PWNED') }}",
}


def _theme(folder: Path, body: str, toml: str = 'extends = "default"\n') -> Path:
    """A theme folder whose body template carries ``body`` inside the article."""
    (folder / "templates").mkdir(parents=True)
    (folder / "theme.toml").write_text(toml)
    default_body = (DEFAULT_THEME / "templates" / "body.xhtml").read_text()
    (folder / "templates" / "body.xhtml").write_text(
        default_body.replace("</article>", f"<p>{body}</p></article>")
    )
    return folder


def _canary(tmp_path: Path) -> Path:
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "secret.txt").write_text("CANARY-SECRET-9f2c\n")
    return canary


def _audited_build(
    tmp_path: Path, theme: Path, canary: Path, fmt: str = "epub"
) -> tuple[int, str, list[object]]:
    """Build the seed with ``theme`` under the audit hook; return (code, stderr, audit log)."""
    runner = tmp_path / "audited.py"
    runner.write_text(AUDITED_RUN)
    log = tmp_path / "audit.jsonl"
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env |= {"PYTHONPATH": str(REPO), "CANARY_DIR": str(canary), "AUDIT_LOG": str(log)}
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    args = ["build", SEED, "-o", tmp_path / "out", "-f", fmt, "--lang", "en", "--theme", theme]
    result = subprocess.run(
        [sys.executable, str(runner), *map(str, args)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert not (work / "PWNED").exists() and not (tmp_path / "PWNED").exists()
    return result.returncode, result.stderr, events


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_a_theme_payload_reads_writes_and_runs_nothing(tmp_path: Path, name: str) -> None:
    canary = _canary(tmp_path)
    theme = _theme(tmp_path / "evil", PAYLOADS[name].replace("CANARY", str(canary)))
    code, stderr, events = _audited_build(tmp_path, theme, canary)
    assert events == []  # no canary opened, no process started
    assert code == 1, stderr
    line = _one_error_line(stderr)
    assert "template 'body.xhtml'" in line or "The theme has no template" in line
    assert "CANARY-SECRET" not in stderr
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_the_audit_hook_sees_a_canary_read(tmp_path: Path) -> None:
    # The check above could pass by seeing nothing: show the hook reports a real read.
    canary = _canary(tmp_path)
    theme = tmp_path / "plain"
    (theme / "css").mkdir(parents=True)
    (theme / "theme.toml").write_text('extends = "default"\n')
    (theme / "css" / "epub.css").symlink_to(canary / "secret.txt")
    code, stderr, events = _audited_build(tmp_path, theme, canary)
    assert code == 1 and "blocked" in stderr  # the sandbox refused it...
    assert events == []  # ...before opening it
    (theme / "css" / "epub.css").unlink()
    (theme / "css" / "epub.css").write_text("/* fine */\n")
    (theme / "theme.toml").write_text(
        f'extends = "default"\n[fonts.extra]\nfamily = "X"\npath = "{canary}"\n'
    )
    # A font path outside the theme folder is refused too; nothing is opened for it.
    code, stderr, events = _audited_build(tmp_path, theme, canary)
    assert code == 1 and events == [], stderr
    # And the hook itself works: a child that reads the canary is recorded.
    env = {**os.environ, "CANARY_DIR": str(canary), "AUDIT_LOG": str(tmp_path / "probe.jsonl")}
    probe = AUDITED_RUN.replace(
        'runpy.run_module("publisher", run_name="__main__", alter_sys=True)',
        'open(os.path.join(canary, "secret.txt")).read(); os.system("true")',
    )
    subprocess.run([sys.executable, "-c", probe], env=env, check=True, timeout=60)
    kinds = [json.loads(line)[0] for line in (tmp_path / "probe.jsonl").read_text().splitlines()]
    assert kinds == ["open", "os.system"]


def test_a_print_stylesheet_reads_nothing_outside_under_the_audit_hook(tmp_path: Path) -> None:
    canary = _canary(tmp_path)
    (canary / "secret.css").write_text('body::after { content: "CANARY-SECRET"; }')
    theme = tmp_path / "printer"
    (theme / "css").mkdir(parents=True)
    (theme / "theme.toml").write_text('extends = "default"\n')
    (theme / "css" / "print.css").write_text(
        f'@import url("file://{canary}/secret.css");\n'
        f"h1 {{ background: url(file://{canary}/secret.txt); }}\n"
        "h2 { background: url(../../canary/secret.txt); }\n"
    )
    code, stderr, events = _audited_build(tmp_path, theme, canary, "pdf")
    assert events == []
    assert code == 0, stderr  # the PDF is made without them, and says so
    assert f"blocked file://{canary}/secret.css" in stderr


def test_a_template_symlinked_outside_its_theme_is_refused_unread(tmp_path: Path) -> None:
    canary = _canary(tmp_path)
    (canary / "body.xhtml").write_text((DEFAULT_THEME / "templates" / "body.xhtml").read_text())
    theme = tmp_path / "linked"
    (theme / "templates").mkdir(parents=True)
    (theme / "theme.toml").write_text('extends = "default"\n')
    (theme / "templates" / "body.xhtml").symlink_to(canary / "body.xhtml")
    code, stderr, events = _audited_build(tmp_path, theme, canary)
    assert events == []
    assert code == 1
    line = _one_error_line(stderr)
    assert "body.xhtml" in line and "outside the theme folder" in line


def test_a_templates_folder_linked_outside_is_refused(tmp_path: Path) -> None:
    canary = _canary(tmp_path)
    (canary / "article.xhtml").write_text("{{ article.headline }}")
    theme = tmp_path / "linked"
    theme.mkdir()
    (theme / "templates").symlink_to(canary)
    with pytest.raises(ThemeError, match="outside the theme folder"):
        load_theme(theme)


def test_a_templates_folder_linked_to_the_root_is_refused_without_walking_it(
    tmp_path: Path,
) -> None:
    theme = tmp_path / "rooted"
    theme.mkdir()
    (theme / "theme.toml").write_text('extends = "default"\n')
    (theme / "templates").symlink_to("/")
    started = time.perf_counter()
    result = run_cli("build", SEED, "-o", tmp_path / "out", "-f", "epub", "--theme", theme)
    assert result.returncode == 1, result.stderr
    assert "outside the theme folder" in _one_error_line(result.stderr)
    assert time.perf_counter() - started < 30


@pytest.mark.parametrize(
    ("extends", "message"),
    [
        ("/", "not a theme (it has no theme.toml)"),
        ("../plain-folder", "not a theme (it has no theme.toml)"),
        ("~", "not a theme (it has no theme.toml)"),
    ],
)
def test_extends_names_only_themes(tmp_path: Path, extends: str, message: str) -> None:
    (tmp_path / "plain-folder" / "templates").mkdir(parents=True)
    theme = tmp_path / "child"
    theme.mkdir()
    (theme / "theme.toml").write_text(f'extends = "{extends}"\n')
    started = time.perf_counter()
    result = run_cli("build", SEED, "-o", tmp_path / "out", "--format", "epub", "--theme", theme)
    assert result.returncode == 1, result.stderr
    assert message in _one_error_line(result.stderr)
    assert time.perf_counter() - started < 30  # "/" is never walked


def test_extends_a_theme_folder_still_works(tmp_path: Path) -> None:
    (tmp_path / "house").mkdir()
    (tmp_path / "house" / "theme.toml").write_text('name = "house"\nextends = "digest"\n')
    (tmp_path / "desk").mkdir()
    (tmp_path / "desk" / "theme.toml").write_text('extends = "../house"\n')
    theme = load_theme(tmp_path / "desk")
    assert theme.folders[1] == (tmp_path / "house").resolve()


MISBEHAVING = {
    "macro-recursion": (
        "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}",
        f"calls nest more than {MAX_CALL_DEPTH} deep",
    ),
    "self-include": ('{% include "body.xhtml" %}', "recurses without end"),
    "divide-by-zero": ("{{ 1 // 0 }}", "ZeroDivisionError"),
    "huge-string": ("{{ 'x' * 10**10 }}", "stopped by the sandbox"),
    "huge-power": ("{{ 7 ** 1000000000 }}", "stopped by the sandbox"),
    "power-tower": ("{{ (2 ** 999999) ** 999999 }}", "stopped by the sandbox"),
    "ill-formed": ("<b>unclosed", "ill-formed XHTML"),
    "endless-output": (
        "{% for i in range(100000) %}{% for j in range(100000) %}"
        "xxxxxxxxxx{% endfor %}{% endfor %}",
        "the output passed 50 million characters",
    ),
    "bad-attribute": ('<span class=x">', "ill-formed XHTML"),
}


@pytest.mark.parametrize("name", sorted(MISBEHAVING))
def test_a_misbehaving_template_is_one_theme_error(tmp_path: Path, name: str) -> None:
    body, message = MISBEHAVING[name]
    theme = _theme(tmp_path / name, body)
    started = time.perf_counter()
    out = tmp_path / "out"
    result = run_cli("build", SEED, "-o", out, "--format", "epub", "--lang", "en", "--theme", theme)
    assert result.returncode == 1, result.stderr
    line = _one_error_line(result.stderr)
    assert message in line
    # The failing template is named, with its line; output checks name the whole document.
    whole = name in ("ill-formed", "bad-attribute", "endless-output")
    assert ("'article.xhtml'" if whole else "'body.xhtml' (line ") in line
    assert not out.exists() or list(out.iterdir()) == []
    assert time.perf_counter() - started < 60


def test_check_xhtml_takes_documents_and_fragments() -> None:
    check_xhtml('<?xml version="1.0" encoding="utf-8"?>\n<html><body/></html>', "a.xhtml")
    check_xhtml('<nav epub:type="toc"><ol><li>x</li></ol></nav>', "toc.xhtml")
    with pytest.raises(ThemeError, match="line 2"):
        check_xhtml("<p>a</p>\n<p>b</i>", "toc.xhtml")
