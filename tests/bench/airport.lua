-- POST /v1/airport/verify, each body of BENCH_BODIES (one presentation
-- request a line) once, thread i taking every BENCH_THREADS-th line from
-- the i-th; a thread out of bodies stops. BENCH_AUTH: the airport client's
-- Authorization header. Answers >= 400 are counted by wrk itself.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "common.lua")

local reqs, i = {}, 0
ran_out = 0

function init(args)
  local auth = param("BENCH_AUTH")
  for _, line in ipairs(my_lines(param("BENCH_BODIES"),
      tonumber(param("BENCH_THREADS")))) do
    reqs[#reqs + 1] = wrk.format("POST", "/v1/airport/verify", {
      ["Authorization"] = auth, ["Content-Type"] = "application/json" }, line)
  end
end

function request()
  i = i + 1
  if reqs[i] == nil then
    ran_out = 1
    wrk.thread:stop()
    return reqs[1]
  end
  return reqs[i]
end

function done(summary, latency, requests)
  figures(summary, latency)
  print_sum("ran_out")
end
