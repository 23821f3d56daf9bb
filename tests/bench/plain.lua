-- GET BENCH_PATH (default "/") on every request; wrk counts answers of 400
-- and above as status errors. Used for discovery, JWKS, /healthz and the
-- libmicrohttpd ceiling.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local req

function init(args)
  req = wrk.format("GET", param("BENCH_PATH", "/"))
end

function request()
  return req
end

function done(summary, latency, requests)
  figures(summary, latency)
end
