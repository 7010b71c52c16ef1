"""QuickChart's gauge plugins in our gauge types.

- `gauge` (chartjs-gauge): one dataset; `value` is the needle, `data` the ends of the
  coloured bands (in `backgroundColor`), `minValue` the dial's start;
  `options.valueLabel.display` shows the value under the needle.
- `radialGauge` (chartjs-chart-radial-gauge): `data: [value]`, `options.domain: [min,
  max]` (default 0 to 100), the fill in `backgroundColor`, `options.centerArea`'s
  `text` (and `subText`) in the middle unless `displayText: false`.
- `progressBar` (QuickChart's): the first dataset's value, out of the second dataset's
  (default 100); `plugins.datalabels.display: false` hides the percentage.

Look-only options (needle and label sizes, track colours, rounded corners, fonts) are
ignored; functions (`valueLabel.formatter`, `centerArea.text` as a function) are refused
with their path, as everywhere in a config.
"""

from typing import Any

from imagegen.compat.chartjs_reader import ChartTranslation, Reader, path_key, refuse, words

# Chart.js type names of the gauge plugins, in ours.
GAUGE_TYPES = {"gauge": "gauge", "radialGauge": "radial_gauge", "progressBar": "progress_bar"}
# Keys of a gauge's dataset that only shape the look.
_DATASET_LOOK = words(
    """
    borderWidth borderColor hoverBackgroundColor hoverBorderColor hoverBorderWidth
    borderRadius datalabels order
    """
)
# Options of the gauge plugins that only shape the look.
_OPTIONS_LOOK = words(
    """
    needle trackColor centerPercentage roundedCorners cutoutPercentage cutout rotation
    circumference scales elements
    """
)
# The options keys a gauge reads (besides title, legend and plugins, which the caller
# reads), its look included.
GAUGE_OPTIONS = frozenset({"valueLabel", "domain", "centerArea"}) | _OPTIONS_LOOK
_VALUE_LABEL_LOOK = words(
    """
    color fontColor backgroundColor borderRadius padding bottomMarginPercentage fontSize
    fontFamily fontStyle font
    """
)
_CENTER_AREA_LOOK = words(
    "fontSize fontColor fontFamily fontStyle font backgroundColor padding subFontColor"
)


