"""Specification of CSV import/export: what loads as what, and errors that name the line."""

from __future__ import annotations

import os

import numpy as np
import pytest

from mlpviz.engine.csvdata import CSVError, load_csv, read_table, save_csv
from mlpviz.engine.datasets import Dataset, DatasetError, make, truth_table


def write(tmp_path, content: str | bytes, name: str = "data.csv"):
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_binary_labels_are_renumbered_in_sorted_order(tmp_path):
    ds = load_csv(write(tmp_path, "a,b,c\n0.5,1,1\n-2,3.25,-1\n0,0,1\n"))
    np.testing.assert_array_equal(ds.X, [[0.5, 1.0], [-2.0, 3.25], [0.0, 0.0]])
    np.testing.assert_array_equal(ds.y, [1, 0, 1])
    assert (ds.kind, ds.n_classes, ds.name) == ("binary", 2, "data")
    assert ds.y.dtype == np.int64


def test_three_classes_make_a_multiclass_set(tmp_path):
    ds = load_csv(write(tmp_path, "x1,x2,label\n0,0,7\n1,1,3.0\n2,2,5\n3,3,7\n"))
    assert (ds.kind, ds.n_classes) == ("multiclass", 3)
    np.testing.assert_array_equal(ds.y, [2, 0, 1, 2])


def test_ten_classes_are_allowed(tmp_path):
    rows = "".join(f"{i},0,{i}\n" for i in range(10))
    assert load_csv(write(tmp_path, "x1,x2,label\n" + rows)).n_classes == 10


def test_non_integer_labels_make_a_regression_set(tmp_path):
    ds = load_csv(write(tmp_path, "x1,x2,z\n0,0,0.5\n1,1,2\n"))
    assert (ds.kind, ds.n_classes) == ("regression", 1)
    np.testing.assert_array_equal(ds.y, [0.5, 2.0])
    assert ds.y.dtype == np.float64


@pytest.mark.parametrize("column", ["target", "y_value", " Target "])
def test_target_header_makes_integer_labels_a_regression(tmp_path, column):
    ds = load_csv(write(tmp_path, f"x1,x2,{column}\n0,0,1\n1,1,1\n2,2,3\n"))
    assert ds.kind == "regression"
    np.testing.assert_array_equal(ds.y, [1.0, 1.0, 3.0])


def test_tolerates_bom_crlf_blank_lines_spaces_and_quotes(tmp_path):
    content = b'\xef\xbb\xbf"x1", "x2" ,label\r\n\r\n  1 , 2 ,0\r\n   \r\n"3",4, 1 \r\n\n'
    ds = load_csv(write(tmp_path, content))
    np.testing.assert_array_equal(ds.X, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(ds.y, [0, 1])


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        ("", 1, "empty"),
        ("\n\n  \n", 1, "empty"),
        ("x1,x2,label\n", 1, "only a header"),
        ("\n\nx1,x2,label\n\n", 3, "only a header"),
        ("x1,x2\n1,2\n", 1, "found 2"),
        ("x1\n1\n", 1, "found 1 column"),
        ("x1,x2,label\n1,2,0\n1,2\n", 3, "expected 3 comma-separated values"),
        ("x1;x2;label\n1;2;0\n1;2\n", 3, "expected 3 semicolon-separated values"),
        ("x1,x2,label\n1,2,0\n1,2,1\n1,2\n", 4, "found 2"),
        ("x1,x2,label\n1,2,0\n\n1,2,1,5\n", 4, "found 4"),
        ("x1,x2,label\n1,2,0\n1,abc,1\n", 3, "column 2 is not a number: 'abc'"),
        ("x1,x2,label\n1,2,0\n1,,1\n", 3, "column 2 is not a number"),
        ("x1,x2,label\n1,2,0\n\n\nnan,2,1\n", 5, "column 1 is 'nan'"),
        ("x1,x2,label\n1,2,0\n1,2,inf\n", 3, "finite"),
        ("x1,x2,label\n1,2,0\n1,-Infinity,1\n", 3, "finite"),
        ("x1,x2,label\n\n1,2,4\n3,4,4\n", 3, "at least two classes"),
        ("x1,x2,label\n" + "".join(f"0,0,{i % 11}\n" for i in range(20)), 12, "more than 10"),
    ],
)
def test_rejections_name_the_line(tmp_path, content, line, fragment):
    with pytest.raises(CSVError, match=fragment) as info:
        load_csv(write(tmp_path, content))
    assert f"data.csv, line {line}:" in str(info.value)


