-- wrk script: POSTs the JSON file named by $BODY to the URL and prints one summary line after the run.
local path = os.getenv("BODY")
local file = assert(io.open(path, "rb"), "cannot read BODY=" .. tostring(path))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("KEEL_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

-- No response() callback: defining one makes wrk hand every response's headers and body to Lua, which costs the load
-- generator CPU on the same cores as the server. Error statuses (>= 400) are counted by wrk itself (status_errors).
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f socket_errors=%d status_errors=%d\n",
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, errors, summary.errors.status))
end
