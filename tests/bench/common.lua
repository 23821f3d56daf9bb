-- Shared by the wrk scripts of tests/bench: thread ids, the closing figures
-- (one "key value" a line on stdout, read by benchlib.py), status counts.
-- A script loads it with dofile(<its own directory> .. "common.lua").
-- Parameters come from the environment (BENCH_*), set by the Python driver.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

-- An environment parameter; a missing one without a default stops the run.
function param(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then
    if default == nil then error("wrk script: " .. name .. " is not set") end
    return default
  end
  return v
end

function figures(summary, latency)
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("duration_us %d\n", summary.duration))
  io.write(string.format("socket_errors %d\n", summary.errors.connect +
    summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("status_errors %d\n", summary.errors.status))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("latency_p%d_us %d\n", p, latency:percentile(p)))
  end
  io.write(string.format("latency_max_us %d\n", latency.max))
end

-- Every thread's global `name`; `each` sees each thread's value.
function gather(name, each)
  for _, t in ipairs(threads) do
    local v = t:get(name)
    if v ~= nil then each(v) end
  end
end

-- The threads' `statuses` tables merged: "status CODE COUNT" lines.
function print_statuses()
  local all = {}
  gather("statuses", function(s)
    for k, v in pairs(s) do all[k] = (all[k] or 0) + v end
  end)
  for k, v in pairs(all) do io.write(string.format("status %d %d\n", k, v)) end
end

-- The threads' numeric global `name` summed: a "name N" line.
function print_sum(name)
  local total = 0
  gather(name, function(v) total = total + v end)
  io.write(string.format("%s %d\n", name, total))
end

-- Count a status; report the first few unexpected answers on stderr.
function count(status, want, what, detail)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= want and statuses[status] <= 3 then
    io.stderr:write(what .. " answered " .. status .. ": " ..
      (detail or ""):sub(1, 300) .. "\n")
  end
end

-- The lines of a file, keeping those whose index (from 0) is `id` modulo
-- `n`: each wrk thread takes its own share.
function my_lines(path, n)
  local mine, k = {}, 0
  for line in io.lines(path) do
    if k % n == (id or 0) then mine[#mine + 1] = line end
    k = k + 1
  end
  return mine
end
