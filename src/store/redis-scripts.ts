/**
 * The Redis store's Lua scripts: every operation that reads and then decides runs as one script, so it is atomic
 * across instances. Layout: a job is a hash (openid, status, attempts, createdAt, result as JSON, deliveredBy); a
 * user's outbox is a list of pages, each 'U' + JSON for the first page of an unseen answer or 'C' + JSON for any other
 * page. An answer is unseen exactly while its 'U' page is there; the pages of one answer are always adjacent. Scripts
 * only read the JSON (answerId), never re-encode it, so replies come back byte for byte.
 */

import { MAX_QUEUED_ANSWERS } from './outbox.js';

/** Keeps the newest MAX_QUEUED_ANSWERS answers (runs of pages with one answerId); LTRIM keeps the TTL. */
const CAP_ANSWERS = `
local function capAnswers(key)
  local items = redis.call('LRANGE', key, 0, -1)
  local starts = {}
  local last = nil
  for i, item in ipairs(items) do
    local id = cjson.decode(string.sub(item, 2)).answerId
    if id ~= last then
      starts[#starts + 1] = i
      last = id
    end
  end
  local excess = #starts - ${MAX_QUEUED_ANSWERS}
  if excess > 0 then redis.call('LTRIM', key, starts[excess + 1] - 1, -1) end
end
`;

/** Drops the pages of seen answers: 'C' pages that do not follow their own answer's 'U' page. Keeps the TTL. */
const DROP_SEEN = `
local function dropSeen(key)
  local items = redis.call('LRANGE', key, 0, -1)
  local kept = {}
  local unseenId = false
  for _, item in ipairs(items) do
    if string.sub(item, 1, 1) == 'U' then
      unseenId = cjson.decode(string.sub(item, 2)).answerId
      kept[#kept + 1] = item
    elseif unseenId and cjson.decode(string.sub(item, 2)).answerId == unseenId then
      kept[#kept + 1] = item
    else
      unseenId = false
    end
  end
  if #kept == #items then return end
  local ttl = redis.call('PTTL', key)
  redis.call('DEL', key)
  for _, item in ipairs(kept) do redis.call('RPUSH', key, item) end
  if #kept > 0 and ttl > 0 then redis.call('PEXPIRE', key, ttl) end
end
`;

export const scripts = {
  /** KEYS: job. ARGV: openid, ttlMs, createdAt. Returns the job hash after counting the attempt. */
  wgClaim: {
    numberOfKeys: 1,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'openid', ARGV[1], 'status', 'pending', 'attempts', 1, 'createdAt', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
else
  redis.call('HINCRBY', KEYS[1], 'attempts', 1)
end
return redis.call('HGETALL', KEYS[1])`,
  },

  /**
   * KEYS: job, outbox. ARGV: result JSON, job ttlMs, outbox ttlMs, channel, job key, then the answer's pages as JSON
   * (the first with the question). Returns the outcome; publishes the job key so waiters everywhere wake.
   */
  wgComplete: {
    numberOfKeys: 2,
    lua: `${DROP_SEEN}${CAP_ANSWERS}
local status = redis.call('HGET', KEYS[1], 'status')
if not status or status == 'done' then return 'ignored' end
redis.call('HSET', KEYS[1], 'status', 'done', 'result', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local outcome = 'stored'
if status == 'deferred' then
  redis.call('RPUSH', KEYS[2], 'U' .. ARGV[6])
  for i = 7, #ARGV do redis.call('RPUSH', KEYS[2], 'C' .. ARGV[i]) end
  capAnswers(KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  outcome = 'outboxed'
elseif #ARGV >= 7 then
  -- The user reads this answer now: its rest replaces the rest of answers seen before.
  dropSeen(KEYS[2])
  for i = 7, #ARGV do redis.call('RPUSH', KEYS[2], 'C' .. ARGV[i]) end
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return outcome`,
  },

  /** KEYS: job. Pending → deferred. Returns the job hash after the call (empty if there is no job). */
  wgDefer: {
    numberOfKeys: 1,
    lua: `
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'pending' then redis.call('HSET', KEYS[1], 'status', 'deferred') end
return redis.call('HGETALL', KEYS[1])`,
  },

  /** KEYS: job. ARGV: by. Never creates a job that has expired. */
  wgMarkDelivered: {
    numberOfKeys: 1,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'deliveredBy', ARGV[1]) end
return 1`,
  },

  /** KEYS: outbox. Returns [page, pages left] or nil. Taking a 'U' page leaves the rest of its answer seen. */
  wgShiftOutbox: {
    numberOfKeys: 1,
    lua: `
local item = redis.call('LPOP', KEYS[1])
if not item then return false end
return { item, redis.call('LLEN', KEYS[1]) }`,
  },

  /** KEYS: outbox. Takes the first 'U' page, dropping the (seen) pages before it. Returns [page, pages left] or nil. */
  wgShiftUnseen: {
    numberOfKeys: 1,
    lua: `
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for i, item in ipairs(items) do
  if string.sub(item, 1, 1) == 'U' then
    redis.call('LTRIM', KEYS[1], i, -1)
    return { item, #items - i }
  end
end
return false`,
  },

  /** KEYS: outbox. */
  wgDropSeen: {
    numberOfKeys: 1,
    lua: `${DROP_SEEN}
dropSeen(KEYS[1])
return 1`,
  },

  /** KEYS: counter. ARGV: windowMs. The window starts with the first hit; later hits do not extend it. */
  wgHit: {
    numberOfKeys: 1,
    lua: `
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`,
  },

  /** KEYS: lock. ARGV: token. Deletes the lock only while the token still holds it. */
  wgUnlock: {
    numberOfKeys: 1,
    lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  },
} as const;

/** The scripts as methods of the client (ioredis defines one per entry of `scripts`). */
export interface StoreScripts {
  wgClaim(job: string, openid: string, ttlMs: number, createdAt: number): Promise<unknown>;
  wgComplete(job: string, outbox: string, ...args: (string | number)[]): Promise<unknown>;
  wgDefer(job: string): Promise<unknown>;
  wgMarkDelivered(job: string, by: string): Promise<unknown>;
  wgShiftOutbox(outbox: string): Promise<unknown>;
  wgShiftUnseen(outbox: string): Promise<unknown>;
  wgDropSeen(outbox: string): Promise<unknown>;
  wgHit(counter: string, windowMs: number): Promise<unknown>;
  wgUnlock(lock: string, token: string): Promise<unknown>;
}
