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
The pure helpers (DNS wire format, PTR names, header folding) are in
authscore_helpers.lua beside this file.

Configuration (local.d/authscore.conf, or an `authscore { }` section):
  library      path of libauthscore.so (required)
  rules_file   rule file, e.g. /etc/authscore/authscore.conf (weights)
  authserv_id  the authserv-id of the Authentication-Results header
  add_header   true (default): add an Authentication-Results header
  header_order position of that header among the message's (0: the top)
  options      table of further authscore_ctx_set_option() names/values
  report_log   DMARC report rows to this file (docs/dmarc-reports.md);
               report_all = true: a row for every message
  actions      forced actions (Rspamd's pre-result): reject, quarantine
               (DMARC dispositions, at least), temperror (a DNS failure),
               config_error; an action name, or false for none
  bogus_probe  "ip:port" of the validating resolver asked again by the
               plugin, for the TTL of each answer and the Extended DNS
               Error of a SERVFAIL (default: Rspamd's first
               dns.nameserver; false: off); bogus_probe_timeout (1.0 s)
  ttl_probe    true (default): ask that resolver for each answer's TTL, in
               parallel with Rspamd's resolver; false: TTL 0 (not cached)
  now          TEST ONLY: pin the clock (seconds since the epoch) used for
               DKIM t=/x=; never set it in production
Any other key, `actions` key or action value (a typo) is a configuration
error, with the nearest known name (H.check_settings).
Fail closed (docs/architecture.md): any error the module returns defers the
message (soft reject, with a log line), never a score from half an
evaluation.  A configuration that does not load marks the plugin failed
(rspamadm configtest fails) and gives every message AS_CONFIG_ERROR and,
by default, a soft reject.
]]

local N = 'authscore'

local rspamd_logger = require "rspamd_logger"
local rspamd_udp = require "rspamd_udp"
local rspamd_util = require "rspamd_util"
local lua_util = require "lua_util"
local ucl = require "ucl"
local ffi = require "ffi"

local H = dofile(((debug.getinfo(1, 'S').source or ''):match('^@(.*)/[^/]*$') or '.') ..
    '/authscore_helpers.lua')

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
const char *authscore_result_name(int result);
int authscore_spf_result(const authscore_msg *m, int identity);
size_t authscore_dkim_count(const authscore_msg *m);
int authscore_dkim_result(const authscore_msg *m, size_t i);
const char *authscore_dkim_domain(const authscore_msg *m,
                                  size_t i);
int authscore_dkim_overall(const authscore_msg *m);
int authscore_msg_temperror(const authscore_msg *m);
int authscore_dmarc_result(const authscore_msg *m);
const char *authscore_dmarc_domain(const authscore_msg *m);
int authscore_dmarc_disposition(const authscore_msg *m);
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
local RES_PASS, RES_FAIL, RES_TEMPERROR = 2, 3, 6
local POLICY_QUARANTINE, POLICY_REJECT = 2, 3
local QTYPE = { [1] = 'a', [12] = 'ptr', [15] = 'mx', [16] = 'txt', [28] = 'aaaa' }

-- rdns reports its reply code only as text (rdns_strerror); these are the
-- ones that are not a plain server failure.
local RDNS_STATUS = {
  ['no records with this name'] = DNS_NXDOMAIN,   -- NXDOMAIN
  ['requested record is not found'] = DNS_NODATA, -- NOERROR, no such type
  ['query timed out'] = DNS_TIMEOUT,
}
-- The reply code a probe answer must have to vouch for a status's TTL.
local STATUS_RCODE = { [DNS_OK] = 0, [DNS_NODATA] = 0, [DNS_NXDOMAIN] = 3 }

