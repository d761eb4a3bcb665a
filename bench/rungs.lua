-- wrk script for `make bench` (bench/load.py writes the users file and sets the variables).
-- BENCH_SCENARIO: trivial | signed_in | live | live_heartbeat | page | rate;
-- BENCH_USERS: a Lua file returning the signed-in users; BENCH_THREADS: wrk's -t;
-- BENCH_OFFSET: shifts the rating steps so a measured run does not repeat its warm-up.
local STEPS = { "sometimes", "consistently", "not-yet" }
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  scenario = os.getenv("BENCH_SCENARIO")
  offset = tonumber(os.getenv("BENCH_OFFSET") or "0")
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  users = {}
  if scenario ~= "trivial" then
    -- Each thread replays its own users, so no two threads rate the same competency at once.
    for i, user in ipairs(dofile(os.getenv("BENCH_USERS"))) do
      if (i - 1) % nthreads == id then
        table.insert(users, user)
      end
    end
  end
  counter = 0
  statuses = {}
end

function request()
  counter = counter + 1
  if scenario == "trivial" then
    return wrk.format("GET", "/me")
  end
  local user = users[(counter - 1) % #users + 1]
  local headers = { ["Cookie"] = user.cookie, ["X-CSRFToken"] = user.csrf }
  if scenario == "signed_in" then
    return wrk.format("GET", "/me", { ["Cookie"] = user.cookie })
  elseif scenario == "page" then
    return wrk.format("GET", "/rubrics/" .. user.rubric, headers)
  end
  headers["HX-Request"] = "true"
  if scenario == "live" then
    -- The session of a browser whose presence heartbeat is fresh: the poll only reads.
    headers["Cookie"] = user.live_cookie
    return wrk.format("GET", user.live, headers)
  elseif scenario == "live_heartbeat" then
    -- A session that never polled: every poll writes the presence heartbeat.
    return wrk.format("GET", user.live, headers)
  end
  -- Visit each of the user's competencies in turn; every visit moves it to the next step,
  -- so each POST really writes.
  local round = math.floor((counter - 1) / #users)
  local competency = user.comps[round % #user.comps + 1]
  local step = STEPS[(math.floor(round / #user.comps) + offset) % #STEPS + 1]
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  local path = "/rubrics/" .. user.rubric .. "/ratings/" .. competency
  return wrk.format("POST", path, headers, "step=" .. step)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local per_thread = {}
  for _, thread in ipairs(threads) do
    local counts = {}
    for status, n in pairs(thread:get("statuses") or {}) do
      counts[#counts + 1] = string.format('"%d": %d', status, n)
    end
    per_thread[#per_thread + 1] = "{" .. table.concat(counts, ", ") .. "}"
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %.1f, "p99_us": %.1f, '
      .. '"errors": %d, "statuses": [%s]}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, table.concat(per_thread, ", ")
  ))
end
