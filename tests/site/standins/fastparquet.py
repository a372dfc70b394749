"""Stand-in for fastparquet (no wasm wheel reachable offline), which stlite's Streamlit writes DataFrames with.

Test scaffolding for the site built with ``python -m playground.site --offline`` only: the online site gets
the real fastparquet (and cramjam) from Pyodide's CDN. Streamlit 1.40.1 as stlite 0.75.0 bundles it sends
every DataFrame (chart data, ``st.dataframe``) as ``df.to_parquet(engine="fastparquet")``. Pyodide's own
pyarrow writes the same Parquet, but stlite hides it behind a mock ``pyarrow`` 0.0.1 (micropip's
``_MockModuleFinder`` on ``sys.meta_path``), so :func:`write` steps the mock aside for the length of the
call and writes with the real pyarrow.
"""

import sys

__version__ = "2024.5.0+standin"  # pandas asks for fastparquet >= 2023.10.0
__requires__ = ["pyarrow", "pandas"]  # Pyodide's, from the served pyodide-lock.json

_real_pyarrow: dict = {}  # the real pyarrow's modules, kept between calls


def _is_pyarrow(name: str) -> bool:
    return name == "pyarrow" or name.startswith("pyarrow.")


def write(filename, data, compression="SNAPPY", write_index=None, partition_on=None, **kwargs):
    """Writes DataFrame ``data`` as Parquet to ``filename`` (a path or a binary file object), as
    ``fastparquet.write`` does for the arguments pandas passes."""
    if partition_on:
        raise NotImplementedError("the fastparquet stand-in writes single files only")
    finders = [f for f in sys.meta_path if type(f).__name__ == "_MockModuleFinder"]
    mock = {k: sys.modules.pop(k) for k in list(sys.modules) if _is_pyarrow(k)}
    sys.meta_path[:] = [f for f in sys.meta_path if f not in finders]
    sys.modules.update(_real_pyarrow)
    try:
        import pyarrow
        import pyarrow.parquet

        table = pyarrow.Table.from_pandas(data, preserve_index=write_index)
        pyarrow.parquet.write_table(table, filename, compression=compression or "NONE")
    finally:
        _real_pyarrow.update({k: sys.modules.pop(k) for k in list(sys.modules) if _is_pyarrow(k)})
        sys.modules.update(mock)
        sys.meta_path[:0] = finders
