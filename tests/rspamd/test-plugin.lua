--[[ test-plugin.lua - the plugin's pure helpers (authscore_helpers.lua),
in Rspamd's own LuaJIT: PTR names, record text, the probe's query and its
reply parser (rcode, TTL, EDE) on good, truncated, hostile and random
packets, the folding of the A-R value, the configuration check (typos
with "did you mean", against the options docs/rspamd.md lists); then the
plugin itself on mocks of Rspamd and of the library: its fail-closed
paths and its failed-configuration path.
usage: rspamadm lua -a PATH/authscore.lua -a PATH/docs/rspamd.md tests/rspamd/test-plugin.lua
The plugin file is first loaded without an `authscore` section, so it
only loads its helpers and returns them.  Prints "N passed, N failed"; exits 1
on a failure. ]]
local bit = require "bit"
local path = arg and arg[1]
if not path then print('usage: rspamadm lua -a authscore.lua -a docs/rspamd.md test-plugin.lua'); os.exit(2) end
local P = dofile(path)

local passed, failed = 0, 0
local function check(cond, what)
  if cond then passed = passed + 1 else failed = failed + 1; print('FAIL: ' .. what) end
end
local function eq(got, want, what)
  check(got == want, string.format('%s: got %s, want %s', what, tostring(got), tostring(want)))
end

-- PTR names back to the address Rspamd's resolve_ptr wants.
eq(P.ptr_to_ip('25.2.0.192.in-addr.arpa'), '192.0.2.25', 'ptr v4')
eq(P.ptr_to_ip('25.2.0.192.IN-ADDR.ARPA.'), '192.0.2.25', 'ptr v4, case and root dot')
eq(P.ptr_to_ip('2.0.192.in-addr.arpa'), nil, 'ptr v4 with three labels')
local nib = {}
for c in ('20010db8000000000000000000000025'):gmatch('.') do table.insert(nib, 1, c) end
eq(P.ptr_to_ip(table.concat(nib, '.') .. '.ip6.arpa'), '2001:0db8:0000:0000:0000:0000:0000:0025', 'ptr v6')
eq(P.ptr_to_ip('5.2.ip6.arpa'), nil, 'ptr v6, too few nibbles')
eq(P.ptr_to_ip('example.com'), nil, 'not a reverse name')

-- Record text forms of authscore_msg_answer().
eq(P.record_text(15, { name = 'mx.good.example', priority = 10 }), '10 mx.good.example', 'MX text')
eq(P.record_text(15, 'garbage'), nil, 'MX without a table')
eq(P.record_text(16, 'v=spf1 -all'), 'v=spf1 -all', 'TXT text')

