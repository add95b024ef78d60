-- wrk script for bench/load: alternates the treatment page and its FAQ page, counts the
-- answers that are not 2xx (wrk itself only counts 4xx and 5xx), and prints the figures
-- bench/load reads as "name value" lines at the end.

local paths = { "/treatments/microneedling/", "/treatments/microneedling/faq/" }
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  sent = 0
  non2xx = 0
end

function request()
  sent = sent + 1
  return wrk.format("GET", paths[(sent % #paths) + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  io.write("--- figures\n")
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("requests_per_second %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("p50_ms %.2f\n", latency:percentile(50) / 1000))
  io.write(string.format("p99_ms %.2f\n", latency:percentile(99) / 1000))
  io.write(string.format("max_ms %.2f\n", latency.max / 1000))
  io.write(string.format("non_2xx %d\n", bad))
  io.write(string.format("socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
end
