-- GET /authorize with a signed-in session that has given consent: a new
-- state on each request; only a 303 with a code counts, and every code is
-- written to BENCH_CODES (one a line) for the token run.
-- BENCH_PREFIX: the path and query up to "&state="; BENCH_COOKIE: the
-- session's Cookie header.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local prefix, cookie
local n = 0
statuses, codes, nocode = {}, {}, 0

function init(args)
  prefix, cookie = param("BENCH_PREFIX"), param("BENCH_COOKIE")
  n = (id or 0) * 100000000
end

function request()
  n = n + 1
  return wrk.format("GET", prefix .. n, { ["Cookie"] = cookie })
end

function response(status, headers, body)
  count(status, 303, "authorize", headers["Location"] or body)
  if status == 303 then
    local code = (headers["Location"] or ""):match("[?&]code=([^&]+)")
    if code then
      codes[#codes + 1] = code
    else
      nocode = nocode + 1
    end
  end
end

function done(summary, latency, requests)
  figures(summary, latency)
  print_statuses()
  print_sum("nocode")
  local f = assert(io.open(param("BENCH_CODES"), "w"))
  local total = 0
  gather("codes", function(c)
    for _, code in ipairs(c) do f:write(code, "\n") end
    total = total + #c
  end)
  f:close()
  io.write(string.format("codes %d\n", total))
end
