"""Your own data: CSV files (every bad file gets one message naming the row and the problem), the points
text a config holds (drawn points, undo, the link's size rule), and the custom dataset through every door."""

from __future__ import annotations

import os
from urllib.parse import urlencode

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_core import Config, ConfigError, build, config_from, data_csv, dumps, loads
from nn_core.userdata import (
    DEFAULT_POINTS,
    MAX_CLASSES,
    MAX_POINTS,
    PAGE_FILE_BYTES,
    PAGE_POINTS,
    URL_POINTS,
    DataFileError,
    PointsError,
    add_point,
    fits_url,
    parse_points,
    points_text,
    read_csv,
    read_csv_file,
    to_csv,
    undo_point,
)
from playground.page_config import explicit
from playground.url import config_from_query, config_to_query, page_query


def csv(*rows: str, sep: str = ",", end: str = "\n") -> bytes:
    return end.join(r.replace(",", sep) for r in rows).encode() + end.encode()


def refused(data, needle: str, **limits) -> str:
    with pytest.raises(DataFileError) as e:
        read_csv(data, **limits)
    message = str(e.value)
    assert needle in message, message
    assert "\n" not in message and len(message) < 300
    return message


# ---------------------------------------------------------------- bad files: one message each
BAD_FILES = [  # (contents, what the message says)
    (b"", "the file is empty"),
    (b" \n\r\n\t\n", "the file is empty"),
    (b"x1,x2,label\n", "the file has a header (row 1) but no rows of data"),
    (b"name,colour,size\nbob,red,large\n", "no numeric columns: rows 1 and 2 hold text, not numbers"),
    (csv("x1,x2,label", "1,2,0", "3,abc,1"), "row 3, column 2 (x2): 'abc' is not a number"),
    (csv("1,2,0", "3,4,"), "row 2, column 3 (label or value) is empty"),
    (csv("x1,x2,label", "1,2,0", "", "nan,4,1"), "row 4, column 1 (x1): NaN (not a number) is not allowed"),
    (csv("1,2,0", "3,4,NaN"), "row 2, column 3 (label or value): NaN"),
    (csv("1,2,0", "3,inf,1"), "row 2, column 2 (x2): infinite values are not allowed"),
    (csv("1,2,0", "3,-Infinity,1"), "row 2, column 2 (x2): infinite values are not allowed"),
    (csv("1,2,0", "1e999,4,1"), "row 2, column 1 (x1): '1e999' is too large for a number (infinite)"),
    (csv("1,2,1", "3,4,1", "5,6,1"), "one class only: every row's label is 1"),
    (csv("x1,x2,label", "1,2,7", "3,4,7"), "one class only"),
    (csv(*[f"{i},{i % 7},{i}" for i in range(30)], "x1,x2,label"), "row 31, column 1 (x1): 'x1' is not a number"),
    (csv("x1,x2,label", *[f"{i},{i % 7},{i}" for i in range(25)]), "row 22: more than 20 classes (its label 20 is"),
    (csv("x1,x2,label", "1,2,0", "3,4,0.5"), "row 3: the label 0.5 is not a whole number"),
    (csv("x1,x2,value", "1,2,0", "3,4,3e9"), "row 3: the value 3e+09 is larger than 1,000,000"),
    (b"1,2,0\n3;4;1\n", "row 2 has semicolons but row 1 is separated by commas"),
    (b"1\t2\t0\n3\t4\t1\n5,6,0\n", "row 3 has commas but row 1 is separated by tabs"),
    (b"x1,x2;label\n1,2,0\n", "row 1 mixes separators (commas and semicolons)"),
    (b"1;2;0\n3;4;1,5\n", "row 2 has commas but row 1 is separated by semicolons"),
    (b"1 2 0\n3 4 1\n", "row 1 has one column"),
    (csv("x1,x2,label", "1,2,0", "3,4"), "row 3 has 2 columns; expected 3"),
    (csv("1,2,0", "3,4,1,5"), "row 2 has 4 columns; expected 3"),
    (csv("x1,x2,label,colour", "1,2,0,red"), "row 1 (the header) has 4 columns"),
    (csv("x1,x2", "1,2"), "row 1 (the header) has 2 columns"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file, not CSV text: row 3 holds a NUL byte"),
    (b"1,2,0\n3,4,1\n\xff\xfe\x00", "row 3 holds a NUL byte"),
    (b"1,2,0\n3,4,1\n5,6,\xe9\n", "not UTF-8 text (a binary file?): row 3 holds the byte 0xe9"),
    ("1,2,0\n3,4,1\n".encode("utf-16"), "a binary file"),
    (csv("1,2,0", "1,2,1", "1,2,0"), "every point is at (x1, x2) = (1, 2)"),
    (csv("1,2,0", "3,4,1e0x"), "row 2, column 3 (label or value): '1e0x' is not a number"),
    (b"1;2;0\n3;4;0,5\n", "row 2 has commas"),
    (b"1\t2\t0\n3\t4\t1,5\n", "row 2 has commas"),
]


@pytest.mark.parametrize("data,needle", BAD_FILES, ids=[n[:40] for _, n in BAD_FILES])
def test_a_bad_file_gets_one_message_naming_the_row(data, needle):
    refused(data, needle)


def test_a_decimal_comma_is_named():
    assert "(write decimals with a point)" in refused(b"x1;x2;value\n1;2;1,5\n", "row 2 has commas")
    assert "decimals" not in refused(b"1;2;0\n3,4,1\n", "row 2 has commas")


def test_too_many_rows_for_the_page_and_for_the_command_line():
    rows = [f"{i % 50},{i % 37},{i % 2}" for i in range(PAGE_POINTS + 1)]
    refused(csv(*rows), f"row {PAGE_POINTS + 1}: more than 2,000 rows of data", max_rows=PAGE_POINTS)
    assert len(read_csv(csv(*rows[:PAGE_POINTS]), max_rows=PAGE_POINTS).X) == PAGE_POINTS
    assert len(read_csv(csv(*rows)).X) == PAGE_POINTS + 1  # the command line takes more
    big = csv("x1,x2,label", *[f"{i % 50},{i % 37},{i % 2}" for i in range(MAX_POINTS + 1)])
    refused(big, f"row {MAX_POINTS + 2}: more than 100,000 rows of data")
    refused(big, "more than 100,000 rows", max_rows=10 * MAX_POINTS)  # the engine's bound caps the caller's


def test_a_50_mb_file_is_refused_unread(tmp_path, monkeypatch):
    refused(b"1,2,0\n" * (50_000_000 // 6 + 1), "the file is larger than 20 MB (50.0 MB)")
    refused(b"1,2,0\n" * (PAGE_FILE_BYTES // 6 + 1), "larger than 1 MB", max_bytes=PAGE_FILE_BYTES)
    path = tmp_path / "big.csv"
    with open(path, "wb") as f:
        f.truncate(50_000_000)  # sparse: 50 MB on paper

    class Unread:
        def __init__(self, *args, **kwargs):
            self.f = open(*args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def read(self, *args):
            raise AssertionError("the file was read")

    monkeypatch.setattr("nn_core.userdata.open", Unread, raising=False)
    with pytest.raises(DataFileError, match=r"larger than 20 MB \(50.0 MB\)"):
        read_csv_file(path)


def test_a_file_that_cannot_be_read(tmp_path):
    with pytest.raises(DataFileError, match="cannot read .*nope.csv"):
        read_csv_file(tmp_path / "nope.csv")
    with pytest.raises(DataFileError, match="cannot read"):
        read_csv_file(tmp_path)  # a directory


# ---------------------------------------------------------------- good files
def test_header_or_not_and_each_separator_read_the_same():
    want = read_csv(csv("x1,x2,label", "0,0,0", "2,1,1", "4,2,0"))
    for data in (csv("0,0,0", "2,1,1", "4,2,0"), csv("x1;x2;label", "0;0;0", "2;1;1", "4;2;0"),
                 csv("x\ty\tlabel", "0\t0\t0", "2\t1\t1", "4\t2\t0"), csv("0,0,0", "2,1,1", "4,2,0", end="\r\n"),
                 b"\xef\xbb\xbf" + csv('"x1","x2","label"', '"0","0","0"', "2, 1 ,1", "", "4,2,0"),
                 b"x1,x2,label\r0,0,0\r2,1,1\r4,2,0"):
        got = read_csv(data)
        assert np.array_equal(got.X, want.X) and np.array_equal(got.y, want.y) and got.task == "binary", data
    assert want.text == "c;-1,-.5,0;0,0,1;1,.5,0"


def test_the_header_name_decides_classes_or_values():
    assert read_csv(csv("x1,x2,label", "0,0,0", "1,1,1")).task == "binary"
    assert read_csv(csv("a,b,Class", "0,0,0", "1,1,1", "1,0,2")).task == "multiclass"
    values = read_csv(csv("x1,x2,value", "0,0,0", "1,1,1"))
    assert values.task == "regression" and values.y.dtype == np.float64 and values.n_classes == 0


def test_without_a_header_whole_numbers_of_20_kinds_at_most_are_classes():
    twenty = read_csv(csv(*[f"{i},{i * i % 11},{i}" for i in range(MAX_CLASSES)]))
    assert twenty.task == "multiclass" and twenty.n_classes == MAX_CLASSES
    assert any("whole numbers of 20 kinds: read as classes" in n for n in twenty.notes)
    many = read_csv(csv(*[f"{i},{i * i % 11},{i}" for i in range(MAX_CLASSES + 1)]))
    assert many.task == "regression" and any("more than 20 whole numbers: read as values" in n for n in many.notes)
    fractions = read_csv(csv("0,0,0.5", "1,1,1.5"))
    assert fractions.task == "regression" and any("fractions" in n for n in fractions.notes)
    named = read_csv(csv("a,b,y", "0,0,0.5", "1,1,1.5"))
    assert any("The third column ('y') holds fractions" in n for n in named.notes)


def test_classes_are_relabelled_in_sorted_order_and_said_so():
    d = read_csv(csv("x1,x2,label", "0,0,1", "1,1,-1", "2,0,1", "0,2,-1"))
    assert d.y.tolist() == [1, 0, 1, 0] and d.n_classes == 2
    assert "The classes -1, 1 are relabelled 0, 1." in d.notes
    d = read_csv(csv("0,0,7", "1,1,3", "2,0,9", "0,2,3"))
    assert d.y.tolist() == [1, 0, 2, 0] and d.task == "multiclass"
    assert "The classes 3, 7, 9 are relabelled 0, 1, 2." in d.notes
    d = read_csv(csv("0,0,1", "1,1,0", "2,0,2.0"))
    assert d.y.tolist() == [1, 0, 2] and not any("relabelled" in n for n in d.notes)


def test_points_are_moved_into_the_plane_and_the_note_says_how():
    d = read_csv(csv("x1,x2,label", "0,10,0", "500,20,1", "250,15,0"))
    assert np.array_equal(d.X, [[-1, -0.02], [1, 0.02], [0, 0]])  # the wider spans -1..1, proportions kept
    note = next(n for n in d.notes if "plane" in n)
    assert "centred on (250, 15) and scaled by 1/250" in note
    assert "x1 from 0..500 to -1..1 and x2 from 10..20 to -0.02..0.02" in note


def test_points_already_in_the_plane_are_kept_as_they_are():
    rows = ["-0.8,0.3,0", "0.7,-0.45,1", "0.1,1.2,0"]
    d = read_csv(csv(*rows))
    assert np.array_equal(d.X, [[-0.8, 0.3], [0.7, -0.45], [0.1, 1.2]])
    assert any("kept as they are" in n for n in d.notes)
    small = read_csv(csv("0,0,0", "0.1,0.05,1"))  # in the plane, but a speck: spread over it
    assert np.array_equal(small.X, [[-1, -0.5], [1, 0.5]])


def test_the_split_column_is_read_and_ignored():
    d = read_csv(csv("x1,x2,label,split", "-1,0,0,train", "1,0.5,1,test", "0,-1,1,train"))
    assert d.y.tolist() == [0, 1, 1] and any("split column is ignored" in n for n in d.notes)


def test_to_csv_reads_back_exactly():
    d = read_csv(csv("x1,x2,label", "0,10,0", "500,20,1", "250,15,2", "100,11,1"))
    text = to_csv(d.X, d.y, d.task)
    assert text.splitlines()[0] == "x1,x2,label"
    again = read_csv(text.encode())
    assert again.text == d.text and np.array_equal(again.X, d.X) and np.array_equal(again.y, d.y)
    values = read_csv(csv("x1,x2,value", "-1,0,0.25", "1,1,-3.5"))
    text = to_csv(values.X, values.y, "regression", split=["train", "test"])
    assert text.splitlines() == ["x1,x2,value,split", "-1.0,0.0,0.25,train", "1.0,1.0,-3.5,test"]
    assert read_csv(text).text == values.text


def test_drawn_points_survive_a_csv_round_trip():
    text = DEFAULT_POINTS
    for x, y, k in ((0.123, -0.456, 1), (1.2, 1.1, 0), (-0.05, 0.9, 1)):
        text = add_point(text, x, y, k)
    points = parse_points(text)
    assert read_csv(to_csv(points.X, points.y, points.task)).text == points.text


def test_an_experiments_csv_loads_again_as_the_same_data_and_split():
    c = Config(dataset="custom", points=points(37), test_ratio=0.3, data_seed=5)
    exp = build(c)
    text = data_csv(exp)
    assert text.splitlines()[0] == "x1,x2,label,split" and text.count(",test\n") == len(exp.test) == 11
    again = build(c.replace(points=read_csv(text).text))
    assert again.config == c and np.array_equal(again.test.X, exp.test.X) and np.array_equal(again.train.y, exp.train.y)
    tests = [line.split(",")[:2] for line in text.splitlines()[1:] if line.endswith(",test")]
    assert np.array_equal(np.array(tests, dtype=float), exp.test.X)
    moons = build(Config(dataset="moons", samples=50, test_ratio=0.2))  # a built-in set's, to 3 decimals
    back = build(Config(dataset="custom", points=read_csv(data_csv(moons)).text, test_ratio=0.2))
    assert np.allclose(back.test.X, moons.test.X, atol=5e-4) and np.array_equal(back.test.y, moons.test.y)
    regression = data_csv(build(Config(dataset="bumps", samples=20)))
    assert regression.splitlines()[0] == "x1,x2,value,split" and read_csv(regression).task == "regression"
    assert ",test" not in data_csv(build(Config(dataset="xor", test_ratio=0.5)))  # a truth table has no test set


# ---------------------------------------------------------------- the points text
def test_the_points_text_is_compact_and_canonical():
    p = parse_points(" c ; 0.12345, -0.5 ,1 ; 1,2.0000,0;")
    assert p.text == "c;.123,-.5,1;1,2,0" and p.X.tolist() == [[0.123, -0.5], [1.0, 2.0]] and p.y.tolist() == [1, 0]
    assert parse_points(p.text).text == p.text
    v = parse_points("v;0,0,123456.7;0.0004,-0.0006,-0.000012346;1,1,0.5")
    assert v.text == "v;0,0,1.235e5;0,-.001,-1.235e-5;1,1,.5" and v.task == "regression"
    assert v.X.tolist() == [[0, 0], [0, -0.001], [1, 1]] and v.y.tolist() == [123500, -1.235e-5, 0.5]
    assert parse_points("c").text == "c" and len(parse_points("v")) == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-10, 10), st.floats(-10, 10), st.integers(0, 19)), max_size=30),
       st.lists(st.floats(-1e6, 1e6), max_size=30))
def test_points_round_trip_through_the_text(rows, values):
    X = np.array([r[:2] for r in rows], dtype=np.float64).reshape(-1, 2)
    classes = parse_points(points_text(X, [r[2] for r in rows], True))
    assert np.all(np.abs(classes.X - X) <= 0.0005 + 1e-12) and classes.y.tolist() == [r[2] for r in rows]
    assert parse_points(classes.text).text == classes.text
    Xv = X[:len(values)]
    v = parse_points(points_text(Xv, values[:len(Xv)], False))
    assert np.allclose(v.y, values[:len(Xv)], rtol=5e-4, atol=0)
    assert parse_points(v.text).text == v.text and len(v.text) <= 2 + 26 * len(v)


@pytest.mark.parametrize("text,needle", [
    ("x;1,2,0", "points start with c (classes) or v (values), not 'x'"),
    ("", "points start with c"),
    ("c;1,2", "point 1: '1,2' is not x1,x2,label (three numbers)"),
    ("c;0,0,0;1,2,3,4", "point 2: '1,2,3,4' is not x1,x2,label"),
    ("c;0,0,0;a,b,1", "point 2: 'a,b,1' is not x1,x2,label"),
    ("c;0,0,20", f"a class must be a whole number from 0 to {MAX_CLASSES - 1}"),
    ("c;0,0,1.5", "a class must be a whole number"),
    ("c;0,0,-1", "a class must be a whole number"),
    ("c;11,0,0", "coordinates must be finite and lie within ±10"),
    ("v;nan,0,1", "coordinates must be finite"),
    ("v;0,0,inf", "the label must be a finite number"),
    ("v;0,0,2e6", "a value must lie within ±1,000,000"),
])
def test_bad_points_are_named(text, needle):
    with pytest.raises(PointsError) as e:
        parse_points(text)
    assert needle in str(e.value)


def test_a_points_text_is_bounded_before_it_is_read():
    with pytest.raises(PointsError, match="more than 2,000 points"):
        parse_points("c" + ";0,0,0" * (PAGE_POINTS + 1), PAGE_POINTS)
    with pytest.raises(PointsError, match="more than 100,000 points"):
        parse_points("c" + " " * (40 * MAX_POINTS + 10))
    with pytest.raises(PointsError, match="points are text"):
        parse_points(None)


def test_add_and_undo_points_as_drawn():
    text = "c"
    assert parse_points(text).problem() == "no points yet: add two classes at least"
    text = add_point(text, 0.1234, -0.5, 0)
    assert text == "c;.123,-.5,0" and parse_points(text).problem() == "add points of two classes at least"
    text = add_point(text, 0.5, 0.5, 2)
    assert text == "c;.123,-.5,0;.5,.5,2" and parse_points(text).problem() == ""
    assert parse_points(text).n_classes == 3 and parse_points(text).task == "multiclass"
    assert undo_point(text) == "c;.123,-.5,0" and undo_point(undo_point(text)) == "c" and undo_point("c") == "c"
    with pytest.raises(PointsError, match="a class from 0 to 19, not 1.5"):
        add_point(text, 0, 0, 1.5)
    with pytest.raises(PointsError, match="a class from 0 to 19"):
        add_point(text, 0, 0, "a")
    with pytest.raises(PointsError, match="coordinates must be finite"):
        add_point(text, float("nan"), 0, 1)
    with pytest.raises(PointsError, match="at most 2 points"):
        add_point(text, 0, 0, 1, max_points=2)
    values = add_point(add_point("v", 0, 0, 0.123456), 1, 1, -2)
    assert values == "v;0,0,.1235;1,1,-2" and parse_points(values).problem() == ""
    assert parse_points(add_point("v", 0, 0, 1)).problem() == "add two points at least"


# ---------------------------------------------------------------- the link's size rule
def points(n: int) -> str:
    rng = np.random.default_rng(n)
    return points_text(rng.uniform(-1.5, 1.5, (n, 2)), rng.integers(0, 2, n), True)


def test_a_link_carries_at_most_100_points():
    assert URL_POINTS == 100 and fits_url(points(URL_POINTS)) and not fits_url(points(URL_POINTS + 1))
    assert not fits_url("not points")
    small = explicit(Config(dataset="custom", points=points(URL_POINTS)))
    q = config_to_query(small)
    assert q["pts"] == small.points and config_from_query(q) == (small, [])
    assert len(urlencode(page_query(small, []))) < 3000  # 100 points: some 2 kB of link
    large = small.replace(points=points(URL_POINTS + 1))
    q = config_to_query(large)
    assert "pts" not in q and q["ds"] == "custom"  # the page says so, and offers the CSV file
    back, warnings = config_from_query(q)
    assert back.points == DEFAULT_POINTS and warnings == []


# ---------------------------------------------------------------- the custom dataset
def test_the_custom_dataset_is_the_points():
    c = Config(dataset="custom", points="c;0,0,0;1,1,1;0,1,2;1,0,1;.5,.5,0", test_ratio=0.4, data_seed=3)
    assert (c.task, c.n_classes, c.output_kind, c.n_points) == ("multiclass", 3, "softmax", 5)
    exp = build(c)
    assert np.array_equal(exp.data.X, parse_points(c.points).X) and exp.data.y.tolist() == [0, 1, 2, 1, 0]
    assert (len(exp.train), len(exp.test)) == (3, 2)
    other = build(c.replace(data_seed=5))  # the data seed splits them; the sample count and noise do nothing
    assert np.array_equal(other.data.X, exp.data.X) and not np.array_equal(other.test.X, exp.test.X)
    same = build(c.replace(samples=40, noise=0.5))
    assert np.array_equal(same.data.X, exp.data.X) and np.array_equal(same.test.X, exp.test.X)


def test_the_custom_dataset_needs_points_to_learn():
    for text, needle in (("c", "no points yet"), ("c;0,0,1;1,1,1", "two classes"), ("v;0,0,1", "two points")):
        with pytest.raises(ConfigError, match=f"^points: .*{needle}"):
            Config(dataset="custom", points=text).check()
    Config(dataset="circles", points="c").check()  # points the dataset does not use need not train


def test_the_page_bounds_the_points_at_2000():
    c = Config(dataset="custom", points=points(PAGE_POINTS + 1))
    c.check()
    with pytest.raises(ConfigError, match="more than 2,000 points"):
        c.check(page=True)


def test_a_model_trained_on_custom_data_reloads_with_its_data():
    data = read_csv(csv("x1,x2,label", *[f"{i},{(i * 7) % 13},{i % 3}" for i in range(60)]))
    c = Config(dataset="custom", points=data.text, hidden=(5,), epochs=20)
    exp = build(c)
    exp.trainer.fit(20)
    net, training = loads(dumps(exp.network, c.to_dict(), exp.trainer.state()))
    again = build(config_from(training), net)
    assert np.array_equal(again.data.X, exp.data.X) and np.array_equal(again.test.y, exp.test.y)
    assert np.array_equal(again.network.params, exp.network.params)


def test_the_file_at_the_command_lines_bound_makes_a_config(tmp_path):
    path = tmp_path / "big.csv"
    rng = np.random.default_rng(0)
    X = rng.uniform(-1000, 1000, (MAX_POINTS, 2))
    path.write_text(to_csv(X, (X[:, 0] > X[:, 1]).astype(int), "binary"), encoding="utf-8")
    assert os.path.getsize(path) < 20_000_000
    d = read_csv_file(path)
    c = Config(dataset="custom", points=d.text, epochs=1)
    assert c.check().n_points == MAX_POINTS and len(build(c).data) == MAX_POINTS
