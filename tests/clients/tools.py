"""Running the command-line clients of the matrix: Apache Jena (Debian's libapache-jena-java,
which ships the jars of `rsparql` and `riot` but no scripts) and Node's sparql-http-client.

`.ci/system-deps` installs both when missing; a test skips, saying why, only when the tool is
truly unavailable here.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

JENA_PACKAGE = "libapache-jena-java"
JAVA_DIR = Path("/usr/share/java")
JS_DIR = Path(__file__).resolve().parent / "js"
# Logging bindings and bridges clash with each other on one classpath; slf4j-simple alone
# prints riot's warnings and errors on stderr.
_LOGGING = ("slf4j", "log4j", "logback")


@functools.cache
def jena_classpath(workdir: Path) -> str:
    """The classpath of Jena's commands: the jars of the Debian package and its dependencies.

    Debian's jena-core relocates Xerces' classes to ``xerces.*`` but leaves its message files
    under ``org/apache/jena/ext/xerces``; without them every XSD datatype fails to initialise
    ("internal error" in XSSimpleTypeDecl). They are copied to where the classes look.
    """
    if shutil.which("java") is None or not (JAVA_DIR / "jena-cmds.jar").is_file():
        pytest.skip(
            f"Apache Jena is not installed (apt-get install {JENA_PACKAGE}; .ci/system-deps)"
        )
    packages = _dependency_closure(JENA_PACKAGE)
    listed = subprocess.run(
        ["dpkg", "-L", *packages], capture_output=True, text=True, check=False
    ).stdout.split()
    jars = sorted(
        p for p in set(listed)
        if p.endswith(".jar") and Path(p).parent == JAVA_DIR and not Path(p).is_symlink()
        and not any(name in Path(p).name for name in _LOGGING)
    )  # fmt: skip
    resources = workdir / "jena-xerces-resources"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = resources / "xerces" / name.removeprefix("org/apache/jena/ext/xerces/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    logging = [str(JAVA_DIR / "slf4j-api.jar"), str(JAVA_DIR / "slf4j-simple.jar")]
    return ":".join([str(resources), *jars, *logging])


def _dependency_closure(package: str) -> list[str]:
    out = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
         "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", package],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    names = {line.strip() for line in out.splitlines() if line and not line.startswith((" ", "<"))}
    installed = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\\n", *sorted(names)],
        capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    return [line.split()[0] for line in installed.splitlines() if line.endswith(" installed")]


def jena(
    workdir: Path, command: str, *args: str, timeout: float = 180
) -> subprocess.CompletedProcess:
    """Run one of Jena's commands (``arq.rsparql``, ``riotcmd.riot``)."""
    classpath = jena_classpath(workdir)
    return subprocess.run(
        ["java", "-Xmx512m", "-cp", classpath, command, *args],
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def node_client() -> Path:
    """The script that runs sparql-http-client (installed by ``npm ci`` in tests/clients/js)."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed (apt-get install nodejs npm; .ci/system-deps)")
    if not (JS_DIR / "node_modules" / "sparql-http-client").is_dir():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed (apt-get install npm; .ci/system-deps)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True)
    return JS_DIR / "query.mjs"
