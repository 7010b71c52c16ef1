# ruff: noqa: E501  (configs are written out whole, as the documentation has them)
"""Chart.js configs by QuickChart's and image-charts' URLs: the literal parser (never
runs code), the translation into our chart's parameters, and real configs from
QuickChart's documentation drawn end to end."""

import base64
import io
import json
import math
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from imagegen.app import create_app
from imagegen.compat import CompatRequest
from imagegen.compat.chartjs import translate_config
from imagegen.compat.jsliteral import Code, LiteralError, nesting_depth, parse_literal
from imagegen.compat.quickchart_chart import QuickChartChart
from imagegen.errors import ApiError
from imagegen.rendering import create_generators, validate_params
from imagegen.settings import Settings
from tests.conftest import api_client


@pytest.fixture(scope="module")
def client() -> TestClient:
    return api_client(create_app(Settings()))


def _get(client: TestClient, config: str, query: str = "") -> object:
    return client.get(f"/chart?{query}{'&' if query else ''}c={quote(config)}")


def _image(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content)).convert("RGBA")


def _colors(image: Image.Image) -> set[tuple[int, int, int, int]]:
    return {color for _, color in image.getcolors(image.width * image.height)}


# -- the parser -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "{type:'bar', data:{labels:['C++',],},} // comment",
            {"type": "bar", "data": {"labels": ["C++"]}},
        ),
        ('{"a": [1, 2.5, null, true]}', {"a": [1, 2.5, None, True]}),
        (
            "{a: -Math.PI / 2, b: 2 ** 10, c: 0x1F, d: .5}",
            {"a": -math.pi / 2, "b": 1024, "c": 31, "d": 0.5},
        ),
        (
            "{a: `text`, b: 'a' + 'b', c: undefined, d: [1,,2]}",
            {"a": "text", "b": "ab", "c": None, "d": [1, None, 2]},
        ),
        (
            "{a: new Date(2024, 0, 31), b: new Date('2024-02-01')}",
            {"a": "2024-01-31T00:00:00Z", "b": "2024-02-01"},
        ),
        ("{a: 1e999, b: -Infinity}", {"a": math.inf, "b": -math.inf}),
        ("{a: 123456789012345678901234567890}", {"a": 1.2345678901234568e29}),
    ],
)
def test_literals_are_read_as_data(text, value):
    assert parse_literal(text, "chart", 20) == value


def test_code_is_a_marker_never_run():
    parsed = parse_literal(
        "{a: function(v) { return v }, b: (x) => x, c: foo(1), d() {}}", "chart", 20
    )
    assert parsed == {
        "a": Code("functions are not run"),
        "b": Code("functions are not run"),
        "c": Code("function calls are not run"),
        "d": Code("functions are not run"),
    }


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("{a: b}", "chart.a", "b is not known here"),
        ("{a: [1, {b: process.env}]}", "chart.a[1].b", "process.env is not known here"),
        ("{a: `${x}`}", "chart.a", "template substitutions"),
        ("{[k]: 1}", "chart", "computed keys"),
        ("{a}", "chart", "variables are not read"),
        ("{a: /re/}", "chart.a", "regex"),
        ("{a: new Function('x')}", "chart.a", "only new Date"),
        ("{a: 1}; alert(1)", "chart", "syntax error"),
        ("[" * 30 + "]" * 30, "chart", "nests deeper than 20"),
    ],
)
def test_what_is_not_data_is_refused_with_its_path(text, path, message):
    with pytest.raises(LiteralError) as error:
        parse_literal(text, "chart", 20)
    assert error.value.path == path
    assert message in error.value.message


def test_depth_is_counted_outside_strings_and_comments():
    assert nesting_depth("{a: '[[[[', /* {{{{ */ b: [1]} // ((((") == 2
    assert nesting_depth('"\\"' * 1000) == 0  # an unclosed string is read to its end


_JS_PIECES = st.sampled_from(
    [
        *"{}[]()'\"`,:;+-*/.\\\n ",
        "/*",
        "*/",
        "//",
        "${",
        "function",
        "=>",
        "new",
        "Math.PI",
        "1e999",
        "0x",
        "a",
        "1",
    ]
)


@given(st.lists(_JS_PIECES, max_size=60).map("".join))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_any_text_is_data_or_a_literal_error(text):
    try:
        parse_literal(text, "chart", 20)
    except LiteralError as error:
        assert error.path.startswith("chart")


@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
        ),
        max_leaves=30,
    )
)
@settings(max_examples=200, deadline=None, derandomize=True)
def test_any_config_value_translates_or_names_its_path(config):
    try:
        translate_config(config, 2)
    except Exception as error:  # an ApiError: a 422 naming a path under chart
        assert getattr(error, "body", None) is not None, repr(error)
        assert error.body.status == 422
        assert error.body.parameters[0].parameter.startswith("chart")


# -- translation ----------------------------------------------------------------------


