"""The chart's parameter model and the pure parts behind it: compact lists, number
formats, and how series, labels and colours are reconciled."""

import math

import numpy as np
import pytest
from pydantic import ValidationError

from imagegen.charts.compact import split_items, split_series
from imagegen.charts.model import ChartParams
from imagegen.charts.numbers import number_formatter, parse_number_format
from imagegen.charts.series import PALETTE, resolve
from imagegen.charts.style import text_color_on


def test_compact_lists_split_on_commas_and_bars():
    assert split_items("a, b,c") == ["a", "b", "c"]
    assert split_items("") == []
    assert split_items(["kept"]) == ["kept"]
    assert split_series("1,,3|null, NaN ,5") == [[1.0, None, 3.0], [None, None, 5.0]]
    assert split_series("1,x") == [[1.0, "x"]]  # left for validation to refuse at data.0.1
    assert split_series([[1.0]]) == [[1.0]]


def test_query_and_json_forms_validate_to_the_same_parameters():
    text = ChartParams.model_validate(
        {"data": "1,2,|4,5,6", "labels": "a,b,c", "series": "x,y", "colors": "red,00f"}
    )
    structured = ChartParams.model_validate(
        {
            "data": [[1, 2, None], [4, 5, 6]],
            "labels": ["a", "b", "c"],
            "series": ["x", "y"],
            "colors": ["#ff0000", "blue"],
        }
    )
    assert text == structured


@pytest.mark.parametrize(
    ("spelling", "chart_type"),
    [("hbar", "horizontal_bar"), ("Horizontal Bar", "horizontal_bar"), ("donut", "doughnut")],
)
def test_type_aliases(spelling, chart_type):
    assert ChartParams.model_validate({"data": "1", "type": spelling}).type == chart_type


@pytest.mark.parametrize(
    ("given", "legend"), [("on", "top"), ("off", "none"), (False, "none"), ("Right", "right")]
)
def test_legend_switches(given, legend):
    assert ChartParams.model_validate({"data": "1", "legend": given}).legend == legend


@pytest.mark.parametrize(
    ("number_format", "value", "text"),
    [
        (",.0f", 1234.5, "1,234"),
        (".1%", 0.1234, "12.3%"),
        ("${:,.0f}", 1234567, "$1,234,567"),
        ("{:.1f} kg", 2, "2.0 kg"),
        ("{{x}} {:g}", 3, "{x} 3"),
        (None, 0.1 + 0.2, "0.3"),
        (None, 1200, "1,200"),
    ],
)
def test_number_formats(number_format, value, text):
    assert number_formatter(number_format)(value) == text


@pytest.mark.parametrize(
    "number_format",
    ["{0.__class__}", "{x}", "{!r}", "{}{}", "{:{}}", "{", "d", ",d", "s", "abc", ".99f", "999f"],
)
def test_number_formats_that_are_not_float_specs_are_refused(number_format):
    with pytest.raises(ValueError):
        parse_number_format(number_format)


def test_lengths_are_reconciled_with_gaps_and_blank_labels():
    params = ChartParams.model_validate(
        {"data": "1,2,3,inf|4", "labels": "a,b", "series": "only one"}
    )
    data = resolve(params)
    assert data.labels == ["a", "b", "", ""]
    first, second = data.series
    assert (first.name, second.name) == ("only one", "Series 2")
    np.testing.assert_array_equal(first.values, [1, 2, 3, math.nan])
    np.testing.assert_array_equal(second.values, [4, math.nan, math.nan, math.nan])


def test_more_labels_than_values_make_empty_categories_and_x_cuts_series():
    assert len(resolve(ChartParams.model_validate({"data": "1", "labels": "a,b,c"})).labels) == 3
    params = ChartParams.model_validate({"type": "line", "data": "1,2,3", "x": "10,20"})
    data = resolve(params)
    np.testing.assert_array_equal(data.x, [10, 20])
    np.testing.assert_array_equal(data.series[0].values, [1, 2])


def test_colours_come_from_datasets_then_colors_then_the_palette():
    params = ChartParams.model_validate(
        {
            "datasets": [{"data": [1], "color": "black"}, {"data": [2]}, {"data": [3]}],
            "colors": "red,lime",
            "series": "a,b",
        }
    )
    series = resolve(params).series
    assert [s.color for s in series] == [(0, 0, 0, 255), (0, 255, 0, 255), PALETTE[2]]
    assert [s.name for s in series] == ["a", "b", "Series 3"]


def test_dataset_types_mix_into_the_chart_type():
    params = ChartParams.model_validate(
        {"type": "bar", "datasets": [{"data": [1]}, {"data": [2], "type": "line"}]}
    )
    assert [s.kind for s in resolve(params).series] == ["bar", "line"]


def test_text_on_a_colour_is_dark_or_light_for_contrast():
    assert text_color_on((255, 255, 0, 255))[:3] == (0, 0, 0)
    assert text_color_on((0, 0, 128, 255))[:3] == (1, 1, 1)


def test_errors_name_the_parameter():
    with pytest.raises(ValidationError) as caught:
        ChartParams.model_validate({"data": "1,a"})
    assert caught.value.errors()[0]["loc"] == ("data", 0, 1)


def test_annotations_survive_a_round_trip_through_json():
    params = ChartParams.model_validate(
        {"data": "1,2,3", "labels": "a,b,c", "hline": "2:Target", "vband": "0..1"}
    )
    again = ChartParams.model_validate(params.model_dump(mode="json"))
    assert again == params
