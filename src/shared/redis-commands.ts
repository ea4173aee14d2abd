/**
 * Which Redis commands a db task may send (issue #16), decided from the command alone, before
 * anything is sent. Pure TS: the configuration form and the core use the same lists.
 *
 * - Read tasks run read-only commands only: those Redis 7 flags `readonly` (`COMMAND` reply),
 *   plus PING, ECHO, TIME, INFO and the read-only subcommands of OBJECT, XINFO and MEMORY.
 * - Write tasks run any data command: the read-only ones and those flagged `write`, plus PUBLISH,
 *   XGROUP and module commands (names with a dot, such as `JSON.SET`).
 * - Always refused, with the reason: admin commands (FLUSHALL, CONFIG, SHUTDOWN…), scripts (they
 *   can run any command, admin ones included), blocking commands (they would hold the shared
 *   connection), subscriptions, and connection or transaction commands (one run sends one
 *   command; the database number and credentials belong in the uri).
 */

function words(text: string): ReadonlySet<string> {
  return new Set(text.trim().split(/\s+/));
}

/** Flagged `readonly` by Redis 7 (scripting aside), plus later read-only hash/vector commands. */
const READ_ONLY = words(`
  bitcount bitfield_ro bitpos dbsize dump exists expiretime geodist geohash geopos georadius_ro
  georadiusbymember_ro geosearch get getbit getrange hexists hget hgetall hkeys hlen hmget
  hrandfield hscan hstrlen hvals keys lcs lindex llen lolwut lpos lrange mget pexpiretime pfcount
  pttl randomkey scan scard sdiff sinter sintercard sismember smembers smismember sort_ro
  srandmember sscan strlen substr sunion touch ttl type xlen xpending xrange xread xrevrange zcard
  zcount zdiff zinter zintercard zlexcount zmscore zrandmember zrange zrangebylex zrangebyscore
  zrank zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore zunion
  httl hpttl hexpiretime hpexpiretime vcard vdim vemb vgetattr vinfo vismember vlinks
  vrandmember vsim
  ping echo time info lastsave role
`);

/** Container commands whose read-only subcommands a read task may run. */
const READ_ONLY_SUBCOMMANDS: Readonly<Record<string, ReadonlySet<string>>> = {
  object: words('encoding freq idletime refcount help'),
  xinfo: words('stream groups consumers help'),
  memory: words('usage help'),
};

/** Flagged `write` by Redis 7 (admin and blocking ones aside), plus later write commands. */
const WRITES = words(`
  append bitfield bitop copy decr decrby del expire expireat geoadd georadius georadiusbymember
  geosearchstore getdel getex getset hdel hincrby hincrbyfloat hmset hset hsetnx incr incrby
  incrbyfloat linsert lmove lmpop lpop lpush lpushx lrem lset ltrim move mset msetnx persist
  pexpire pexpireat pfadd pfmerge psetex rename renamenx restore rpop rpoplpush rpush rpushx sadd
  sdiffstore set setbit setex setnx setrange sinterstore smove sort spop srem sunionstore unlink
  xack xadd xautoclaim xclaim xdel xreadgroup xsetid xtrim zadd zdiffstore zincrby zinterstore
  zmpop zpopmax zpopmin zrangestore zrem zremrangebylex zremrangebyrank zremrangebyscore
  zunionstore publish spublish xgroup
  hexpire hpexpire hexpireat hpexpireat hpersist hgetdel hgetex hsetex vadd vrem vsetattr
`);

const ADMIN = words(`
  acl bgrewriteaof bgsave client cluster config debug failover latency module monitor pfdebug
  pfselftest psync replconf replicaof save shutdown slaveof slowlog sync flushall flushdb swapdb
  migrate restore-asking
`);
const SCRIPTS = words('eval evalsha eval_ro evalsha_ro fcall fcall_ro script function');
const BLOCKING = words(
  'blmove blmpop blpop brpop brpoplpush bzmpop bzpopmax bzpopmin wait waitaof',
);
const SUBSCRIPTIONS = words(
  'subscribe psubscribe ssubscribe unsubscribe punsubscribe sunsubscribe',
);
const SESSION = words(
  'auth hello quit reset select multi exec discard watch unwatch readonly readwrite asking',
);

/** Commands whose `BLOCK` option makes them blocking. */
const BLOCK_OPTION = words('xread xreadgroup');

/** True when a read task may send `command` (name and arguments as typed). */
export function isRedisReadOnly(command: readonly string[]): boolean {
  const name = (command[0] ?? '').toLowerCase();
  if (READ_ONLY.has(name)) return true;
  const subcommands = READ_ONLY_SUBCOMMANDS[name];
  return subcommands !== undefined && subcommands.has((command[1] ?? '').toLowerCase());
}

function isKnownData(name: string): boolean {
  return (
    READ_ONLY.has(name) || WRITES.has(name) || name in READ_ONLY_SUBCOMMANDS || name.includes('.')
  );
}

/**
 * Why `command` may not run at all (admin, script, blocking, subscription, session or unknown
 * command), or undefined. `operation` adds the read-only rule of read tasks.
 */
export function redisCommandProblem(
  command: readonly string[],
  operation?: 'read' | 'write',
): string | undefined {
  const typed = command[0] ?? '';
  const name = typed.toLowerCase();
  const upper = typed.toUpperCase();
  if (ADMIN.has(name)) {
    return `${upper} is an admin command and is refused; run it with redis-cli if you mean it`;
  }
  if (SCRIPTS.has(name)) {
    return `${upper} runs a server-side script, which can run any command (admin ones included), so it is refused; send the data commands themselves`;
  }
  if (BLOCKING.has(name)) {
    return `${upper} blocks until data arrives, which would hold the shared connection, so it is refused; use its non-blocking form (e.g. LPOP for BLPOP) on a schedule`;
  }
  if (BLOCK_OPTION.has(name) && command.some((arg, i) => i > 0 && arg.toUpperCase() === 'BLOCK')) {
    return `${upper} with BLOCK waits for data, which would hold the shared connection, so it is refused; leave out BLOCK and run the task on a schedule`;
  }
  if (SUBSCRIPTIONS.has(name)) {
    return `${upper} turns the connection into a subscriber, which a task cannot use; use a stream (XADD / XRANGE) or a list instead`;
  }
  if (SESSION.has(name)) {
    return `${upper} changes the connection, which runs share, so it is refused: a run sends one command, and the database number and credentials go in the uri (redis://user:password@host:6379/2)`;
  }
  if (!isKnownData(name)) {
    return `${upper} is not a Redis data command this app knows; check the spelling (module commands such as JSON.SET are written with their prefix)`;
  }
  if (operation === 'read' && !isRedisReadOnly(command)) {
    return `${upper}${command[1] && name in READ_ONLY_SUBCOMMANDS ? ` ${command[1].toUpperCase()}` : ''} is not a read-only command; a read task runs only commands that read (GET, HGETALL, LRANGE, XRANGE…), so use a write task for it`;
  }
  return undefined;
}
