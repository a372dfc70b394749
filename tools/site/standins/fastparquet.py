"""Stand-in for fastparquet (no wasm wheel reachable offline), which stlite's Streamlit writes DataFrames with.

Test scaffolding for the site built with ``python -m tools.site --offline`` only: the online site gets
the real fastparquet (and cramjam) from Pyodide's CDN. Streamlit 1.40.1 as stlite 0.75.0 bundles it sends
every DataFrame (chart data, ``st.dataframe``) as ``df.to_parquet(engine="fastparquet")``, which calls
:func:`write`. This writes a plain Parquet file in pure Python: one row group, one uncompressed PLAIN page
per column, and the same "pandas" metadata pyarrow and fastparquet write (so the browser rebuilds the index
and the column types). Columns of floats, integers, booleans and strings (None or NaN as null) are enough
for this app; anything else is refused with a clear error. Pyodide's pyarrow (10 MB, which stlite hides
behind a mock anyway) is then not needed.
"""

import json
import struct

__version__ = "2024.11.0+standin"  # pandas 2.2 asks for fastparquet >= 2023.10.0, pandas 3 for >= 2024.11.0
__requires__ = ["pandas", "numpy"]

# Parquet's enums (parquet.thrift)
BOOLEAN, INT32, INT64, FLOAT, DOUBLE, BYTE_ARRAY = 0, 1, 2, 4, 5, 6
REQUIRED, OPTIONAL = 0, 1
UTF8 = 0  # converted type
PLAIN, RLE = 0, 3
UNCOMPRESSED = 0
DATA_PAGE = 0
# Thrift compact protocol types
T_I32, T_I64, T_BINARY, T_LIST, T_STRUCT = 5, 6, 8, 9, 12


# ------------------------------------------------------------------ Thrift compact protocol


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _zigzag(n: int) -> bytes:
    return _varint((n << 1) ^ (n >> 63))


def _value(kind: int, v) -> bytes:
    if kind in (T_I32, T_I64):
        return _zigzag(v)
    if kind == T_BINARY:
        b = v.encode() if isinstance(v, str) else v
        return _varint(len(b)) + b
    if kind == T_STRUCT:
        return _struct(v)
    if kind == T_LIST:
        elem, items = v
        head = bytes([(len(items) << 4) | elem]) if len(items) < 15 else bytes([0xF0 | elem]) + _varint(len(items))
        return head + b"".join(_value(elem, i) for i in items)
    raise ValueError(kind)


def _struct(fields: list) -> bytes:
    """A struct from [(field id, type, value)], ids ascending; None values are left out."""
    out, last = bytearray(), 0
    for fid, kind, v in fields:
        if v is None:
            continue
        delta = fid - last
        out += bytes([(delta << 4) | kind]) if 0 < delta <= 15 else bytes([kind]) + _zigzag(fid)
        out += _value(kind, v)
        last = fid
    return bytes(out + b"\x00")


# ------------------------------------------------------------------ columns


def _rle_levels(defined: list) -> bytes:
    """Definition levels (0 null, 1 set) as RLE runs of bit width 1, with their 4-byte length."""
    runs, i = bytearray(), 0
    while i < len(defined):
        j = i
        while j < len(defined) and defined[j] == defined[i]:
            j += 1
        runs += _varint((j - i) << 1) + bytes([defined[i]])
        i = j
    return struct.pack("<i", len(runs)) + bytes(runs)


def _column(series):
    """(physical type, converted type, repetition, page data, pandas type) of a column."""
    import numpy as np
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    kind = series.dtype.kind
    if kind == "b":
        bits = np.packbits(series.to_numpy(dtype=bool), bitorder="little").tobytes()
        return BOOLEAN, None, REQUIRED, bits, "bool"
    if kind in "iu":
        return INT64, None, REQUIRED, series.to_numpy(dtype="<i8").tobytes(), "int64"
    if kind == "f":
        return DOUBLE, None, REQUIRED, series.to_numpy(dtype="<f8").tobytes(), "float64"
    if kind in "OSU" or pd.api.types.is_string_dtype(series.dtype):
        values = series.to_numpy(dtype=object)
        defined = [0 if v is None or (isinstance(v, float) and v != v) or v is pd.NA else 1 for v in values]
        data = bytearray(_rle_levels(defined))
        for v, d in zip(values, defined):
            if d:
                b = (v if isinstance(v, str) else str(v)).encode()
                data += struct.pack("<i", len(b)) + b
        return BYTE_ARRAY, UTF8, OPTIONAL, bytes(data), "unicode"
    raise NotImplementedError(f"the fastparquet stand-in cannot write {series.name!r} of dtype {series.dtype}")


