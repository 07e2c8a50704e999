-- Run by wrk for every measurement of benchmarks/load.py: counts the responses whose status is not the
-- expected one (wrk itself counts only 4xx and 5xx, so a redirect to the sign-in page would pass unseen),
-- and prints the figures on one line that load.py reads.
--
--     wrk --script benchmarks/wrk/report.lua URL -- EXPECTED_STATUS

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  expected = tonumber(args[1]) or 200
  unexpected = 0
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

local function count_unexpected()
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
  end
  return total
end

local function count_socket_errors(errors)
  return errors.connect + errors.read + errors.write + errors.timeout
end

function done(summary, latency, requests)
  local milliseconds = function(percent) return latency:percentile(percent) / 1000 end
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f unexpected=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, milliseconds(50), milliseconds(90), milliseconds(99),
    count_unexpected(), count_socket_errors(summary.errors)))
end
