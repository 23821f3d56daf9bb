-- GET /userinfo rotating over the access tokens of BENCH_TOKENS (one a
-- line), requests formatted once; wrk counts answers >= 400 itself (no
-- per-response hook, for wrk's sake).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local reqs, n = {}, 0

function init(args)
  for line in io.lines(param("BENCH_TOKENS")) do
    reqs[#reqs + 1] = wrk.format("GET", "/userinfo",
      { ["Authorization"] = "Bearer " .. line })
  end
  n = id or 0
end

function request()
  n = n + 1
  return reqs[n % #reqs + 1]
end

function done(summary, latency, requests)
  figures(summary, latency)
end
