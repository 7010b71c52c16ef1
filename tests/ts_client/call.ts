// Calls every image operation of imagegen through a client generated from the committed
// spec: `schema.d.ts` comes from openapi-typescript, the calls from openapi-fetch, and
// `tsc --strict` checks them against the spec's types before this runs. One JSON line
// per call on stdout: the operation, status, media type and the image in base64, for
// tests/test_ts_client.py to decode. Usage: node build/call.js http://127.0.0.1:PORT
import createClient from "openapi-fetch";
import type { paths } from "./schema.d.ts";

const client = createClient<paths>({ baseUrl: process.argv[2] });

type Result = { data?: unknown; response: Response };

async function report(operation: string, call: Promise<Result>): Promise<void> {
  const { data, response } = await call;
  const bytes = data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.alloc(0);
  console.log(
    JSON.stringify({
      operation,
      status: response.status,
      type: response.headers.get("content-type"),
      image: bytes.toString("base64"),
    }),
  );
}

const asBytes = { parseAs: "arrayBuffer" } as const;

await report(
  "GET /placeholder/{width}x{height}",
  client.GET("/placeholder/{width}x{height}", {
    params: { path: { width: 64, height: 32 }, query: { text: "TS", background: "teal" } },
    ...asBytes,
  }),
);
await report(
  "GET /placeholder/{width}x{height}.{format}",
  client.GET("/placeholder/{width}x{height}.{format}", {
    params: { path: { width: 64, height: 32, format: "webp" }, query: { scale: 2 } },
    ...asBytes,
  }),
);
await report(
  "GET /qr",
  client.GET("/qr", { params: { query: { data: "https://example.com", size: 120 } }, ...asBytes }),
);
await report(
  "GET /qr.{format}",
  client.GET("/qr.{format}", {
    params: { path: { format: "png" }, query: { data: "typed", ecc: "H" } },
    ...asBytes,
  }),
);
await report(
  "POST /qr",
  client.POST("/qr", { body: { data: "posted from TypeScript", size: 150 }, ...asBytes }),
);
await report(
  "POST /qr.{format}",
  client.POST("/qr.{format}", {
    params: { path: { format: "jpeg" } },
    body: { data: "jpeg", size: 150 },
    ...asBytes,
  }),
);
await report(
  "GET /chart",
  client.GET("/chart", {
    params: { query: { type: "bar", data: "1,2,3", width: 200, height: 120 } },
    ...asBytes,
  }),
);
await report(
  "GET /chart.{format}",
  client.GET("/chart.{format}", {
    params: { path: { format: "png" }, query: { type: "line", data: "3,1,2", width: 200, height: 120 } },
    ...asBytes,
  }),
);
await report(
  "POST /chart",
  client.POST("/chart", {
    body: { type: "pie", data: [[3, 2, 1]], width: 160, height: 160 },
    ...asBytes,
  }),
);
await report(
  "POST /chart.{format}",
  client.POST("/chart.{format}", {
    params: { path: { format: "webp" } },
    body: { datasets: [{ data: [1, 4, 2], label: "typed" }], width: 200, height: 120 },
    ...asBytes,
  }),
);
await report(
  "GET /v1/create-qr-code/",
  client.GET("/v1/create-qr-code/", {
    params: { query: { data: "api.qrserver.com's URL", size: "150x150" } },
    ...asBytes,
  }),
);