def test_translation_maps_config_paths():
    config = {
        "type": "line",
        "data": {
            "labels": ["a", "b", "c"],
            "datasets": [
                {
                    "label": "Up",
                    "data": [1, 2, 3],
                    "borderColor": "rgb(255, 0, 0)",
                    "fill": False,
                    "borderDash": [5, 5],
                    "tension": 0.4,
                },
                {"label": "Down", "data": [3, 2, 1], "fill": True, "steppedLine": True},
            ],
        },
        "options": {
            "title": {"display": True, "text": ["Two", "lines"]},
            "legend": {"position": "bottom"},
            "scales": {
                "yAxes": [
                    {
                        "ticks": {"min": 0, "max": 5},
                        "scaleLabel": {"display": True, "labelString": "Count"},
                    }
                ]
            },
            "plugins": {"tickFormat": {"prefix": "$", "minimumFractionDigits": 2}},
            "responsive": True,
            "animation": {"duration": 0},
        },
    }
    out = translate_config(config, 2)
    params = out.params
    assert params["title"] == "Two lines"
    assert params["legend"] == "bottom"
    assert (params["y_min"], params["y_max"], params["y_title"]) == (0, 5, "Count")
    assert params["number_format"] == "${:,.2f}"
    first, second = params["datasets"]
    assert first == {
        "data": [1, 2, 3],
        "label": "Up",
        "color": "#ff0000ff",
        "line_style": "dashed",
        "tension": 0.4,
    }
    assert second == {"data": [3, 2, 1], "label": "Down", "type": "area", "stepped": True}
    assert out.names["datasets.0.color"] == "chart.data.datasets[0].borderColor"
    assert out.names["y_max"] == "chart.options.scales.yAxes[0].ticks.max"


def test_radial_charts_and_centre_text():
    radar = {
        "type": "radar",
        "data": {
            "labels": ["a", "b", "c"],
            "datasets": [{"label": "x", "data": [1, 2, 3], "fill": False}],
        },
        "options": {"scale": {"ticks": {"beginAtZero": True}}},
    }
    params = translate_config(radar, 2).params
    assert (params["type"], params["fill"], params["legend"]) == ("radar", False, "top")
    polar = {
        "type": "polarArea",
        "data": {
            "labels": ["a", "b"],
            "datasets": [{"data": [1, 2], "backgroundColor": ["red", "blue"]}],
        },
    }
    assert translate_config(polar, 3).params["colors"] == ["#ff0000ff", "#0000ffff"]
    doughnut = {
        "type": "doughnut",
        "data": {"datasets": [{"data": [1, 2]}]},
        "options": {"plugins": {"doughnutlabel": {"labels": [{"text": "3"}, {"text": "total"}]}}},
    }
    assert translate_config(doughnut, 2).params["center_text"] == "3 total"


def test_gauge_plugins_translate_to_our_gauges():
    def params(config: str) -> dict:
        return translate_config(parse_literal(config, "chart", 20), 2).params

    gauge = params(
        "{type:'gauge',data:{datasets:[{value:72,minValue:10,data:[50,80,100],"
        "backgroundColor:['green','gold','red']}]},options:{valueLabel:{display:false}}}"
    )
    assert gauge["data"] == [[72]] and gauge["bands"] == [50, 80, 100]
    assert (gauge["y_min"], gauge["center_text"]) == (10, "")
    assert gauge["colors"] == ["#008000ff", "#ffd700ff", "#ff0000ff"]
    ring = params(
        "{type:'radialGauge',data:{datasets:[{data:[150],backgroundColor:'teal'}]},"
        "options:{domain:[0,200],trackColor:'#eee',centerArea:{text:'150 pts',subText:'of 200'}}}"
    )
    assert (ring["data"], ring["y_min"], ring["y_max"]) == ([[150]], 0, 200)
    assert ring["center_text"] == "150 pts of 200"
    hidden = params(
        "{type:'radialGauge',data:{datasets:[{data:[5]}]},options:{centerArea:{displayText:false}}}"
    )
    assert hidden["center_text"] == ""
    bar = params(
        "{type:'progressBar',data:{datasets:[{data:[15]},{data:[30]}]},"
        "options:{plugins:{datalabels:{display:false}}}}"
    )
    assert (bar["type"], bar["data"], bar["y_max"], bar["center_text"]) == (
        "progress_bar",
        [[15]],
        30,
        "",
    )
    assert "center_text" not in params("{type:'progressBar',data:{datasets:[{data:[15]}]}}")


