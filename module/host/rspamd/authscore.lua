--[[
authscore.lua - Rspamd plugin: SPF, DKIM and DMARC with DNSSEC through
libauthscore.so, driven without blocking (docs/rspamd.md).

Rspamd has no C plugin ABI, so the shared object is loaded with LuaJIT's FFI.
The module is sans-I/O: it hands out DNS questions and takes the answers.
Each question goes through Rspamd's own asynchronous resolver, tied to the
task, so a slow name never stalls the worker's other messages.

The cdef below declares only opaque pointers and scalar functions, copied
from include/authscore.h; tests/rspamd/check-cdef.py checks that every
declaration here matches the header.  No struct layout is ever copied.

Configuration (local.d/authscore.conf, or an `authscore { }` section):
  library      path of libauthscore.so (required)
  rules_file   rule file, e.g. /etc/authscore/authscore.conf (weights)
  authserv_id  the authserv-id of the Authentication-Results header
  add_header   true (default): add an Authentication-Results header
  options      table of further authscore_ctx_set_option() names/values
  bogus_probe  "ip:port" of the validating resolver asked for an Extended
               DNS Error after a SERVFAIL (default: Rspamd's first
               dns.nameserver; false: off); bogus_probe_timeout (1.0 s)
  now          TEST ONLY: pin the clock (seconds since the epoch) used for
               DKIM t=/x=; never set it in production
A configuration error disables the plugin with a log line; Rspamd runs on.
]]

local N = 'authscore'

local rspamd_logger = require "rspamd_logger"
local rspamd_udp = require "rspamd_udp"
local rspamd_util = require "rspamd_util"
local ffi = require "ffi"
local bit = require "bit"

-- BEGIN CDEF (checked against include/authscore.h by tests/rspamd)
local cdef = [[
typedef struct authscore_ctx authscore_ctx;
typedef struct authscore_msg authscore_msg;
const char *authscore_version(void);
const char *authscore_strerror(int code);
int authscore_ctx_new(authscore_ctx **out);
void authscore_ctx_free(authscore_ctx *ctx);
int authscore_ctx_set_option(authscore_ctx *ctx, const char *name,
                             const char *value);
int authscore_ctx_finalize(authscore_ctx *ctx);
const char *authscore_ctx_error(const authscore_ctx *ctx);
size_t authscore_rules_count(const authscore_ctx *ctx);
const char *authscore_rules_name(const authscore_ctx *ctx, size_t i);
double authscore_rules_weight(const authscore_ctx *ctx, size_t i);
const char *authscore_rules_group(const authscore_ctx *ctx, size_t i);
const char *authscore_rules_description(const authscore_ctx *ctx, size_t i);
int authscore_msg_new(const authscore_ctx *ctx, const char *client_ip,
                      const char *helo, const char *mail_from,
                      const char *message, size_t len, authscore_msg **out);
int authscore_msg_set_time(authscore_msg *m, int64_t now);
int authscore_msg_next_query(authscore_msg *m, uint32_t *id,
                             const char **qname, int *qtype);
int authscore_msg_answer(authscore_msg *m, uint32_t id, int status,
                         int dnssec, const char *why_bogus, uint32_t ttl,
                         const char *const *rdata, const size_t *rdata_len,
                         size_t count);
int authscore_msg_outstanding(const authscore_msg *m);
int authscore_msg_result(authscore_msg *m);
void authscore_msg_free(authscore_msg *m);
int authscore_score(const authscore_msg *m, double *score);
size_t authscore_symbol_count(const authscore_msg *m);
const char *authscore_symbol_name(const authscore_msg *m, size_t i);
double authscore_symbol_weight(const authscore_msg *m, size_t i);
size_t authscore_symbol_option_count(const authscore_msg *m, size_t i);
const char *authscore_symbol_option(const authscore_msg *m, size_t i,
                                    size_t j);
const char *authscore_ar_header(const authscore_msg *m);
]]
-- END CDEF