local CALLBACK_SYMBOL = 'AUTHSCORE_CHECK'
local CONFIG_ERROR_SYMBOL = 'AS_CONFIG_ERROR'
-- The priority of the rule file's weights: that of Rspamd's stock
-- scores.d (a symbol's config priority + 1); registered later, they
-- replace its defaults.  Weights the admin sets in local.d/override.d are
-- left alone (admin_scores()).
local RULE_PRIORITY = 1
-- Names Rspamd's own spf, dkim, dmarc and arc modules register and other
-- modules depend on (ARC_CHECK: arc's signing waits for it).
local COMPAT = { spf = { 'SPF_CHECK' }, dkim = { 'DKIM_CHECK' },
  dmarc = { 'DMARC_CHECK', 'DMARC_CALLBACK' }, arc = { 'ARC_CHECK', 'ARC_CALLBACK' } }
-- DKIM_TRACE options as Rspamd's dkim module writes them (domain:x).
local TRACE = { [RES_PASS] = '+', [RES_FAIL] = '-', [RES_TEMPERROR] = '?' }

local settings = {
  library = nil,
  rules_file = nil,
  authserv_id = nil,
  add_header = true,
  header_order = 0,
  options = {},
  actions = {
    reject = 'reject',
    quarantine = 'add header',
    temperror = 'soft reject',
    config_error = 'soft reject',
  },
  now = nil,
  bogus_probe = nil,
  bogus_probe_timeout = 1.0,
  ttl_probe = true,
}
local probe_host, probe_port -- resolved from bogus_probe at config time

local lib, ctx -- set once at configuration time
local registered = {} -- symbol name -> weight registered with Rspamd
local broken_reason -- why the configuration failed (see broken())
local trace_registered = false

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

-- Fail closed: a negative return of the module defers the message (the
-- MTA answers 4xx and the sender retries) and ends its evaluation here;
-- no symbol, no header.  Callbacks still in flight find st.m == nil.
local function defer(task, why)
  rspamd_logger.errx(task, '%s: %s; message deferred (soft reject)', N, why)
  task:set_pre_result('soft reject', 'authscore: ' .. why, N)
end

local function fail_closed(st, call, rc)
  if st.m == nil then return end
  defer(st.task, string.format('%s: %s', call, cstr(lib.authscore_strerror(rc))))
  free_state(st)
end

-- A configured action (settings.actions[key]) as Rspamd's pre-result.
-- `least`: at least that action, as the dmarc module sets its own (a
-- higher score still rejects); otherwise exactly it, as Exim's 451 comes
-- before any 550 (a retry may pass), with the reason as the SMTP reply.
local function force(task, key, why, least)
  local action = settings.actions[key]
  if not action then return end -- false: the admin turned it off
  -- Nothing is above reject: exactly it, so that Rspamd 3.4 keeps the
  -- reason as the SMTP reply (it drops the message of a "least" result).
  if action == 'reject' then least = false end
  task:set_pre_result(action, 'authscore: ' .. why, N, nil, nil, least and 'least' or nil)
end

-- ---- DNS ---------------------------------------------------------------------
-- Rspamd's resolver (rdns) reports only the rcode, the records and the AD
-- bit: no TTL, and no reason for a SERVFAIL.  So the plugin asks the same
-- validating resolver itself too, over rspamd_udp, tied to the task:
--   - in parallel with each question (ttl_probe), for the answer's TTL
--     (the module caches answers for that long) and, when the answer is a
--     SERVFAIL, its Extended DNS Error (RFC 8914; unbound `ede: yes`):
--     info-codes 6-12 mean DNSSEC validation failed (bogus);
--   - with ttl_probe off, once after a SERVFAIL, for the EDE only.
-- The resolver answers both from one cache, so the probe costs one
-- loopback round trip and adds no wait: the answer goes to the module
-- when both replies are in (or the probe timed out: TTL 0).

local pump -- forward

local function answer(st, q, status, dnssec, records, why, ttl)
  if st.m == nil then return end -- the task is gone
  local n = records and #records or 0
  local rdata = ffi.new('const char *[?]', n > 0 and n or 1)
  local lens = ffi.new('size_t[?]', n > 0 and n or 1)
  for i = 1, n do
    rdata[i - 1] = records[i] -- `records` keeps the strings alive
    lens[i - 1] = #records[i]
  end
  lua_util.debugm(N, st.task, 'answer %s %s: status %s, dnssec %s, ttl %s, %s records',
      q.name, QTYPE[q.qtype] or q.qtype, status, dnssec, ttl or 0, n)
  local rc = lib.authscore_msg_answer(st.m, q.id, status, dnssec, why, ttl or 0,
      rdata, lens, n)
  if rc < 0 then fail_closed(st, 'authscore_msg_answer', rc) end
end

-- Send the probe for question q; done(reply or false) is called exactly
-- once (at once when it cannot be sent).
local function probe(task, q, timeout, done)
  local called = false
  local function once(r)
    if called then return end
    called = true
    done(r)
  end
  if not probe_host then return once(false) end
  -- Unpredictable ID: a reply must answer this query, not a guess.
  local qid = tonumber(rspamd_util.random_hex(4), 16) or 0
  local packet = H.build_query(qid, q.name, q.qtype)
  if not packet then return once(false) end
  local ok = rspamd_udp.sendto({
    task = task,
    host = probe_host,
    port = probe_port,
    data = packet,
    timeout = timeout,
    retransmits = 0,
    callback = function(success, data)
      if not success or not data then return once(false) end
      if type(data) ~= 'string' then data = tostring(data) end
      once(H.parse_reply(data, qid) or false)
    end,
  })
  if not ok then once(false) end
end

local function bogus_of(r)
  if r and r.rcode == 2 and r.ede and H.EDE_BOGUS[r.ede] then
    local text = (r.ede_text and r.ede_text ~= '') and r.ede_text or H.EDE_BOGUS[r.ede]
    return string.format('EDE %d: %s', r.ede, text)
  end
  return nil
end

-- Both replies of question q in (or the probe given up): answer.
local function deliver(st, q)
  local reply = q.reply
  if not reply or q.probe == 'pending' or q.done or st.m == nil then return end
  q.done = true
  local p = q.probe
  if reply.status == DNS_SERVFAIL then
    if p == nil then
      -- No parallel probe: ask once now, for the EDE only.
      q.probe = 'pending'
      q.done = false
      return probe(st.task, q, settings.bogus_probe_timeout, function(r)
        q.probe = r
        deliver(st, q)
      end)
    end
    local why = bogus_of(p)
    answer(st, q, DNS_SERVFAIL, why and DNSSEC_BOGUS or DNSSEC_INDETERMINATE, nil, why)
  else
    -- The probe's TTL only when it saw the same outcome.
    local ttl = 0
    if p and p.ttl and STATUS_RCODE[reply.status] == p.rcode then ttl = p.ttl end
    answer(st, q, reply.status, reply.dnssec, reply.records, nil, ttl)
  end
  pump(st)
end

-- Ask one question through the task's resolver (and the probe).  Returns
-- false when Rspamd would not schedule it (the caller answers SERVFAIL).
local function ask(st, id, qname, qtype)
  local task = st.task
  local rtype = QTYPE[qtype]
  if not rtype then return false end
  local name = qname
  if qtype == 12 then
    name = H.ptr_to_ip(qname)
    if not name then return false end
  end
  local q = { id = id, name = qname, qtype = qtype }
  local function cb(_, _, results, err, _, authenticated)
    if st.m == nil then return end
    local status, dnssec, records = DNS_OK, DNSSEC_INSECURE, {}
    if err then
      status = RDNS_STATUS[err] or DNS_SERVFAIL
    elseif type(results) ~= 'table' or #results == 0 then
      status = DNS_NODATA
    else
      for _, r in ipairs(results) do
        local t = H.record_text(qtype, r)
        if t then records[#records + 1] = t end
      end
    end
    if status == DNS_TIMEOUT then
      dnssec = DNSSEC_INDETERMINATE -- no answer, no security state
    elseif authenticated then
      dnssec = DNSSEC_SECURE
    end
    q.reply = { status = status, dnssec = dnssec, records = records }
    deliver(st, q)
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
  if not ok then return false end
  if settings.ttl_probe and probe_host then
    q.probe = 'pending'
    probe(task, q, settings.bogus_probe_timeout, function(r)
      q.probe = r
      deliver(st, q)
    end)
  end
  return true
end

-- ---- results -------------------------------------------------------------------

-- DKIM_TRACE as Rspamd's dkim module writes it, for the rbl, whitelist,
-- reputation and dmarc modules: "d=domain:x" per evaluated signature,
-- + pass, - fail, ? temperror, ~ any other result.
local function dkim_trace(task, m)
  local opts = {}
  for i = 0, tonumber(lib.authscore_dkim_count(m)) - 1 do
    local res = lib.authscore_dkim_result(m, i)
    local d = cstr(lib.authscore_dkim_domain(m, i))
    if d and d ~= '' and res > 1 then
      opts[#opts + 1] = d .. ':' .. (TRACE[res] or '~')
    end
  end
  if #opts > 0 then task:insert_result('DKIM_TRACE', 0.0, opts) end
end

-- The DNS-temperror and DMARC actions: a temperror first (a retry may
-- pass, as Exim's 451 before its 550), else the DMARC disposition.
local function actions(task, m)
  -- The library's one definition (Exim and the milter use it too); it
  -- includes a DMARC override that rests on an ARC temperror.
  if lib.authscore_msg_temperror(m) ~= 0 then
    return force(task, 'temperror', 'temporary DNS failure while checking SPF, DKIM or DMARC')
  end
  local disp = lib.authscore_dmarc_disposition(m)
  local domain = cstr(lib.authscore_dmarc_domain(m)) or '?'
  if disp == POLICY_REJECT then
    force(task, 'reject', 'rejected by the DMARC policy of ' .. domain, true)
  elseif disp == POLICY_QUARANTINE then
    force(task, 'quarantine', 'quarantined by the DMARC policy of ' .. domain, true)
  end
end

local function newline(task)
  if task:has_flag('milter') then return '\n' end
  local t = task:get_newlines_type()
  return t == 'crlf' and '\r\n' or t == 'cr' and '\r' or '\n'
end

local function finish(st)
  local task, m = st.task, st.m
  local rc = lib.authscore_msg_result(m)
  if rc < 0 then return fail_closed(st, 'authscore_msg_result', rc) end
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
  if trace_registered then dkim_trace(task, m) end
  -- The message's DKIM result in one word, the one the rules' `dkim`
  -- condition and Exim's summary use (authscore_dkim_overall), for Lua
  -- rules and composites: task:get_mempool():get_variable('authscore_dkim').
  local dkim = cstr(lib.authscore_result_name(lib.authscore_dkim_overall(m)))
  if dkim then task:get_mempool():set_variable('authscore_dkim', dkim) end
  actions(task, m)
  if settings.add_header then
    local ar = cstr(lib.authscore_ar_header(m))
    if ar and ar ~= '' then
      task:set_milter_reply({
        add_headers = { ['Authentication-Results'] = {
          { order = settings.header_order,
            value = H.fold(ar, #'Authentication-Results: ', newline(task)) },
        } },
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
    local rc = lib.authscore_msg_next_query(st.m, id, qname, qtype)
    while rc == 1 do
      local qid, qn, qt = id[0], ffi.string(qname[0]), qtype[0]
      if not ask(st, qid, qn, qt) then
        refused[#refused + 1] = { id = qid, name = qn, qtype = qt }
      end
      rc = lib.authscore_msg_next_query(st.m, id, qname, qtype)
    end
    if rc < 0 then
      fail_closed(st, 'authscore_msg_next_query', rc)
      break
    end
    if #refused == 0 then break end
    for _, q in ipairs(refused) do
      answer(st, q, DNS_SERVFAIL, DNSSEC_INDETERMINATE, nil)
    end
  end
  st.busy = false
  if st.m ~= nil and lib.authscore_msg_outstanding(st.m) == 0 then
    finish(st)
  end
end

local function authscore_cb(task)
  if ctx == nil then
    -- A configuration that did not load: every message says so.
    local why = 'configuration: ' .. (broken_reason or 'no context')
    rspamd_logger.errx(task, '%s: %s', N, why)
    task:insert_result(CONFIG_ERROR_SYMBOL, 1.0, why)
    return force(task, 'config_error', why)
  end
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
    return defer(task, 'authscore_msg_new: ' .. cstr(lib.authscore_strerror(rc)))
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
    rc = lib.authscore_msg_set_time(st.m, settings.now)
    if rc < 0 then return fail_closed(st, 'authscore_msg_set_time', rc) end
  end
  pump(st)
end

-- ---- configuration time ----------------------------------------------------

local callback_id

-- The callback symbol, the config-error symbol and the names of Rspamd's
-- own spf, dkim, dmarc and arc modules (as virtual symbols of this callback, so
-- that the modules that depend on them find them: arc, rbl, whitelist,
-- reputation, phishing, ...).  Registered also for a broken
-- configuration: the callback then marks every message.
local function register_callback()
  if callback_id then return callback_id end
  callback_id = rspamd_config:register_symbol({
    name = CALLBACK_SYMBOL,
    type = 'callback',
    callback = authscore_cb,
    flags = 'empty',
    group = 'authscore',
  })
  rspamd_config:register_symbol({
    name = CONFIG_ERROR_SYMBOL, type = 'virtual', parent = callback_id,
    score = 0.0, group = 'authscore',
    description = 'The authscore configuration did not load: no SPF, DKIM or DMARC check',
  })
  for module, names in pairs(COMPAT) do
    -- Off: turned off as docs/rspamd.md says, or not configured at all.
    local o = rspamd_config:get_all_opt(module)
    local off = o == nil or o.enabled == false or o.enabled == 'false' or o.enabled == 'no'
    if off then
      for _, name in ipairs(names) do
        rspamd_config:register_symbol({
          name = name, type = 'virtual,skip', parent = callback_id,
        })
      end
      if module == 'dkim' then
        rspamd_config:register_symbol({
          name = 'DKIM_TRACE', type = 'virtual', parent = callback_id, flags = 'nostat',
          score = 0.0, group = 'dkim', description = 'DKIM trace symbol',
        })
        trace_registered = true
      end
    else
      rspamd_logger.errx(rspamd_config, '%s: Rspamd\'s own %s module is on: turn it off ' ..
          '(enabled = false in local.d/%s.conf, docs/rspamd.md), both would check and score',
          N, module, module)
    end
  end
  return callback_id
end

-- A configuration error fails closed: the plugin is marked failed, as
-- Rspamd's own modules are (rspamd_plugins_state.disabled_failed, shown by
-- `rspamadm configdump -m`), `rspamadm configtest` fails (below), and
-- every message gets AS_CONFIG_ERROR and the config_error action until
-- the configuration is fixed.  Without an `authscore` section the plugin
-- is simply off (configure()).
local function broken(fmt, ...)
  local n, args = select('#', ...), { ... }
  for i = 1, n do args[i] = tostring(args[i]) end
  local why = string.format(fmt, unpack(args, 1, n))
  rspamd_logger.errx(rspamd_config, '%s: %s; every message gets %s and the %s action ' ..
      'until this is fixed', N, why, CONFIG_ERROR_SYMBOL, tostring(settings.actions.config_error))
  if ctx ~= nil and lib then lib.authscore_ctx_free(ctx) end
  ctx = nil
  broken_reason = broken_reason or why
  lua_util.disable_module(N, 'fail')
  register_callback()
end

-- Names whose weight the admin sets in Rspamd's own local.d/ or
-- override.d/ group files (*_group.conf, groups.conf): those weights win
-- over the rule file, as they do over Rspamd's defaults.  name -> file.
local function admin_scores()
  local set = {}
  local dir = type(rspamd_paths) == 'table' and rspamd_paths['LOCAL_CONFDIR']
  if not dir then return set end
  local function symbols(tbl, path, into)
    if type(tbl) ~= 'table' then return end
    for name, def in pairs(tbl) do
      if type(def) == 'table' and (def.weight ~= nil or def.score ~= nil) then
        into[name] = path
      end
    end
  end
  -- Per file name: Rspamd includes override.d/<g>_group.conf at priority
  -- 10 without merging, so its `symbols` block replaces local.d's (and the
  -- stock one) for that group; local.d's weights then no longer apply.
  local per_file = {}
  for _, sub in ipairs({ 'local.d', 'override.d' }) do
    for _, path in ipairs(rspamd_util.glob(dir .. '/' .. sub .. '/*group*.conf') or {}) do
      local parser = ucl.parser()
      if parser:parse_file(path) then
        local obj = parser:get_object() or {}
        local base = path:match('[^/]+$')
        local found = per_file[base] or {}
        if sub == 'override.d' and type(obj.symbols) == 'table' then found = {} end
        symbols(obj.symbols, path, found)
        for _, g in pairs(type(obj.group) == 'table' and obj.group or {}) do
          if type(g) == 'table' then symbols(g.symbols, path, found) end
        end
        per_file[base] = found
      else
        rspamd_logger.warnx(rspamd_config, '%s: cannot read %s for its weights', N, path)
      end
    end
  end
  for _, found in pairs(per_file) do
    for name, path in pairs(found) do set[name] = path end
  end
  return set
end

-- Every symbol of the rule file, with its weight, group and description,
-- so rspamc and the web UI show them and Rspamd scores the rule file's
-- weights, not its stock defaults for the shared names (R_SPF_FAIL, ...).
local function register_rules(id)
  local admin = admin_scores()
  local n = tonumber(lib.authscore_rules_count(ctx))
  for i = 0, n - 1 do
    local name = cstr(lib.authscore_rules_name(ctx, i))
    if name then
      local w = tonumber(lib.authscore_rules_weight(ctx, i)) or 0
      local group = cstr(lib.authscore_rules_group(ctx, i)) or 'authscore'
      local desc = cstr(lib.authscore_rules_description(ctx, i)) or name
      rspamd_config:register_symbol({ name = name, type = 'virtual', parent = id })
      if admin[name] then
        rspamd_logger.infox(rspamd_config, '%s: %s keeps the weight set in %s, not the ' ..
            'rule file\'s %s', N, name, admin[name], w)
        -- No score: only a missing description or group is filled in.
        rspamd_config:set_metric_symbol({
          name = name, group = group, description = desc, priority = 0,
        })
      else
        rspamd_config:set_metric_symbol({
          name = name, score = w, group = group, description = desc,
          priority = RULE_PRIORITY,
        })
      end
      registered[name] = w
    end
  end
  return n
end

local function find_probe_address()
  if settings.bogus_probe == false then return end
  local addr = settings.bogus_probe
  if addr == nil then
    local o = rspamd_config:get_all_opt('options')
    local ns = o and o.dns and o.dns.nameserver
    if type(ns) == 'table' then ns = ns[1] end
    addr = ns
  end
  probe_host, probe_port = H.parse_address(addr)
  if probe_host then
    rspamd_logger.infox(rspamd_config, '%s: resolver %s:%s probed for TTLs (%s) and EDE',
        N, probe_host, probe_port, settings.ttl_probe and 'on' or 'off')
  else
    rspamd_logger.infox(rspamd_config, '%s: no resolver address for the probe ' ..
        '(set bogus_probe = "ip:port"): answers carry TTL 0, and a bogus answer ' ..
        'counts as SERVFAIL', N)
  end
end

local function configure()
  local opts = rspamd_config:get_all_opt(N)
  if not opts then
    rspamd_logger.infox(rspamd_config, '%s: no configuration; plugin disabled', N)
    return
  end
  -- Every key checked before any is used: a typo must not leave the
  -- plugin running without the setting (a rule file, an action).
  local bad = H.check_settings(opts)
  if bad then
    -- The config_error action as configured, when that value is good.
    local ce = type(opts.actions) == 'table' and opts.actions or {}
    if ce.config_error ~= nil and H.action_ok(ce.config_error) then
      settings.actions.config_error = ce.config_error
    end
    return broken('%s', bad)
  end
  for k, v in pairs(opts) do
    if k == 'actions' then
      for a, act in pairs(v) do settings.actions[a] = act end
    elseif H.SETTINGS[k] == 'number' then
      settings[k] = tonumber(v)
    else
      settings[k] = v
    end
  end
  if not settings.library then return broken('option `library` is required') end

  local ok, l = pcall(ffi.load, settings.library)
  if not ok then return broken('cannot load %s: %s', settings.library, l) end
  lib = l
  -- ffi.cdef runs once per Lua state: a configuration reload finds the
  -- declarations already made.
  if not pcall(ffi.typeof, 'authscore_msg *') then
    local okc, err = pcall(ffi.cdef, cdef)
    if not okc then return broken('ffi.cdef: %s', err) end
  end

  local out = ffi.new('authscore_ctx *[1]')
  local rc = lib.authscore_ctx_new(out)
  if rc < 0 then return broken('authscore_ctx_new: %s', cstr(lib.authscore_strerror(rc))) end
  ctx = out[0]

  local set = {}
  -- Rspamd resolves: the module's own libunbound stays unused.
  set[#set + 1] = { 'dns.backend', 'none' }
  if settings.rules_file then set[#set + 1] = { 'rules.file', settings.rules_file } end
  if settings.authserv_id then set[#set + 1] = { 'authserv_id', settings.authserv_id } end
  if type(settings.options) == 'table' then
    for k, v in pairs(settings.options) do set[#set + 1] = { tostring(k), tostring(v) } end
  end
  local report, rerr = H.report_options(settings)
  if not report then return broken('%s', rerr) end
  for _, kv in ipairs(report) do set[#set + 1] = kv end
  for _, kv in ipairs(set) do
    rc = lib.authscore_ctx_set_option(ctx, kv[1], kv[2])
    if rc < 0 then
      local why = cstr(lib.authscore_ctx_error(ctx)) or cstr(lib.authscore_strerror(rc))
      return broken('option %s=%s: %s', kv[1], kv[2], why)
    end
  end
  if settings.now ~= nil then
    rspamd_logger.warnx(rspamd_config, '%s: clock pinned to %s (`now` is for tests only)',
        N, settings.now)
  end
  find_probe_address()

  rc = lib.authscore_ctx_finalize(ctx)
  if rc < 0 then
    local why = cstr(lib.authscore_ctx_error(ctx))
    return broken('authscore_ctx_finalize: %s%s', cstr(lib.authscore_strerror(rc)),
        why and (': ' .. why) or '')
  end

  local n = register_rules(register_callback())
  rspamd_logger.infox(rspamd_config, '%s: libauthscore %s loaded from %s, %s symbols',
      N, cstr(lib.authscore_version()), settings.library, n)
end

-- True inside `rspamadm configtest`: Rspamd 3.4 fails it only for errors
-- that stop the configuration from loading (the failed-plugin state
-- alone passes), so a broken configuration is raised there as one.
local function in_configtest()
  if rawget(_G, 'rspamadm') == nil then return false end
  local f = io.open('/proc/self/cmdline', 'rb')
  if not f then return true end
  local cmdline = f:read('*a') or ''
  f:close()
  for arg in cmdline:gmatch('[^%z]+') do
    if arg == 'configtest' then return true end
  end
  return false
end

-- Never let an unexpected error stop Rspamd from starting.
local ok_cfg, cfg_err = pcall(configure)
if not ok_cfg then broken('configuration failed: %s', cfg_err) end
if broken_reason and in_configtest() then
  error(string.format('%s: %s', N, broken_reason), 0)
end

-- The pure helpers, for tests/rspamd/test-plugin.lua (Rspamd ignores what
-- a `lua` script returns).
return H
