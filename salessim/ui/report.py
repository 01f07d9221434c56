"""Reports: run the parameterized notebooks with papermill and publish them as HTML without code.

Each run writes ``<out>/<notebook>/<param hash>/`` with the executed notebook
(``<notebook>.ipynb``), the report (``<notebook>.html``, code hidden), the parameters used
(``params.yaml``) and the tables the notebook saves (``tables/``, the notebook's ``out``).
The hash is over the notebook name and the parameters given, so re-running the same request
overwrites the same folder and different requests never collide.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from salessim.errors import SalessimError
from salessim.inputs import read_mapping

#: The kernel reports run on when the environment's ``python3`` kernel is not this interpreter.
KERNEL_NAME = "salessim"


class ReportError(SalessimError):
    """A notebook could not be run or published (names the notebook and the failing cell)."""


@dataclass(frozen=True)
class ReportRun:
    """Where one report run wrote its files, and how long it took (seconds)."""

    notebook: str
    folder: Path
    executed: Path
    html: Path
    params_file: Path
    seconds: float


# ------------------------------------------------------------------------- finding notebooks


def notebook_folder(folder: str | Path | None = None) -> Path:
    """The notebooks folder: ``folder`` if given, else ``./notebooks``, else the one next to the
    installed package (an editable install of a clone)."""
    if folder is not None:
        path = Path(folder)
        if not path.is_dir():
            raise ReportError(f"{path}: notebook folder not found")
        return path
    for candidate in (Path.cwd() / "notebooks", Path(__file__).resolve().parents[2] / "notebooks"):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    raise ReportError("notebooks/: folder not found (run from the project folder or pass --notebooks)")


def list_notebooks(folder: Path) -> dict[str, Path]:
    """Report notebooks by name (file stem), in file order."""
    return {p.stem: p for p in sorted(folder.glob("*.ipynb")) if not p.name.startswith(("_", "."))}


def resolve_notebooks(names: list[str], folder: Path) -> list[Path]:
    """``all`` or names: a stem (``00_quickstart``), a file name, its number (``00``) or its
    title (``quickstart``)."""
    known = list_notebooks(folder)
    if not known:
        raise ReportError(f"{folder}: no notebooks found")
    if not names or names == ["all"]:
        return list(known.values())
    out = []
    for name in names:
        stem = Path(name).stem
        hits = [p for s, p in known.items() if stem in (s, s.split("_", 1)[0], s.split("_", 1)[-1])]
        if len(hits) != 1:
            raise ReportError(f"{name}: no such notebook in {folder} (have: {', '.join(known)})")
        out.append(hits[0])
    return out


# ------------------------------------------------------------------------- parameters


def notebook_parameters(path: Path) -> dict[str, Any]:
    """The notebook's ``parameters`` cell: name -> default value (Python literal)."""
    import papermill

    out = {}
    for name, spec in papermill.inspect_notebook(str(path)).items():
        try:
            out[name] = ast.literal_eval(spec["default"])
        except (ValueError, SyntaxError):
            out[name] = spec["default"]
    return out


def read_params_file(path: str | Path) -> dict[str, Any]:
    """A YAML mapping of parameter name -> value."""
    return read_mapping(Path(path), ReportError, "parameter names to values", allow_empty=True)


def absolute_paths(params: Mapping[str, Any], base: Path | None = None) -> dict[str, Any]:
    """String values naming an existing file or folder (relative to ``base``, default the
    current folder), alone or in a list (``-p proposals '[a.yaml, b.yaml]'``), become absolute,
    because notebooks run inside the notebook folder."""
    base = base or Path.cwd()

    def resolve(v: Any) -> Any:
        return str((base / v).resolve()) if isinstance(v, str) and v and (base / v).exists() else v

    return {k: [resolve(x) for x in v] if isinstance(v, list) else resolve(v) for k, v in params.items()}


