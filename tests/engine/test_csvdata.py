"""Specification of CSV import/export: what loads as what, and errors that name the line."""

from __future__ import annotations

import os

import numpy as np
import pytest

from mlpviz.engine.csvdata import CSVError, load_csv, save_csv
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
        ("x1;x2;label\n1;2;0\n", 1, "comma"),
        ("1,2,0\n3,4,1\n", 1, "header"),
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


def test_bom_before_numbers_is_still_a_missing_header(tmp_path):
    with pytest.raises(CSVError, match="data.csv, line 1: .*header"):
        load_csv(write(tmp_path, b"\xef\xbb\xbf1,2,0\n3,4,1\n"))


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
