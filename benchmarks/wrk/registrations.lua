-- Registrations posted to the JSON API by wrk for benchmarks/load.py, each with an email address that no
-- other request uses: the run's tag, the wrk thread and a counter of that thread's requests.
--
--     wrk --script benchmarks/wrk/registrations.lua URL -- EXPECTED_STATUS RUN_TAG

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local BODY = [[{"email": "load-%s-%d-%d@example.org", "display_name": "Load %d", "role": "%s",
"condition": "cll", "stage": %s, "timezone": "%s", "languages": ["en"],
"availability": [{"weekday": %d, "start": "%02d:00", "end": "%02d:00"}], "consent": true}]]
local ROLES = {"patient", "caregiver"}
local STAGES = {'"watch-and-wait"', '"in-treatment"', '"post-treatment"', '"relapsed"', "null"}
local ZONES = {"Europe/Madrid", "America/New_York", "America/Mexico_City", "Europe/London"}
local STARTS = {9, 12, 17}

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local report_init = init
local sent = 0

function init(args)
  report_init(args)
  run_tag = args[2] or "run"
end

local function pick(list)
  return list[sent % #list + 1]
end

function request()
  sent = sent + 1
  local start = pick(STARTS)
  local body = string.format(BODY, run_tag, id, sent, sent, pick(ROLES), pick(STAGES), pick(ZONES),
    sent % 7, start, start + 3)
  return wrk.format(nil, nil, nil, body)
end