def param_hash(notebook: str, params: Mapping[str, Any]) -> str:
    """12 hex digits identifying a notebook and the parameters given to it."""
    blob = json.dumps({"notebook": notebook, "parameters": dict(params)}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


# ------------------------------------------------------------------------- kernel


def kernel_name() -> str:
    """A kernel that runs *this* interpreter: the environment's ``python3`` when it does (a
    ``python`` argv is replaced by the running interpreter), else a ``salessim`` kernel spec
    installed into this environment (or the user's folder when that is read-only)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    ksm = KernelSpecManager()
    exe = Path(sys.executable)
    py_names = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    for name in ("python3", KERNEL_NAME):
        try:
            argv = ksm.get_kernel_spec(name).argv
        except NoSuchKernel:
            continue
        if argv and (argv[0] in py_names or Path(argv[0]) == exe):
            return name
    from ipykernel.kernelspec import install

    try:
        install(kernel_name=KERNEL_NAME, display_name="Python (salessim)", prefix=sys.prefix)
    except OSError:
        install(kernel_name=KERNEL_NAME, display_name="Python (salessim)", user=True)
    return KERNEL_NAME


@contextlib.contextmanager
def package_on_path() -> Iterator[dict[str, str]]:
    """Let kernels started meanwhile import the same ``salessim`` as this process (a checkout
    that is not the installed one, e.g. a git worktree). Yields the environment to use."""
    root = str(Path(__file__).resolve().parents[2])
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([root, *([old] if old else [])])
    try:
        yield dict(os.environ)
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


# ------------------------------------------------------------------------- running


def export_html(executed: Path, html: Path, title: str) -> Path:
    """The executed notebook as standalone HTML with the code cells hidden, readable offline:
    no scripts from a CDN, widgets replaced by their static HTML."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    # Offline: widgets show their static HTML fallback (no widget JavaScript), no CDN scripts.
    for cell in nb.cells:
        # Progress bars and warnings: the executed notebook keeps them, the report does not. They are
        # stderr text, or (tqdm in a kernel) a live widget whose only static form is its text at
        # creation ("0/9 runs"); a widget with a static HTML form (an explorer) is kept.
        cell["outputs"] = [o for o in cell.get("outputs", []) if not _progress_output(o)]
        for output in cell.get("outputs", []):
            if "text/html" in output.get("data", {}):
                output["data"].pop("application/vnd.jupyter.widget-view+json", None)
    nb.metadata.pop("widgets", None)
    no_cdn = dict.fromkeys(("require_js_url", "mathjax_url", "mermaid_js_url", "mermaid_layout_elk_js_url",
                            "jupyter_widgets_base_url"), "")
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, **no_cdn)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    html.write_text(body, encoding="utf-8")
    return html


def _progress_output(output: dict) -> bool:
    """Whether a notebook output is progress or warning text rather than a result."""
    if output.get("output_type") == "stream":
        return output.get("name") == "stderr"
    data = output.get("data", {})
    return "application/vnd.jupyter.widget-view+json" in data and "text/html" not in data


def localized(path: Path, lang: str, folder: Path) -> Path:
    """The notebook with its narrative in ``lang``: markdown cells carrying a translation in
    ``metadata.salessim.<lang>`` get it (written next to the run's files); English: ``path``."""
    import nbformat

    from salessim.ui.i18n import check_lang

    if check_lang(lang) == "en":
        return path
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        text = cell.metadata.get("salessim", {}).get(lang)
        if cell.cell_type == "markdown" and text:
            cell.source = text
    source = folder / f"{path.stem}.{lang}-source.ipynb"
    nbformat.write(nb, source)
    return source


#: Environment variable: seconds a notebook cell may run before the run is retried once (unset:
#: no limit). The test suite sets it: a kernel reply lost between the kernel and the client
#: (nbclient waits for it forever; seen once in CI on notebook 05 with the kernel idle) then
#: costs one retry instead of a hung run.
CELL_TIMEOUT_ENV = "SALESSIM_CELL_TIMEOUT"