-- Values pinned in include/authscore.h.
local DNS_OK, DNS_NODATA, DNS_NXDOMAIN, DNS_SERVFAIL, DNS_TIMEOUT = 0, 1, 2, 3, 4
local DNSSEC_INDETERMINATE, DNSSEC_INSECURE, DNSSEC_SECURE, DNSSEC_BOGUS = 0, 1, 2, 3
local QTYPE = { [1] = 'a', [12] = 'ptr', [15] = 'mx', [16] = 'txt', [28] = 'aaaa' }

-- rdns reports its reply code only as text (rdns_strerror); these are the
-- ones that are not a plain server failure.
local RDNS_STATUS = {
  ['no records with this name'] = DNS_NXDOMAIN,   -- NXDOMAIN
  ['requested record is not found'] = DNS_NODATA, -- NOERROR, no such type
  ['query timed out'] = DNS_TIMEOUT,
}

-- RFC 8914 Extended DNS Error info-codes that say DNSSEC validation
-- failed (a validator's SERVFAIL for bogus data carries one of them).
local EDE_BOGUS = {
  [6] = 'DNSSEC Bogus', [7] = 'Signature Expired',
  [8] = 'Signature Not Yet Valid', [9] = 'DNSKEY Missing',
  [10] = 'RRSIGs Missing', [11] = 'No Zone Key Bit Set', [12] = 'NSEC Missing',
}
local EDE_OPTION = 15 -- RFC 8914 section 2
local OPT_TYPE = 41   -- RFC 6891 section 6.1.1
local MAX_NAME_LABELS = 128 -- a 255-byte name has at most 127 labels

local CALLBACK_SYMBOL = 'AUTHSCORE_CHECK'

local settings = {
  library = nil,
  rules_file = nil,
  authserv_id = nil,
  add_header = true,
  options = {},
  now = nil,
  -- "ip:port" of the validating resolver to ask for an Extended DNS Error
  -- after a SERVFAIL; default: Rspamd's first `dns.nameserver`; false: off.
  bogus_probe = nil,
  bogus_probe_timeout = 1.0,
}
local probe_host, probe_port -- resolved from bogus_probe at config time

local lib, ctx -- set once at configuration time
local registered = {} -- symbol name -> weight registered with Rspamd

local function cstr(p)
  if p == nil then return nil end
  return ffi.string(p)
end

-- Per task state.  `m` is the module's message; `content` keeps the bytes
-- the module borrows referenced until `m` is freed.
local function free_state(st)
  local m = st.m
  if m ~= nil then
    st.m = nil -- first: a second call (destructor after finish) is a no-op
    lib.authscore_msg_free(m)
  end
  st.content = nil
end

-- "4.3.2.1.in-addr.arpa" / ip6.arpa nibbles -> the address text that
-- Rspamd's resolve_ptr wants (it builds the reverse name itself).
local function ptr_to_ip(qname)
  local name = qname:lower():gsub('%.$', '')
  local v4 = name:match('^(.-)%.in%-addr%.arpa$')
  if v4 then
    local o = {}
    for part in v4:gmatch('[^.]+') do table.insert(o, 1, part) end
    if #o == 4 then return table.concat(o, '.') end
    return nil
  end
  local v6 = name:match('^(.-)%.ip6%.arpa$')
  if v6 then
    local n = {}
    for part in v6:gmatch('[^.]+') do
      if not part:match('^%x$') then return nil end
      table.insert(n, 1, part)
    end
    if #n ~= 32 then return nil end
    local groups = {}
    for g = 0, 7 do
      groups[#groups + 1] = table.concat(n, '', g * 4 + 1, g * 4 + 4)
    end
    return table.concat(groups, ':')
  end
  return nil
end

-- Rspamd's reply entries -> the text forms of authscore_msg_answer().
local function record_text(qtype, r)
  if qtype == 15 then
    if type(r) ~= 'table' or not r.name then return nil end
    return string.format('%d %s', tonumber(r.priority) or 0, r.name)
  end
  -- A/AAAA come as rspamd{ip}; TXT (strings joined by rdns) and PTR as text.
  return tostring(r)
end


-- ---- telling a bogus answer from a plain SERVFAIL -------------------------
-- Rspamd's resolver (rdns) reports only the rcode and the AD bit, and a
-- validating resolver answers SERVFAIL for bogus data.  After a SERVFAIL
-- the plugin asks the same resolver once more, with a query of its own
-- over rspamd_udp, and reads the Extended DNS Error (RFC 8914) that
-- unbound (`ede: yes`) attaches: info-codes 6-12 mean validation failed.
-- The repeat comes from the resolver's cache (unbound keeps bogus answers
-- for val-bogus-ttl), so it costs one loopback round trip, only on failure.

local function u16(s, i)
  return s:byte(i) * 256 + s:byte(i + 1)
end

-- A query for qname/qtype with RD, and an OPT record with DO (so the
-- resolver validates and answers with EDNS, where EDE lives).
local function build_query(qid, qname, qtype)
  local parts = {
    string.char(bit.rshift(qid, 8), bit.band(qid, 255), 0x01, 0x00,
        0, 1, 0, 0, 0, 0, 0, 1),
  }
  local total = 1
  for label in qname:gsub('%.$', ''):gmatch('[^.]+') do
    if #label > 63 then return nil end -- RFC 1035 2.3.4
    total = total + #label + 1
    parts[#parts + 1] = string.char(#label) .. label
  end
  if total > 255 then return nil end
  parts[#parts + 1] = string.char(0, bit.rshift(qtype, 8), bit.band(qtype, 255), 0, 1)
  parts[#parts + 1] = string.char(0, 0, OPT_TYPE, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0)
  return table.concat(parts)
end

-- Position after the (possibly compressed) name at i, or nil.
local function skip_name(s, i)
  for _ = 1, MAX_NAME_LABELS do
    if i > #s then return nil end
    local len = s:byte(i)
    if len == 0 then return i + 1 end
    if len >= 0xc0 then
      if i + 1 > #s then return nil end
      return i + 2
    end
    if len > 63 then return nil end
    i = i + 1 + len
  end
  return nil
end

-- rcode, EDE info-code, EDE text of the response `s` to query `qid`;
-- nil when it is not such a response.  Every read is bounds-checked.
local function parse_ede(s, qid)
  if #s < 12 or u16(s, 1) ~= qid or bit.band(s:byte(3), 0x80) == 0 then
    return nil
  end
  local rcode = bit.band(s:byte(4), 0x0f)
  local qd, an, ns, ar = u16(s, 5), u16(s, 7), u16(s, 9), u16(s, 11)
  local i = 13
  for _ = 1, qd do
    i = skip_name(s, i)
    if not i then return nil end
    i = i + 4
  end
  -- Each record takes at least 11 bytes: the loop ends with the packet.
  for k = 1, an + ns + ar do
    i = skip_name(s, i)
    if not i or i + 9 > #s then return rcode end
    local rtype, rdlen = u16(s, i), u16(s, i + 8)
    local rd = i + 10
    if rd + rdlen - 1 > #s then return rcode end
    if rtype == OPT_TYPE and k > an + ns then
      local j, stop = rd, rd + rdlen
      while j + 3 < stop do
        local code, olen = u16(s, j), u16(s, j + 2)
        if j + 4 + olen > stop then return rcode end
        if code == EDE_OPTION and olen >= 2 then
          return rcode, u16(s, j + 4), s:sub(j + 6, j + 3 + olen)
        end
        j = j + 4 + olen
      end
    end
    i = rd + rdlen
  end
  return rcode
end

-- Ask the resolver why it failed; done(dnssec, why) is called exactly once
-- (at once when the probe cannot be sent).
local function probe_bogus(task, qname, qtype, done)
  if not probe_host then return done(DNSSEC_INDETERMINATE, nil) end
  -- Unpredictable ID: a reply must answer this query, not a guess.
  local qid = tonumber(rspamd_util.random_hex(4), 16) or 0
  local q = build_query(qid, qname, qtype)
  if not q then return done(DNSSEC_INDETERMINATE, nil) end
  local called = false
  local function once(dnssec, why)
    if called then return end
    called = true
    done(dnssec, why)
  end
  local ok = rspamd_udp.sendto({
    task = task,
    host = probe_host,
    port = probe_port,
    data = q,
    timeout = settings.bogus_probe_timeout,
    retransmits = 0,
    callback = function(success, data)
      if not success or not data then return once(DNSSEC_INDETERMINATE, nil) end
      if type(data) ~= 'string' then data = tostring(data) end
      local rcode, info, text = parse_ede(data, qid)
      if rcode == 2 and info and EDE_BOGUS[info] then
        local why = (text and text ~= '') and text or EDE_BOGUS[info]
        return once(DNSSEC_BOGUS, string.format('EDE %d: %s', info, why))
      end
      once(DNSSEC_INDETERMINATE, nil)
    end,
  })
  if not ok then once(DNSSEC_INDETERMINATE, nil) end
end

local pump -- forward

local function answer(st, id, status, dnssec, records, why)
  if st.m == nil then return end -- the task is gone
  local n = records and #records or 0
  local rdata = ffi.new('const char *[?]', n > 0 and n or 1)
  local lens = ffi.new('size_t[?]', n > 0 and n or 1)
  for i = 1, n do
    rdata[i - 1] = records[i] -- `records` keeps the strings alive
    lens[i - 1] = #records[i]
  end
  local rc = lib.authscore_msg_answer(st.m, id, status, dnssec, why, 0,
      rdata, lens, n)
  if rc < 0 then
    rspamd_logger.errx(st.task, '%s: answer %s: %s', N, id,
        cstr(lib.authscore_strerror(rc)))
  end
end

-- Ask one question through the task's resolver.  Returns false when
-- Rspamd would not schedule it (the caller answers SERVFAIL then).
local function ask(st, id, qname, qtype)
  local task = st.task
  local rtype = QTYPE[qtype]
  if not rtype then return false end
  local name = qname
  if qtype == 12 then
    name = ptr_to_ip(qname)
    if not name then return false end
  end
  local function cb(_, _, results, err, _, authenticated)
    if st.m == nil then return end
    local status, dnssec, records = DNS_OK, DNSSEC_INSECURE, {}
    if err then
      status = RDNS_STATUS[err] or DNS_SERVFAIL
    elseif type(results) ~= 'table' or #results == 0 then
      status = DNS_NODATA
    else
      for _, r in ipairs(results) do
        local t = record_text(qtype, r)
        if t then records[#records + 1] = t end
      end
    end
    if status == DNS_SERVFAIL then
      -- Bogus, or a plain failure?  Only the resolver knows (see above).
      probe_bogus(task, qname, qtype, function(state, why)
        if st.m == nil then return end
        answer(st, id, DNS_SERVFAIL, state, nil, why)
        pump(st)
      end)
      return
    end
    if status == DNS_TIMEOUT then
      dnssec = DNSSEC_INDETERMINATE -- no answer, no security state
    elseif authenticated then
      dnssec = DNSSEC_SECURE
    end
    answer(st, id, status, dnssec, records)
    pump(st)
  end
  -- forced: the module's own caps (RFC 7208 4.6.4, DKIM signature cap)
  -- bound the questions; Rspamd's per-task dns_max_requests must not cut
  -- an SPF evaluation short.
  local ok = task:get_resolver():resolve(rtype, {
    task = task,
    name = name,
    callback = cb,
    forced = true,
  })
  return ok and true or false
end

local function finish(st)
  local task, m = st.task, st.m
  lib.authscore_msg_result(m)
  for i = 0, tonumber(lib.authscore_symbol_count(m)) - 1 do
    local name = cstr(lib.authscore_symbol_name(m, i))
    if name then
      local w = tonumber(lib.authscore_symbol_weight(m, i))
      local opts = {}
      for j = 0, tonumber(lib.authscore_symbol_option_count(m, i)) - 1 do
        local o = cstr(lib.authscore_symbol_option(m, i, j))
        if o then opts[#opts + 1] = o end
      end
      -- Rspamd multiplies its registered score by this factor: 1 normally,
      -- 0 when a rule cancelled the symbol (the module gives weight 0).
      local reg = registered[name]
      local mult = 1.0
      if reg and reg ~= 0 then mult = w / reg end
      task:insert_result(name, mult, opts)
    end
  end
  if settings.add_header then
    local ar = cstr(lib.authscore_ar_header(m))
    if ar and ar ~= '' then
      task:set_milter_reply({
        add_headers = { ['Authentication-Results'] = ar },
      })
    end
  end
  free_state(st)
end

-- Drive the sans-I/O loop: hand every waiting question to the resolver,
-- answer the ones Rspamd refused, and finish when nothing is outstanding.
-- A loop, not recursion: answering may raise further questions.
pump = function(st)
  if st.m == nil or st.busy then return end
  st.busy = true
  local id = ffi.new('uint32_t[1]')
  local qname = ffi.new('const char *[1]')
  local qtype = ffi.new('int[1]')
  while st.m ~= nil do
    local refused = {}
    while lib.authscore_msg_next_query(st.m, id, qname, qtype) == 1 do
      local qid, qn, qt = id[0], ffi.string(qname[0]), qtype[0]
      if not ask(st, qid, qn, qt) then refused[#refused + 1] = qid end
    end
    if #refused == 0 then break end
    for _, qid in ipairs(refused) do
      answer(st, qid, DNS_SERVFAIL, DNSSEC_INDETERMINATE, nil)
    end
  end
  st.busy = false
  if st.m ~= nil and lib.authscore_msg_outstanding(st.m) == 0 then
    finish(st)
  end
end

local function authscore_cb(task)
  local content = task:get_content()
  if not content then return end
  local bytes, len
  if type(content) == 'string' then
    bytes, len = content, #content
  else
    -- rspamd{text}: a view of the task's own copy of the message, no copy
    -- here.  The module borrows these bytes and reads them only inside
    -- this task's callbacks; `st.content` keeps the view referenced until
    -- the message is freed, and authscore_msg_free() never reads them.
    bytes, len = ffi.cast('const char *', content:ptr()), content:len()
  end
  local ip = task:get_from_ip()
  local ip_text = nil
  if ip and ip:is_valid() then ip_text = ip:to_string() end
  local helo = task:get_helo()
  local mail_from = ''
  local from = task:get_from('smtp')
  if from and from[1] and from[1].addr then mail_from = from[1].addr end

  local out = ffi.new('authscore_msg *[1]')
  local rc = lib.authscore_msg_new(ctx, ip_text, helo, mail_from, bytes, len, out)
  if rc < 0 then
    rspamd_logger.errx(task, '%s: authscore_msg_new: %s', N,
        cstr(lib.authscore_strerror(rc)))
    return
  end
  local st = { task = task, m = out[0], content = content }
  -- Released when the task ends, also when it is aborted mid-lookup.
  local uid = task:get_uid()
  task:get_mempool():add_destructor(function()
    if st.m ~= nil then
      -- The task ended (timeout, client gone) with lookups in flight:
      -- their callbacks will not come; release the message here.
      rspamd_logger.infox(rspamd_config, '%s: task <%s> ended before its DNS answers; message released',
          N, uid)
    end
    free_state(st)
  end)
  if settings.now then
    lib.authscore_msg_set_time(st.m, settings.now)
  end
  pump(st)
end

-- ---- configuration time ----------------------------------------------------

local function disable(fmt, ...)
  rspamd_logger.errx(rspamd_config, '%s: ' .. fmt .. '; plugin disabled', N, ...)
  if ctx ~= nil and lib then lib.authscore_ctx_free(ctx) end
  ctx = nil
  local lua_util = require "lua_util"
  if lua_util.disable_module then lua_util.disable_module(N, 'config') end
end

local function configure()
  local opts = rspamd_config:get_all_opt(N)
  if not opts then
    rspamd_logger.infox(rspamd_config, '%s: no configuration; plugin disabled', N)
    return
  end
  for k, v in pairs(opts) do settings[k] = v end
  if not settings.library then return disable('option `library` is required') end

  local ok, l = pcall(ffi.load, settings.library)
  if not ok then return disable('cannot load %s: %s', settings.library, l) end
  lib = l
  -- ffi.cdef runs once per Lua state: a configuration reload finds the
  -- declarations already made.
  if not pcall(ffi.typeof, 'authscore_msg *') then
    local okc, err = pcall(ffi.cdef, cdef)
    if not okc then return disable('ffi.cdef: %s', err) end
  end

  local out = ffi.new('authscore_ctx *[1]')
  local rc = lib.authscore_ctx_new(out)
  if rc < 0 then return disable('authscore_ctx_new: %s', cstr(lib.authscore_strerror(rc))) end
  ctx = out[0]

  local set = {}
  -- Rspamd resolves: the module's own libunbound stays unused.
  set[#set + 1] = { 'dns.backend', 'none' }
  if settings.rules_file then set[#set + 1] = { 'rules.file', settings.rules_file } end
  if settings.authserv_id then set[#set + 1] = { 'authserv_id', settings.authserv_id } end
  if type(settings.options) == 'table' then
    for k, v in pairs(settings.options) do set[#set + 1] = { tostring(k), tostring(v) } end
  end
  for _, kv in ipairs(set) do
    rc = lib.authscore_ctx_set_option(ctx, kv[1], kv[2])
    if rc < 0 then
      return disable('option %s=%s: %s', kv[1], kv[2], cstr(lib.authscore_strerror(rc)))
    end
  end
  if settings.now ~= nil then
    settings.now = tonumber(settings.now)
    if not settings.now then return disable('option `now` is not a number') end
    rspamd_logger.warnx(rspamd_config, '%s: clock pinned to %s (`now` is for tests only)',
        N, settings.now)
  end

  if settings.bogus_probe ~= false then
    local addr = settings.bogus_probe
    if addr == nil then
      local o = rspamd_config:get_all_opt('options')
      local ns = o and o.dns and o.dns.nameserver
      if type(ns) == 'table' then ns = ns[1] end
      addr = ns
    end
    if type(addr) == 'string' then
      local h, p = addr:match('^(%d+%.%d+%.%d+%.%d+):?(%d*)$')
      if not h then h, p = addr:match('^%[([%x:.]+)%]:?(%d*)$') end
      if h then
        probe_host, probe_port = h, tonumber(p) or 53
      end
    end
    if probe_host then
      rspamd_logger.infox(rspamd_config, '%s: SERVFAIL answers are probed for EDE at %s:%s',
          N, probe_host, probe_port)
    else
      rspamd_logger.infox(rspamd_config, '%s: no resolver address for the bogus probe ' ..
          '(set bogus_probe = "ip:port"): a bogus answer counts as SERVFAIL', N)
    end
  end

  rc = lib.authscore_ctx_finalize(ctx)
  if rc < 0 then
    local why = cstr(lib.authscore_ctx_error(ctx))
    return disable('authscore_ctx_finalize: %s%s', cstr(lib.authscore_strerror(rc)),
        why and (': ' .. why) or '')
  end

  local id = rspamd_config:register_symbol({
    name = CALLBACK_SYMBOL,
    type = 'callback',
    callback = authscore_cb,
    flags = 'empty',
    group = 'authscore',
  })

  -- Every symbol of the rule file, with its weight, description and
  -- group, so rspamc and the web UI show them.
  local n = tonumber(lib.authscore_rules_count(ctx))
  for i = 0, n - 1 do
    local name = cstr(lib.authscore_rules_name(ctx, i))
    if name then
      local w = tonumber(lib.authscore_rules_weight(ctx, i)) or 0
      local sid = rspamd_config:register_symbol({
        name = name,
        type = 'virtual',
        parent = id,
        score = w,
        group = cstr(lib.authscore_rules_group(ctx, i)) or 'authscore',
        description = cstr(lib.authscore_rules_description(ctx, i)) or name,
      })
      if sid == -1 then
        rspamd_logger.warnx(rspamd_config, '%s: symbol %s was already registered: ' ..
            'disable Rspamd\'s own spf, dkim and dmarc checks (docs/rspamd.md)', N, name)
      end
      registered[name] = w
    end
  end
  rspamd_logger.infox(rspamd_config, '%s: libauthscore %s loaded from %s, %s symbols',
      N, cstr(lib.authscore_version()), settings.library, n)
end

-- Never let an unexpected error stop Rspamd from starting.
local ok_cfg, cfg_err = pcall(configure)
if not ok_cfg then disable('configuration failed: %s', cfg_err) end

-- The pure helpers, for tests/rspamd/test-plugin.lua (Rspamd ignores what
-- a `lua` script returns).
return {
  ptr_to_ip = ptr_to_ip,
  record_text = record_text,
  build_query = build_query,
  parse_ede = parse_ede,
  EDE_BOGUS = EDE_BOGUS,
}