@pytest.mark.parametrize(
    ("config", "path"),
    [
        ("{type:'gauge',data:{datasets:[{data:[1,2]}]}}", "chart.data.datasets[0].value"),
        (
            "{type:'gauge',data:{datasets:[{value:1,data:[5]}]},options:{valueLabel:{formatter:function(v){return v}}}}",
            "chart.options.valueLabel.formatter",
        ),
        (
            "{type:'radialGauge',data:{datasets:[{data:[1]}]},options:{centerArea:{text:function(v){return v}}}}",
            "chart.options.centerArea.text",
        ),
        (
            "{type:'radialGauge',data:{datasets:[{data:[1]}]},options:{domain:[0]}}",
            "chart.options.domain",
        ),
        (
            "{type:'progressBar',data:{datasets:[{data:[1]},{data:[2]},{data:[3]}]}}",
            "chart.data.datasets[2]",
        ),
        (
            "{type:'gauge',data:{datasets:[{value:1}]},options:{scales:{x:{ticks:{callback:function(){}}}}}}",
            "chart.options.scales.x.ticks.callback",
        ),
        (
            "{type:'boxplot',data:{datasets:[{data:[{min:1,q1:2,median:3,q3:4,max:5}]}]}}",
            "chart.data.datasets[0].data[0]",
        ),
        (
            "{type:'boxplot',data:{datasets:[{coef:3,data:[[1,2,3]]}]}}",
            "chart.data.datasets[0].coef",
        ),
        (
            "{type:'bubble',data:{datasets:[{data:[{x:1,y:2,r:3,z:4}]}]}}",
            "chart.data.datasets[0].data[0].z",
        ),
        (
            "{type:'line',data:{datasets:[{data:[{x:1,y:2,r:3}]}]}}",
            "chart.data.datasets[0].data[0].r",
        ),
        (
            "{type:'line',data:{datasets:[{data:[{t:'2020-01-01',y:2}]}]},options:{scales:{yAxes:[{type:'time'}]}}}",
            "chart.options.scales.yAxes[0].type",
        ),
        (
            "{type:'line',data:{datasets:[{data:[{x:'2020-01-01',y:2}]}]},options:{scales:{x:{type:'time',time:{parser:function(v){return v}}}}}}",
            "chart.options.scales.x.time.parser",
        ),
        (
            "{type:'line',data:{labels:['a'],datasets:[{data:[1],yAxisID:'nope'}]}}",
            "chart.data.datasets[0].yAxisID",
        ),
        (
            "{type:'line',data:{labels:['a'],datasets:[{data:[1],yAxisID:'a'},{data:[2],yAxisID:'b'},{data:[3],yAxisID:'c'}]},options:{scales:{yAxes:[{id:'a'},{id:'b'},{id:'c'}]}}}",
            "chart.data.datasets[2].yAxisID",
        ),
        (
            "{type:'line',data:{labels:['a'],datasets:[{data:[1]},{data:[2],yAxisID:'r'}]},options:{scales:{y:{},r2:{axis:'y',position:'right',display:false}}}}",
            "chart.data.datasets[1].yAxisID",
        ),
        (
            "{type:'line',data:{datasets:[{data:[1],pointStyle:{src:'x.png'}}]}}",
            "chart.data.datasets[0].pointStyle",
        ),
    ],
)
def test_new_types_refuse_what_is_not_drawn(config, path):
    with pytest.raises(ApiError) as error:
        translate_config(parse_literal(config, "chart", 20), 2)
    assert error.value.body.parameters[0].parameter == path, error.value.body


def test_time_axes_bubbles_boxes_and_a_right_axis_translate():
    def params(config: str, version: int = 2) -> dict:
        return translate_config(parse_literal(config, "chart", 20), version).params

    points = params(
        "{type:'line',data:{datasets:[{data:[{t:'2020-06-14',y:1},{t:1592179200000,y:2}]}]},"
        "options:{scales:{xAxes:[{type:'time',time:{unit:'day'}}]}}}"
    )
    assert points["x_type"] == "time"
    assert points["x"] == ["2020-06-14", 1592179200.0]  # JavaScript ms as Unix seconds
    labelled = params(
        "{type:'bar',data:{labels:['2024-01-01','2024-02-01','2024-03-01'],datasets:[{data:[3,4]}]},"
        "options:{scales:{x:{type:'timeseries'}}}}",
        3,
    )
    assert labelled["x"] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert labelled["datasets"][0]["data"] == [3, 4, None]
    assert "labels" not in labelled
    bubbles = params("{type:'bubble',data:{datasets:[{data:[{x:1,y:2,r:3},null]}]}}")
    assert bubbles["datasets"][0]["data"] == [{"x": 1, "y": 2, "r": 3}, None]
    boxes = params(
        "{type:'horizontalBoxplot',data:{labels:['a'],datasets:[{borderColor:'red',"
        "backgroundColor:'pink',data:[[1,2,3,null]]}]},options:{scales:{xAxes:[{ticks:{min:0}}]}}}"
    )
    assert boxes["type"] == "horizontal_box_plot" and boxes["y_min"] == 0
    assert boxes["datasets"][0]["data"] == [[1, 2, 3, None]]
    assert boxes["datasets"][0]["color"] == "#ff0000ff"  # the border: a box's lines
    right = params(
        "{type:'line',data:{labels:['a','b'],datasets:[{data:[1,2],yAxisID:'L'},"
        "{data:[100,300],yAxisID:'R',pointStyle:'rectRot',pointRadius:4}]},"
        "options:{scales:{L:{position:'left'},R:{position:'right',min:0,max:400,"
        "title:{display:true,text:'Visits'}}}}}",
        3,
    )
    assert [d.get("axis") for d in right["datasets"]] == [None, "right"]
    assert (right["y2_min"], right["y2_max"], right["y2_title"]) == (0, 400, "Visits")
    assert right["datasets"][1]["point_style"] == "rectRot"
    assert right["datasets"][1]["point_size"] == 8  # a radius of 4 is 8 across
    second_first = params(
        "{type:'bar',data:{labels:['a'],datasets:[{data:[1],yAxisID:'B'},{data:[2],yAxisID:'A'}]},"
        "options:{scales:{yAxes:[{id:'A',position:'right',ticks:{beginAtZero:true}},{id:'B'}]}}}"
    )
    assert [d.get("axis") for d in second_first["datasets"]] == [None, "right"]
    assert second_first["y2_min"] == 0
    hidden_points = params("{type:'line',data:{labels:['a'],datasets:[{data:[1],pointRadius:0}]}}")
    assert hidden_points["datasets"][0]["point_style"] == "none"


