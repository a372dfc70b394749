// Runs pytest on this checkout under Pyodide in Node: the engine as a visitor's browser runs it.
//
//   node --stack-size=4000 tests/site/run_pytest.mjs PYODIDE_DIR WHEEL_DIR REPO_DIR [pytest arguments...]
//
// PYODIDE_DIR is a Pyodide folder with its pyodide-lock.json (the offline site's pyodide/: Pyodide's core, its
// standard library as bytecode, micropip). WHEEL_DIR holds NumPy and pandas (the official Pyodide wheels),
// pytest, hypothesis and their pure dependencies, installed with micropip from the local files (no
// network). REPO_DIR is mounted at /repo and pytest runs there. Exits with pytest's exit code.
//
// --stack-size=4000: without it, deep recursion in C code kills Pyodide instead of raising RecursionError.
// pytest needs --capture=sys: fd capture fails under Pyodide (os.fstat raises ENOENT).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheelDir, repoDir, ...pytestArgs] = process.argv.slice(2);
if (!repoDir) {
  console.error("usage: node --stack-size=4000 run_pytest.mjs PYODIDE_DIR WHEEL_DIR REPO_DIR [pytest args]");
  process.exit(2);
}
const indexURL = path.resolve(pyodideDir) + path.sep;
const { loadPyodide } = await import(pathToFileURL(path.join(indexURL, "pyodide.mjs")).href);

const started = performance.now();
const pyodide = await loadPyodide({ indexURL });
const write = (stream) => ({ write: (buffer) => stream.write(buffer) && buffer.length || buffer.length });
pyodide.setStdout(write(process.stdout));
pyodide.setStderr(write(process.stderr));
await pyodide.loadPackage(["micropip"], { messageCallback: () => {} });

const { FS } = pyodide;
FS.mkdirTree("/repo");
FS.mount(FS.filesystems.NODEFS, { root: path.resolve(repoDir) }, "/repo");
FS.mkdirTree("/wheels");
FS.mount(FS.filesystems.NODEFS, { root: path.resolve(wheelDir) }, "/wheels");
const wheels = fs.readdirSync(wheelDir).filter((f) => f.endsWith(".whl")).sort().map((f) => `emfs:/wheels/${f}`);
const micropip = pyodide.pyimport("micropip");
await micropip.install.callKwargs(wheels, { deps: false });
const ready = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(`Pyodide ${pyodide.version} ready with ${wheels.length} wheels (numpy, pandas, pytest...) in ${ready} s\n`);

pyodide.globals.set("PYTEST_ARGS", pyodide.toPy(pytestArgs));
const code = await pyodide.runPythonAsync(`
import os, sys
os.chdir("/repo")
sys.dont_write_bytecode = True  # nothing written into the checkout
import pytest
int(pytest.main(list(PYTEST_ARGS)))
`);
process.exit(Number(code));
