-- wrk script: POSTs form bodies to the token endpoint and counts status codes.
-- Environment: BODY (with %d replaced by a rotating 0..USERS-1 index), USERS, AUTH (optional Basic value).
local body = os.getenv("BODY")
local users = tonumber(os.getenv("USERS") or "1")
local auth = os.getenv("AUTH")
local counter = 0
local statuses = {}
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = id * 7919
  statuses = {}
end

function request()
  counter = counter + 1
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  if auth and auth ~= "" then headers["Authorization"] = "Basic " .. auth end
  return wrk.format("POST", nil, headers, string.gsub(body, "%%d", tostring(counter % users)))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do total[code] = (total[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(total) do table.insert(parts, code .. "=" .. n) end
  table.sort(parts)
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.1f p50_ms=%.1f p99_ms=%.1f statuses=%s\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, table.concat(parts, ",")))
end