class GaugeTranslator:
    """Reads the `data` and the gauge plugin's options of one gauge config into `out`;
    the chart's title and the browser-only options are read by the caller."""

    def __init__(self, read: Reader, out: ChartTranslation, root: str, kind: str) -> None:
        self.read = read
        self.out = out
        self.root = root
        self.kind = kind

    def translate(self, data: dict[str, Any], options: dict[str, Any]) -> None:
        path = f"{self.root}.data.datasets"
        datasets = data.get("datasets")
        self.read.no_code(datasets, path)
        if not isinstance(datasets, list) or not datasets:
            raise refuse(path, "give a dataset: datasets: [{data: […]}]", 1)
        # Labels name nothing on a gauge, and the look options are drawn our way; both
        # are still checked for code.
        self.read.no_code_inside(data.get("labels"), f"{self.root}.data.labels")
        for key in sorted(_OPTIONS_LOOK & set(options)):
            self.read.no_code_inside(options[key], f"{self.root}.options.{key}")
        if self.kind == "gauge":
            self._dial(datasets, path, options)
        elif self.kind == "radial_gauge":
            self._ring(datasets, path, options)
        else:
            self._bar(datasets, path)

    def _dataset(self, datasets: list[Any], path: str, most: int, keys: tuple[str, ...]) -> Any:
        if len(datasets) > most:
            raise refuse(
                path_key(path, most), f"a {self.kind} is drawn from at most {most} dataset", most
            )
        where = path_key(path, 0)
        dataset = self.read.object(datasets[0], where)
        self.read.keys(dataset, where, (*keys, "label", "backgroundColor"), _DATASET_LOOK)
        self.read.text(dataset.get("label"), f"{where}.label")
        return dataset

    def _one_value(self, dataset: dict[str, Any], where: str) -> float:
        values = dataset.get("data")
        self.read.no_code(values, f"{where}.data")
        if not isinstance(values, list) or len(values) != 1:
            raise refuse(f"{where}.data", f"a {self.kind} shows one value: data: [72]", 1)
        return self.read.finite(values[0], path_key(f"{where}.data", 0))

    def _value(self, value: float, path: str) -> None:
        self.out.put("data", [[value]], path)

    def _colors(self, dataset: dict[str, Any], where: str) -> None:
        color = dataset.get("backgroundColor")
        if color is None:
            return
        key = f"{where}.backgroundColor"
        self.read.no_code(color, key)
        items = color if isinstance(color, list) else [color]
        colors = [self.read.color(c, path_key(key, i)) for i, c in enumerate(items)]
        if colors:
            self.out.put("colors", colors, key)

    def _dial(self, datasets: list[Any], path: str, options: dict[str, Any]) -> None:
        dataset = self._dataset(datasets, path, 1, ("data", "value", "minValue"))
        where = path_key(path, 0)
        if "value" not in dataset:
            raise refuse(f"{where}.value", "is missing: the needle's value", "required")
        self._value(self.read.finite(dataset["value"], f"{where}.value"), f"{where}.value")
        bands = dataset.get("data", [])
        self.read.no_code(bands, f"{where}.data")
        if not isinstance(bands, list):
            raise refuse(f"{where}.data", "must be the list of the bands' ends: [50, 80, 100]")
        if bands:
            ends = [self.read.finite(b, path_key(f"{where}.data", i)) for i, b in enumerate(bands)]
            self.out.put("bands", ends, f"{where}.data")
        if dataset.get("minValue") is not None:
            self.out.put(
                "y_min",
                self.read.finite(dataset["minValue"], f"{where}.minValue"),
                f"{where}.minValue",
            )
        self._colors(dataset, where)
        label_path = f"{self.root}.options.valueLabel"
        label = self.read.object(options.get("valueLabel"), label_path)
        self.read.keys(label, label_path, ("display", "formatter"), _VALUE_LABEL_LOOK)
        if "formatter" in label:
            self.read.no_code(label["formatter"], f"{label_path}.formatter")
            raise refuse(f"{label_path}.formatter", "is not drawn here: the value is written")
        if not self.read.boolean(label.get("display", True), f"{label_path}.display"):
            self.out.put("center_text", "", f"{label_path}.display")

    def _ring(self, datasets: list[Any], path: str, options: dict[str, Any]) -> None:
        dataset = self._dataset(datasets, path, 1, ("data",))
        where = path_key(path, 0)
        self._value(self._one_value(dataset, where), f"{where}.data")
        self._colors(dataset, where)
        domain_path = f"{self.root}.options.domain"
        if options.get("domain") is not None:
            domain = options["domain"]
            self.read.no_code(domain, domain_path)
            if not isinstance(domain, list) or len(domain) != 2:
                raise refuse(domain_path, "must be [min, max]", 2)
            for i, name in enumerate(("y_min", "y_max")):
                at = path_key(domain_path, i)
                self.out.put(name, self.read.finite(domain[i], at), at)
        area_path = f"{self.root}.options.centerArea"
        area = self.read.object(options.get("centerArea"), area_path)
        self.read.keys(area, area_path, ("displayText", "text", "subText"), _CENTER_AREA_LOOK)
        for key in ("text", "subText"):
            if key in area:
                self.read.no_code(area[key], f"{area_path}.{key}")
        if not self.read.boolean(area.get("displayText", True), f"{area_path}.displayText"):
            self.out.put("center_text", "", f"{area_path}.displayText")
            return
        texts = [self.read.text(area.get(key), f"{area_path}.{key}") for key in ("text", "subText")]
        if any(texts):
            self.out.put("center_text", " ".join(t for t in texts if t), f"{area_path}.text")

    def _bar(self, datasets: list[Any], path: str) -> None:
        dataset = self._dataset(datasets, path, 2, ("data",))
        where = path_key(path, 0)
        self._value(self._one_value(dataset, where), f"{where}.data")
        self._colors(dataset, where)
        if len(datasets) == 2:
            whole_path = path_key(path, 1)
            whole = self.read.object(datasets[1], whole_path)
            self.read.keys(whole, whole_path, ("data", "label", "backgroundColor"), _DATASET_LOOK)
            self.read.no_code(whole.get("backgroundColor"), f"{whole_path}.backgroundColor")
            self.out.put("y_max", self._one_value(whole, whole_path), f"{whole_path}.data")