-- Queries: header, question, OPT with DO; bad names refused.
local q = P.build_query(0x1234, 'good.example', 16)
eq(#q, 12 + 14 + 4 + 11, 'query length')
eq(q:sub(1, 2), '\018\052', 'query id')
eq(q:byte(3), 0x01, 'RD set')
eq(q:sub(13, 26), '\004good\007example\000', 'qname wire form')
eq(q:sub(27, 30), '\000\016\000\001', 'qtype TXT, class IN')
eq(q:sub(31), '\000\000\041\004\208\000\000\128\000\000\000', 'OPT record with DO')
eq(P.build_query(1, string.rep('a', 64) .. '.example', 1), nil, '64-byte label refused')
eq(P.build_query(1, string.rep('abcdefghi.', 26), 1), nil, 'name over 255 bytes refused')

-- Replies.  A SERVFAIL with EDE 6 as unbound sends it, then damaged forms.
local function u16(n) return string.char(bit.rshift(n, 8), bit.band(n, 255)) end
local question = '\005bogus\007example\000' .. u16(16) .. u16(1)
local function reply(id, flags, an, ns, ar, body)
  return u16(id) .. u16(flags) .. u16(1) .. u16(an) .. u16(ns) .. u16(ar) .. question .. body
end
local text = 'validation failure <bogus.example. TXT IN>: signature crypto failed'
local ede = u16(15) .. u16(2 + #text) .. u16(6) .. text
local opt = '\000' .. u16(41) .. u16(1232) .. '\000\000\128\000' .. u16(#ede) .. ede
local good = reply(0x4242, 0x8182, 0, 0, 1, opt)
local rcode, info, why = P.parse_ede(good, 0x4242)
eq(rcode, 2, 'SERVFAIL rcode')
eq(info, 6, 'EDE info-code')
eq(why, text, 'EDE extra text')
check(P.EDE_BOGUS[info] ~= nil, 'code 6 means bogus')
check(P.EDE_BOGUS[3] == nil and P.EDE_BOGUS[22] == nil, 'stale answer / no reachable authority are not bogus')
eq(P.parse_ede(good, 0x4243), nil, 'another query id')
eq(P.parse_ede(reply(0x4242, 0x0182, 0, 0, 1, opt), 0x4242), nil, 'a query, not a reply')
-- Without text, as unbound sends it from its cache.
local short = u16(15) .. u16(2) .. u16(6)
local r2, i2, w2 = P.parse_ede(reply(7, 0x8182, 0, 0, 1, '\000' .. u16(41) .. u16(1232) .. '\000\000\128\000' .. u16(#short) .. short), 7)
check(r2 == 2 and i2 == 6 and w2 == '', 'EDE 6 without text')
-- An OPT-typed record in the answer section is not the OPT record.
local fake_an = '\192\012' .. u16(41) .. u16(1) .. '\000\000\000\060' .. u16(#ede) .. ede
local r3, i3 = P.parse_ede(reply(8, 0x8182, 1, 0, 0, fake_an), 8)
check(r3 == 2 and i3 == nil, 'OPT type in the answer section ignored')
-- Every truncation of the good reply: no error, never a code it lacks.
local bad = 0
for n = 0, #good - 1 do
  local ok, rc, inf = pcall(P.parse_ede, good:sub(1, n), 0x4242)
  if not ok or inf ~= nil then bad = bad + 1; print('  truncated at ' .. n .. ': ' .. tostring(rc)) end
end
eq(bad, 0, 'truncated replies')
-- Counts far beyond the packet, a compression pointer loop, huge option length.
check(pcall(P.parse_ede, reply(9, 0x8182, 65535, 65535, 65535, ''), 9), 'counts beyond the packet')
local loop = u16(9) .. u16(0x8182) .. u16(1) .. u16(0) .. u16(0) .. u16(0) .. '\192\012'
check(pcall(P.parse_ede, loop, 9), 'pointer question')
local long_opt = '\000' .. u16(41) .. u16(1232) .. '\000\000\128\000' .. u16(6) .. u16(15) .. u16(500) .. u16(6)
local r4, i4 = P.parse_ede(reply(10, 0x8182, 0, 0, 1, long_opt), 10)
check(r4 == 2 and i4 == nil, 'option longer than its record')
-- Random bytes never raise an error.
math.randomseed(42)
local errors = 0
for _ = 1, 2000 do
  local t = {}
  for k = 1, math.random(0, 80) do t[k] = string.char(math.random(0, 255)) end
  local s = string.char(0, 1) .. table.concat(t)
  if not pcall(P.parse_ede, s, 1) then errors = errors + 1 end
end
eq(errors, 0, 'random replies raising errors')

-- TTLs (the probe's first job): the smallest of the answer section; for
-- an answer without records min(SOA TTL, SOA MINIMUM) (RFC 2308 5); a
-- TTL with the top bit set is 0 (RFC 2181 8).
local function u32(n) return u16(math.floor(n / 65536)) .. u16(n % 65536) end
local function rr(rtype, ttl, rdata) return '\192\012' .. u16(rtype) .. u16(1) .. u32(ttl) .. u16(#rdata) .. rdata end
local txt = rr(16, 3600, '\011v=spf1 -all')
local r = P.parse_reply(reply(11, 0x8180, 1, 0, 0, txt), 11)
check(r and r.rcode == 0 and r.ttl == 3600, 'TTL of a TXT answer')
r = P.parse_reply(reply(12, 0x8180, 2, 0, 0, rr(5, 300, '\192\012') .. rr(16, 3600, '\001x')), 12)
check(r and r.ttl == 300, 'TTL of a CNAME chain is its smallest')
local soa_rdata = '\192\012\192\012' .. u32(2026112301) .. u32(7200) .. u32(3600) .. u32(1209600) .. u32(300)
r = P.parse_reply(reply(13, 0x8183, 0, 1, 0, rr(6, 3600, soa_rdata)), 13)
check(r and r.rcode == 3 and r.ttl == 300, 'NXDOMAIN: min(SOA TTL, SOA MINIMUM)')
r = P.parse_reply(reply(14, 0x8180, 0, 1, 0, rr(6, 120, soa_rdata)), 14)
check(r and r.rcode == 0 and r.ttl == 120, 'NODATA: SOA TTL below MINIMUM')
r = P.parse_reply(reply(15, 0x8180, 1, 0, 0, rr(16, 2147483648, '\001x')), 15)
check(r and r.ttl == 0, 'TTL with the top bit set is 0')
r = P.parse_reply(reply(16, 0x8182, 0, 0, 1, opt), 16)
check(r and r.ttl == nil and r.ede == 6, 'SERVFAIL: no TTL, the EDE')
r = P.parse_reply(reply(17, 0x8180, 1, 0, 0, txt):sub(1, -3), 17)
check(r and r.ttl == nil, 'truncated answer: no TTL')

-- Folding the Authentication-Results value: each result on its own line,
-- no line over 78 columns (a tab counts 8) unless one word is longer,
-- nothing changed but spaces, quoted strings never broken.
local ar = 'mx.receiver.example; spf=pass smtp.mailfrom=alice@good.example (DNSSEC secure); ' ..
  'spf=none reason="no SPF record at mx.good.example" smtp.helo=mx.good.example (DNSSEC secure); ' ..
  'dkim=pass header.d=good.example header.s=sel2026 header.a=rsa-sha256 (2048-bit key, DNSSEC secure); ' ..
  'dmarc=pass header.from=good.example policy.dmarc=reject (DNSSEC secure)'
local folded = P.fold(ar, 24, '\n')
local lines, over = {}, 0
for l in (('Authentication-Results: ' .. folded) .. '\n'):gmatch('(.-)\n') do
  lines[#lines + 1] = l
  if #(l:gsub('\t', '        ')) > 78 then over = over + 1 end
end
eq(over, 0, 'lines over 78 columns')
check(#lines >= 5, 'one line per result at least')
eq(lines[2], '\tspf=pass smtp.mailfrom=alice@good.example (DNSSEC secure);', 'a result starts a line')
eq((folded:gsub('\n\t', ' ')), ar, 'unfolding gives the value back')
check(folded:find('reason="no SPF record at mx.good.example"', 1, true) ~= nil, 'quoted string kept whole')
local long = 'x; dkim=fail header.d=' .. string.rep('a', 90) .. '.example'
eq((P.fold(long, 24, '\r\n'):gsub('\r\n\t', ' ')), long, 'a word over 78 columns stays whole')

-- ---- The configuration check (H.check_settings) ----------------------------
-- A typo fails the configuration, with the nearest known name; every key
-- the plugin uses passes; so does every action Rspamd 3.4 takes.
local function refused(opts, want, what)
  local why = P.check_settings(opts)
  check(why ~= nil and why:find(want, 1, true) ~= nil,
      string.format('%s: got %s, want %q in it', what, tostring(why), want))
end
refused({ rule_file = '/etc/authscore/authscore.conf' },
    'unknown option rule_file (did you mean rules_file?)', 'rule_file')
refused({ ['authserv-id'] = 'mx.example.net' },
    'unknown option authserv-id (did you mean authserv_id?)', 'authserv-id')
refused({ ['rules.fil'] = 'x' }, 'did you mean rules_file?', 'a prefix with a typo')
refused({ actions = { reject = 'rejekt' } },
    'actions.reject = "rejekt" is not an Rspamd action (did you mean reject?)', 'action value typo')
refused({ actions = { quarantine = 'add-header' } }, '(did you mean add header?)', 'add-header')
refused({ actions = { temperror = 'Soft Reject' } }, '(did you mean soft reject?)', 'case of an action')
refused({ actions = { reject = 'discard' } }, 'one of: reject, soft reject', 'no near action: the list')
refused({ actions = { temperror = true } }, 'actions.temperror = true is not', 'true is no action')
refused({ actions = { config_error = '' } }, 'actions.config_error = "" is not', 'empty action')
refused({ actions = { quarantaine = 'add header' } },
    'unknown key actions.quarantaine (did you mean quarantine?)', 'action key typo')
refused({ enabled = false }, 'unknown option enabled', 'enabled is not a key of ours')
refused({ add_header = 'yes' }, 'option add_header must be true or false', 'a string for a boolean')
refused({ header_order = 'top' }, 'option header_order must be a number', 'a word for a number')
refused({ options = 'dkim.max_signatures=4' }, 'option options must be a { } section', 'options not a table')
refused({ actions = 'reject' }, 'option actions must be a { } section', 'actions not a table')
refused({ bogus_probe = 'localhost:53' }, 'option bogus_probe must be "ip:port" or false', 'probe by name')
refused({ bogus_probe = '127.0.0.1:70000' }, 'bogus_probe must be', 'probe port out of range')
refused({ ['x\001y'] = 1 }, 'unknown option x?y', 'a control character shown as ?')
-- Every problem is named, in key order, not only the first.
local many = P.check_settings({ rule_file = 'x', ttl_probe = 'off', actions = { reject = 'rejekt' } })
check(many and many:find('actions.reject', 1, true) and many:find('rule_file', 1, true)
    and many:find('ttl_probe', 1, true) and many:find('actions.reject', 1, true) < many:find('rule_file', 1, true),
    'all problems, in key order: ' .. tostring(many))
-- What the documented snippets and the tests set passes.
eq(P.check_settings({ library = '/usr/lib/libauthscore.so.0', rules_file = '/etc/authscore/authscore.conf',
  authserv_id = 'mx.example.net', add_header = true, header_order = 0, options = { ['dkim.max_signatures'] = '4' },
  report_log = '/var/log/authscore/dmarc/', report_all = false, bogus_probe = '127.0.0.1:5353',
  bogus_probe_timeout = 5, ttl_probe = false, now = 1795478000,
  actions = { reject = 'reject', quarantine = 'add header', temperror = 'soft reject', config_error = false } }),
  nil, 'every documented option')
eq(P.check_settings({ bogus_probe = false, header_order = '2', actions = {} }), nil, 'probe off, number as text')
for _, a in ipairs({ 'reject', 'soft reject', 'soft_reject', 'rewrite subject', 'rewrite_subject',
    'add header', 'add_header', 'greylist', 'no action', 'no_action', 'accept' }) do
  check(P.action_ok(a), 'Rspamd 3.4 action ' .. a)
end
check(not P.action_ok('quarantine') and not P.action_ok('discard'), 'actions Rspamd 3.4 does not set')
eq(P.nearest('x', { 'reject' }), nil, 'nothing near')
eq(P.nearest(string.rep('a', 65), { string.rep('a', 64) }), nil, 'no hint for an overlong name')
eq(P.edit_distance('kitten', 'sitting'), 3, 'edit distance')
local h, port = P.parse_address('[::1]:5353')
check(h == '::1' and port == 5353, 'IPv6 probe address')
h, port = P.parse_address('127.0.0.1')
check(h == '127.0.0.1' and port == 53, 'probe port 53 by default')

-- The documented options (docs/rspamd.md, "Options") are the known keys.
local docs = arg[2]
if docs then
  local f = assert(io.open(docs, 'r'))
  local page = f:read('*a')
  f:close()
  local table_text = page:match('\n### Options\n(.-)\n## ') or ''
  local documented = {}
  for name in table_text:gmatch('\n| `([%w_]+)` |') do documented[name] = true end
  for name in pairs(P.SETTINGS) do check(documented[name], 'option ' .. name .. ' not in docs/rspamd.md') end
  for name in pairs(documented) do check(P.SETTINGS[name], 'documented option ' .. name .. ' unknown to the plugin') end
else
  check(false, 'usage: pass docs/rspamd.md as the second argument')
end

-- ---- The plugin itself, on a stub library -----------------------------------
-- authscore.lua runs with a mock rspamd_config, task and library (ffi.load
-- gives a table of stubs): the callback's fail-closed paths and the
-- configuration-error path, without Rspamd or libauthscore.so.
local real_ffi = require "ffi"

local function fake_ptr(ctype, n) return real_ffi.cast(ctype, n) end

-- A stub of libauthscore: `over` replaces single functions.
local function stub_lib(over)
  local L = {
    freed = 0,
    authscore_version = function() return 'stub' end,
    authscore_strerror = function(rc) return 'stub error ' .. tostring(rc) end,
    authscore_ctx_new = function(out) out[0] = fake_ptr('authscore_ctx *', 8); return 0 end,
    authscore_ctx_free = function() end,
    authscore_ctx_set_option = function() return 0 end,
    authscore_ctx_finalize = function() return 0 end,
    authscore_ctx_error = function() return nil end,
    authscore_rules_count = function() return 1 end,
    authscore_rules_name = function() return 'R_SPF_ALLOW' end,
    authscore_rules_weight = function() return -0.2 end,
    authscore_rules_group = function() return 'spf' end,
    authscore_rules_description = function() return 'SPF pass' end,
    authscore_msg_new = function(_, _, _, _, _, _, out) out[0] = fake_ptr('authscore_msg *', 16); return 0 end,
    authscore_msg_set_time = function() return 0 end,
    authscore_msg_next_query = function() return 0 end,
    authscore_msg_outstanding = function() return 0 end,
    authscore_msg_result = function() return 0 end,
    authscore_result_name = function() return 'pass' end,
    authscore_dkim_count = function() return 0 end,
    authscore_dkim_overall = function() return 2 end,
    authscore_msg_temperror = function() return 0 end,
    authscore_dmarc_disposition = function() return 0 end,
    authscore_dmarc_domain = function() return nil end,
    authscore_symbol_count = function() return 1 end,
    authscore_symbol_name = function() return 'R_SPF_ALLOW' end,
    authscore_symbol_weight = function() return -0.2 end,
    authscore_symbol_option_count = function() return 0 end,
    authscore_symbol_option = function() return nil end,
    authscore_ar_header = function() return 'mx.example.net; spf=pass smtp.mailfrom=a@good.example' end,
  }
  L.authscore_msg_free = function() L.freed = L.freed + 1 end
  for k, v in pairs(over or {}) do L[k] = v end
  return L
end

-- Load the plugin with `section` as its configuration and `lib` as the
-- library; returns what the mocks saw: the callback, log lines, the
-- disable_module() call.
local function load_plugin(section, lib)
  local seen = { errors = {}, symbols = {} }
  local function fmt(f, ...)
    local args, i = { ... }, 0
    return (f:gsub('%%s', function() i = i + 1; return tostring(args[i]) end))
  end
  local logger = {
    errx = function(_, f, ...) seen.errors[#seen.errors + 1] = fmt(f, ...) end,
    warnx = function() end, infox = function() end,
  }
  local cfg = {
    get_all_opt = function(_, name)
      if name == 'authscore' then return section end
      if name == 'options' then return nil end
      return { enabled = false } -- spf, dkim, dmarc, arc: off
    end,
    register_symbol = function(_, t)
      seen.symbols[t.name] = t
      if t.callback then seen.callback = t.callback end
      return 1
    end,
    set_metric_symbol = function() end,
  }
  local mocks = {
    rspamd_logger = logger,
    rspamd_udp = { sendto = function() return false end },
    rspamd_util = { random_hex = function() return '0001' end, glob = function() return {} end },
    lua_util = { debugm = function() end,
      disable_module = function(name, why) seen.disabled = name .. ':' .. why end },
    ffi = setmetatable({ load = function() return lib end }, { __index = real_ffi }),
  }
  local env = setmetatable({
    rspamd_config = cfg, rspamd_paths = false,
    require = function(name) return mocks[name] or require(name) end,
  }, { __index = _G })
  env._G = env -- not rspamadm: no configtest error raised
  local chunk = assert(loadfile(path))
  setfenv(chunk, env)
  chunk()
  return seen
end

-- A task: records the pre-result, symbols and the milter reply.
local function mock_task()
  local t = { results = {}, destructors = {} }
  local pool = {
    add_destructor = function(_, f) t.destructors[#t.destructors + 1] = f end,
    set_variable = function() end,
  }
  local ip = { is_valid = function() return true end, to_string = function() return '192.0.2.25' end }
  local methods = {
    get_content = function() return 'From: a@good.example\r\n\r\nhello\r\n' end,
    get_from_ip = function() return ip end,
    get_helo = function() return 'mx.good.example' end,
    get_from = function() return { { addr = 'a@good.example' } } end,
    get_uid = function() return 'uid' end,
    get_mempool = function() return pool end,
    has_flag = function() return true end,
    get_newlines_type = function() return 'lf' end,
    insert_result = function(_, name, w, opts) t.results[name] = { w = w, opts = opts } end,
    set_pre_result = function(_, action, msg) t.action, t.message = action, msg end,
    set_milter_reply = function(_, r) t.milter = r end,
  }
  return setmetatable(t, { __index = methods })
end

local section = { library = '/stub/libauthscore.so', rules_file = '/stub/rules.conf' }

-- Control: the stubs' normal path inserts the symbol and adds the header,
-- so the fail-closed cases below do not pass by doing nothing at all.
local seen = load_plugin(section, stub_lib())
check(seen.callback ~= nil and seen.disabled == nil, 'stub configuration loads')
local t = mock_task()
if seen.callback then seen.callback(t) end
check(t.results.R_SPF_ALLOW ~= nil and t.milter ~= nil and t.action == nil,
    'normal path: symbol, header, no pre-result')

-- fail_closed on a negative authscore_msg_next_query / authscore_msg_result:
-- soft reject naming the call, no symbol, no A-R header, message freed.
for _, call in ipairs({ 'authscore_msg_next_query', 'authscore_msg_result' }) do
  local lib = stub_lib({ [call] = function() return -1 end })
  seen = load_plugin(section, lib)
  t = mock_task()
  if seen.callback then seen.callback(t) end
  eq(t.action, 'soft reject', call .. ' -1: action')
  check(t.message and t.message:find('authscore: ' .. call .. ': stub error -1', 1, true),
      call .. ' -1: reason ' .. tostring(t.message))
  check(next(t.results) == nil, call .. ' -1: no symbol')
  check(t.milter == nil, call .. ' -1: no Authentication-Results header')
  eq(lib.freed, 1, call .. ' -1: message freed once')
  for _, d in ipairs(t.destructors) do d() end
  eq(lib.freed, 1, call .. ' -1: the mempool destructor frees nothing more')
end

-- A typo in the section takes the failed-configuration path: the plugin
-- is disabled as failed, logs the key with its hint, and every message
-- gets AS_CONFIG_ERROR and soft reject (the library is never loaded).
local typo = { library = '/stub/libauthscore.so', rules_file = '/stub/rules.conf',
  actions = { reject = 'rejekt' } }
local loaded = false
seen = load_plugin(typo, setmetatable({}, { __index = function() loaded = true end }))
eq(seen.disabled, 'authscore:fail', 'action typo: plugin marked failed')
check(seen.errors[1] and seen.errors[1]:find('did you mean reject?', 1, true),
    'action typo logged with its hint: ' .. tostring(seen.errors[1]))
t = mock_task()
if seen.callback then seen.callback(t) end
check(t.results.AS_CONFIG_ERROR ~= nil and t.action == 'soft reject' and t.milter == nil,
    'action typo: AS_CONFIG_ERROR and soft reject, got ' .. tostring(t.action))
check(not loaded, 'action typo: the library is not used')
seen = load_plugin({ library = '/stub/libauthscore.so', rule_file = '/stub/rules.conf' }, stub_lib())
t = mock_task()
if seen.callback then seen.callback(t) end
check(seen.disabled == 'authscore:fail' and t.action == 'soft reject' and t.results.AS_CONFIG_ERROR
    and tostring(t.results.AS_CONFIG_ERROR.opts):find('did you mean rules_file?', 1, true),
    'rule_file typo: failed, soft reject, hint in AS_CONFIG_ERROR')
-- A good config_error value is kept on that path: false lets mail pass.
seen = load_plugin({ library = '/x', ['authserv-id'] = 'mx', actions = { config_error = false } }, stub_lib())
t = mock_task()
if seen.callback then seen.callback(t) end
check(t.results.AS_CONFIG_ERROR ~= nil and t.action == nil, 'config_error = false kept on a typo')

print(string.format('%d passed, %d failed', passed, failed))
os.exit(failed == 0 and 0 or 1)
