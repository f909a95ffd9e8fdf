-- wrk script for bench/load.py: paced answers, one new voter token per request.
-- wrk -t T -c C -d D -s bench/load_answers.lua URL -- POLL PER_THREAD INTERVAL_MS TAG TOKENS T
-- TOKENS: a file of voter tokens, one a line (the server accepts only tokens it signed:
-- bench/voter_tokens.py signs them with the secret it put in the store).
-- Each thread sends exactly PER_THREAD answers (choice a or b), each connection waiting a
-- random 0..2*INTERVAL_MS before each request (so C connections make C/INTERVAL answers/ms
-- on average), then stops when all its answers are answered. done() prints one WRKLOAD line.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local poll, share, interval, tag
local voters, nthreads = {}, 1
local planned, counter, responses = 0, 0, 0
ok, s4, s5, other = 0, 0, 0, 0

function init(args)
  poll, share, interval, tag = args[1], tonumber(args[2]), tonumber(args[3]), args[4]
  for line in io.lines(args[5]) do voters[#voters + 1] = line end
  nthreads = tonumber(args[6])
  math.randomseed(id * 7919)
end

function delay()
  if planned >= share then
    return 3600000 -- this connection is done: wait until the thread stops
  end
  planned = planned + 1
  return math.random(0, 2 * interval)
end

function request()
  counter = counter + 1
  -- threads take turns through the tokens: a new voter per request, never one twice
  local voter = voters[((counter - 1) * nthreads + id - 1) % #voters + 1]
  local body = (counter % 2 == 0) and '{"choice":"a"}' or '{"choice":"b"}'
  return wrk.format("POST", "/api/v1/polls/" .. poll .. "/answers",
    {["Content-Type"] = "application/json", ["X-Deckpoll-Voter"] = voter}, body)
end

function response(status, headers, body)
  responses = responses + 1
  if status == 200 then
    ok = ok + 1
  elseif status >= 500 then
    s5 = s5 + 1
  elseif status >= 400 then
    s4 = s4 + 1
  else
    other = other + 1
  end
  if responses >= share then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local t_ok, t_4, t_5, t_other = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    t_ok = t_ok + thread:get("ok")
    t_4 = t_4 + thread:get("s4")
    t_5 = t_5 + thread:get("s5")
    t_other = t_other + thread:get("other")
  end
  local e = summary.errors
  io.write(string.format("WRKLOAD %d %d %d %d %d %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration, t_ok, t_4, t_5, t_other,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
