"""The Redis store's Lua scripts: every rule that must hold across servers runs in one of
them, atomically on the Redis server (stores/redis.py sends them)."""

# Every script that commits a change also numbers it (INCR of the `head` key: 1, 2, 3, ...)
# and PUBLISHes it on the deck's channel, inside the same atomic step: subscribers receive
# changes exactly in commit order, and a missing number shows a change was missed.

# A token bucket (base.Buckets, counted in Redis for every server of the talk): a hash of
# tokens `n` and time `t` (Redis's clock, so that the servers' clocks do not matter), gone
# once it would be full again.
TAKE = """
local function take(key, burst, per_second)
  local clock = redis.call('TIME')
  local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
  local saved = redis.call('HMGET', key, 'n', 't')
  local tokens = tonumber(saved[1]) or burst
  local last = tonumber(saved[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - last) * per_second)
  local allowed = tokens >= 1
  if allowed then tokens = tokens - 1 end
  redis.call('HSET', key, 'n', tostring(tokens), 't', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(burst / per_second * 1000) + 1000)
  return allowed
end
"""

# KEYS: the bucket; ARGV: burst, per second. 1 taken, 0 empty.
TAKE_ONE = (
    TAKE
    + """
if take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])) then return 1 end
return 0
"""
)

# KEYS: polls hash, answers hash (id -> record), voters hash (voter -> JSON list of ids), seq,
# head, the voter's bucket
# ARGV: poll, voter, value, key, replace ('1'/'0'), limit, channel, origin, pending ('1'/'0'),
# burst and per second of the voter's rate ('' for none); voter/value/key are ASCII JSON.
# The rate is taken first, in the same step: one round trip per answer, limits included.
# Records are built here with cjson from strings only (cjson would round floats: the time
# stamp travels as a string), so every string reads back byte for byte.
ADD_ANSWER = (
    TAKE
    + """
if ARGV[10] ~= '' and not take(KEYS[6], tonumber(ARGV[10]), tonumber(ARGV[11])) then
  return {'too_fast'}
end
local state = redis.call('HGET', KEYS[1], ARGV[1])
if not state or cjson.decode(state)['status'] ~= 'open' then
  return {'closed'}
end
local mine = {}
local index = redis.call('HGET', KEYS[3], ARGV[2])
if index then mine = cjson.decode(index) end
local ids, rows = {}, {}
for i, id in ipairs(mine) do
  local raw = redis.call('HGET', KEYS[2], tostring(id))
  if raw then
    table.insert(ids, id)
    table.insert(rows, raw)
  end
end
local replace = ARGV[5] == '1'
local field = replace and 'value' or 'key'
local wanted = replace and ARGV[3] or ARGV[4]
for i, raw in ipairs(rows) do
  if cjson.decode(raw)[field] == wanted then
    return {'duplicate', tostring(ids[i]), raw}
  end
end
if replace then
  for i, id in ipairs(ids) do redis.call('HDEL', KEYS[2], tostring(id)) end
elseif #ids >= tonumber(ARGV[6]) then
  return {'limit'}
end
local id = redis.call('INCR', KEYS[4])
local now = redis.call('TIME')
local created = now[1] .. '.' .. string.format('%06d', tonumber(now[2]))
local record = cjson.encode({voter = ARGV[2], key = ARGV[4], value = ARGV[3],
                             created = created, hidden = false,
                             pending = ARGV[9] == '1'})
redis.call('HSET', KEYS[2], tostring(id), record)
local removed = ''
if replace then
  removed = table.concat(ids, ' ')
  ids = {id}
else
  table.insert(ids, id)
end
redis.call('HSET', KEYS[3], ARGV[2], cjson.encode(ids))
local seq = redis.call('INCR', KEYS[5])
redis.call('PUBLISH', ARGV[7], cjson.encode({t = 'answer', o = ARGV[8], poll = ARGV[1],
                                             id = tostring(id), record = record,
                                             removed = removed, s = seq}))
return {'ok', tostring(id), record, removed, seq}
"""
)

# Compare-and-set of one poll's state; on success also delete KEYS[3..] (reset's answers).
# KEYS: polls hash, head, ...; ARGV: poll, the state the caller read ('' for none), the new
# state, channel, origin.
SET_POLL = """
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return {0, current} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end
local seq = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[4], cjson.encode({t = 'poll', o = ARGV[5], poll = ARGV[1],
                                             state = ARGV[3], reset = #KEYS > 2, s = seq}))
return {1, ARGV[3]}
"""