def test_more_than_10_classes_suggests_a_target_column(tmp_path):
    rows = "".join(f"{i},0,{i}\n" for i in range(11))
    with pytest.raises(CSVError, match="line 12: more than 10 .*'target'"):
        load_csv(write(tmp_path, "x1,x2,label\n" + rows))


def test_bom_before_a_blank_first_line_is_ignored(tmp_path):
    ds = load_csv(write(tmp_path, b"\xef\xbb\xbf\r\nx1,x2,label\r\n1,2,0\r\n3,4,1\r\n"))
    np.testing.assert_array_equal(ds.y, [0, 1])


def test_a_file_without_header_names_its_columns(tmp_path):
    table = read_table(write(tmp_path, b"\xef\xbb\xbf1,2,0\n3,4,1\n"))
    assert (table.has_header, table.columns) == (False, ("x1", "x2", "label"))
    ds = load_csv(tmp_path / "data.csv")
    np.testing.assert_array_equal(ds.X, [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(ds.y, [0, 1])


def test_non_utf8_bytes_name_their_line(tmp_path):
    content = b"x1,x2,label\n1,2,0\n3,4,1\n5,\xff6,0\n"
    with pytest.raises(CSVError, match="data.csv, line 4: not UTF-8"):
        load_csv(write(tmp_path, content))


def test_too_many_rows_names_the_first_extra_line(tmp_path):
    rows = "0,0,0\n0,0,1\n" * 50_000 + "0,0,1\n"
    with pytest.raises(CSVError, match=r"data.csv, line 100002: more than 100000 data rows"):
        load_csv(write(tmp_path, "x1,x2,label\n" + rows))


def test_exactly_the_row_limit_loads(tmp_path):
    rows = "0,0,0\n0,0,1\n" * 50_000
    assert len(load_csv(write(tmp_path, "x1,x2,label\n" + rows))) == 100_000


def test_missing_file_and_directory_are_csv_errors(tmp_path):
    with pytest.raises(CSVError, match="cannot read"):
        load_csv(tmp_path / "absent.csv")
    with pytest.raises(CSVError, match="cannot read"):
        load_csv(tmp_path)
    assert issubclass(CSVError, DatasetError) and issubclass(CSVError, ValueError)


@pytest.mark.parametrize("name", ["spiral3", "moons", "multigauss", "plane"])
def test_save_then_load_round_trips_exactly(tmp_path, name):
    ds = make(name, 257, 0.2, 11)
    path = tmp_path / f"{name}.csv"
    save_csv(ds, path)
    back = load_csv(path)
    np.testing.assert_array_equal(back.X, ds.X)
    np.testing.assert_array_equal(back.y, ds.y)
    assert (back.kind, back.n_classes, back.name) == (ds.kind, ds.n_classes, name)


def test_saved_format_is_header_then_rows(tmp_path):
    save_csv(truth_table("xor"), tmp_path / "xor.csv")
    text = (tmp_path / "xor.csv").read_text(encoding="utf-8")
    assert text == "x1,x2,label\n0.0,0.0,0\n0.0,1.0,1\n1.0,0.0,1\n1.0,1.0,0\n"


def test_integer_valued_regression_targets_round_trip_as_regression(tmp_path):
    ds = Dataset(np.zeros((3, 2)), np.array([1.0, 2.0, 1.0]), "regression", 1)
    save_csv(ds, tmp_path / "r.csv")
    assert (tmp_path / "r.csv").read_text().splitlines()[0] == "x1,x2,target"
    assert load_csv(tmp_path / "r.csv").kind == "regression"


def test_save_replaces_an_existing_file_and_leaves_no_temp_files(tmp_path):
    path = write(tmp_path, "old contents that are longer than the new ones " * 50, "d.csv")
    save_csv(truth_table("and"), path)
    assert load_csv(path).y.tolist() == [0, 0, 0, 1]
    assert sorted(os.listdir(tmp_path)) == ["d.csv"]


def test_save_into_missing_folder_is_a_csv_error(tmp_path):
    with pytest.raises(CSVError, match="cannot write"):
        save_csv(truth_table("or"), tmp_path / "no" / "such.csv")


# ---- dialects, headers, text labels, column choice -----------------------------------
def test_semicolons_with_decimal_commas(tmp_path):
    ds = load_csv(write(tmp_path, "x;y;Klasse\n1,5;-2,25;0\n0,0;3;1\n"))
    np.testing.assert_array_equal(ds.X, [[1.5, -2.25], [0.0, 3.0]])
    np.testing.assert_array_equal(ds.y, [0, 1])


def test_semicolon_regression_targets_take_decimal_commas(tmp_path):
    ds = load_csv(write(tmp_path, "a;b;target\n1;2;0,25\n3;4;1,5\n"))
    assert ds.kind == "regression"
    np.testing.assert_array_equal(ds.y, [0.25, 1.5])


def test_decimal_commas_need_a_semicolon_or_tab_file(tmp_path):
    with pytest.raises(CSVError, match="line 2: expected 3 comma-separated values"):
        load_csv(write(tmp_path, "x1,x2,label\n1,5,2,0,1\n"))


def test_tabs(tmp_path):
    table = read_table(write(tmp_path, "x1\tx2\tlabel\n1.5\t2\t0\n3\t4,5\t1\n"))
    assert table.delimiter == "\t"
    ds = table.select().dataset()
    np.testing.assert_array_equal(ds.X, [[1.5, 2.0], [3.0, 4.5]])


def test_quoted_fields_may_hold_the_delimiter_and_quotes(tmp_path):
    content = 'x1,x2,species\n1,2,"setosa, small"\n3,4,"say ""hi"""\n5,6,"setosa, small"\n'
    ds = load_csv(write(tmp_path, content))
    assert ds.class_names == ('say "hi"', "setosa, small")
    np.testing.assert_array_equal(ds.y, [1, 0, 1])


def test_bom_and_quoted_header_with_semicolons(tmp_path):
    content = '\ufeff"x 1";"x 2";"label"\r\n1;2;a\r\n3;4;b\r\n'.encode()
    table = read_table(write(tmp_path, content))
    assert (table.delimiter, table.columns) == (";", ("x 1", "x 2", "label"))
    assert table.select().dataset().class_names == ("a", "b")


def test_text_labels_become_sorted_class_names(tmp_path):
    ds = load_csv(write(tmp_path, "x,y,fruit\n0,0,pear\n1,1,apple\n2,2,fig\n3,3,pear\n"))
    assert (ds.kind, ds.n_classes, ds.class_names) == ("multiclass", 3, ("apple", "fig", "pear"))
    np.testing.assert_array_equal(ds.y, [2, 0, 1, 2])


def test_text_labels_without_a_header(tmp_path):
    ds = load_csv(write(tmp_path, "0,0,no\n1,1,yes\n"))
    assert (ds.kind, ds.class_names) == ("binary", ("no", "yes"))


def test_text_labels_survive_a_split_and_a_save(tmp_path):
    ds = load_csv(write(tmp_path, "x,y,c\n0,0,b\n1,1,a\n2,2,b\n3,3,a\n"))
    assert ds.subset([0, 1]).class_names == ("a", "b")
    save_csv(ds, tmp_path / "again.csv")
    back = load_csv(tmp_path / "again.csv")
    assert back.class_names == ("a", "b")
    np.testing.assert_array_equal(back.y, ds.y)


FOUR = "id;height;width;weight;kind\n1;1,5;2;70;cat\n2;0,5;1;5;dog\n3;2;3;9;cat\n"


def test_more_than_three_columns_need_a_choice(tmp_path):
    path = write(tmp_path, FOUR)
    with pytest.raises(CSVError, match="has 5 columns .*'height'.*choose the input columns"):
        load_csv(path)
    ds = load_csv(path, inputs=["height", "weight"])
    np.testing.assert_array_equal(ds.X, [[1.5, 70.0], [0.5, 5.0], [2.0, 9.0]])
    assert ds.class_names == ("cat", "dog")
    by_index = load_csv(path, inputs=[2, 1], target="KIND")
    np.testing.assert_array_equal(by_index.X, [[2.0, 1.5], [1.0, 0.5], [3.0, 2.0]])


def test_all_columns_as_inputs_need_numbers(tmp_path):
    with pytest.raises(CSVError, match="line 2: column 5 is not a number: 'cat'"):
        read_table(write(tmp_path, FOUR)).select(inputs="all", target="weight")
    data = read_table(write(tmp_path, FOUR)).select(inputs=["id", "height"], target="weight")
    assert (data.kind, data.input_names, data.target_name) == ("multiclass", ("id", "height"),
                                                               "weight")
    np.testing.assert_array_equal(data.y, [2, 0, 1])


def test_all_inputs_with_a_numeric_target(tmp_path):
    content = "a,b,c,d,label\n1,2,3,4,0\n5,6,7,8,1\n9,10,11,12,1\n"
    data = read_table(write(tmp_path, content)).select(inputs="all")
    assert data.input_names == ("a", "b", "c", "d")
    np.testing.assert_array_equal(data.X[2], [9, 10, 11, 12])
    np.testing.assert_array_equal(data.Y[:, 0], [0, 1, 1])
    with pytest.raises(CSVError, match="exactly two input columns"):
        data.dataset()


@pytest.mark.parametrize(
    ("inputs", "target", "fragment"),
    [
        (["height", "nope"], None, "no column named 'nope'"),
        (["height", "height"], None, "chosen twice"),
        (["height", "kind"], None, "chosen twice"),
        (["height", 9], None, "no column 9"),
        ("some", None, "list of columns"),
        (["id", "kind"], "height", "line 2: column 5 is not a number: 'cat'"),
    ],
)
def test_bad_column_choices(tmp_path, inputs, target, fragment):
    with pytest.raises(CSVError, match=fragment):
        load_csv(write(tmp_path, FOUR), inputs=inputs, target=target)


# ---- hostile input -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        ("x1,x2,label\n1,2,0\n1000001,2,1\n", 3, "within ±1,000,000"),
        ("x1,x2,target\n1,2,0.5\n1,2,-2e6\n", 3, "within ±1,000,000"),
        ("x1,x2,label\n1,2,0\n1e999,2,1\n", 3, "within"),
        ("x1,x2,label\n1,2,NaN\n1,2,1\n", 2, "finite"),
        ("x1,x2,label\n1,2,a\n1,2,\n", 3, "class name is empty"),
        ("x1,x2,label\n1,2,a\n1,2,a\n", 2, "every row has the class 'a'"),
        ("x1,x2,label\n" + "".join(f"0,0,c{i}\n" for i in range(12)), 12, "more than 10"),
        ("x1,x2,label\n1,2,0\n" + "9" * 300 + ",1,1\n", 3, "longer than 200"),
        ("x1,x2,label\n" + ",".join(["1"] * 70) + "\n", 2, "more than 64 columns"),
    ],
)
def test_hostile_rejections_name_the_line(tmp_path, content, line, fragment):
    with pytest.raises(CSVError, match=fragment) as info:
        load_csv(write(tmp_path, content))
    assert f"data.csv, line {line}:" in str(info.value)


