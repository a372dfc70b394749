// The loading screen (#nnp-loading, outside stlite's #root): what is loading, a progress bar from the real
// steps, and the size of the first visit, until the app's first screen is drawn. Inlined into index.html
// by tools/site/page.py, which replaces FIRST_VISIT_BYTES, SIZES_BY_NAME and EARLY_SCRIPTS.
//
// Progress: half the bar is the bytes downloaded (stlite's worker's fetches are counted as they stream in,
// by a few lines run in the worker before stlite's own code; the page's own files when each is done), half
// the start-up steps stlite's worker reports. window.nnpLoading keeps the times of the steps (for
// benchmarks/site.py).
(() => {
  const TOTAL = FIRST_VISIT_BYTES;
  const SIZES = SIZES_BY_NAME; // file name -> bytes, for the files whose size the browser does not tell
  const EARLY = EARLY_SCRIPTS; // stlite's chunks for the first screen: [{src, integrity}]
  const STLITE_WORKER = STLITE_WORKER_SCRIPT; // stlite's worker's code
  const ARCHIVES = ARCHIVE_URLS; // the app's archives, which stlite unpacks once Python has started
  const STEPS = { // stlite's progress messages -> [what the visitor reads, share of the start-up done]
    "Loading Pyodide.": ["Starting Python (Pyodide)", 0.05],
    "Mounting files.": ["Unpacking NumPy, Streamlit and the app", 0.4],
    "Unpacking archives.": ["Unpacking NumPy, Streamlit and the app", 0.4],
    "Installing packages.": ["Installing Streamlit", 0.5],
    "Loading streamlit package.": ["Starting Streamlit", 0.6],
    "Booting up the Streamlit server.": ["Starting the app", 0.75],
    "loaded": ["Drawing the page", 0.85],
  };
  const box = document.getElementById("nnp-loading");
  const fill = box.querySelector(".nnp-fill");
  const bar = box.querySelector("[role=progressbar]");
  const step = box.querySelector(".nnp-step");
  const got = {}; // URL -> bytes received
  // pyodideUrl: where Pyodide is, for this worker and for stlite (index.html gives stlite this very string)
  const state = (window.nnpLoading = { start: performance.now(), marks: {}, done: false, error: null,
                                       pyodideUrl: new URL(PYODIDE_JS, location.href).href });
  let stage = ["Starting Python (Pyodide) and downloading stlite (Streamlit in the browser)", 0];

  const mb = (n) => (n / 1e6).toFixed(1);
  function mark(name) {
    if (!(name in state.marks)) state.marks[name] = Math.round(performance.now());
  }
  function draw() {
    if (state.done) return;
    // Streamlit loads once everything it needs is here: what is left then (a font, say) is not waited for
    const all = stage[1] >= STEPS["Loading streamlit package."][1];
    const bytes = all ? TOTAL : Math.min(TOTAL, Object.values(got).reduce((a, b) => a + b, 0));
    const share = 0.5 * (bytes / TOTAL) + 0.5 * stage[1];
    fill.style.width = (100 * share).toFixed(1) + "%";
    bar.setAttribute("aria-valuenow", Math.round(100 * share));
    const download = bytes < TOTAL ? `downloaded ${mb(bytes)} of ${mb(TOTAL)} MB` : `${mb(TOTAL)} MB downloaded`;
    step.textContent = `${stage[0]}… (${download})`;
  }
  function count(url, bytes) {
    got[url] = Math.max(got[url] || 0, bytes);
    draw();
  }

  // The page's own files (stlite's script, style and chunks): counted once each is done.
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      count(e.name, e.decodedBodySize || SIZES[e.name.split("?")[0].split("/").pop()] || 0);
    }
  }).observe({ type: "resource", buffered: true });

  // stlite's worker: its fetches counted as they stream in; its steps as it reports them.
  const COUNT_FETCHES = `(${function () {
    const nativeFetch = self.fetch.bind(self);
    // the app's archives, asked for at once (stlite asks once Python has started): handed to its first fetch
    const prefetched = new Map((self.nnpPrefetch || []).map((url) => [url, nativeFetch(url)]));
    self.fetch = async (input, init) => {
      const asked = input instanceof Request ? input.url : String(input);
      const waiting = prefetched.get(asked);
      prefetched.delete(asked);
      const response = await (waiting || nativeFetch(input, init));
      if (!response.ok || !response.body) return response;
      const url = response.url || asked;
      const reader = response.body.getReader();
      let bytes = 0, last = 0;
      const body = new ReadableStream({
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) {
            self.postMessage({ nnpLoading: { url, bytes } });
            return controller.close();
          }
          bytes += value.byteLength;
          if (Date.now() - last > 50) {
            last = Date.now();
            self.postMessage({ nnpLoading: { url, bytes } });
          }
          controller.enqueue(value);
        },
        cancel: (reason) => reader.cancel(reason),
      });
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    };
    const nativeImport = self.importScripts.bind(self);
    self.importScripts = (...urls) => {
      nativeImport(...urls);
      for (const url of urls) self.postMessage({ nnpLoading: { url: String(url), imported: true } });
    };
  }})();`;
  // Python starts at once. stlite makes its worker only once its script has run (0.6 s of the page's core);
  // this worker, made now, starts Pyodide then on the other core, exactly as stlite's worker would
  // (loadPyodide with the same index and outputs), and loads stlite's worker code when stlite asks for its
  // worker: stlite's worker then finds Pyodide started, or started already (its own loadPyodide call and
  // its second import of pyodide.js are given the one started here).
  const EARLY_PYODIDE = `(${function (pyodideUrl) {
    const nativeImport = self.importScripts;
    nativeImport(pyodideUrl);
    const started = self.loadPyodide({
      indexURL: pyodideUrl.slice(0, pyodideUrl.lastIndexOf("/") + 1), stdout: console.log, stderr: console.error,
    });
    const early = () => started;
    self.loadPyodide = early;
    self.importScripts = (...urls) => {
      const rest = urls.filter((url) => String(url) !== pyodideUrl);
      if (rest.length) nativeImport(...rest);
      self.loadPyodide = early;
    };
  }})(${JSON.stringify(state.pyodideUrl)});`;
  const WAIT_FOR_STLITE = `self.addEventListener("message", function go(event) {
    if (!event.data || !event.data.nnpStlite) return;
    self.removeEventListener("message", go);
    importScripts(event.data.nnpStlite);
  });`;
  const NativeWorker = window.Worker;
  function watched(worker) {
    worker.addEventListener("message", (event) => {
      const data = event.data || {};
      if (data.nnpLoading) {
        const { url, bytes, imported } = data.nnpLoading;
        count(url, imported ? SIZES[url.split("/").pop()] || 0 : bytes);
      } else if (data.type === "event:progress") {
        const message = data.data && data.data.message;
        if (message === "Loading Pyodide.") loadEarly();
        mark(message);
        if (STEPS[message]) stage = STEPS[message];
        draw();
      } else if (data.type === "event:loaded") {
        mark("loaded");
        stage = STEPS.loaded;
        draw();
      } else if (data.type === "event:error") {
        failed(String((data.data && data.data.error) || "unknown error"));
      }
    });
    return worker;
  }
  const blob = (code) => URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  const prefetch = `self.nnpPrefetch = ${JSON.stringify(ARCHIVES.map((url) => new URL(url, location.href).href))};`;
  let early = watched(new NativeWorker(blob(`${prefetch}\n${COUNT_FETCHES}\n${EARLY_PYODIDE}\n${WAIT_FOR_STLITE}`)));
  const STLITE_WORKER_URL = new URL(STLITE_WORKER, location.href).href;
  window.Worker = function (url, options) {
    if (options && options.type === "module") return new NativeWorker(url, options); // not stlite's
    // stlite's worker: its script from our server, or from the CDN through a blob of its own
    if (early && (String(url) === STLITE_WORKER_URL || String(url).startsWith("blob:"))) {
      const worker = early;
      early = null;
      worker.postMessage({ nnpStlite: STLITE_WORKER_URL });
      return worker;
    }
    return watched(new NativeWorker(blob(`${COUNT_FETCHES}\nimportScripts(${JSON.stringify(String(url))});`), options));
  };
  window.Worker.prototype = NativeWorker.prototype;

  // Once Python is starting in the worker, the page has little to do: the code of the first screen's
  // elements loads then (stlite finds it loaded when it draws them, instead of asking for it then).
  function loadEarly() {
    for (const { src, integrity } of EARLY) {
      const script = document.createElement("script");
      script.src = src;
      if (integrity) {
        script.integrity = integrity;
        script.crossOrigin = "anonymous";
      }
      document.head.appendChild(script);
    }
  }

  function failed(message) {
    state.error = message;
    finish();
  }
  function finish() {
    if (state.done) return;
    state.done = true;
    mark("first screen");
    box.remove();
  }

  // Done when the first screen is drawn: the Train button and the output surface (unless the link hides
  // it) on screen; or when the page shows an error instead.
  const surfaceHidden = (new URLSearchParams(location.search).get("hide") || "").split(",").includes("surface");
  function drawn() {
    if (document.querySelector("[data-testid=stException]")) return true;
    const train = document.querySelector(".st-key-train button, .st-key-pause button");
    const map = document.querySelector("img.map");
    return !!train && (surfaceHidden || (!!map && map.complete && map.naturalWidth > 0));
  }
  function check() {
    if (!state.done && drawn()) finish();
    if (state.done) {
      watch.disconnect();
      clearInterval(poll);
      document.removeEventListener("load", check, true);
    }
  }
  const watch = new MutationObserver(check);
  watch.observe(document.getElementById("root"), { childList: true, subtree: true, attributes: true });
  document.addEventListener("load", check, true); // the surface's picture decoded
  const poll = setInterval(check, 100);
  draw();
})();
