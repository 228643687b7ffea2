-- wrk script: GETs with fixed headers (H1..H5, each "Name: value"), counts status codes; the same RESULT line
-- as form.lua.
local headers = {}
for i = 1, 5 do
  local h = os.getenv("H" .. i)
  if h and h ~= "" then
    local name, value = h:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
end
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  s2xx, s4xx, s5xx, sother = 0, 0, 0, 0
end

function request()
  return wrk.format("GET", nil, headers)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then s2xx = s2xx + 1
  elseif status >= 400 and status < 500 then s4xx = s4xx + 1
  elseif status >= 500 then s5xx = s5xx + 1
  else sother = sother + 1 end
end

function done(summary, latency, requests)
  local ok, c4, c5, other = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    ok = ok + t:get("s2xx"); c4 = c4 + t:get("s4xx"); c5 = c5 + t:get("s5xx"); other = other + t:get("sother")
  end
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.1f p50_ms=%.1f p99_ms=%.1f statuses=%s\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    string.format("2xx=%d,4xx=%d,5xx=%d,other=%d", ok, c4, c5, other)))
end
