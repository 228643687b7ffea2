-- wrk script: POSTs form bodies to the token endpoint and counts status codes.
-- Environment: BODY (with %d replaced by a rotating 0..USERS-1 index), USERS, AUTH (optional Basic value).
local body = os.getenv("BODY")
local users = tonumber(os.getenv("USERS") or "1")
local auth = os.getenv("AUTH")
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = id * 7919
  s2xx, s4xx, s5xx, sother = 0, 0, 0, 0
end

function request()
  counter = counter + 1
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  if auth and auth ~= "" then headers["Authorization"] = "Basic " .. auth end
  return wrk.format("POST", nil, headers, string.gsub(body, "%%d", tostring(counter % users)))
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