def run_report(notebook: str | Path, out: str | Path = "reports", parameters: Mapping[str, Any] | None = None,
               timeout: float | None = None) -> ReportRun:
    """Execute one notebook with ``parameters`` (only those it declares) and publish it.

    ``timeout``: seconds a cell may run (default: ``$SALESSIM_CELL_TIMEOUT``, else no limit); a
    cell over it makes the run start once more, then fail. Raises :class:`ReportError` naming the
    notebook and the failing cell; the partially executed notebook is kept in the run folder.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    if timeout is None and os.environ.get(CELL_TIMEOUT_ENV):
        timeout = float(os.environ[CELL_TIMEOUT_ENV])

    path = Path(notebook)
    name = path.stem
    declared = notebook_parameters(path)
    given = dict(parameters or {})
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ReportError(f"{name}: unknown parameter(s) {unknown}; this notebook takes {sorted(declared)}")
    folder = Path(out).resolve() / name / param_hash(name, given)
    folder.mkdir(parents=True, exist_ok=True)
    run_params = {**given}
    if "out" in declared and "out" not in given:
        run_params["out"] = str(folder / "tables")
    executed, html = folder / f"{name}.ipynb", folder / f"{name}.html"
    params_file = folder / "params.yaml"
    from salessim.errors import __version__

    record = {"notebook": path.name, "salessim": __version__,
              "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "given": given, "parameters": {**declared, **run_params}}
    params_file.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True), encoding="utf-8")
    t0 = time.perf_counter()
    source = localized(path, str(run_params.get("lang", "en")), folder)
    with package_on_path():
        try:
            for attempt in (1, 2):
                try:
                    papermill.execute_notebook(
                        str(source), str(executed), parameters=run_params, kernel_name=kernel_name(),
                        cwd=str(path.parent.resolve()), progress_bar=False, log_output=False,
                        execution_timeout=timeout,
                    )
                    break
                except CellTimeoutError:
                    if attempt == 2:
                        raise ReportError(f"{path.name}: a cell ran past {timeout:g} s twice; partial notebook kept "
                                          f"at {executed} (raise the limit with timeout= or ${CELL_TIMEOUT_ENV})") from None
        except ReportError:
            raise
        except PapermillExecutionError as e:
            first = next((ln.strip() for ln in (e.source or "").splitlines()
                          if ln.strip() and not ln.lstrip().startswith("#")), "")
            evalue = (e.evalue or "").splitlines()[0] if e.evalue else ""
            raise ReportError(f"{path.name}: cell [{e.exec_count}] failed ({first[:60]!r}): "
                              f"{e.ename}: {evalue}; partial notebook kept at {executed}") from None
        except Exception as e:
            raise ReportError(f"{path.name}: could not run ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); "
                              f"see {executed}") from None
        finally:
            if source != path:
                source.unlink(missing_ok=True)
    export_html(executed, html, title=name)
    return ReportRun(name, folder, executed, html, params_file, time.perf_counter() - t0)


def run_reports(names: list[str], out: str | Path = "reports", parameters: Mapping[str, Any] | None = None,
                folder: str | Path | None = None, log=print) -> list[ReportRun]:
    """Run several notebooks (``["all"]`` for every one); each gets the parameters it declares.

    A parameter none of the selected notebooks declares is an error (a typo, most likely).
    """
    paths = resolve_notebooks(names, notebook_folder(folder))
    given = dict(parameters or {})
    declared = {p.stem: notebook_parameters(p) for p in paths}
    everywhere = set().union(*(set(d) for d in declared.values()))
    unknown = sorted(set(given) - everywhere)
    if unknown:
        raise ReportError(f"unknown parameter(s) {unknown}; the notebooks take {sorted(everywhere)}")
    runs = []
    for p in paths:
        mine = {k: v for k, v in given.items() if k in declared[p.stem]}
        log(f"{p.stem}: running" + (f" with {mine}" if mine else " with default parameters"))
        run = run_report(p, out, mine)
        log(f"{p.stem}: {run.html} ({run.seconds:.1f} s)")
        runs.append(run)
    return runs
