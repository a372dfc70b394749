// Runs Python in the Pyodide of a built site, with the site's archives unpacked as its page unpacks them.
//
//   node site_python.mjs SITE_DIR CODE
//
// SITE_DIR is a site built by tools.site; CODE is Python whose last expression (a string) is printed.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [siteDir, code] = process.argv.slice(2);
const indexURL = path.resolve(siteDir, "pyodide") + path.sep;
const { loadPyodide } = await import(pathToFileURL(path.join(indexURL, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL });
const page = fs.readFileSync(path.join(siteDir, "index.html"), "utf8");
const start = page.indexOf("const options = ") + "const options = ".length;
const options = JSON.parse(page.slice(start, page.indexOf("};", start) + 1));
for (const archive of options.archives) {
  const data = new Uint8Array(fs.readFileSync(path.join(siteDir, archive.url)));
  pyodide.unpackArchive(data, archive.format, archive.options);
}
await pyodide.loadPackage(["micropip"], { messageCallback: () => {} });
process.stdout.write(String(await pyodide.runPythonAsync(code)) + "\n");
