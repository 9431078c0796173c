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

/** Puts pages whose claims ran out back in front of the outbox, the earliest claimed first. */
const RESTORE_CLAIMS = `
local function restoreClaims(outbox, claims, now, outboxTtl)
  local fields = redis.call('HGETALL', claims)
  local expired = {}
  for i = 1, #fields, 2 do
    local value = fields[i + 1]
    local cut = string.find(value, '|', 1, true)
    local cut2 = string.find(value, '|', cut + 1, true)
    local untilMs = tonumber(string.sub(value, 1, cut - 1))
    if untilMs <= now then
      expired[#expired + 1] = { id = fields[i], at = tonumber(string.sub(value, cut + 1, cut2 - 1)), page = string.sub(value, cut2 + 1) }
    end
  end
  if #expired == 0 then return end
  table.sort(expired, function(a, b) return a.at > b.at end)
  for _, claim in ipairs(expired) do
    redis.call('LPUSH', outbox, claim.page)
    redis.call('HDEL', claims, claim.id)
  end
  redis.call('PEXPIRE', outbox, outboxTtl)
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
   * KEYS: job, outbox, pending. ARGV: result JSON, job ttlMs, outbox ttlMs, channel, job key, openid ('' when unknown),
   * deferred here ('1'/'0'), now, then the answer's pages as JSON (the first with the question). Returns the outcome;
   * publishes the job key so waiters everywhere wake. A lost job is recreated when the openid is given.
   */
  wgComplete: {
    numberOfKeys: 3,
    lua: `${DROP_SEEN}${CAP_ANSWERS}
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'done' then return 'ignored' end
if not status then
  if ARGV[6] == '' then return 'ignored' end
  redis.call('HSET', KEYS[1], 'openid', ARGV[6], 'attempts', 1, 'createdAt', ARGV[8])
