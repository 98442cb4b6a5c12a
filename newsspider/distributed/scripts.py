"""The Lua scripts of a distributed run: each one step that must be atomic across workers.

Keys are built inside the scripts from the run's key base (``RunKeys.base``) and the heartbeat
base (``<prefix>:alive:<run id>``), so they assume one Redis server (no Redis Cluster).
A request in flight is stored as ``"<score> <serialized request>"`` under a token.
"""

from __future__ import annotations

#: ARGV: prefix, spider, explicit run id ("" to join or start the spider's current run),
#: candidate run id, worker name, heartbeat TTL, run TTL.
#: Returns {run id, worker} (the worker name made unique in the run: w1, w1.2, …),
#: {"retry", ""} when the candidate id is taken, {"done", run} for an explicit finished run.
#: A current run with its work over (seeded, nothing queued or in flight) and no live
#: worker is not joined: its last live worker left while a killed one's heartbeat lasted, so
#: no one closed it. It is closed here as dirty (no validators saved) and a new run starts.
JOIN = """
local prefix, spider, explicit, candidate, base = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local alive_ttl, run_ttl = tonumber(ARGV[6]), tonumber(ARGV[7])
local current_key = prefix .. ':' .. spider .. ':current'
local function rk(run, name) return prefix .. ':' .. spider .. ':run:' .. run .. ':' .. name end
local function abandoned(run)
  if redis.call('EXISTS', rk(run, 'seeded_done')) == 0
    or redis.call('ZCARD', rk(run, 'requests')) > 0 then return false end
  for _, worker in ipairs(redis.call('SMEMBERS', rk(run, 'workers'))) do
    if redis.call('EXISTS', prefix .. ':alive:' .. run .. '-' .. worker) == 1
      or redis.call('HLEN', rk(run, 'inflight:' .. worker)) > 0 then return false end
  end
  return true
end
local run = explicit
if run == '' then
  run = redis.call('GET', current_key)
  if run and redis.call('EXISTS', rk(run, 'done')) == 0 and abandoned(run) then
    redis.call('SET', rk(run, 'done'), 'dirty', 'EX', run_ttl)
    for _, name in ipairs({'requests', 'dupefilter', 'claims', 'validators', 'seeded',
        'counter', 'workers'}) do
      redis.call('DEL', rk(run, name))
    end
  end
  if (not run) or redis.call('EXISTS', rk(run, 'done')) == 1 then
    if redis.call('EXISTS', rk(candidate, 'created')) == 1 then return {'retry', ''} end
    run = candidate
    redis.call('SET', current_key, run, 'EX', run_ttl)
  end
elseif redis.call('EXISTS', rk(run, 'done')) == 1 then
  return {'done', run}
end
redis.call('SET', rk(run, 'created'), '1', 'EX', run_ttl)
local worker, n = base, 1
while redis.call('SISMEMBER', rk(run, 'names'), worker) == 1 do
  n = n + 1
  worker = base .. '.' .. n
end
redis.call('SADD', rk(run, 'names'), worker)
redis.call('SADD', rk(run, 'workers'), worker)
redis.call('EXPIRE', rk(run, 'names'), run_ttl)
redis.call('EXPIRE', rk(run, 'workers'), run_ttl)
redis.call('SET', prefix .. ':alive:' .. run .. '-' .. worker, '1', 'EX', alive_ttl)
return {run, worker}
"""

#: KEYS: queue, this worker's in-flight hash, the token counter.
#: Moves the first request of the queue into the in-flight hash; returns {token, request}.
POP = """
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then return false end
redis.call('ZREM', KEYS[1], first[1])
local token = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], token, first[2] .. ' ' .. first[1])
return {tostring(token), first[1]}
"""

