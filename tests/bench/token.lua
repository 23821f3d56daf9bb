-- POST /token, authorization_code: each code of BENCH_CODES once (thread i
-- takes every BENCH_THREADS-th line from the i-th); a thread out of codes
-- stops (a reused code would be refused). Only 200s count; the first
-- BENCH_KEEP access tokens of each thread go to BENCH_TOKENS.
-- BENCH_AUTH: the Authorization header; BENCH_TAIL: the rest of the form
-- ("&redirect_uri=...&code_verifier=...").
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local mine, i = {}, 0
local auth, tail, keep
statuses, tokens, ran_out = {}, {}, 0

function init(args)
  auth, tail = param("BENCH_AUTH"), param("BENCH_TAIL")
  keep = tonumber(param("BENCH_KEEP", "500"))
  mine = my_lines(param("BENCH_CODES"), tonumber(param("BENCH_THREADS")))
end

function request()
  i = i + 1
  local code = mine[i]
  if code == nil then
    ran_out = ran_out + 1
    wrk.thread:stop()
    code = "x"
  end
  return wrk.format("POST", "/token", {
    ["Authorization"] = auth,
    ["Content-Type"] = "application/x-www-form-urlencoded" },
    "grant_type=authorization_code&code=" .. code .. tail)
end

function response(status, headers, body)
  count(status, 200, "token", body)
  if status == 200 and #tokens < keep then
    local t = body:match('"access_token"%s*:%s*"([^"]+)"')
    if t then tokens[#tokens + 1] = t end
  end
end

function done(summary, latency, requests)
  figures(summary, latency)
  print_statuses()
  print_sum("ran_out")
  local f = assert(io.open(param("BENCH_TOKENS"), "w"))
  gather("tokens", function(t)
    for _, tok in ipairs(t) do f:write(tok, "\n") end
  end)
  f:close()
end
