-- wrk script for bench/search: each request asks /search/ one of the queries in
-- SEARCH_QUERIES (separated by "|") in turn. With SEARCH_UNIQUE=1 each query also carries
-- a word no other request has, so no answer can come from the search cache. At the end
-- it prints one JSON line of figures for bench/search, non-2xx answers included (wrk
-- itself counts only 4xx and 5xx).

local queries = {}
for query in string.gmatch(os.getenv("SEARCH_QUERIES") or "sun", "[^|]+") do
  queries[#queries + 1] = query
end
local unique = os.getenv("SEARCH_UNIQUE") == "1"
local threads = {}
local next_id = 0

local function encode(text)
  return (string.gsub(text, "[^%w%-_.~]", function(char)
    return string.format("%%%02X", string.byte(char))
  end))
end

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  sent = 0
  refused = 0
end

function request()
  sent = sent + 1
  local query = queries[(sent % #queries) + 1]
  if unique then
    query = query .. " q" .. id .. "n" .. sent
  end
  return wrk.format("GET", "/search/?q=" .. encode(query))
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local not_ok = 0
  for _, thread in ipairs(threads) do
    not_ok = not_ok + thread:get("refused")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, '
      .. '"not_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, not_ok, e.connect + e.read + e.write + e.timeout
  ))
end