# KEYS: meta hash, head; ARGV: name, value, channel, origin.
SET_META = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local seq = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[3], cjson.encode({t = 'meta', o = ARGV[4], name = ARGV[1],
                                             value = ARGV[2], s = seq}))
return seq
"""

# KEYS: answers hash, head; ARGV: answer id, '1' or '0', poll, channel, origin, the flag
# ('hidden' or 'pending'). Nothing for a missing id.
FLAG_ANSWER = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
local record = cjson.decode(raw)
record[ARGV[6]] = ARGV[2] == '1'
raw = cjson.encode(record)
redis.call('HSET', KEYS[1], ARGV[1], raw)
local seq = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[4], cjson.encode({t = 'hide', o = ARGV[5], poll = ARGV[3],
                                             id = ARGV[1], record = raw, s = seq}))
return raw
"""

# Set a meta value unless one is there (HSETNX), publishing it when set; the value now there.
# KEYS: meta hash, head; ARGV: name, value, channel, origin.
SETDEFAULT_META = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  local seq = redis.call('INCR', KEYS[2])
  redis.call('PUBLISH', ARGV[3], cjson.encode({t = 'meta', o = ARGV[4], name = ARGV[1],
                                               value = ARGV[2], s = seq}))
  return ARGV[2]
end
return redis.call('HGET', KEYS[1], ARGV[1])
"""

# KEYS: answers hash, voters hash of one poll; ARGV: a time (epoch seconds). Deletes the
# answers created before it and their ids from the voters' lists; returns how many went.
PURGE = """
local gone = 0
local raw = redis.call('HGETALL', KEYS[1])
local dropped = {}
for i = 1, #raw, 2 do
  local record = cjson.decode(raw[i + 1])
  if tonumber(record['created']) < tonumber(ARGV[1]) then
    redis.call('HDEL', KEYS[1], raw[i])
    dropped[raw[i]] = true
    gone = gone + 1
  end
end
if gone > 0 then
  local voters = redis.call('HGETALL', KEYS[2])
  for i = 1, #voters, 2 do
    local kept = {}
    for _, id in ipairs(cjson.decode(voters[i + 1])) do
      if not dropped[tostring(id)] then table.insert(kept, id) end
    end
    if #kept == 0 then redis.call('HDEL', KEYS[2], voters[i])
    else redis.call('HSET', KEYS[2], voters[i], cjson.encode(kept)) end
  end
end
return gone
"""


# A vote given (ARGV[4] '1') or taken back, once per voter and answer: the set of
# "<answer id> <voter>" members decides, the record's count follows it in the same step.
# KEYS: polls hash, answers hash, votes set, voted hash (voter -> "id id ..." of their votes),
# head; ARGV: poll, answer id, voter (ASCII JSON), '1'/'0', channel, origin
VOTE_ANSWER = """
local state = redis.call('HGET', KEYS[1], ARGV[1])
if not state or cjson.decode(state)['status'] ~= 'open' then return {'closed'} end
local raw = redis.call('HGET', KEYS[2], ARGV[2])
if not raw then return {'missing'} end
local on = ARGV[4] == '1'
local member = ARGV[2] .. ' ' .. ARGV[3]
local changed = on and redis.call('SADD', KEYS[3], member) or redis.call('SREM', KEYS[3], member)
if changed == 0 then return {'ok', raw} end
local record = cjson.decode(raw)
record['votes'] = (tonumber(record['votes']) or 0) + (on and 1 or -1)
raw = cjson.encode(record)
redis.call('HSET', KEYS[2], ARGV[2], raw)
local ids = {}
for id in string.gmatch(redis.call('HGET', KEYS[4], ARGV[3]) or '', '%d+') do
  if id ~= ARGV[2] then table.insert(ids, id) end
end
if on then table.insert(ids, ARGV[2]) end
redis.call('HSET', KEYS[4], ARGV[3], table.concat(ids, ' '))
local seq = redis.call('INCR', KEYS[5])
redis.call('PUBLISH', ARGV[5], cjson.encode({t = 'hide', o = ARGV[6], poll = ARGV[1],
                                             id = ARGV[2], record = raw, s = seq}))
return {'ok', raw}
"""