def test_v3_shapes_translate_as_v2_ones():
    v2 = {
        "type": "bar",
        "data": {"labels": ["a"], "datasets": [{"label": "x", "data": [1]}]},
        "options": {
            "title": {"display": True, "text": "T"},
            "legend": {"display": False},
            "scales": {
                "xAxes": [{"stacked": True, "gridLines": {"display": False}}],
                "yAxes": [{"stacked": True, "ticks": {"beginAtZero": True}}],
            },
        },
    }
    v3 = {
        "type": "bar",
        "data": {"labels": ["a"], "datasets": [{"label": "x", "data": [1]}]},
        "options": {
            "plugins": {"title": {"display": True, "text": "T"}, "legend": {"display": False}},
            "scales": {
                "x": {"stacked": True, "grid": {"display": False}},
                "y": {"stacked": True, "beginAtZero": True},
            },
        },
    }
    assert translate_config(v2, 2).params == translate_config(v3, 3).params


def test_numeric_points_share_x_or_follow_one_another():
    same = {
        "type": "scatter",
        "data": {
            "datasets": [
                {"data": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]},
                {"data": [{"x": 1, "y": 5}, {"x": 3, "y": 6}]},
            ]
        },
    }
    assert translate_config(same, 2).params["x"] == [1, 3]
    apart = {
        "type": "scatter",
        "data": {
            "datasets": [
                {"data": [{"x": 1, "y": 2}]},
                {"data": [{"x": 5, "y": 6}, {"x": 7, "y": 8}]},
            ]
        },
    }
    params = translate_config(apart, 2).params
    assert params["x"] == [1, 5, 7]
    assert [d["data"] for d in params["datasets"]] == [[2, None, None], [None, 6, 8]]


@pytest.mark.parametrize(
    ("config", "path"),
    [
        (
            {
                "type": "bar",
                "data": {"datasets": [{"data": [1]}]},
                "options": {
                    "scales": {"yAxes": [{"ticks": {"callback": Code("functions are not run")}}]}
                },
            },
            "chart.options.scales.yAxes[0].ticks.callback",
        ),
        (
            {
                "type": "bar",
                "data": {
                    "datasets": [
                        {"data": [1], "backgroundColor": Code("function calls are not run")}
                    ]
                },
            },
            "chart.data.datasets[0].backgroundColor",
        ),
        (
            {"type": "radialGauge", "data": {"datasets": [{"data": [1, 2]}]}},
            "chart.data.datasets[0].data",
        ),
        (
            {"type": "bar", "data": {"datasets": [{"data": [1]}]}, "options": {"scale": {}}},
            "chart.options.scale",
        ),
        (
            {
                "type": "pie",
                "data": {"datasets": [{"data": [1]}]},
                "options": {"plugins": {"doughnutlabel": {"labels": []}}},
            },
            "chart.options.plugins.doughnutlabel",
        ),
        (
            {"type": "bar", "data": {"datasets": [{"data": [1], "shadowColor": "red"}]}},
            "chart.data.datasets[0].shadowColor",
        ),
        (
            {
                "type": "bar",
                "data": {"datasets": [{"data": [1]}]},
                "options": {"scales": {"x": {"type": "time"}}},
            },
            "chart.data.labels",
        ),
        (
            {
                "type": "bar",
                "data": {"datasets": [{"data": [1]}]},
                "options": {"plugins": {"colorschemes": {"scheme": "x"}}},
            },
            "chart.options.plugins.colorschemes",
        ),
        (
            {"type": "bubble", "data": {"datasets": [{"data": [{"x": 1, "y": 2}]}]}},
            "chart.data.datasets[0].data[0].r",
        ),
        (
            {"type": "bar", "data": {"datasets": [{"data": [1, "lots"]}]}},
            "chart.data.datasets[0].data[1]",
        ),
        (
            {"type": "pie", "data": {"datasets": [{"data": [1]}, {"data": [2]}]}},
            "chart.data.datasets[1]",
        ),
        (
            {"type": "bar", "data": {"datasets": [{"data": [1], "backgroundColor": "rgb(1,2)"}]}},
            "chart.data.datasets[0].backgroundColor",
        ),
    ],
)
def test_what_is_not_drawn_is_a_422_naming_its_path(config, path):
    with pytest.raises(Exception) as error:
        translate_config(config, 2)
    assert error.value.body.status == 422
    assert error.value.body.parameters[0].parameter == path


