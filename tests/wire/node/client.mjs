// Runs a list of calls through the official @woocommerce/woocommerce-rest-api client and prints what
// came back, so the Python tests can assert on it. Input (stdin, JSON):
// {"options": {url, consumerKey, consumerSecret, version, wpAPIPrefix, queryStringAuth}, "ca": "<pem>",
//  "calls": [{"method": "get", "endpoint": "customers", "data": {...}, "params": {...}}]}
import https from "node:https";
import wooModule from "@woocommerce/woocommerce-rest-api";

// The package is CommonJS with the class on its `default` export.
const WooCommerceRestApi = wooModule.default ?? wooModule;

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const spec = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const axiosConfig = spec.ca ? { httpsAgent: new https.Agent({ ca: spec.ca }) } : {};
const api = new WooCommerceRestApi({ ...spec.options, axiosConfig });

const results = [];
for (const call of spec.calls) {
  try {
    let response;
    if (call.method === "get" || call.method === "delete" || call.method === "options") {
      response = await api[call.method](call.endpoint, call.params || {});
    } else {
      response = await api[call.method](call.endpoint, call.data || {}, call.params || {});
    }
    results.push({ status: response.status, data: response.data, headers: response.headers });
  } catch (error) {
    if (!error.response) {
      results.push({ status: 0, error: String(error) });
    } else {
      results.push({ status: error.response.status, data: error.response.data, headers: error.response.headers });
    }
  }
}
process.stdout.write(JSON.stringify(results));
