-- POST /v1/login with right passwords, round-robin over the accounts of
-- BENCH_ACCOUNTS (one "personal_id password" a line); statuses counted,
-- only 200s are sign-ins.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local reqs, n = {}, 0
statuses = {}

function init(args)
  for line in io.lines(param("BENCH_ACCOUNTS")) do
    local pid, pw = line:match("^(%S+) (%S+)$")
    reqs[#reqs + 1] = wrk.format("POST", "/v1/login",
      { ["Content-Type"] = "application/json" },
      '{"personal_id":"' .. pid .. '","password":"' .. pw .. '"}')
  end
  n = id or 0
end

function request()
  n = n + 1
  return reqs[n % #reqs + 1]
end

function response(status, headers, body)
  count(status, 200, "login", body)
end

function done(summary, latency, requests)
  figures(summary, latency)
  print_statuses()
end