# -- end to end: configs from QuickChart's documentation ---------------------------------

_DOCS = {
    "bar": (
        "{type:'bar',data:{labels:['January','February','March','April','May'],datasets:[{label:'Dogs',data:[50,60,70,180,190]},{label:'Cats',data:[100,200,300,400,500]}]}}",
        [(78, 121, 167, 255), (242, 142, 43, 255)],
    ),
    "horizontalBar": (
        "{type:'horizontalBar',data:{labels:['January','February','March'],datasets:[{label:'Dogs',data:[50,60,70]}]}}",
        [(78, 121, 167, 255)],
    ),
    "line": (
        "{type:'line',data:{labels:['January','February','March','April','May'],datasets:[{label:'Dogs',data:[50,60,70,180,190],fill:false,borderColor:'blue'},{label:'Cats',data:[100,200,300,400,500],fill:false,borderColor:'green'}]}}",
        [(0, 0, 255, 255), (0, 128, 0, 255)],
    ),
    "pie": (
        "{type:'pie',data:{labels:['January','February','March','April','May'],datasets:[{data:[50,60,70,180,190]}]}}",
        [(78, 121, 167, 255), (118, 183, 178, 255)],
    ),
    "scatter": (
        "{type:'scatter',data:{datasets:[{label:'Data 1',data:[{x:2,y:4},{x:3,y:3},{x:-10,y:0},{x:0,y:10},{x:10,y:5}]}]}}",
        [(78, 121, 167, 255)],
    ),
    "sparkline": (
        "{type:'sparkline',data:{datasets:[{data:[140,60,274,370,199]}]}}",
        [(78, 121, 167, 255)],
    ),
    "mixed": (
        "{type:'bar',data:{labels:['January','February','March','April','May'],datasets:[{label:'Dogs',data:[50,60,70,180,190]},{label:'Cats',data:[100,200,300,400,500]},{type:'line',fill:false,label:'Potatoes',data:[100,400,200,400,700]}]}}",
        [(78, 121, 167, 255), (225, 87, 89, 255)],
    ),
    "basic": (
        "{type:'bar',data:{labels:[2012,2013,2014,2015,2016],datasets:[{label:'Bananas',data:[4,8,16,5,5]}]}}",
        [(78, 121, 167, 255)],
    ),
    "v3 votes": (
        "{type:'bar',data:{labels:['Red','Blue','Yellow','Green','Purple','Orange'],datasets:[{label:'# of Votes',data:[12,19,3,5,2,3],backgroundColor:['rgba(255, 99, 132, 0.2)','rgba(54, 162, 235, 0.2)','rgba(255, 206, 86, 0.2)','rgba(75, 192, 192, 0.2)','rgba(153, 102, 255, 0.2)','rgba(255, 159, 64, 0.2)'],borderColor:['rgba(255, 99, 132, 1)','rgba(54, 162, 235, 1)','rgba(255, 206, 86, 1)','rgba(75, 192, 192, 1)','rgba(153, 102, 255, 1)','rgba(255, 159, 64, 1)'],borderWidth:1}]},options:{scales:{y:{beginAtZero:true}}}}",
        [(255, 99, 132, 51), (54, 162, 235, 51)],
    ),
    "named colours stacked": (
        "{type:'bar',data:{labels:['January','February','March','April','May'],datasets:[{label:'Dogs',backgroundColor:'chartreuse',data:[50,60,70,180,190]},{label:'Cats',backgroundColor:'gold',data:[100,200,300,400,500]}]},options:{title:{display:true,text:'Total Revenue',fontColor:'hotpink',fontSize:32},legend:{position:'bottom'},scales:{xAxes:[{stacked:true}],yAxes:[{stacked:true}]},plugins:{datalabels:{display:true,font:{style:'bold'}}}}}",
        [(127, 255, 0, 255), (255, 215, 0, 255)],
    ),
    "doughnut": (
        "{type:'doughnut',data:{labels:['A','B','C'],datasets:[{data:[1,2,3],backgroundColor:['#ff0000','#00ff00','#0000ff']}]}}",
        [(255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255)],
    ),
    "area v2 default": (
        "{type:'line',data:{labels:['a','b','c'],datasets:[{label:'Area',data:[3,1,2],borderColor:'#ff0000'}]}}",
        [(255, 0, 0, 255)],
    ),
    "annotation": (
        "{type:'line',data:{labels:['a','b','c','d'],datasets:[{label:'x',data:[1,5,3,4],fill:false}]},options:{annotation:{annotations:[{type:'line',mode:'horizontal',scaleID:'y-axis-0',value:2,borderColor:'rgb(255, 0, 0)',borderWidth:4,label:{enabled:true,content:'Target'}}]}}}",
        [(255, 0, 0, 255)],
    ),
    "v3 annotation box": (
        "{type:'bar',data:{labels:['a','b','c'],datasets:[{label:'x',data:[1,5,3]}]},options:{plugins:{annotation:{annotations:{band:{type:'box',yMin:2,yMax:4,backgroundColor:'rgba(0, 200, 0, 0.5)'}}}}}}",
        [(78, 121, 167, 255)],
    ),
    "indexAxis y": (
        "{type:'bar',data:{labels:['a','b'],datasets:[{label:'x',data:[3,4],backgroundColor:'hsl(0, 100%, 50%)'}]},options:{indexAxis:'y'}}",
        [(255, 0, 0, 255)],
    ),
    "log axis": (
        "{type:'line',data:{labels:['a','b','c'],datasets:[{label:'x',data:[1,100,10000],fill:false,borderColor:'purple'}]},options:{scales:{yAxes:[{type:'logarithmic'}]}}}",
        [(128, 0, 128, 255)],
    ),
    "radar": (
        "{type:'radar',data:{labels:['January','February','March','April','May'],datasets:[{label:'Dogs',data:[50,60,70,180,190]},{label:'Cats',data:[100,200,300,400,500]}]}}",
        [(78, 121, 167, 255), (242, 142, 43, 255)],
    ),
    "polarArea": (
        "{type:'polarArea',data:{labels:['January','February','March','April','May'],datasets:[{data:[50,60,70,180,190]}]}}",
        [(78, 121, 167, 255), (89, 161, 79, 255)],
    ),
    "doughnutlabel": (
        "{type:'doughnut',data:{labels:['January','February','March','April','May'],datasets:[{data:[50,60,70,180,190]}]},options:{plugins:{doughnutlabel:{labels:[{text:'550',font:{size:20}},{text:'total'}]}}}}",
        [(78, 121, 167, 255)],
    ),
    "hidden dataset": (
        "{type:'bar',data:{labels:['a','b'],datasets:[{label:'x',data:[1,2],hidden:true},{label:'y',data:[2,1]}]}}",
        [(242, 142, 43, 255)],
    ),
    "stepped v3": (
        "{type:'line',data:{labels:['a','b','c'],datasets:[{label:'s',data:[1,3,2],stepped:true,borderColor:'#123456'}]}}",
        [(18, 52, 86, 255)],
    ),
    "gauge": (
        "{type:'gauge',data:{datasets:[{value:50,data:[20,40,60],backgroundColor:['green','orange','red'],borderWidth:2}]},options:{valueLabel:{display:true,fontSize:36,backgroundColor:'transparent',color:'#000',bottomMarginPercentage:10}}}",
        [(0, 128, 0, 255), (255, 165, 0, 255), (255, 0, 0, 255)],
    ),
    "radialGauge": (
        "{type:'radialGauge',data:{datasets:[{data:[70],backgroundColor:'green'}]}}",
        [(0, 128, 0, 255)],
    ),
    "progressBar": (
        "{type:'progressBar',data:{datasets:[{data:[15]},{data:[30]}]}}",
        [(78, 121, 167, 255)],
    ),
    "bubble": (
        "{type:'bubble',data:{datasets:[{label:'Data 1',data:[{x:1,y:4,r:9},{x:2,y:4,r:12},{x:3,y:8,r:30},{x:0,y:10,r:1},{x:1.5,y:7,r:20}]},{label:'Data 2',data:[{x:2,y:2,r:5},{x:3,y:5,r:15}]}]}}",
        [(78, 121, 167, 255), (242, 142, 43, 255)],
    ),
    "boxplot": (
        "{type:'boxplot',data:{labels:['2012','2013','2014','2015'],datasets:[{label:'Dataset 1',backgroundColor:'rgba(255,0,0,0.5)',borderColor:'red',borderWidth:1,outlierColor:'#999999',padding:10,itemRadius:0,data:[[1,2,3,4,5,11],[2,3,4,5,6],[3,4,5,6,7,8],[1,2,10,11,12]]},{label:'Dataset 2',backgroundColor:'rgba(0,0,255,0.5)',borderColor:'blue',borderWidth:1,data:[[4,5,6,7,8],[1,2,3,4],[5,6,7,8,9,10],[3,4,5,6]]}]}}",
        [(255, 0, 0, 255), (0, 0, 255, 255)],
    ),
    "violin": (
        "{type:'violin',data:{labels:['a','b'],datasets:[{label:'v',backgroundColor:'#00aa00',data:[[1,2,2,3,3,3,4,4,5],[2,4,4,6,6,6,8]]}]}}",
        [(0, 170, 0, 255)],
    ),
    "time series": (
        "{type:'line',data:{datasets:[{label:'Temps',fill:false,borderColor:'#cc0000',pointStyle:'triangle',pointRadius:6,data:[{x:'2020-06-14T09:00:00',y:10},{x:'2020-06-14T10:00:00',y:30},{x:'2020-06-14T11:00:00',y:25},{x:'2020-06-14T14:00:00',y:40}]}]},options:{scales:{xAxes:[{type:'time',time:{unit:'hour'}}]}}}",
        [(204, 0, 0, 255)],
    ),
    "two axes": (
        "{type:'bar',data:{labels:['Jan','Feb','Mar','Apr','May'],datasets:[{type:'line',label:'Dataset 1',borderColor:'rgb(54,162,235)',borderWidth:2,fill:false,data:[-33,26,29,89,-41],yAxisID:'y2'},{type:'bar',label:'Dataset 2',backgroundColor:'rgb(255,99,132)',data:[-23,-10,83,47,86],yAxisID:'y1'}]},options:{scales:{yAxes:[{id:'y1',type:'linear',display:true,position:'left'},{id:'y2',type:'linear',display:true,position:'right',gridLines:{drawOnChartArea:false}}]}}}",
        [(54, 162, 235, 255), (255, 99, 132, 255)],
    ),
    "functions in tooltips ignored": (
        "{type:'bar',data:{labels:['a'],datasets:[{label:'x',data:[1],backgroundColor:'teal'}]},options:{tooltips:{callbacks:{label:function(i){return i}}},responsive:true,animation:false}}",
        [(0, 128, 128, 255)],
    ),
}