def test_messages_quote_at_most_60_characters(tmp_path):
    cell = "z" * 150
    with pytest.raises(CSVError) as info:
        load_csv(write(tmp_path, f"x1,x2,label\n1,2,0\n{cell},2,1\n"))
    message = str(info.value)
    assert "z" * 60 + "…" in message and "z" * 61 not in message


def test_a_too_large_file_is_refused_before_reading(tmp_path, monkeypatch):
    import mlpviz.engine.csvdata as csvdata

    monkeypatch.setattr(csvdata, "MAX_FILE_BYTES", 1000)
    path = write(tmp_path, "x1,x2,label\n" + "0,0,1\n" * 200)
    with pytest.raises(CSVError, match=r"data.csv: the file is 1212 bytes; at most 1000 bytes"):
        load_csv(path)


# ---- property: any bytes either import or raise CSVError -----------------------------
hypothesis = pytest.importorskip("hypothesis", reason="hypothesis (the test extra) not installed")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CSVISH = st.text(alphabet=list(',;\t"\r\n .-+eE0123456789abcxyn,\ufeff\x00é'), max_size=300)


def _import_or_error(tmp_dir, content: bytes) -> None:
    path = os.path.join(tmp_dir, "fuzz.csv")
    with open(path, "wb") as out:
        out.write(content)
    try:
        ds = load_csv(path)
    except CSVError as exc:
        message = str(exc)
        assert message.startswith("fuzz.csv") and "\n" not in message.replace("\\n", "")
        return
    assert ds.X.shape[1] == 2 and np.all(np.abs(ds.X) <= 1e6)
    assert np.all(np.isfinite(ds.X)) and np.all(np.isfinite(ds.y))


@settings(max_examples=150, deadline=None)
@given(content=st.binary(max_size=400))
def test_any_bytes_import_or_raise_csv_error(tmp_path_factory, content):
    _import_or_error(tmp_path_factory.getbasetemp(), content)


@settings(max_examples=300, deadline=None)
@given(text=_CSVISH)
def test_any_csv_like_text_imports_or_raises_csv_error(tmp_path_factory, text):
    _import_or_error(tmp_path_factory.getbasetemp(), text.encode("utf-8"))
