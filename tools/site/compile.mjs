// Compiles Python sources to bytecode with Pyodide's own Python (so the bytecode is exactly what the
// browser's Python reads), for tools/site/compile.py.
//
//   node compile.mjs PYODIDE_DIR JOB_DIR
//
// JOB_DIR/jobs.json lists [source, target, display name]: JOB_DIR/source is compiled to JOB_DIR/target as
// an unchecked-hash .pyc whose code objects name the display name (the file's path in the browser). Prints
// one JSON line: {"magic": ..., "failed": {source: error}}.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, jobDir] = process.argv.slice(2);
const indexURL = path.resolve(pyodideDir) + path.sep;
const { loadPyodide } = await import(pathToFileURL(path.join(indexURL, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL, stdout: () => {}, stderr: () => {} });
pyodide.FS.mkdirTree("/job");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: path.resolve(jobDir) }, "/job");
const result = pyodide.runPython(`
import importlib.util, json, os, py_compile

failed = {}
with open("/job/jobs.json") as f:
    jobs = json.load(f)
for source, target, shown in jobs:
    os.makedirs(os.path.dirname("/job/" + target), exist_ok=True)
    try:
        py_compile.compile("/job/" + source, cfile="/job/" + target, dfile=shown, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except py_compile.PyCompileError as e:
        failed[source] = str(e).splitlines()[-1][:300]
json.dumps({"magic": importlib.util.MAGIC_NUMBER.hex(), "failed": failed})
`);
process.stdout.write(result + "\n");