@pytest.mark.parametrize("name", list(_DOCS))
def test_documented_configs_draw(client, name):
    config, colors = _DOCS[name]
    response = _get(client, config)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    image = _image(response.content)
    assert image.size == (1000, 600)  # 500×300 at devicePixelRatio 2
    assert image.getpixel((0, 0))[3] == 0  # transparent by default
    seen = _colors(image)
    for color in colors:
        assert color in seen, (name, color)


def test_sizes_ratio_background_and_formats(client):
    config = _DOCS["basic"][0]
    response = _get(client, config, "w=300&h=200&devicePixelRatio=1.5&bkg=rgb(255,255,0)&f=webp")
    assert response.headers["content-type"] == "image/webp"
    image = _image(response.content)
    assert image.size == (450, 300)
    assert image.getpixel((1, 1))[:3] == (255, 255, 0)
    for fmt, media in (("jpg", "image/jpeg"), ("svg", "image/svg+xml"), ("pdf", "application/pdf")):
        assert _get(client, config, f"f={fmt}").headers["content-type"] == media
    text = _get(client, config, "f=base64&w=200&h=120&devicePixelRatio=1")
    assert text.text.startswith("data:image/png;base64,")
    png = base64.b64decode(text.text.split(",", 1)[1])
    assert _image(png).size == (200, 120)


