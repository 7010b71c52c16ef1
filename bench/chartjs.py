"""What reading a Chart.js config costs beside drawing the chart it feeds.

    .venv/bin/python -m bench.chartjs [--rounds 15]

For each config (JSON5, and one with a function that the JavaScript grammar reads), the
median CPU time of translation (parse + translate into our parameters + validation) and
of the render it feeds (figure, Agg, PNG at 500×300 ×2), measured alternately in one run,
and their ratio; the issue's bound is 5%. Then the parser's time on adversarial
literals, each refused with a 4xx.
"""

import argparse
import statistics
import time
from collections.abc import Callable

from imagegen.compat import CompatRequest
from imagegen.compat.quickchart_chart import QuickChartChart
from imagegen.errors import ApiError
from imagegen.output import choose_output
from imagegen.rendering import create_generators, render_image, validate_params
from imagegen.settings import Settings

CONFIGS = {
    "bar, 2 datasets": "{type:'bar',data:{labels:['January','February','March','April','May'],"
    "datasets:[{label:'Dogs',data:[50,60,70,180,190]},{label:'Cats',data:[100,200,300,400,500]}]}}",
    "line, 200 points": "{type:'line',data:{labels:["
    + ",".join(f"'{i}'" for i in range(200))
    + "],datasets:[{label:'x',fill:false,data:["
    + ",".join(str(i * 7 % 101) for i in range(200))
    + "]}]},options:{title:{display:true,text:'Two hundred'}}}",
    "gauge": "{type:'gauge',data:{datasets:[{value:50,data:[20,40,60],"
    "backgroundColor:['green','orange','red']}]},options:{valueLabel:{display:true}}}",
    "boxplot, 2 × 4 boxes": "{type:'boxplot',data:{labels:['a','b','c','d'],datasets:["
    "{label:'x',data:[[1,2,3,4,5,11],[2,3,4,5,6],[3,4,5,6,7,8],[1,2,10,11,12]]},"
    "{label:'y',data:[[4,5,6,7,8],[1,2,3,4],[5,6,7,8,9,10],[3,4,5,6]]}]}}",
    "time axis, two value axes": "{type:'line',data:{datasets:[{label:'a',fill:false,data:["
    + ",".join(f"{{x:'2024-01-{d:02d}',y:{d * 3 % 17}}}" for d in range(1, 29))
    + "]},{label:'b',fill:false,yAxisID:'R',data:["
    + ",".join(f"{{x:'2024-01-{d:02d}',y:{d * 500}}}" for d in range(1, 29))
    + "]}]},options:{scales:{x:{type:'time'},y:{},R:{position:'right'}}}}",
    "JS (tooltip function)": "{type:'bar',data:{labels:['a','b','c'],datasets:[{label:'x',"
    "data:[1,2,3],backgroundColor:'rgba(255, 99, 132, 0.2)'}]},options:{tooltips:{callbacks:"
    "{label:function(i){return '$'+i}}},scales:{yAxes:[{ticks:{max:Math.PI*2}}]}}}",
}
ADVERSARIAL = {
    "5,000 nested objects": "{a:" * 5000 + "1" + "}" * 5000,
    "unclosed string of 15,000 escapes": "'" + "\\'" * 15000,
    "30,000 array holes": "[" + "," * 30000 + "]",
    "4,000 values and a function": "{data:[" + "1," * 4000 + "], f: function(){}}",
}


def _cpu(work: Callable[[], object]) -> float:
    start = time.process_time()
    work()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    settings = Settings()
    grammar = QuickChartChart(settings)
    chart = create_generators(settings)["chart"]
    output = choose_output({"format": "png"}, None, None, chart.formats, 9)
    print("| config | translate ms | render ms | ratio |\n| --- | ---: | ---: | ---: |")
    for name, config in CONFIGS.items():
        request = CompatRequest("/chart", {}, {"c": config}, b"c=" + config.encode(), None)

        def translate(request: CompatRequest = request) -> object:
            translation = grammar.translate(request)
            return validate_params(chart, translation.params, strict=True)

        params = translate()
        times: dict[str, list[float]] = {"translate": [], "render": []}
        for _ in range(rounds):
            times["translate"].append(_cpu(translate))
            times["render"].append(_cpu(lambda params=params: render_image(chart, params, output)))
        t, r = (statistics.median(times[k]) * 1000 for k in ("translate", "render"))
        print(f"| {name} | {t:.2f} | {r:.1f} | {t / r:.1%} |")
    print("\n| adversarial config | ms | answer |\n| --- | ---: | --- |")
    for name, config in ADVERSARIAL.items():
        body = ('{"chart": ' + __import__("json").dumps(config) + "}").encode()
        request = CompatRequest("/chart", {}, {}, b"", body)
        start = time.perf_counter()
        try:
            grammar.translate(request)
            answer = "read"
        except ApiError as error:
            answer = f"{error.body.status}: {error.body.message[:60]}"
        print(f"| {name} | {(time.perf_counter() - start) * 1000:.1f} | {answer} |")


if __name__ == "__main__":
    main()