def _columns(df, write_index):
    """(pandas "index_columns", [(name, series)]) of the columns to write, the index's first if written."""
    import pandas as pd

    n, index = len(df), df.index
    default_range = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None
    if write_index is False or (write_index is None and default_range):
        index_columns = [{"kind": "range", "name": None, "start": 0, "stop": n, "step": 1}] if default_range else []
        return index_columns, [(str(c), df.iloc[:, i]) for i, c in enumerate(df.columns)]
    names = [name if name is not None else f"__index_level_{i}__" for i, name in enumerate(index.names)]
    columns = [(str(x), index.get_level_values(i).to_series(index=range(n))) for i, x in enumerate(names)]
    return [str(x) for x in names], columns + [(str(c), df.iloc[:, i]) for i, c in enumerate(df.columns)]


def write(filename, data, compression=None, write_index=None, partition_on=None, **kwargs):
    """Writes DataFrame ``data`` as Parquet to ``filename`` (a path or a binary file object), as
    ``fastparquet.write`` does for the arguments pandas passes. Always uncompressed."""
    import pandas as pd

    if partition_on:
        raise NotImplementedError("the fastparquet stand-in writes single files only")
    n = len(data)
    index_columns, columns = _columns(data, write_index)
    out = bytearray(b"PAR1")
    schema = [[(4, T_BINARY, "schema"), (5, T_I32, len(columns))]]
    chunks, pandas_columns = [], []
    for name, series in columns:
        ptype, converted, repetition, page, pandas_type = _column(series)
        header = _struct([(1, T_I32, DATA_PAGE), (2, T_I32, len(page)), (3, T_I32, len(page)),
                          (5, T_STRUCT, [(1, T_I32, n), (2, T_I32, PLAIN), (3, T_I32, RLE), (4, T_I32, RLE)])])
        offset = len(out)
        out += header + page
        size = len(header) + len(page)
        meta = [(1, T_I32, ptype), (2, T_LIST, (T_I32, [PLAIN, RLE])), (3, T_LIST, (T_BINARY, [name])),
                (4, T_I32, UNCOMPRESSED), (5, T_I64, n), (6, T_I64, size), (7, T_I64, size), (9, T_I64, offset)]
        chunks.append([(2, T_I64, offset), (3, T_STRUCT, meta)])
        schema.append([(1, T_I32, ptype), (3, T_I32, repetition), (4, T_BINARY, name), (6, T_I32, converted)])
        pandas_columns.append({"name": None if name.startswith("__index_level_") else name, "field_name": name,
                               "pandas_type": pandas_type, "numpy_type": str(series.dtype), "metadata": None})
    column_indexes = [{"name": None, "field_name": None, "pandas_type": "unicode", "numpy_type": "object",
                       "metadata": {"encoding": "UTF-8"}}]
    pandas_meta = {"index_columns": index_columns, "column_indexes": column_indexes, "columns": pandas_columns,
                   "creator": {"library": "fastparquet", "version": __version__},
                   "pandas_version": pd.__version__}
    row_group = [(1, T_LIST, (T_STRUCT, chunks)), (2, T_I64, len(out) - 4), (3, T_I64, n)]
    footer = _struct([(1, T_I32, 1), (2, T_LIST, (T_STRUCT, schema)), (3, T_I64, n),
                      (4, T_LIST, (T_STRUCT, [row_group])),
                      (5, T_LIST, (T_STRUCT, [[(1, T_BINARY, "pandas"), (2, T_BINARY, json.dumps(pandas_meta))]])),
                      (6, T_BINARY, f"fastparquet stand-in {__version__}")])
    out += footer + struct.pack("<i", len(footer)) + b"PAR1"
    _save(filename, bytes(out))


def _save(filename, data: bytes) -> None:
    if hasattr(filename, "write"):
        filename.write(data)
    else:
        with open(filename, "wb") as f:
            f.write(data)