def test_plus_is_a_plus_and_base64_configs(client):
    config = "{type:'bar',data:{labels:['C++','C'],datasets:[{data:[1,2]}]}}"
    raw = client.get("/chart?c=" + quote(config, safe="+'{}:[],"))
    assert raw.status_code == 200, raw.text
    encoded = base64.urlsafe_b64encode(config.encode()).decode().rstrip("=")
    by_base64 = client.get(f"/chart?encoding=base64&c={encoded}")
    assert by_base64.headers["etag"] == raw.headers["etag"]
    spaced = client.get("/chart?c=" + quote(config.replace("C++", "C  ")))
    assert spaced.headers["etag"] != raw.headers["etag"]


def test_post_chart_and_image_charts_path_and_our_own_post(client):
    config = json.loads(
        '{"type":"bar","data":{"labels":["a","b"],"datasets":[{"label":"x","data":[1,2]}]}}'
    )
    by_get = _get(client, json.dumps(config), "w=400&h=200")
    by_post = client.post("/chart", json={"chart": config, "width": 400, "height": 200})
    by_string = client.post(
        "/chart", json={"chart": json.dumps(config), "width": "400", "height": 200}
    )
    by_path = client.get("/chart.js/2.9.4?w=400&h=200&c=" + quote(json.dumps(config)))
    etags = {r.headers["etag"] for r in (by_get, by_post, by_string, by_path)}
    assert len(etags) == 1
    ours = client.post(
        "/chart", json={"type": "bar", "data": [[1, 2]], "width": 300, "height": 200}
    )
    assert ours.status_code == 200
    assert _image(ours.content).size == (300, 200)
    unknown = client.post("/chart", json={"chart": config, "colour": "red"})
    assert unknown.json()["parameters"][0]["parameter"] == "colour"