#: ARGV: run key base, heartbeat base, this worker.
#: Requests in flight of every worker whose heartbeat is gone go back to the queue, and the
#: worker leaves the run. Returns {worker, requests, worker, requests, …}.
REAP = """
local base, alive, me = ARGV[1], ARGV[2], ARGV[3]
local reaped = {}
for _, worker in ipairs(redis.call('SMEMBERS', base .. ':workers')) do
  if worker ~= me and redis.call('EXISTS', alive .. '-' .. worker) == 0 then
    local entries = redis.call('HVALS', base .. ':inflight:' .. worker)
    for _, entry in ipairs(entries) do
      local space = string.find(entry, ' ', 1, true)
      redis.call('ZADD', base .. ':requests', tonumber(string.sub(entry, 1, space - 1)),
        string.sub(entry, space + 1))
    end
    redis.call('DEL', base .. ':inflight:' .. worker)
    redis.call('SREM', base .. ':workers', worker)
    table.insert(reaped, worker)
    table.insert(reaped, #entries)
  end
end
return reaped
"""

#: ARGV: run key base. Returns {queued, in flight (every worker of the run), seeded}.
STATUS = """
local base = ARGV[1]
local inflight = 0
for _, worker in ipairs(redis.call('SMEMBERS', base .. ':workers')) do
  inflight = inflight + redis.call('HLEN', base .. ':inflight:' .. worker)
end
return {redis.call('ZCARD', base .. ':requests'), inflight,
  redis.call('EXISTS', base .. ':seeded_done')}
"""

#: ARGV: run key base, heartbeat base, this worker.
#: 1: seed now (first, or the seeder died); 0: seeding is done; 2: another worker is seeding.
SEED = """
local base, alive, me = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', base .. ':seeded_done') == 1 then return 0 end
local holder = redis.call('GET', base .. ':seeded')
if (not holder) or holder == me or redis.call('EXISTS', alive .. '-' .. holder) == 0 then
  redis.call('SET', base .. ':seeded', me)
  return 1
end
return 2
"""

#: ARGV: run key base, heartbeat base, this worker, article id.
#: Claims the export of an article in this run; returns "" or the live worker holding it.
CLAIM = """
local base, alive, me, id = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local holder = redis.call('HGET', base .. ':claims', id)
if (not holder) or holder == me or redis.call('EXISTS', alive .. '-' .. holder) == 0 then
  redis.call('HSET', base .. ':claims', id, me)
  return ''
end
return holder
"""

#: ARGV: run key base, this worker's heartbeat key, this worker, prefix, spider, run id,
#: the state's validators hash, run TTL.
#: The worker leaves the run; the last one out of a finished run commits the staged validators
#: (when no request failed and every worker finished) and deletes the run's queue and filter.
LEAVE = """
local base, me = ARGV[1], ARGV[3]
redis.call('SREM', base .. ':workers', me)
redis.call('DEL', ARGV[2], base .. ':inflight:' .. me)
local alive = ARGV[4] .. ':alive:' .. ARGV[6]
for _, worker in ipairs(redis.call('SMEMBERS', base .. ':workers')) do
  -- Gone without leaving and with nothing in flight: nothing to hand over.
  if redis.call('EXISTS', alive .. '-' .. worker) == 0
    and redis.call('EXISTS', base .. ':inflight:' .. worker) == 0 then
    redis.call('SREM', base .. ':workers', worker)
  end
end
if redis.call('SCARD', base .. ':workers') > 0 then return 'others' end
if redis.call('ZCARD', base .. ':requests') > 0 or redis.call('EXISTS', base .. ':seeded_done') == 0
then
  return 'unfinished'
end
if redis.call('EXISTS', base .. ':done') == 1 then return 'done' end
local clean = redis.call('EXISTS', base .. ':dirty') == 0
  and tonumber(redis.call('GET', base .. ':failed') or '0') == 0
local saved = 0
if clean then
  local staged = redis.call('HGETALL', base .. ':validators')
  for i = 1, #staged, 2 do
    redis.call('HSET', ARGV[7], staged[i], staged[i + 1])
    saved = saved + 1
  end
end
redis.call('SET', base .. ':done', clean and 'clean' or 'dirty', 'EX', tonumber(ARGV[8]))
redis.call('DEL', base .. ':requests', base .. ':dupefilter', base .. ':claims',
  base .. ':validators', base .. ':seeded', base .. ':counter', base .. ':failed',
  base .. ':dirty')
local current = ARGV[4] .. ':' .. ARGV[5] .. ':current'
if redis.call('GET', current) == ARGV[6] then redis.call('DEL', current) end
return 'finalized:' .. (clean and 'clean' or 'dirty') .. ':' .. saved
"""
