"""Charts drawn with matplotlib: the parameter model, the data it resolves to, the drawing
and the export to an image or to SVG/PDF bytes. `imagegen.generators.chart` serves them."""