def test_a_config_and_our_parameters_share_one_etag(client):
    config = "{type:'bar',data:{labels:['a','b','c'],datasets:[{label:'Sales',data:[3,1,2],backgroundColor:'#ff0000'}]}}"
    theirs = _get(client, config, "f=png")
    ours = client.post(
        "/chart.png",
        json={
            "type": "bar",
            "labels": ["a", "b", "c"],
            "datasets": [{"data": [3, 1, 2], "label": "Sales", "color": "#ff0000"}],
            "legend": "top",
            "x_grid": True,
            "width": 500,
            "height": 300,
            "scale": 2,
            "background": "transparent",
        },
    )
    assert theirs.headers["etag"] == ours.headers["etag"]
    assert theirs.content == ours.content


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        (
            "c="
            + quote(
                "{type:'bar',data:{datasets:[{data:[1]}]},options:{scales:{yAxes:[{ticks:{callback:function(value){return '$'+value}}}]}}}"
            ),
            "chart.options.scales.yAxes[0].ticks.callback",
        ),
        (
            "c="
            + quote(
                "{type:'bar',data:{datasets:[{data:[1],backgroundColor:getGradientFillHelper('vertical',['#36a2eb','#a336eb'])}]}}"
            ),
            "chart.data.datasets[0].backgroundColor",
        ),
        (
            "c=" + quote("{type:'violin',data:{datasets:[{data:[[1,2]]}]}}"),
            "chart.data.datasets[0].data[0]",
        ),
        (
            "c=" + quote("{type:'progressBar',data:{datasets:[{data:[50,60]}]}}"),
            "chart.data.datasets[0].data",
        ),
        (
            "c=" + quote("{type:'bar',data:{datasets:[{data:[1e300]}]}}"),
            "chart.data.datasets[0].data[0]",
        ),
        ("c=" + quote("{type:'bar',data:{datasets:[{data:[1]}]}}") + "&w=99999", "w"),
        (
            "c=" + quote("{type:'bar',data:{datasets:[{data:[1]}]}}") + "&devicePixelRatio=9",
            "devicePixelRatio",
        ),
        ("c=" + quote("{type:'bar',data:{datasets:[{data:[1]}]}}") + "&bkg=nope", "bkg"),
        ("c=" + quote("{type:'bar',data:{datasets:[{data:[1]}]}}") + "&f=gif", "f"),
        ("c=" + quote("{type:'bar',data:{datasets:[{data:[1]}]}}") + "&v=5", "v"),
        ("c=" + quote("[" * 40 + "]" * 40), "chart"),
    ],
)
def test_errors_name_the_config_path(client, query, parameter):
    response = client.get(f"/chart?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["parameters"][0]["parameter"] == parameter


def test_config_size_is_limited(client):
    response = client.post("/chart", json={"chart": "{a:'" + "x" * 40000 + "'}"})
    assert response.status_code == 422
    (problem,) = response.json()["parameters"]
    assert (problem["parameter"], problem["limit"]) == ("chart", 32768)


def test_a_pathological_config_is_refused(client):
    # Deep nesting, an unclosed string of escapes, many holes: each a 4xx, not a hang
    # (speed is measured in bench/chartjs.py).
    for config in ("{a:" * 5000 + "1" + "}" * 5000, "'" + "\\'" * 15000, "[" + "," * 30000 + "]"):
        response = client.post("/chart", json={"chart": config})
        assert 400 <= response.status_code < 500


_OPTION_VALUES = st.one_of(
    st.text(max_size=6),
    st.sampled_from(
        [
            "0",
            "-1",
            "1.5",
            "2",
            "500",
            "99999",
            "nan",
            "1e999",
            "png",
            "base64",
            "rgb(1,2,3)",
            "3.9.1",
        ]
    ),
)
_OPTION_NAMES = (
    "w",
    "h",
    "width",
    "height",
    "devicePixelRatio",
    "bkg",
    "backgroundColor",
    "f",
    "format",
    "v",
    "version",
    "encoding",
    "key",
)
_CHART_GRAMMAR = QuickChartChart(Settings())
_CHART = create_generators(Settings())["chart"]


@given(st.dictionaries(st.sampled_from(_OPTION_NAMES), _OPTION_VALUES, max_size=5))
@settings(max_examples=300, deadline=None, derandomize=True)
def test_any_options_translate_or_are_a_422_naming_an_option(options):
    config = "{type:'bar',data:{labels:['a'],datasets:[{data:[1]}]}}"
    query = {**options, "c": config}
    raw = "&".join(f"{k}={quote(v)}" for k, v in query.items()).encode()
    translation = None
    try:
        translation = _CHART_GRAMMAR.translate(CompatRequest("/chart", {}, query, raw, None))
        validate_params(_CHART, translation.params, strict=True)
    except ApiError as error:
        assert error.body.status == 422
        for problem in error.body.parameters:
            name = translation.their_name(problem.parameter) if translation else problem.parameter
            assert name in (*_OPTION_NAMES, "c"), (name, problem.message)  # c: encoding


def test_chart_grammars_stay_out_of_the_spec(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/chart.js/{version}" not in paths
    assert paths["/chart"]["post"]["operationId"] == "chart_post"
    assert "c" not in {p["name"] for p in paths["/chart"]["get"]["parameters"]}
