"""A regular (non-editable) install carries everything the product needs at run time."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = textwrap.dedent(
    """
    import sys, tempfile
    from pathlib import Path
    import policykg, policykg.kg
    assert Path(policykg.kg.__file__).is_relative_to(sys.argv[1]), policykg.kg.__file__
    from policykg.kg.build import build
    from policykg.queries import load_catalogue
    from policykg.service import create_app

    sources = Path(policykg.kg.__file__).parent / "sources"
    assert len(list(sources.glob("*.txt"))) == 34
    store = Path(tempfile.mkdtemp()) / "store"
    result = build([sources / "zhanhe-district_2023_plan-report.txt"], store)
    assert result.quads > 5000 and (store / "dumps" / "void.ttl").is_file()
    assert len(load_catalogue()) >= 12
    client = create_app({"STORE_PATH": str(store)}).test_client()
    for path in ("/sparql", "/terms", "/ontology", "/static/css/base.css"):
        assert client.get(path, headers={"Accept": "text/html"}).status_code == 200, path
    print("ok")
    """
)


def test_wheel_install_builds_and_serves(tmp_path):
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)], check=True)
    (wheel,) = wheels.glob("policykg-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    # -S: no site processing, so the editable install's path hook cannot shadow the wheel
    dependencies = sysconfig.get_paths()["purelib"]
    code = f"import sys; sys.path[:0] = [{str(target)!r}]; sys.path.append({dependencies!r})\n"
    out = subprocess.run(
        [sys.executable, "-S", "-c", code + CHECK, str(target)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok")