end
redis.call('HSET', KEYS[1], 'status', 'done', 'result', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local outcome = 'stored'
if status == 'deferred' or ARGV[7] == '1' then
  redis.call('RPUSH', KEYS[2], 'U' .. ARGV[9])
  for i = 10, #ARGV do redis.call('RPUSH', KEYS[2], 'C' .. ARGV[i]) end
  capAnswers(KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  redis.call('HSET', KEYS[1], 'deliveredBy', 'outbox')
  redis.call('ZREM', KEYS[3], ARGV[5])
  outcome = 'outboxed'
elseif #ARGV >= 10 then
  -- The user reads this answer now: its rest replaces the rest of answers seen before.
  dropSeen(KEYS[2])
  for i = 10, #ARGV do redis.call('RPUSH', KEYS[2], 'C' .. ARGV[i]) end
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return outcome`,
  },

  /**
   * KEYS: job, outbox, pending. ARGV: openid, job ttlMs, outbox ttlMs, now, job key, then the done answer's pages as
   * JSON when the caller read them ('retry' when the job turned done meanwhile and no pages were given).
   */
  wgSendToOutbox: {
    numberOfKeys: 3,
    lua: `${CAP_ANSWERS}
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'done' then
  if not status then
    redis.call('HSET', KEYS[1], 'openid', ARGV[1], 'attempts', 0, 'createdAt', ARGV[4])
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
  end
  redis.call('HSET', KEYS[1], 'status', 'deferred')
  redis.call('ZADD', KEYS[3], 'NX', ARGV[4], ARGV[5])
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
  return 'deferred'
end
if redis.call('HEXISTS', KEYS[1], 'deliveredBy') == 1 then return 'delivered' end
if #ARGV < 6 then return 'retry' end
redis.call('RPUSH', KEYS[2], 'U' .. ARGV[6])
for i = 7, #ARGV do redis.call('RPUSH', KEYS[2], 'C' .. ARGV[i]) end
capAnswers(KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('HSET', KEYS[1], 'deliveredBy', 'outbox')
redis.call('ZREM', KEYS[3], ARGV[5])
return 'outboxed'`,
  },

  /** KEYS: job. Pending → deferred. Returns the job hash after the call (empty if there is no job). */
  wgDefer: {
    numberOfKeys: 1,
    lua: `
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'pending' then redis.call('HSET', KEYS[1], 'status', 'deferred') end
return redis.call('HGETALL', KEYS[1])`,
  },

  /** KEYS: job. ARGV: lease end (epoch ms), openid, ttlMs, now. Recreates a lost job (pending); a done job needs none. */
  wgRenewLease: {
    numberOfKeys: 1,
    lua: `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  redis.call('HSET', KEYS[1], 'openid', ARGV[2], 'status', 'pending', 'attempts', 1, 'createdAt', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  status = 'pending'
end
if status ~= 'done' then redis.call('HSET', KEYS[1], 'leaseUntil', ARGV[1]) end
return 1`,
  },

  /**
   * KEYS: job. ARGV: now, leaseMs. 1 when the caller took over a job not done whose lease ran out; it is pending again
   * (an attempt of the message is open to answer it).
   */
  wgTakeOver: {
    numberOfKeys: 1,
    lua: `
local fields = redis.call('HMGET', KEYS[1], 'status', 'leaseUntil', 'createdAt')
if not fields[1] or fields[1] == 'done' then return 0 end
local now = tonumber(ARGV[1])
local leaseMs = tonumber(ARGV[2])
local expires = tonumber(fields[2]) or (tonumber(fields[3]) + leaseMs)
if expires > now then return 0 end
redis.call('HSET', KEYS[1], 'status', 'pending', 'leaseUntil', now + leaseMs)
return 1`,
  },

  /** KEYS: job. ARGV: by. Never creates a job that has expired. */
  wgMarkDelivered: {
    numberOfKeys: 1,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'deliveredBy', ARGV[1]) end
return 1`,
  },

  /**
   * KEYS: outbox, claims. ARGV: now, leaseMs, claimId, 'first' | 'unseen' | 'unseen-dropping-seen', outbox ttlMs.
   * Claims the first page, or the first 'U' page (dropping the seen pages before it; with 'unseen-dropping-seen', the
   * pages left of every seen answer first). Returns [page, pages left] or nil. Taking a 'U' page leaves the rest of its
   * answer seen.
   */
  wgClaimOutbox: {
    numberOfKeys: 2,
    lua: `${RESTORE_CLAIMS}${DROP_SEEN}
local now = tonumber(ARGV[1])
restoreClaims(KEYS[1], KEYS[2], now, ARGV[5])
if ARGV[4] == 'unseen-dropping-seen' then dropSeen(KEYS[1]) end
local item = nil
if ARGV[4] == 'first' then
  item = redis.call('LPOP', KEYS[1])
else
  local items = redis.call('LRANGE', KEYS[1], 0, -1)
  for i, page in ipairs(items) do
    if string.sub(page, 1, 1) == 'U' then
      redis.call('LTRIM', KEYS[1], i, -1)
      item = page
      break
    end
  end
end
if not item then return false end
redis.call('HSET', KEYS[2], ARGV[3], (now + tonumber(ARGV[2])) .. '|' .. now .. '|' .. item)
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[5]) + tonumber(ARGV[2]))
return { item, redis.call('LLEN', KEYS[1]) }`,
  },

  /** KEYS: outbox, claims. ARGV: now, outbox ttlMs. The outbox's pages, after putting back expired claims. */
  wgReadOutbox: {
    numberOfKeys: 2,
    lua: `${RESTORE_CLAIMS}
restoreClaims(KEYS[1], KEYS[2], tonumber(ARGV[1]), ARGV[2])
return redis.call('LRANGE', KEYS[1], 0, -1)`,
  },

  /** KEYS: outbox, claims. ARGV: now, outbox ttlMs. */
  wgDropSeen: {
    numberOfKeys: 2,
    lua: `${RESTORE_CLAIMS}${DROP_SEEN}
restoreClaims(KEYS[1], KEYS[2], tonumber(ARGV[1]), ARGV[2])
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

  /** KEYS: tally (a sorted set). ARGV: member, amount, ttlMs. The tally's life starts with its first addition. */
  wgTally: {
    numberOfKeys: 1,
    lua: `
local total = redis.call('ZINCRBY', KEYS[1], ARGV[2], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return total`,
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
  wgComplete(job: string, outbox: string, pending: string, ...args: (string | number)[]): Promise<unknown>;
  wgSendToOutbox(job: string, outbox: string, pending: string, ...args: (string | number)[]): Promise<unknown>;
  wgDefer(job: string): Promise<unknown>;
  wgMarkDelivered(job: string, by: string): Promise<unknown>;
  wgRenewLease(job: string, until: number, openid: string, ttlMs: number, now: number): Promise<unknown>;
  wgTakeOver(job: string, now: number, leaseMs: number): Promise<unknown>;
  wgClaimOutbox(
    outbox: string,
    claims: string,
    now: number,
    leaseMs: number,
    claimId: string,
    mode: 'first' | 'unseen' | 'unseen-dropping-seen',
    outboxTtlMs: number,
  ): Promise<unknown>;
  wgReadOutbox(outbox: string, claims: string, now: number, outboxTtlMs: number): Promise<unknown>;
  wgDropSeen(outbox: string, claims: string, now: number, outboxTtlMs: number): Promise<unknown>;
  wgHit(counter: string, windowMs: number): Promise<unknown>;
  wgTally(tally: string, member: string, amount: number, ttlMs: number): Promise<unknown>;
  wgUnlock(lock: string, token: string): Promise<unknown>;
}
