/** Lua scripts of the Redis cache: each one runs atomically on the server. */

/**
 * INCRBY that sets the TTL only when this call created the key, in one atomic step: a separate
 * INCRBY + PEXPIRE could leave a counter without TTL if the process died in between, and would
 * push the expiry forward on every hit (a sliding window instead of a fixed one).
 */
export const INCREMENT_SCRIPT = `
local created = redis.call('EXISTS', KEYS[1]) == 0
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value
`;

/**
 * Exact sliding window: a sorted set (score = time in ms, member = id) and a hash of the members'
 * amounts. KEYS = zset, amounts; ARGV = now, keep, member ('' = nothing to add), at, amount, n,
 * window 1 … window n. Returns count and sum per window over scores in (now - w, now].
 */
export const WINDOW_SCRIPT = `
local now = tonumber(ARGV[1])
local keep = tonumber(ARGV[2])
local cutoff = string.format('%.0f', now - keep)
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
if #gone > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
  for i = 1, #gone, 1000 do redis.call('HDEL', KEYS[2], unpack(gone, i, math.min(i + 999, #gone))) end
end
if ARGV[3] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[5])
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], keep)
  redis.call('PEXPIRE', KEYS[2], keep)
end
local out = {}
local upper = string.format('%.0f', now)
for i = 1, tonumber(ARGV[6]) do
  local lower = '(' .. string.format('%.0f', now - tonumber(ARGV[6 + i]))
  local members = redis.call('ZRANGEBYSCORE', KEYS[1], lower, upper)
  local sum = 0
  if #members > 0 then
    for j = 1, #members, 1000 do
      local amounts = redis.call('HMGET', KEYS[2], unpack(members, j, math.min(j + 999, #members)))
      for _, a in ipairs(amounts) do sum = sum + (tonumber(a) or 0) end
    end
  end
  out[#out + 1] = #members
  out[#out + 1] = sum
end
return out
`;

/** Versioned map: KEYS = hash, version; ARGV = field, value, deleteFlag, … Returns the new version. */
export const MAP_WRITE_SCRIPT = `
for i = 1, #ARGV, 3 do
  if ARGV[i + 2] == '1' then redis.call('HDEL', KEYS[1], ARGV[i])
  else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return redis.call('INCR', KEYS[2])
`;

/** HyperLogLog add + count with the TTL set on creation. ARGV = value, ttl ms. */
export const DISTINCT_SCRIPT = `
local created = redis.call('EXISTS', KEYS[1]) == 0
redis.call('PFADD', KEYS[1], ARGV[1])
if created then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('PFCOUNT', KEYS[1])
`;

/**
 * Distinct values over bucketed HyperLogLogs: KEYS = the buckets covering the window, the current
 * one last; ARGV = value ('' = only count), ttl ms of the current bucket. Returns PFCOUNT of all.
 */
export const DISTINCT_WINDOW_SCRIPT = `
if ARGV[1] ~= '' then
  redis.call('PFADD', KEYS[#KEYS], ARGV[1])
  redis.call('PEXPIRE', KEYS[#KEYS], ARGV[2])
end
return redis.call('PFCOUNT', unpack(KEYS))
`;
